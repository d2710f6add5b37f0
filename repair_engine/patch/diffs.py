"""Unified diffs (`git apply`-able) and GitHub suggestion line edits from two texts."""

from __future__ import annotations

import difflib
import re

NO_NEWLINE = "\\ No newline at end of file\n"


def split_lines(text: str) -> list[str]:
    """Lines with their terminators (\\n, \\r\\n or \\r), like git sees them."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def unified_diff(old: str, new: str, path: str, context: int = 3) -> str:
    """`--- a/PATH` / `+++ b/PATH` diff; empty when the texts are equal."""
    if old == new:
        return ""
    path = path.lstrip("/")  # a/ b/ prefixes; an absolute path outside the cwd keeps its folders
    a, b = split_lines(old), split_lines(new)
    out = []
    for line in difflib.unified_diff(a, b, f"a/{path}", f"b/{path}", n=context):
        if line.startswith(("---", "+++")):
            out.append(line.rstrip("\r\n") + "\n")
            continue
        if line.startswith("@@"):
            out.append(line if line.endswith("\n") else line + "\n")
            continue
        if not line.endswith(("\n", "\r")):
            out.append(line + "\n" + NO_NEWLINE)
        else:
            out.append(line)
    return "".join(out)


def line_edits(old: str, new: str, path: str) -> list[dict]:
    """[{"file", "start_line", "end_line", "new_lines"}]: replace lines start..end
    (1-based, inclusive, of the original) with new_lines. A pure insertion is
    anchored on the line above it (GitHub suggestions need at least one line)."""
    a = [l.rstrip("\r\n") for l in split_lines(old)]
    b = [l.rstrip("\r\n") for l in split_lines(new)]
    out = []
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:  # insertion
            if i1 > 0:
                out.append({"file": path, "start_line": i1, "end_line": i1, "new_lines": [a[i1 - 1]] + b[j1:j2]})
            else:
                out.append({"file": path, "start_line": 1, "end_line": 1, "new_lines": b[j1:j2] + a[:1]})
            continue
        out.append({"file": path, "start_line": i1 + 1, "end_line": i2, "new_lines": b[j1:j2]})
    return _merge_adjacent(out)


def _merge_adjacent(edits: list[dict]) -> list[dict]:
    """Two suggestions on the same or touching lines become one (GitHub allows one per range)."""
    merged: list[dict] = []
    for e in edits:
        if merged and merged[-1]["end_line"] >= e["start_line"]:
            prev = merged[-1]
            # the anchor line of an insertion repeats the previous edit's last line
            overlap = prev["end_line"] - e["start_line"] + 1
            prev["new_lines"] = (
                prev["new_lines"] + e["new_lines"][overlap:] if overlap > 0 else prev["new_lines"] + e["new_lines"]
            )
            prev["end_line"] = max(prev["end_line"], e["end_line"])
        else:
            merged.append(dict(e))
    return merged
