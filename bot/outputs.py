"""What every run writes, whatever its permissions: annotations (workflow commands),
the job summary (GITHUB_STEP_SUMMARY), a SARIF file and the step outputs (GITHUB_OUTPUT)."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from typing import IO

from repair_engine import render

from . import templates
from .review import SEVERITY_RANK, Finding

STATUS_ICON = {"valid": "✅", "invalid": "❌", "unsupported": "⚪"}


def model_rows(report: dict) -> list[dict]:
    """Rows of the 'checked models' table."""
    rows = []
    for m in report.get("models", []) or []:
        layers = m.get("layers")
        if isinstance(layers, list):
            layers = len(layers)
        status = m.get("status", "?")
        rows.append(
            {
                "file": m.get("file", ""),
                "name": m.get("name", ""),
                "line": m.get("line"),
                "status": status,
                "icon": STATUS_ICON.get(status, ""),
                "layers": layers if isinstance(layers, int) else "—",
                "output_shapes": m.get("output_shapes"),
            }
        )
    return rows


# --- annotations and SARIF: the engine's renderers, from the JSON ----------------------
# (repair_engine.render reads JSON v1, the one interchange: the workflow_run phase has
# only the artifact's JSON, and the annotations and SARIF are the CLI's own)


def annotation(d: dict, file: str = "") -> str:
    return render.annotation(d, file)


def annotation_lines(report: dict) -> list[str]:
    """One workflow command per distinct diagnostic, info-level ones as notices."""
    return render.annotation_lines(report, verbose=True)


def sarif(report: dict) -> dict:
    return render.to_sarif(report)


def sarif_text(report: dict) -> str:
    return json.dumps(sarif(report), indent=2)


# --- counts and exit code ----------------------------------------------------------------


def count_findings(report: dict) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for m in report.get("models", []) or []:
        for d in m.get("diagnostics", []) or []:
            sev = d.get("severity", "error")
            counts[sev if sev in counts else "info"] += 1
    return counts


def count_repairs(report: dict) -> int:
    return sum(1 for m in report.get("models", []) or [] if isinstance(m.get("repair"), dict))


def exit_code(report: dict, fail_on: str) -> int:
    """fail-on none|error|warning: 1 when a finding at or above that severity exists."""
    if fail_on == "none":
        return 0
    c = count_findings(report)
    if c["error"]:
        return 1
    return 1 if fail_on == "warning" and c["warning"] else 0


# --- writing ---------------------------------------------------------------------------


@dataclass
class RunOutputs:
    """Collects notes during the run and writes all outputs at the end."""

    mode: str
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def job_summary(report: dict, findings: list[Finding], mode: str, notes: list[str]) -> str:
    ordered = sorted(findings, key=lambda f: (SEVERITY_RANK.get(f.severity, 3), f.file, f.line or 0))
    return templates.render(
        "job_summary.md.j2", report=report, models=model_rows(report), findings=ordered, mode=mode, notes=notes
    )


def write_github_output(path: str | None, values: dict[str, object]) -> None:
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        for k, v in values.items():
            v = str(v)
            if "\n" in v:
                delim = f"nnrepair_{uuid.uuid4().hex}"
                fh.write(f"{k}<<{delim}\n{v}\n{delim}\n")
            else:
                fh.write(f"{k}={v}\n")


SUMMARY_MAX_BYTES = 1024 * 1024  # GitHub refuses a step summary over 1 MiB (and shows none of it)
SUMMARY_CUT_NOTE = (
    "\n\n> **Note:** this summary was cut at GitHub's 1 MiB limit for a job summary; "
    "the SARIF file and the annotations hold every finding.\n"
)


def cap_summary(text: str, limit: int = SUMMARY_MAX_BYTES) -> str:
    """`text` if it fits GitHub's job-summary limit, else its first lines and a note saying so."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = limit - len(SUMMARY_CUT_NOTE.encode("utf-8"))
    head = data[:room].decode("utf-8", "ignore")
    head = head[: head.rfind("\n")] if "\n" in head else head
    return head + SUMMARY_CUT_NOTE


def give_to_workspace_owner(path: str, workspace: str | None) -> None:
    """A Docker action runs as root (GitHub's rule); what it creates in the mounted workspace
    must belong to the workspace's owner, or the runner's later steps cannot touch it."""
    if not workspace or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    try:
        owner = os.stat(workspace)
        if os.stat(path).st_uid != owner.st_uid:
            os.chown(path, owner.st_uid, owner.st_gid)
    except OSError:
        pass  # not ours to give (e.g. a read-only mount): the file itself was written


def write_all(
    report: dict,
    findings: list[Finding],
    *,
    mode: str,
    notes: list[str],
    stdout: IO[str],
    step_summary: str | None,
    github_output: str | None,
    sarif_path: str,
    fixed: int | None = None,
    sarif_output: str | None = None,
    workspace: str | None = None,
    extra_outputs: dict | None = None,
    extra_summary: str = "",
) -> tuple[dict[str, object], list[str]]:
    """Annotations, job summary, SARIF and step outputs, each written on its own: one that fails
    (an unwritable path, another uid's file) does not cost the others. Returns the outputs and
    the failures, each already printed as an ::error:: line."""
    for line in annotation_lines(report):
        print(line, file=stdout)
    failures: list[str] = []

    def attempt(what: str, write) -> None:
        try:
            write()
        except OSError as e:
            failures.append(what)
            print(f"::error title=nnrepair::could not write the {what}: {e}", file=stdout)

    def summary() -> None:
        if step_summary:
            with open(step_summary, "a", encoding="utf-8") as fh:
                text = job_summary(report, findings, mode, notes) + ("\n" + extra_summary if extra_summary else "")
                fh.write(cap_summary(text) + "\n")

    def sarif() -> None:
        os.makedirs(os.path.dirname(os.path.abspath(sarif_path)), exist_ok=True)
        with open(sarif_path, "w", encoding="utf-8") as fh:
            fh.write(sarif_text(report))
        give_to_workspace_owner(sarif_path, workspace)

    c = count_findings(report)
    values = {
        "findings": c["error"] + c["warning"] + c["info"],
        "fixed": count_repairs(report) if fixed is None else fixed,
        "sarif-file": sarif_output or sarif_path,
        **(extra_outputs or {}),
    }
    attempt("job summary", summary)
    attempt("SARIF file", sarif)
    attempt("step outputs", lambda: write_github_output(github_output, values))
    return values, failures
