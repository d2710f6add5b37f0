"""Report -> findings -> review comments (with suggestions) and summary entries.

Pure functions only: no network, no files. The filter follows reviewdog's names and decides what may be an inline comment:
  added         findings that touch an added line
  diff_context  findings that touch a line shown in the diff (added or context)
  file          any finding in a changed file
  nofilter      any finding (findings in unchanged files also reach the summary)
An eligible finding becomes an inline comment when its whole line range sits inside
one hunk of the PR diff (right side); every other finding in a changed file goes to
the summary comment with a ```diff block, so a breakage the PR causes outside its
diff is never hidden.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

FILTER_MODES = ("added", "diff_context", "file", "nofilter")
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2, "note": 2}

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass
class FileDiff:
    """Right-side (head) line numbers of one file's patch."""

    added: set[int] = field(default_factory=set)
    context: set[int] = field(default_factory=set)  # every right-side line shown (added included)
    hunks: list[tuple[int, int]] = field(default_factory=list)  # inclusive right-side ranges

    def hunk_of(self, line: int) -> int | None:
        for i, (lo, hi) in enumerate(self.hunks):
            if lo <= line <= hi:
                return i
        return None

    def range_in_one_hunk(self, start: int, end: int) -> bool:
        h = self.hunk_of(start)
        return h is not None and h == self.hunk_of(end) and all(n in self.context for n in range(start, end + 1))


def parse_patch(patch: str | None) -> FileDiff:
    """Parse the `patch` field of GET /pulls/{n}/files (hunks without file headers)."""
    fd = FileDiff()
    if not patch:
        return fd
    right = None
    for raw in patch.splitlines():
        m = _HUNK.match(raw)
        if m:
            right = int(m.group(3))
            count = int(m.group(4)) if m.group(4) is not None else 1
            fd.hunks.append((right, right + max(count, 1) - 1))
            continue
        if right is None or raw.startswith("\\"):  # "\ No newline at end of file"
            continue
        if raw.startswith("-"):
            continue
        if raw.startswith("+"):
            fd.added.add(right)
        fd.context.add(right)
        right += 1
    return fd


@dataclass
class ChangedFile:
    path: str
    status: str  # added | modified | removed | renamed | ...
    patch: str | None
    sha: str | None = None

    @property
    def diff(self) -> FileDiff:
        return parse_patch(self.patch)


@dataclass
class Finding:
    fingerprint: str
    file: str
    model: str
    severity: str
    code: str
    kind: str
    message: str
    line: int | None  # last line of the commented range (head version)
    start_line: int | None  # first line; == line for one-line ranges
    diagnostics: list[dict]
    old_lines: list[str] | None = None  # the lines the repair replaces
    new_lines: list[str] | None = None  # the replacement (a suggestion)
    diff: str | None = None  # unified diff of this edit (or the whole repair)
    why: list[str] = field(default_factory=list)  # edit descriptions
    cost: float | None = None
    verified: bool | None = None
    verified_by: str | None = None  # "keras" (real Keras built the repaired model) | "semantics" (static only)
    shapes_before: list | None = None
    shapes_after: list | None = None
    alternatives: list[dict] = field(default_factory=list)
    doc_anchor: str = ""
    repaired: bool = False  # the model has a repair (fixed by a fix commit)

    @property
    def has_suggestion(self) -> bool:
        return self.new_lines is not None and self.line is not None

    @property
    def is_multiline(self) -> bool:
        return self.start_line is not None and self.line is not None and self.start_line < self.line

    @property
    def suggestion_text(self) -> str:
        return "".join(line + "\n" for line in (self.new_lines or []))


def verified_by(repair: dict | None) -> str | None:
    """Which judge confirmed a repair. Engines that predate the `verified_by` field said only
    `verified`: true meant real Keras had built the model (it was the only verifier)."""
    if not repair:
        return None
    judge = repair.get("verified_by")
    if judge in ("keras", "semantics"):
        return judge
    if repair.get("verified") is True:
        return "keras"
    return "semantics" if repair.get("verified") is False else None


