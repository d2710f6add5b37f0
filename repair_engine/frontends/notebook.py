"""Jupyter notebooks (.ipynb): the code cells read as one Python program.

The notebook JSON is read directly (with lenient_json, which keeps every
value's position), not with nbformat: `fix --write` must rewrite only the
changed source lines and keep every other byte (outputs, metadata, the
writer's indentation), which needs the position of each source string in the
raw text; nbformat would re-serialise the whole file. It is also one
dependency fewer, and an invalid notebook degrades to a parse diagnostic.

Reading: the code cells (cell_type "code") are concatenated in order into a
virtual Python source, one virtual line per cell line. IPython-only lines are
neutralised without moving any other line: a line magic (`%matplotlib
inline`) or shell line (`!pip install ...`) becomes `pass` at the same
indentation; a cell magic `%%time`/`%%capture` keeps its Python body, other
cell magics (`%%bash`, `%%writefile`, ...) and cells that are still not Python
(`model?`) are left out (blank lines). The Python frontend then reads the
virtual source as any .py file.

Locations: `NotebookMap.raw(line, col)` gives the raw JSON line/column of a
virtual position (SARIF, annotations and PR suggestions address the file as
stored); `NotebookMap.cell_label(raw_line, raw_col)` gives `cell 4:line 3`
(cells counted from 1 among all cells, as Jupyter shows them; lines from 1
within the cell) for text output.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic
from ..ir import Span
from . import FileResult, lenient_json

_MAGIC_LINE = re.compile(r"^(\s*)[%!]")
# cell magics whose body is still Python
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug"}


@dataclass
class SourceLine:
    """One line of a code cell: where it is in the notebook and in the raw JSON."""

    cell: int  # 1-based among all cells
    cell_line: int  # 1-based within the cell
    text: str  # the line as written (without its newline)
    element: lenient_json.JNode  # the JSON string holding it
    offset: int  # characters of the element's string before this line


@dataclass
class NotebookMap:
    """Virtual Python source <-> notebook positions."""

    raw_text: str
    lines: list = field(default_factory=list)  # virtual line (0-based) -> SourceLine
    cells: dict = field(default_factory=dict)  # cell number -> (source JNode, first virtual line, line count)
    labels: dict = field(default_factory=dict)  # (raw line, raw col) -> "cell C:line L"

    def raw(self, line: int, col: int = 1) -> tuple:
        """(raw line, raw col) of a virtual 1-based position."""
        if not 1 <= line <= len(self.lines):
            return line, col
        sl = self.lines[line - 1]
        el = sl.element
        before = el.value[: sl.offset + max(col - 1, 0)]
        raw_col = el.col + 1 + len(json.dumps(before, ensure_ascii=False)[1:-1])
        self.labels[(el.line, raw_col)] = f"cell {sl.cell}:line {sl.cell_line}"
        self.labels.setdefault((el.line, None), f"cell {sl.cell}:line {sl.cell_line}")
        return el.line, raw_col

    def cell_label(self, raw_line: int, raw_col: int | None = None) -> str | None:
        return self.labels.get((raw_line, raw_col)) or self.labels.get((raw_line, None))

    def span(self, span: Span | None, path: str) -> Span | None:
        """A virtual span -> the same place in the raw notebook."""
        if span is None or span.file != path:
            return span
        line, col = self.raw(span.line, span.col or 1)
        end_line, end_col = span.end_line, span.end_col
        if end_line is not None:
            end_line, end_col = self.raw(end_line, end_col or 1)
        return Span(path, line, col, end_line, end_col)


def sniff(path: str, data: bytes) -> bool:
    """A notebook whose code mentions Keras/TensorFlow and builds something."""
    if not path.lower().endswith(".ipynb") or b'"cells"' not in data[:1_000_000]:
        return False
    return b"keras" in data or b"tensorflow" in data


def read(path: str, text: str) -> tuple:
    """(virtual Python source, NotebookMap, notes); raises lenient_json.JSONError."""
    root = lenient_json.parse(text)
    nb = NotebookMap(raw_text=text)
    notes: list = []
    cells = root.get("cells") if root.kind == "object" else None
    if cells is None or cells.kind != "array" or not _python_kernel(root):
        return "", nb, notes
    out: list[str] = []
    for number, cell in enumerate(cells.value, 1):
        if cell.kind != "object" or _string(cell.get("cell_type")) != "code":
            continue
        source = cell.get("source")
        lines = _cell_lines(number, source)
        if lines is None:
            continue
        texts = _python_lines([sl.text for sl in lines])
        if texts is None:
            texts = [""] * len(lines)
            notes.append(
                Diagnostic(
                    kind="unsupported_construct",
                    severity="info",
                    span=Span(path, len(out) + 1, 1),  # virtual, like every span until finish()
                    message=f"cell {number} is not Python (IPython syntax or a cell magic); not read",
                )
            )
        nb.cells[number] = (source, len(out), len(lines))
        nb.lines.extend(lines)
        out.extend(texts)
    return "\n".join(out) + ("\n" if out else ""), nb, notes


def _python_kernel(root: lenient_json.JNode) -> bool:
    meta = root.get("metadata")
    if meta is None or meta.kind != "object":
        return True
    for key, sub in (("kernelspec", "language"), ("language_info", "name")):
        node = meta.get(key)
        lang = _string(node.get(sub)) if node is not None and node.kind == "object" else None
        if lang is not None:
            return lang.lower().startswith("python")
    return True


def _string(node) -> str | None:
    return node.value if node is not None and node.kind == "string" else None


def _cell_lines(number: int, source) -> list | None:
    """The cell's lines, each tied to the JSON string it is written in."""
    if source is None:
        return None
    elements = [source] if source.kind == "string" else source.value if source.kind == "array" else []
    lines: list[SourceLine] = []
    for el in elements:
        if el.kind != "string":
            return None
        start = 0
        for piece in el.value.split("\n"):
            if piece or start < len(el.value):
                lines.append(SourceLine(number, len(lines) + 1, piece, el, start))
            start += len(piece) + 1
    # a trailing "\n" on the last element adds no line
    return lines


