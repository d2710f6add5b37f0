"""The results artifact of the fork-safe two-phase setup: a POINTER, never content.

Phase 1 (`pull_request`, read-only token, untrusted code never executed) writes
{"nnrepair_results": 2, "repository", "pull_request", "head_sha", "summary"}.
Phase 2 (`workflow_run`, write token) trusts none of it: the artifact comes from a job
the PR's author controls. It only says which PR to look at; phase 2 checks that PR and
head SHA against the event and the API, fetches the files at that SHA itself, reruns
the (static) engine and posts what it computed. `summary` is for the logs only, cut
and stripped of anything but printable text. Older artifacts that still carry a
`report` are accepted as pointers; their report is ignored.
"""

from __future__ import annotations

import json
import re

MAX_BYTES = 5 * 1024 * 1024
MAX_SUMMARY = 500
_SHA = re.compile(r"^[0-9a-f]{40}$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


class ArtifactError(ValueError):
    pass


def build(repository: str, pr_number: int, head_sha: str, report: dict) -> dict:
    """The pointer phase 1 uploads; the summary line is for phase 2's log only."""
    models = report.get("models", []) or []
    invalid = sum(1 for m in models if m.get("status") == "invalid")
    return {
        "nnrepair_results": 2,
        "repository": repository,
        "pull_request": pr_number,
        "head_sha": head_sha,
        "summary": f"{len(models)} model(s) checked, {invalid} invalid",
    }


def log_summary(data: dict) -> str:
    """The artifact's summary as it may appear in a log: printable ASCII, short."""
    text = data.get("summary")
    if not isinstance(text, str):
        return ""
    return _UNPRINTABLE.sub("?", text)[:MAX_SUMMARY]


def load(path: str) -> dict:
    """The pointer fields, checked for shape; everything else in the file is dropped."""
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
    if not isinstance(data, dict) or data.get("nnrepair_results") not in (1, 2):
        raise ArtifactError("not an nnrepair results artifact")
    if not isinstance(data.get("repository"), str) or not _REPO.match(data["repository"]):
        raise ArtifactError("artifact: repository missing or malformed")
    n = data.get("pull_request")
    if not isinstance(n, int) or isinstance(n, bool) or not 0 < n < 10**9:
        raise ArtifactError("artifact: pull_request must be a positive integer")
    if not isinstance(data.get("head_sha"), str) or not _SHA.match(data["head_sha"]):
        raise ArtifactError("artifact: head_sha must be a 40-hex commit id")
    return {
        "repository": data["repository"],
        "pull_request": n,
        "head_sha": data["head_sha"],
        "summary": log_summary(data),
    }


def check_against(
    data: dict, *, repository: str, event_head_sha: str | None, api_head_sha: str, api_state: str
) -> None:
    """The identity checks: the artifact must point at this repository's open PR at its current head."""
    if data["repository"].lower() != repository.lower():
        raise ArtifactError(f"artifact is for {data['repository']}, not {repository}")
    if event_head_sha and data["head_sha"] != event_head_sha:
        raise ArtifactError("artifact head_sha differs from the workflow_run head_sha")
    if data["head_sha"] != api_head_sha:
        raise ArtifactError("artifact head_sha is not the PR's current head (a newer push exists)")
    if api_state != "open":
        raise ArtifactError("the pull request is not open")