def _fingerprint(*parts) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha1(blob).hexdigest()[:16]


def _primary(diags: list[dict]) -> dict | None:
    if not diags:
        return None
    return sorted(diags, key=lambda d: SEVERITY_RANK.get(d.get("severity", "error"), 3))[0]


def _lines_of(text: str | None) -> list[str]:
    return text.splitlines() if text is not None else []


def edit_diff(path: str, old: list[str], new: list[str], start: int) -> str:
    """A unified diff (git-apply style) of replacing `old` (starting at line `start`) by `new`."""
    out = [f"--- a/{path}", f"+++ b/{path}", f"@@ -{start},{len(old)} +{start},{len(new)} @@"]
    out += ["-" + s for s in old] + ["+" + s for s in new]
    return "\n".join(out) + "\n"


def build_findings(report: dict, sources: Mapping[str, str | bytes] | None = None) -> list[Finding]:
    """One finding per suggested line edit of a repair, or per diagnostic when there is no repair."""
    sources = sources or {}
    findings: list[Finding] = []
    for model in report.get("models", []) or []:
        diags = [d for d in model.get("diagnostics", []) or [] if isinstance(d, dict)]
        if not diags:
            continue
        file = model.get("file") or ""
        name = model.get("name") or "model"
        repair = model.get("repair") if isinstance(model.get("repair"), dict) else None
        primary = _primary(diags) or {}  # never empty: models without diagnostics were skipped
        base = dict(
            file=file,
            model=name,
            repaired=repair is not None,
            diagnostics=diags,
            shapes_before=(repair or {}).get("output_shapes_before", model.get("output_shapes")),
            shapes_after=(repair or {}).get("output_shapes_after"),
        )
        line_edits = [e for e in (repair or {}).get("line_edits", []) or [] if isinstance(e, dict)]
        if repair and line_edits:
            why = [e.get("description", "") for e in repair.get("edits", []) or [] if e.get("description")]
            for le in line_edits:
                path = le.get("file") or file
                start, end = int(le.get("start_line", 0)), int(le.get("end_line", 0))
                new = [str(s) for s in le.get("new_lines", [])]
                text = sources.get(path)
                if isinstance(text, bytes):
                    text = text.decode("utf-8", "replace")
                all_lines = _lines_of(text)
                old = all_lines[start - 1 : end] if start >= 1 and end >= start else []
                suggestible = start >= 1 and end >= start and (not all_lines or end <= len(all_lines))
                fp = _fingerprint("repair", path, name, primary["code"], old, new)
                findings.append(
                    Finding(
                        fingerprint=fp,
                        severity=primary.get("severity", "error"),
                        code=primary.get("code", ""),
                        kind=primary.get("kind", ""),
                        message=primary.get("message", ""),
                        line=end if suggestible else (start or primary.get("line")),
                        start_line=start if suggestible else None,
                        old_lines=old if suggestible else None,
                        new_lines=new if suggestible else None,
                        diff=edit_diff(path, old, new, start) if suggestible else repair.get("diff"),
                        why=why,
                        cost=repair.get("cost"),
                        verified=repair.get("verified"),
                        verified_by=verified_by(repair),
                        alternatives=[a for a in repair.get("alternatives", []) or [] if isinstance(a, dict)],
                        doc_anchor=(primary.get("code") or "").lower(),
                        **{**base, "file": path},
                    )
                )
            continue
        for d in diags:
            why = []
            diff = None
            if repair:  # a repair without line edits: show its diff in the summary
                why = [e.get("description", "") for e in repair.get("edits", []) or [] if e.get("description")]
                diff = repair.get("diff")
            elif model.get("status") == "invalid" and d is primary:
                why = ["no repair found within the configured limits"]
            findings.append(
                Finding(
                    fingerprint=_fingerprint("diag", d.get("file") or file, name, d.get("code"), d.get("message")),
                    severity=d.get("severity", "error"),
                    code=d.get("code", ""),
                    kind=d.get("kind", ""),
                    message=d.get("message", ""),
                    line=d.get("end_line") or d.get("line"),
                    start_line=d.get("line"),
                    diff=diff if d is primary else None,
                    why=why if d is primary else [],
                    cost=(repair or {}).get("cost"),
                    verified=(repair or {}).get("verified"),
                    verified_by=verified_by(repair),
                    doc_anchor=(d.get("code") or "").lower(),
                    **{**base, "file": d.get("file") or file, "diagnostics": [d]},
                )
            )
    # a model reported twice (e.g. the same edit for two diagnostics) must not give two comments
    unique: dict[str, Finding] = {}
    for f in findings:
        unique.setdefault(f.fingerprint, f)
    return list(unique.values())


