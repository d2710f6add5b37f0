"""Write a repair of a notebook's virtual Python source back into the notebook JSON.

Only the JSON strings of the changed cell lines are rewritten; every other
byte of the file (outputs, metadata, indentation, the other cells) is kept.
A cell whose number of lines changes gets its whole `source` array rewritten,
in the writer's own layout (one string per line, the indentation of its first
element).
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from ..frontends import lenient_json
from ..frontends.notebook import moved


def rewrite(nb, old_virtual: str, new_virtual: str) -> str:
    """The notebook text with `new_virtual`'s changes written into its cells."""
    old = old_virtual.split("\n")
    new = new_virtual.split("\n")
    changed_cells = _changed_cells(nb, old, new)
    if not changed_cells:
        return nb.raw_text
    starts = lenient_json.line_starts(nb.raw_text)
    edits = []
    for number, new_lines in changed_cells.items():
        source, first, count = nb.cells[number]
        edits.extend(_cell_edits(nb, starts, source, nb.lines[first : first + count], new_lines))
    text = nb.raw_text
    for start, end, value in sorted(edits, reverse=True):
        text = text[:start] + value + text[end:]
    return text


def _changed_cells(nb, old: list, new: list) -> dict:
    """cell number -> its new lines (as written, magics restored), for the cells that change."""
    owner = [sl.cell for sl in nb.lines]
    result: dict[int, list] = {}
    current = {n: [sl.text for sl in nb.lines[f : f + c]] for n, (_, f, c) in nb.cells.items()}
    sm = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in reversed(sm.get_opcodes()):
        if tag == "equal":
            continue
        anchor = i1 if i1 < len(owner) else len(owner) - 1
        if anchor < 0:
            continue
        if i1 == i2 and i1 > 0 and (i1 >= len(owner) or owner[i1] != owner[i1 - 1]):
            anchor = i1 - 1  # an insertion at a cell boundary extends the cell above
        number = owner[anchor]
        _, first, _ = nb.cells[number]
        lines = result.setdefault(number, current[number])
        lo, hi = max(i1 - first, 0), max(i2 - first, 0)
        lines[lo:hi] = new[j1:j2]
    return result


def _cell_edits(nb, starts: list, source, old_lines: list, new_lines: list) -> list:
    """(start offset, end offset, new JSON text) edits for one cell."""
    one_per_line = source.kind == "array" and len(source.value) == len(old_lines)
    if one_per_line and len(new_lines) == len(old_lines):
        edits = []
        for i, (sl, text) in enumerate(zip(old_lines, new_lines)):
            if text == sl.text:
                continue
            newline = "\n" if sl.element.value.endswith("\n") or i < len(old_lines) - 1 else ""
            start, end = lenient_json.node_span(starts, sl.element)
            edits.append((start, end, json.dumps(text + newline, ensure_ascii=False)))
        return edits
    start, end = lenient_json.node_span(starts, source)
    return [(start, end, _source_json(nb.raw_text, starts, source, new_lines))]


def _source_json(raw: str, starts: list, source, lines: list) -> str:
    """A cell's new `source` value, laid out like the writer laid out the old one."""
    strings = [
        json.dumps(line + ("\n" if i < len(lines) - 1 else ""), ensure_ascii=False) for i, line in enumerate(lines)
    ]
    if source.kind == "string":
        return json.dumps("\n".join(lines), ensure_ascii=False)
    if not source.value:
        return "[" + ", ".join(strings) + "]"
    first = source.value[0]
    if first.line == source.line:  # written on one line
        return "[" + ", ".join(strings) + "]"
    indent = raw[starts[first.line - 1] : lenient_json.offset(starts, first.line, first.col)]
    closing = raw[starts[source.end_line - 1] : lenient_json.offset(starts, source.end_line, source.end_col) - 1]
    return "[\n" + ",\n".join(indent + s for s in strings) + "\n" + closing + "]"


def move_repair(repair: dict, nb, path: str, virtual: str) -> None:
    """A repair computed on the virtual source, re-expressed on the notebook:
    its diff and GitHub `line_edits` address the raw JSON lines (a suggestion
    replaces the JSON string of the source line), its edits' lines too."""
    from .diffs import line_edits, unified_diff

    for e in repair.get("edits") or []:
        if isinstance(e, dict) and isinstance(e.get("line"), int):
            e["line"] = nb.raw(e["line"])[0]
    new_virtual = repair.get("_new_text")
    if not isinstance(new_virtual, str) and repair.get("line_edits"):
        new_virtual = _apply_line_edits(virtual, repair["line_edits"])
    if isinstance(new_virtual, str):
        new_raw = rewrite(nb, virtual, new_virtual)
        if "_new_text" in repair:
            repair["_new_text"] = new_raw
        repair["diff"] = unified_diff(nb.raw_text, new_raw, path)
        repair["line_edits"] = line_edits(nb.raw_text, new_raw, path)
    else:
        repair["line_edits"] = []
    for alt in repair.get("alternatives") or []:
        if isinstance(alt, dict):
            alt["diff"] = ""  # computed on the cells' Python, not the notebook: not shown


def _apply_line_edits(text: str, edits: list) -> str | None:
    """The text with `line_edits` (1-based inclusive line ranges) applied, bottom-up."""
    lines = text.split("\n")
    try:
        for e in sorted(edits, key=lambda e: e["start_line"], reverse=True):
            lines[e["start_line"] - 1 : e["end_line"]] = list(e["new_lines"])
    except (KeyError, TypeError, IndexError):
        return None
    return "\n".join(lines)


def finish(report, result: Any, entries: list) -> None:
    """After checks and repairs (done on the virtual source): every location
    becomes a raw notebook location, every repaired text a notebook text."""
    nb = result.notebook
    path, virtual = result.path, result.text or ""
    for entry in entries:
        entry.diagnostics = [moved(d, nb, path) for d in entry.diagnostics]
        if entry.line is not None:
            entry.line = nb.raw(entry.line)[0]
        if entry.repair:
            move_repair(entry.repair, nb, path, virtual)
    result.diagnostics = [moved(d, nb, path) for d in result.diagnostics]
    new_virtual = report.fixed_texts.get(path)
    if new_virtual is not None:
        report.fixed_texts[path] = rewrite(nb, virtual, new_virtual)
        report.original_texts[path] = nb.raw_text
