"""Output formats of a Report: text, json (contract v1), sarif (2.1.0), github.

text    compiler style, one line per finding + a summary line:
        models/cnn.py:14:5: NNR101 error: Conv2D expects a 4-D input ...
json    the CLI contract's JSON v1 (Report.to_json())
sarif   SARIF 2.1.0, one rule per code with help text and a helpUri
github  GitHub Actions workflow commands (::error file=F,line=L,col=C,title=T::message)
"""

from __future__ import annotations

import difflib
import json
import os

from .diagnostics import CODES, SUBCODES

# Where docs/diagnostics.md is published; overridable for forks and GHES.
DOCS_URL = os.environ.get("NNREPAIR_DOCS_URL", "https://github.com/nnrepair/nnrepair/blob/main/docs/diagnostics.md")
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


def findings(report, verbose: bool = True):
    """(model, diagnostic) pairs, each distinct finding once: a helper shared by
    two models (e.g. a builder function called twice) is reported once."""
    seen = set()
    for m in report.models:
        for d in m.diagnostics:
            if d.severity == "info" and not verbose:
                continue
            s = d.span
            key = (d.code, d.message, s.file if s else m.file, s.line if s else None, s.col if s else None)
            if key in seen:
                continue
            seen.add(key)
            yield m, d


def help_uri(code: str) -> str:
    return f"{DOCS_URL}#{code.lower()}"


def render(report, fmt: str, command: str = "check", diff: str | None = None) -> str:
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2) + "\n"
    if fmt == "sarif":
        return json.dumps(to_sarif(report), indent=2) + "\n"
    if fmt == "github":
        return to_github(report)
    return to_text(report, command)


# ---------------------------------------------------------------------------
# text


def _loc(d, file: str, report=None) -> str:
    if d.span is None:
        return file
    return _span_loc(d.span, report)


def _span_loc(span, report=None) -> str:
    """FILE:LINE:COL; in a notebook FILE:cell C:line L:COL (SARIF and annotations keep the raw JSON line)."""
    fr = report.file_results.get(span.file) if report is not None else None
    nb = getattr(fr, "notebook", None)
    label = nb.cell_label(span.line, span.col) if nb is not None else None
    if label is not None:
        return f"{span.file}:{label}"
    return f"{span.file}:{span.line}:{span.col}"


def to_text(report, command: str = "check", verbose: bool = False) -> str:
    lines = []
    shown: dict = {}
    for m, d in findings(report, verbose):
        shown.setdefault(id(m), []).append(d)
    for m in report.models:
        for d in shown.get(id(m), []):
            lines.append(f"{_loc(d, m.file, report)}: {d.code} {d.severity}: {d.message}")
            for r in d.related:
                lines.append(f"{_span_loc(r.span, report)}: note: {r.message}")
        if command == "fix" and m.invalid:
            if m.repair is not None:
                rep = m.repair
                ver = {True: "verified", False: "NOT verified", None: "not verified"}.get(rep.get("verified"), "")
                lines.append(f"{m.file}:{m.line or 1}: repair for {m.name} (cost {rep.get('cost')}, {ver}):")
                for e in rep.get("edits") or []:
                    lines.append(f"  {e.get('file', m.file)}:{e.get('line', '?')}: {e.get('description', e.get('op'))}")
                if not report.written(m):
                    lines.append(f"  (this repair cannot be written into {m.file}; apply it by hand)")
            else:
                lines.append(f"{m.file}:{m.line or 1}: no repair found for {m.name}")
    lines.append(summary(report, command))
    return "\n".join(lines) + "\n"


def summary(report, command: str = "check") -> str:
    n = len(report.models)
    counts = {s: sum(1 for m in report.models if m.status == s) for s in ("valid", "invalid", "unsupported")}
    unique = [d for _, d in findings(report)]
    errs = sum(1 for d in unique if d.severity == "error")
    warns = sum(1 for d in unique if d.severity == "warning")
    files = len({m.file for m in report.models})
    text = (
        f"{n} model{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}: "
        f"{counts['valid']} valid, {counts['invalid']} invalid, {counts['unsupported']} unsupported; "
        f"{errs} error{'s' if errs != 1 else ''}, {warns} warning{'s' if warns != 1 else ''}"
    )
    if command == "fix":
        repaired = sum(1 for m in report.models if m.invalid and report.written(m))
        text += f"; {repaired} of {counts['invalid']} invalid repaired"
        if report.fixed_texts:
            text += f"; {len(report.fixed_texts)} file{'s' if len(report.fixed_texts) != 1 else ''} with changes"
    return text


