"""The results artifact of the fork-safe two-phase setup.

Phase 1 (`pull_request`, read-only token, untrusted code never executed) writes
{"nnrepair_results": 1, "repository", "pull_request", "head_sha", "report"}.
Phase 2 (`workflow_run`, write token) reads it as DATA ONLY: it checks the schema and
that repository, PR number and head SHA match the event and the API before posting.
"""

from __future__ import annotations

import json
import posixpath
import re

MAX_BYTES = 5 * 1024 * 1024
MAX_TEXT = 4000
_SHA = re.compile(r"^[0-9a-f]{40}$")


class ArtifactError(ValueError):
    pass


def build(repository: str, pr_number: int, head_sha: str, report: dict) -> dict:
    return {
        "nnrepair_results": 1,
        "repository": repository,
        "pull_request": pr_number,
        "head_sha": head_sha,
        "report": report,
    }


def _safe_path(p) -> bool:
    if not isinstance(p, str) or not p or len(p) > 1000 or "\0" in p or p.startswith("/") or "\\" in p:
        return False
    return not any(part == ".." for part in posixpath.normpath(p).split("/"))


def _opt_int(v) -> bool:
    return v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10_000_000)


def _opt_str(v) -> bool:
    return v is None or (isinstance(v, str) and len(v) <= MAX_TEXT)


def validate_report(report) -> dict:
    if not isinstance(report, dict) or report.get("version") != 1 or not isinstance(report.get("models"), list):
        raise ArtifactError("report: not a version-1 nnrepair report")
    if len(report["models"]) > 10_000:
        raise ArtifactError("report: too many models")
    for i, m in enumerate(report["models"]):
        where = f"report.models[{i}]"
        if not isinstance(m, dict) or not _safe_path(m.get("file")):
            raise ArtifactError(f"{where}: missing or unsafe file path")
        if (
            m.get("status") not in ("valid", "invalid", "unsupported")
            or not _opt_str(m.get("name"))
            or not _opt_int(m.get("line"))
        ):
            raise ArtifactError(f"{where}: bad status, name or line")
        diags = m.get("diagnostics", [])
        if not isinstance(diags, list):
            raise ArtifactError(f"{where}.diagnostics: not a list")
        for j, d in enumerate(diags):
            if not isinstance(d, dict) or not all(
                _opt_str(d.get(k)) for k in ("code", "kind", "severity", "message", "layer", "expected", "actual")
            ):
                raise ArtifactError(f"{where}.diagnostics[{j}]: bad fields")
            if d.get("file") is not None and not _safe_path(d.get("file")):
                raise ArtifactError(f"{where}.diagnostics[{j}]: unsafe file path")
            if not all(_opt_int(d.get(k)) for k in ("line", "col", "end_line", "end_col")):
                raise ArtifactError(f"{where}.diagnostics[{j}]: bad position")
        r = m.get("repair")
        if r is None:
            continue
        if not isinstance(r, dict) or not isinstance(r.get("line_edits", []) or [], list):
            raise ArtifactError(f"{where}.repair: malformed")
        if r.get("diff") is not None and (not isinstance(r["diff"], str) or len(r["diff"]) > 200_000):
            raise ArtifactError(f"{where}.repair.diff: malformed")
        for k, le in enumerate(r.get("line_edits", []) or []):
            ok = (
                isinstance(le, dict)
                and _safe_path(le.get("file") or m["file"])
                and isinstance(le.get("start_line"), int)
                and isinstance(le.get("end_line"), int)
                and isinstance(le.get("new_lines"), list)
                and all(isinstance(s, str) and len(s) <= MAX_TEXT for s in le["new_lines"])
            )
            if not ok:
                raise ArtifactError(f"{where}.repair.line_edits[{k}]: malformed")
    return report


def load(path: str) -> dict:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as e:
        raise ArtifactError(f"cannot read the results artifact {path}: {e.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise ArtifactError("the results artifact is larger than 5 MB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ArtifactError("the results artifact is not JSON") from None
    if not isinstance(data, dict) or data.get("nnrepair_results") != 1:
        raise ArtifactError("not an nnrepair results artifact")
    if not isinstance(data.get("repository"), str):
        raise ArtifactError("artifact: repository missing")
    n = data.get("pull_request")
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise ArtifactError("artifact: pull_request must be a positive integer")
    if not isinstance(data.get("head_sha"), str) or not _SHA.match(data["head_sha"]):
        raise ArtifactError("artifact: head_sha must be a 40-hex commit id")
    validate_report(data.get("report"))
    return data


def check_against(
    data: dict, *, repository: str, event_head_sha: str | None, api_head_sha: str, api_state: str
) -> None:
    """The identity checks: the artifact must describe this repository's open PR at its current head."""
    if data["repository"].lower() != repository.lower():
        raise ArtifactError(f"artifact is for {data['repository']}, not {repository}")
    if event_head_sha and data["head_sha"] != event_head_sha:
        raise ArtifactError("artifact head_sha differs from the workflow_run head_sha")
    if data["head_sha"] != api_head_sha:
        raise ArtifactError("artifact head_sha is not the PR's current head (a newer push exists)")
    if api_state != "open":
        raise ArtifactError("the pull request is not open")
