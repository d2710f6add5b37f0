"""Output formats of a report: text, json (contract v1), sarif (2.1.0), github.

text    compiler style, one line per finding + a summary line:
        models/cnn.py:14:5: NNR101 error: Conv2D expects a 4-D input ...
json    the CLI contract's JSON v1 (Report.to_json())
sarif   SARIF 2.1.0, one rule per code with help text and a helpUri
github  GitHub Actions workflow commands (::error file=F,line=L,col=C,title=T::message)

Every renderer reads JSON v1, the one interchange: a live `api.Report` is
turned into its JSON first, and the bot hands in the JSON it has (its two-phase
workflow has only the artifact's JSON). The text output also shows what JSON v1
does not carry (`View`: notebook cell labels, which files a fix rewrites).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .diagnostics import CODES, SUBCODES

# Where docs/diagnostics.md is published; overridable (NNREPAIR_DOCS_URL) for forks and GHES.
DEFAULT_DOCS_URL = "https://github.com/nnrepair/nnrepair/blob/main/docs/diagnostics.md"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

# One-line help per code (the full entries are in docs/diagnostics.md).
RULE_HELP = {
    "NNR101": "A layer receives an input of the wrong rank. Give the input the missing axis, insert a "
    "Reshape/Flatten, or use the sibling layer of the right rank.",
    "NNR102": "The inputs of a merge layer do not fit together. Project one branch or change the units/filters "
    "of the branch with the odd shape.",
    "NNR103": "An output dimension would be zero or negative: a kernel, pool window or cropping is larger than "
    "its input. Use a smaller window, padding='same', or a larger input.",
    "NNR104": "Reshape cannot keep the number of elements. Make the target shape's product equal the input's.",
    "NNR105": "A size that must be known is None. Give the input a fixed size on that axis.",
    "NNR106": "The input does not match what the layer was built for (input_spec or shared weights).",
    "NNR201": "An argument Keras 3 rejects. Use a value in the documented range.",
    "NNR301": "Supplied weights do not match the shapes the layer builds.",
    "NNR401": "A Keras 1/2 spelling that Keras 3 rejects or reads differently.",
    "NNR402": "Something nnrepair could not follow statically; shapes after it are not checked.",
    "NNR403": "The file could not be parsed.",
    "NNR404": "A size limit was hit; the file or model was not checked.",
    "NNR501": "The model does not fit the data given to it.",
    "NNR601": "No repair was found within the search limits.",
}
_KIND_OF = {code: kind for kind, code in CODES.items()} | {code: kind for code, (kind, _) in SUBCODES.items()}


def docs_url() -> str:
    return os.environ.get("NNREPAIR_DOCS_URL", DEFAULT_DOCS_URL)


def help_uri(code: str) -> str:
    return f"{docs_url()}#{code.lower()}"


# ---------------------------------------------------------------------------
# the interchange


@dataclass(frozen=True)
class View:
    """What the text output shows beyond JSON v1 (never part of the interchange)."""

    fixed_files: frozenset = frozenset()  # files a fix rewrites (Report.fixed_texts)
    # (file, raw line, col) -> "cell C:line L:COL" for a notebook, else None
    cell_label: Callable[[str, int, int | None], str | None] | None = None


def interchange(report) -> tuple[dict, View]:
    """JSON v1 of `report` (an api.Report, or JSON v1 already) and its text view."""
    if isinstance(report, dict):
        return report, View()
    file_results = getattr(report, "file_results", {}) or {}

    def cell_label(file: str, line: int, col: int | None) -> str | None:
        nb = getattr(file_results.get(file), "notebook", None)
        return nb.cell_label(line, col) if nb is not None else None

    return report.to_json(), View(frozenset(getattr(report, "fixed_texts", {}) or {}), cell_label)


def findings(data: dict, verbose: bool = True) -> Iterator[tuple[dict, dict]]:
    """(model, diagnostic) pairs of JSON v1, each distinct finding once: a helper
    shared by two models (e.g. a builder function called twice) is reported once."""
    seen = set()
    for m in data.get("models", []) or []:
        for d in m.get("diagnostics", []) or []:
            if d.get("severity") == "info" and not verbose:
                continue
            key = (d.get("code"), d.get("message"), d.get("file") or m.get("file"), d.get("line"), d.get("col"))
            if key in seen:
                continue
            seen.add(key)
            yield m, d


def _written(m: dict, view: View) -> bool:
    """A repair exists and can be written into the file (a diff, or the file's fixed text)."""
    rep = m.get("repair")
    return isinstance(rep, dict) and bool(rep.get("diff") or m.get("file") in view.fixed_files)


def render(report, fmt: str, command: str = "check", diff: str | None = None) -> str:
    data, view = interchange(report)
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    if fmt == "sarif":
        return json.dumps(to_sarif(data), indent=2) + "\n"
    if fmt == "github":
        return to_github(data)
    return text_of(data, view, command)


# ---------------------------------------------------------------------------
# text


def _loc(d: dict, file: str, view: View) -> str:
    if d.get("line") is None:
        return file
    return _place(d.get("file") or file, d["line"], d.get("col"), view)


def _place(file: str, line: int, col: int | None, view: View) -> str:
    """FILE:LINE:COL; in a notebook FILE:cell C:line L:COL (SARIF and annotations keep the raw JSON line)."""
    label = view.cell_label(file, line, col) if view.cell_label is not None else None
    if label is not None:
        return f"{file}:{label}"
    return f"{file}:{line}:{col}"


def to_text(report, command: str = "check", verbose: bool = False) -> str:
    data, view = interchange(report)
    return text_of(data, view, command, verbose)


def text_of(data: dict, view: View, command: str = "check", verbose: bool = False) -> str:
    lines = []
    shown: dict = {}
    for m, d in findings(data, verbose):
        shown.setdefault(id(m), []).append(d)
    for m in data.get("models", []) or []:
        file = m.get("file", "")
        for d in shown.get(id(m), []):
            lines.append(f"{_loc(d, file, view)}: {d.get('code')} {d.get('severity')}: {d.get('message')}")
            for r in d.get("related", []) or []:
                lines.append(
                    f"{_place(r.get('file') or file, r.get('line'), r.get('col'), view)}: note: {r.get('message')}"
                )
        if command == "fix" and m.get("status") == "invalid":
            lines.extend(_repair_lines(m, view))
    lines.append(summary_of(data, view, command))
    return "\n".join(lines) + "\n"


def _repair_lines(m: dict, view: View) -> list[str]:
    file, name, line = m.get("file", ""), m.get("name"), m.get("line") or 1
    rep = m.get("repair")
    if not isinstance(rep, dict):
        return [f"{file}:{line}: no repair found for {name}"]
    ver = {True: "verified", False: "NOT verified", None: "not verified"}.get(rep.get("verified"), "")
    out = [f"{file}:{line}: repair for {name} (cost {rep.get('cost')}, {ver}):"]
    for e in rep.get("edits") or []:
        out.append(f"  {e.get('file', file)}:{e.get('line', '?')}: {e.get('description', e.get('op'))}")
    if not _written(m, view):
        out.append(f"  (this repair cannot be written into {file}; apply it by hand)")
    return out


def summary(report, command: str = "check") -> str:
    data, view = interchange(report)
    return summary_of(data, view, command)


def summary_of(data: dict, view: View, command: str = "check") -> str:
    models = data.get("models", []) or []
    n = len(models)
    counts = {s: sum(1 for m in models if m.get("status") == s) for s in ("valid", "invalid", "unsupported")}
    unique = [d for _, d in findings(data)]
    errs = sum(1 for d in unique if d.get("severity") == "error")
    warns = sum(1 for d in unique if d.get("severity") == "warning")
    files = len({m.get("file") for m in models})
    text = (
        f"{n} model{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}: "
        f"{counts['valid']} valid, {counts['invalid']} invalid, {counts['unsupported']} unsupported; "
        f"{errs} error{'s' if errs != 1 else ''}, {warns} warning{'s' if warns != 1 else ''}"
    )
    if command == "fix":
        repaired = sum(1 for m in models if m.get("status") == "invalid" and _written(m, view))
        text += f"; {repaired} of {counts['invalid']} invalid repaired"
        if view.fixed_files:
            k = len(view.fixed_files)
            text += f"; {k} file{'s' if k != 1 else ''} with changes"
    return text


# ---------------------------------------------------------------------------
# SARIF 2.1.0

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rule(code: str) -> dict:
    kind = _KIND_OF.get(code, "unknown")
    return {
        "id": code,
        "name": "".join(w.capitalize() for w in kind.split("_")),
        "shortDescription": {"text": kind.replace("_", " ")},
        "fullDescription": {"text": RULE_HELP.get(code, kind)},
        "help": {
            "text": RULE_HELP.get(code, kind),
            "markdown": f"[{code}]({help_uri(code)}): {RULE_HELP.get(code, kind)}",
        },
        "helpUri": help_uri(code),
        "properties": {"kind": kind},
    }


def to_sarif(report) -> dict:
    """SARIF 2.1.0 of JSON v1 (or of a Report): one rule per code; a repair whose
    GitHub `line_edits` the JSON carries (the bot's) becomes each result's fix."""
    data, _ = interchange(report)
    pairs = list(findings(data))
    used = sorted({d.get("code", "NNR999") for _, d in pairs})
    index = {code: i for i, code in enumerate(used)}
    results = [_sarif_result(m, d, index) for m, d in pairs]
    tool = data.get("tool") or {}
    version = str(tool.get("version") or "0.0.0")
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": tool.get("name") or "nnrepair",
                        "version": version,
                        "semanticVersion": version,
                        "informationUri": docs_url().rsplit("/docs/", 1)[0],
                        "rules": [_rule(code) for code in used],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _sarif_result(m: dict, d: dict, index: dict) -> dict:
    code = d.get("code", "NNR999")
    file = m.get("file", "")
    res: dict = {
        "ruleId": code,
        "ruleIndex": index[code],
        "level": _SARIF_LEVEL.get(d.get("severity", ""), "warning"),
        "message": {"text": d.get("message", "")},
        "locations": [_sarif_location(d, file)],
        "properties": {"kind": d.get("kind"), "model": m.get("name"), "status": m.get("status")},
    }
    if d.get("layer"):
        res["properties"]["layer"] = d["layer"]
    related = d.get("related") or []
    if related:
        res["relatedLocations"] = [
            dict(_sarif_location(r, file), id=i, message={"text": r.get("message", "")}) for i, r in enumerate(related)
        ]
    fix = _sarif_fix(m)
    if fix is not None:
        res["fixes"] = [fix]
    return res


def _sarif_location(d: dict, file: str) -> dict:
    """A location of a JSON v1 position (a diagnostic or a related place)."""
    uri = d.get("file") or file
    line = d.get("line")
    if not isinstance(line, int):
        return {"physicalLocation": {"artifactLocation": {"uri": uri}}}
    col = d.get("col")
    start_line, start_col = max(1, line), max(1, col if isinstance(col, int) else 1)
    region = {"startLine": start_line, "startColumn": start_col}
    end_line, end_col = d.get("end_line"), d.get("end_col")
    if isinstance(end_line, int):
        region["endLine"] = max(end_line, start_line)
    if isinstance(end_col, int):
        same_line = region.get("endLine", start_line) == start_line
        region["endColumn"] = max(end_col, start_col) if same_line else end_col
    return {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}


def _sarif_fix(m: dict) -> dict | None:
    repair = m.get("repair")
    if not isinstance(repair, dict) or not repair.get("line_edits"):
        return None
    described = "; ".join(e.get("description", "") for e in repair.get("edits", []) or [])
    return {
        "description": {"text": described or "nnrepair repair"},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": le.get("file") or m.get("file", "")},
                "replacements": [
                    {
                        "deletedRegion": {"startLine": le["start_line"], "endLine": le["end_line"]},
                        "insertedContent": {"text": "".join(s + "\n" for s in le.get("new_lines", []))},
                    }
                ],
            }
            for le in repair["line_edits"]
        ],
    }