# ---------------------------------------------------------------------------
# SARIF 2.1.0

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def to_sarif(report) -> dict:
    from .api import TOOL_NAME, tool_version

    used = sorted({d.code for d in report.diagnostics})
    rules: list[dict] = []
    index = {}
    for code in used:
        index[code] = len(rules)
        kind = _KIND_OF.get(code, "unknown")
        rules.append(
            {
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
        )
    results = []
    for m, d in findings(report):
        res = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _SARIF_LEVEL.get(d.severity, "warning"),
            "message": {"text": d.message},
            "locations": [_sarif_location(d.span, m.file)],
            "properties": {"kind": d.kind, "model": m.name, "status": m.status},
        }
        if d.layer:
            res["properties"]["layer"] = d.layer
        if d.related:
            res["relatedLocations"] = [
                dict(_sarif_location(r.span, m.file), id=i, message={"text": r.message})
                for i, r in enumerate(d.related)
            ]
        results.append(res)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": tool_version(),
                        "semanticVersion": tool_version(),
                        "informationUri": DOCS_URL.rsplit("/docs/", 1)[0],
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _sarif_location(span, file: str) -> dict:
    if span is None:
        return {"physicalLocation": {"artifactLocation": {"uri": file}}}
    region = {"startLine": max(1, span.line or 1), "startColumn": max(1, span.col or 1)}
    if span.end_line:
        region["endLine"] = max(span.end_line, region["startLine"])
    if span.end_col and (span.end_line or span.line) >= span.line:
        end_col = span.end_col
        if region.get("endLine", region["startLine"]) == region["startLine"] and end_col < region["startColumn"]:
            end_col = region["startColumn"]
        region["endColumn"] = end_col
    return {"physicalLocation": {"artifactLocation": {"uri": span.file}, "region": region}}


# ---------------------------------------------------------------------------
# GitHub workflow commands


def escape_data(s: str) -> str:
    """The message part of a workflow command (GitHub: % \\r \\n)."""
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    """A property value of a workflow command (also : and ,)."""
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


_GH_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def github_command(d, file: str) -> str:
    level = _GH_LEVEL.get(d.severity, "warning")
    props = []
    span = d.span
    props.append(f"file={escape_property(span.file if span else file)}")
    if span is not None and span.line:
        props.append(f"line={span.line}")
        if span.col:
            props.append(f"col={span.col}")
        if span.end_line and span.end_line != span.line:
            props.append(f"endLine={span.end_line}")
        elif span.end_col and span.end_col > (span.col or 0):
            props.append(f"endColumn={span.end_col}")
    props.append(f"title={escape_property(d.code)}")
    msg = d.message
    for r in d.related:
        msg += f"\n{r.span.file}:{r.span.line}: {r.message}"
    return f"::{level} {','.join(props)}::{escape_data(msg)}"


def to_github(report) -> str:
    # annotations should be actionable: info-level findings stay in text -v / SARIF / JSON
    lines = [github_command(d, m.file) for m, d in findings(report, verbose=False)]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# unified diffs (`git apply`-able)


def unified_diff(old: str, new: str, path: str, context: int = 3) -> str:
    """A `git apply`-able unified diff (a/ b/ prefixes, 'No newline at end of file' markers)."""
    if old == new:
        return ""
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    path = path.lstrip("/")  # a/ b/ prefixes; an absolute path outside the cwd keeps its folders
    out = [f"--- a/{path}\n", f"+++ b/{path}\n"]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        i1, i2 = group[0][1], group[-1][2]
        j1, j2 = group[0][3], group[-1][4]
        out.append(f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@\n")
        for tag, x1, x2, y1, y2 in group:
            if tag == "equal":
                for line in a[x1:x2]:
                    out.append(_line(" ", line))
                continue
            for line in a[x1:x2]:
                out.append(_line("-", line))
            for line in b[y1:y2]:
                out.append(_line("+", line))
    return "".join(out)


def _range(start: int, stop: int) -> str:
    length = stop - start
    if length == 0:
        return f"{start},0"
    if length == 1:
        return f"{start + 1}"
    return f"{start + 1},{length}"


def _line(prefix: str, line: str) -> str:
    if line.endswith("\n"):
        return prefix + line
    return prefix + line + "\n\\ No newline at end of file\n"