def in_scope(finding: Finding, changed: dict[str, ChangedFile], mode: str) -> bool:
    """Reported on the PR at all: findings in changed files (any file under nofilter)."""
    return mode == "nofilter" or finding.file in changed


def passes_filter(finding: Finding, changed: dict[str, ChangedFile], mode: str) -> bool:
    """The reviewdog filter, deciding which findings may become inline comments."""
    if mode in ("file", "nofilter"):
        return finding.file in changed
    cf = changed.get(finding.file)
    if cf is None or finding.line is None:
        return False
    fd = cf.diff
    lines = range(finding.start_line or finding.line, finding.line + 1)
    pool = fd.added if mode == "added" else fd.context
    return any(n in pool for n in lines)


def inline_ok(finding: Finding, changed: dict[str, ChangedFile]) -> bool:
    """Can GitHub take this finding as a review comment (its range inside one diff hunk)?"""
    cf = changed.get(finding.file)
    if cf is None or finding.line is None or cf.status == "removed":
        return False
    start = finding.start_line or finding.line
    if start > finding.line:
        return False
    return cf.diff.range_in_one_hunk(start, finding.line)


@dataclass
class Plan:
    inline: list[Finding]
    summary: list[Finding]  # kept but not inline (outside the diff, unexpressible, or over the cap)
    dropped: list[Finding]  # filtered out by the mode
    capped: int = 0


def plan_review(findings: list[Finding], changed: dict[str, ChangedFile], mode: str, max_comments: int) -> Plan:
    """Split findings into inline comments, summary entries and dropped ones.

    A finding inside a changed file that the filter rejects, that lies outside the
    diff, or that exceeds the comment cap is not lost: it goes to the summary.
    """
    if mode not in FILTER_MODES:
        raise ValueError(f"filter mode must be one of {', '.join(FILTER_MODES)}, got {mode!r}")
    inline: list[Finding] = []
    summary: list[Finding] = []
    dropped: list[Finding] = []
    ordered = sorted(findings, key=lambda f: (SEVERITY_RANK.get(f.severity, 3), f.file, f.line or 0))
    capped = 0
    for f in ordered:
        if not in_scope(f, changed, mode):
            dropped.append(f)
            continue
        can_inline = passes_filter(f, changed, mode) and inline_ok(f, changed)
        if can_inline and len(inline) < max(0, max_comments):
            inline.append(f)
        else:
            capped += 1 if can_inline else 0
            summary.append(f)
    return Plan(inline, summary, dropped, capped)


def review_comment(finding: Finding, body: str) -> dict:
    """The `comments[]` entry of POST /pulls/{n}/reviews."""
    c = {"path": finding.file, "line": finding.line, "side": "RIGHT", "body": body}
    if finding.is_multiline:
        c["start_line"] = finding.start_line
        c["start_side"] = "RIGHT"
    return c


def apply_line_edits(text: str, edits: list[dict]) -> str:
    """Apply `line_edits` (head line numbers) bottom-up; used to check suggestions reproduce the fix."""
    lines = text.splitlines(keepends=True)
    trailing_nl = text.endswith("\n") or not text
    for e in sorted(edits, key=lambda e: -int(e["start_line"])):
        s, t = int(e["start_line"]), int(e["end_line"])
        lines[s - 1 : t] = [x + "\n" for x in e["new_lines"]]
    out = "".join(lines)
    return out if trailing_nl or not out.endswith("\n") else out[:-1]


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
        )
    )
