"""Source text handling: bytes -> text (PEP 263), and ast positions -> IR spans.

`ast` reports columns as UTF-8 byte offsets; the IR wants 1-based character
columns with an exclusive end, so every position goes through `Spans`.
"""

from __future__ import annotations

import ast
import io
import tokenize

from ...ir import Span


def decode(data: bytes) -> tuple[str, str | None]:
    """Decode Python source bytes. Returns (text, problem) where problem says
    why a fallback decoding was used (None when the declared/default one worked)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except (SyntaxError, LookupError):
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
        problem = None
    except (UnicodeDecodeError, LookupError):
        # latin-1 maps every byte, so positions stay one char per byte
        text = data.decode("latin-1")
        problem = f"the file is not valid {encoding}; read as latin-1"
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, problem


class Spans:
    """Converts ast node positions of one file into IR spans."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        # ast's notion of lines: split on \n, \r\n, \r (not on \x0c, \x1c... as splitlines does)
        self.source = io.StringIO(text, newline=None).read()
        self.lines = self.source.split("\n")

    def char_col(self, lineno: int, byte_col: int) -> int:
        """0-based UTF-8 byte offset on `lineno` -> 1-based character column."""
        if 1 <= lineno <= len(self.lines):
            line = self.lines[lineno - 1]
            if not line.isascii():
                return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore")) + 1
        return byte_col + 1

    def of(self, node: ast.AST) -> Span | None:
        lineno = getattr(node, "lineno", None)
        if lineno is None:
            return None
        end_line = getattr(node, "end_lineno", None) or lineno
        end_col = getattr(node, "end_col_offset", None)
        return Span(
            file=self.file,
            line=lineno,
            col=self.char_col(lineno, getattr(node, "col_offset", 0)),
            end_line=end_line,
            end_col=self.char_col(end_line, end_col) if end_col is not None else None,
        )

    def segment(self, span: Span | None) -> str | None:
        """The exact source text at an IR span (1-based character columns), or None."""
        if (
            span is None
            or span.end_col is None
            or not 1 <= span.line <= (span.end_line or span.line) <= len(self.lines)
        ):
            return None
        end_line = span.end_line or span.line
        if span.line == end_line:
            return self.lines[span.line - 1][span.col - 1 : span.end_col - 1]
        parts = [self.lines[span.line - 1][span.col - 1 :], *self.lines[span.line : end_line - 1]]
        return "\n".join([*parts, self.lines[end_line - 1][: span.end_col - 1]])

    def text(self, node: ast.expr | ast.stmt, limit: int = 80) -> str:
        """The source text of `node` on one line, shortened for messages."""
        try:
            l0, l1 = node.lineno, node.end_lineno or node.lineno
            c0, c1 = node.col_offset, node.end_col_offset
            if l1 - l0 > 20:
                l1, c1 = l0 + 20, None
            parts = [self.lines[i - 1].encode("utf-8") for i in range(l0, l1 + 1)]
            if len(parts) == 1:
                seg = parts[0][c0:c1]
            else:
                seg = b"\n".join([parts[0][c0:]] + parts[1:-1] + [parts[-1][:c1]])
            text = seg.decode("utf-8", errors="replace")
        except (AttributeError, TypeError, IndexError):  # a node without (full) positions
            text = ""
        text = " ".join(text.split())
        return text if len(text) <= limit else text[: limit - 3] + "..."