# ---------------------------------------------------------------------------
# GitHub workflow commands


def escape_data(s: str) -> str:
    """The message part of a workflow command (GitHub: % \\r \\n)."""
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    """A property value of a workflow command (also : and ,)."""
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


_GH_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def annotation(d: dict, file: str = "") -> str:
    """One workflow command of a JSON v1 diagnostic (`file`: its model's file)."""
    level = _GH_LEVEL.get(d.get("severity", ""), "warning")
    props = [f"file={escape_property(str(d.get('file') or file))}"]
    line, col = d.get("line"), d.get("col")
    end_line, end_col = d.get("end_line"), d.get("end_col")
    if isinstance(line, int) and line:
        props.append(f"line={line}")
        if isinstance(col, int) and col:
            props.append(f"col={col}")
        if isinstance(end_line, int) and end_line and end_line != line:
            props.append(f"endLine={end_line}")
        elif isinstance(end_col, int) and end_col > (col or 0):
            props.append(f"endColumn={end_col}")
    props.append(f"title={escape_property(str(d.get('code', 'nnrepair')))}")
    msg = str(d.get("message", ""))
    for r in d.get("related", []) or []:
        msg += f"\n{r.get('file') or file}:{r.get('line')}: {r.get('message', '')}"
    return f"::{level} {','.join(props)}::{escape_data(msg)}"


def annotation_lines(report, verbose: bool = False) -> list[str]:
    """One workflow command per distinct finding; info-level ones only when `verbose`."""
    data, _ = interchange(report)
    return [annotation(d, m.get("file", "")) for m, d in findings(data, verbose)]


def to_github(report) -> str:
    # annotations should be actionable: info-level findings stay in text -v / SARIF / JSON
    data, view = interchange(report)
    lines = annotation_lines(data)
    lines.append(summary_of(data, view))
    return "\n".join(lines) + "\n"