def _python_lines(lines: list) -> list | None:
    """The cell's lines as Python (magics neutralised in place), or None when it is not Python."""
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split()[:1]
        if not magic or magic[0] not in _PYTHON_CELL_MAGICS:
            return None
        lines = [""] + lines[1:]
    out = []
    for line in lines:
        m = _MAGIC_LINE.match(line)
        out.append(f"{m.group(1)}pass" if m else line)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse("\n".join(out))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return out


def load(path: str, data: bytes) -> FileResult:
    """Read the notebook's models with the Python frontend; spans stay in the
    virtual source (the engine maps them with `result.notebook` once the checks
    and repairs are done, see finish())."""
    from . import python_source

    try:
        text = data.decode("utf-8-sig")
        virtual, nb, notes = read(path, text)
    except (UnicodeDecodeError, lenient_json.JSONError, RecursionError, ValueError) as e:
        result = FileResult(path=path, format="python")
        result.diagnostics.append(
            Diagnostic(
                kind="parse_error",
                severity="error",
                span=Span(path, getattr(e, "line", 1) or 1, getattr(e, "col", 1) or 1),
                message=f"{path} is not a readable notebook ({str(e)[:120]}); no model read from it",
            )
        )
        return result
    result = python_source.load(path, virtual.encode("utf-8"))
    if result.models:  # a note about a skipped cell matters only next to the models it may hide
        result.diagnostics.extend(notes)
    result.notebook = nb  # type: ignore[attr-defined]
    return result


def moved(d: Diagnostic, nb: NotebookMap, path: str) -> Diagnostic:
    """`d` with its locations moved from the virtual source to the raw notebook."""
    from dataclasses import replace

    from ..diagnostics import Related

    related = tuple(Related(span=nb.span(r.span, path) or r.span, message=r.message) for r in d.related)
    return replace(d, span=nb.span(d.span, path), related=related)
