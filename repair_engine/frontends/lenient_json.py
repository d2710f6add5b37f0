"""A lenient JSON reader that remembers where every value is.

Needed because hand-written model specs (the ExAIS benchmark's, for one) are
not always strict JSON: trailing commas, missing commas between members or
elements, `//` and `#` line comments. Every parsed value is a `JNode` carrying
its 1-based start line/col and its end (exclusive column), and object members
keep the span of their key, so a diagnostic can point at the exact value.

Bounded: nesting depth and node count are limited; violations raise
`JSONError` with the position, never RecursionError.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 200
MAX_NODES = 2_000_000


class JSONError(ValueError):
    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(f"{message} at line {line}, column {col}")
        self.message = message
        self.line = line
        self.col = col


@dataclass
class JNode:
    """One JSON value. `value` is a python scalar, a list of JNode (array) or
    a dict key -> JNode (object); `keys` maps an object key to its key's position."""

    kind: str  # "object" | "array" | "string" | "number" | "bool" | "null"
    value: Any
    line: int
    col: int
    end_line: int
    end_col: int
    keys: dict = field(default_factory=dict)  # key -> (line, col)

    def get(self, key: str, default: Any = None) -> JNode | None:
        if self.kind != "object":
            return default
        return self.value.get(key, default)

    def to_python(self) -> Any:
        return to_python(self)


def to_python(node: JNode) -> Any:
    """The plain Python value (dicts, lists, scalars) of a node tree (iterative)."""
    # Iterative to stay safe on deep (but depth-limited) trees.
    if node.kind == "object":
        return {k: to_python(v) for k, v in node.value.items()}
    if node.kind == "array":
        return [to_python(v) for v in node.value]
    return node.value


_WS = " \t\r\n\ufeff"
_PLAIN_DQ = re.compile(r'[^"\\\n]*')
_PLAIN_SQ = re.compile(r"[^'\\\n]*")
_BLANKS = re.compile(r"[ \t]*")
_NUM_CHARS = set("+-0123456789.eE")


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        self.line = 1
        self.line_start = 0
        self.nodes = 0
        self.warnings: list[tuple[str, int, int]] = []

    # ---- positions -------------------------------------------------------
    def pos(self) -> tuple[int, int]:
        return self.line, self.i - self.line_start + 1

    def error(self, message: str) -> JSONError:
        line, col = self.pos()
        return JSONError(message, line, col)

    def skip_ws(self) -> None:
        s, n = self.s, self.n
        m = _BLANKS.match(s, self.i)  # the common case: spaces/tabs only
        assert m is not None  # the pattern matches the empty string
        self.i = m.end()
        while self.i < n:
            c = s[self.i]
            if c == "\n":
                self.i += 1
                self.line += 1
                self.line_start = self.i
            elif c in _WS:
                self.i += 1
            elif c == "/" and self.i + 1 < n and s[self.i + 1] == "/" or c == "#":
                while self.i < n and s[self.i] != "\n":
                    self.i += 1
            elif c == "/" and self.i + 1 < n and s[self.i + 1] == "*":
                end = s.find("*/", self.i + 2)
                if end < 0:
                    raise self.error("unterminated comment")
                chunk = s[self.i : end + 2]
                nl = chunk.count("\n")
                if nl:
                    self.line += nl
                    self.line_start = self.i + chunk.rfind("\n") + 1
                self.i = end + 2
            else:
                break

    def peek(self) -> str:
        return self.s[self.i] if self.i < self.n else ""

    def _trailing(self, closing: str) -> None:
        line, col = self.line, self.i - self.line_start  # the comma's column
        self.skip_ws()
        if self.peek() == closing:
            self.warnings.append(("trailing comma", line, col))

    # ---- values ----------------------------------------------------------
    def parse_value(self, depth: int) -> JNode:
        if depth > MAX_DEPTH:
            raise self.error(f"nesting deeper than {MAX_DEPTH} levels")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.error(f"more than {MAX_NODES} values")
        self.skip_ws()
        c = self.peek()
        line, col = self.pos()
        if c == "{":
            return self.parse_object(depth, line, col)
        if c == "[":
            return self.parse_array(depth, line, col)
        if c == '"' or c == "'":
            v = self.parse_string()
            return JNode("string", v, line, col, *self.pos())
        if c and (c in "-+" or c.isdigit() or c == "."):
            return self.parse_number(line, col)
        for word, kind, val in (
            ("true", "bool", True),
            ("false", "bool", False),
            ("null", "null", None),
            ("True", "bool", True),
            ("False", "bool", False),
            ("None", "null", None),
        ):
            if self.s.startswith(word, self.i):
                self.i += len(word)
                return JNode(kind, val, line, col, *self.pos())
        if not c:
            raise self.error("unexpected end of input")
        raise self.error(f"unexpected character {c!r}")

    def parse_string(self) -> str:
        quote = self.s[self.i]
        self.i += 1
        out: list[str] = []
        s, n = self.s, self.n
        plain = _PLAIN_DQ if quote == '"' else _PLAIN_SQ
        while True:
            m = plain.match(s, self.i)  # a run of ordinary characters at once
            assert m is not None  # the pattern matches the empty string
            if m.end() > self.i:
                out.append(m.group())
                self.i = m.end()
            if self.i >= n:
                raise self.error("unterminated string")
            c = s[self.i]
            if c == quote:
                self.i += 1
                return "".join(out)
            if c == "\n":
                raise self.error("newline inside a string")
            if c == "\\":
                self.i += 1
                if self.i >= n:
                    raise self.error("unterminated string")
                e = s[self.i]
                if e == "u":
                    try:
                        code = int(s[self.i + 1 : self.i + 5], 16)
                    except ValueError:
                        raise self.error("bad \\u escape") from None
                    self.i += 5
                    # a UTF-16 surrogate pair written as two escapes is one character
                    if 0xD800 <= code < 0xDC00 and s.startswith("\\u", self.i):
                        try:
                            low = int(s[self.i + 2 : self.i + 6], 16)
                        except ValueError:
                            low = 0
                        if 0xDC00 <= low < 0xE000:
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            self.i += 6
                    out.append(chr(code))
                    continue
                out.append({"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(e, e))
                self.i += 1
                continue
            out.append(c)
            self.i += 1

    def parse_number(self, line: int, col: int) -> JNode:
        start = self.i
        while self.i < self.n and self.s[self.i] in _NUM_CHARS:
            self.i += 1
        text = self.s[start : self.i]
        try:
            value: Any = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                self.i = start
                raise self.error(f"bad number {text!r}") from None
        return JNode("number", value, line, col, *self.pos())

    def parse_object(self, depth: int, line: int, col: int) -> JNode:
        self.i += 1
        members: dict[str, JNode] = {}
        keys: dict[str, tuple[int, int]] = {}
        while True:
            self.skip_ws()
            c = self.peek()
            if c == "}":
                self.i += 1
                return JNode("object", members, line, col, *self.pos(), keys=keys)
            if c == ",":  # stray / trailing comma
                self.warnings.append(("extra comma", *self.pos()))
                self.i += 1
                continue
            if c not in "\"'" or not c:
                if not c:
                    raise self.error("unexpected end of input inside an object")
                raise self.error(f"expected a quoted key or '}}', found {c!r}")
            kpos = self.pos()
            key = self.parse_string()
            self.skip_ws()
            if self.peek() != ":":
                raise self.error(f"expected ':' after key {key!r}")
            self.i += 1
            members[key] = self.parse_value(depth + 1)
            keys[key] = kpos
            self.skip_ws()
            c = self.peek()
            if c == ",":
                self.i += 1
                self._trailing("}")
            elif c != "}":
                if c in "\"'":
                    self.warnings.append(("missing comma", *self.pos()))
                elif not c:
                    raise self.error("unexpected end of input inside an object")
                else:
                    raise self.error(f"expected ',' or '}}', found {c!r}")

    def parse_array(self, depth: int, line: int, col: int) -> JNode:
        self.i += 1
        items: list[JNode] = []
        while True:
            self.skip_ws()
            c = self.peek()
            if c == "]":
                self.i += 1
                return JNode("array", items, line, col, *self.pos())
            if c == ",":
                self.warnings.append(("extra comma", *self.pos()))
                self.i += 1
                continue
            if not c:
                raise self.error("unexpected end of input inside an array")
            items.append(self.parse_value(depth + 1))
            self.skip_ws()
            c = self.peek()
            if c == ",":
                self.i += 1
                self._trailing("]")
            elif c != "]":
                if not c:
                    raise self.error("unexpected end of input inside an array")
                # A missing comma: tolerated when another value starts here.
                self.warnings.append(("missing comma", *self.pos()))


def parse(text: str) -> JNode:
    """Parse `text` leniently; raises JSONError (with line/col) when hopeless."""
    node, _ = parse_with_warnings(text)
    return node


def parse_with_warnings(text: str) -> tuple[JNode, list]:
    """Like parse, also returning [(message, line, col)] for each tolerated deviation."""
    p = _Parser(text)
    node = p.parse_value(0)
    p.skip_ws()
    if p.i < p.n:
        raise p.error("unexpected text after the JSON value")
    return node, p.warnings


# ---------------------------------------------------------------------------
# Text edits addressed by node positions (used to patch JSON model files while
# keeping their formatting: only the changed values are rewritten).


def line_starts(text: str) -> list:
    starts = [0]
    for i, c in enumerate(text):
        if c == "\n":
            starts.append(i + 1)
    return starts


def offset(starts: list, line: int, col: int) -> int:
    return starts[line - 1] + col - 1


def node_at(root: JNode, line: int, col: int) -> JNode | None:
    """The outermost node starting at (line, col)."""
    stack = [root]
    while stack:
        n = stack.pop()
        if (n.line, n.col) == (line, col):
            return n
        if n.kind == "object":
            stack.extend(n.value.values())
        elif n.kind == "array":
            stack.extend(n.value)
    return None


def node_span(starts: list, node: JNode) -> tuple:
    return offset(starts, node.line, node.col), offset(starts, node.end_line, node.end_col)


def member_insertion(text: str, starts: list, obj: JNode, key: str, value_text: str) -> tuple:
    """An edit (start, end, new) adding `"key": value` as the first member of
    `obj`, on its own line with the members' indentation when the object spans lines."""
    open_at = offset(starts, obj.line, obj.col) + 1
    member = f"{json.dumps(key)}: {value_text}"
    if not obj.value:
        return open_at, open_at, member
    first_key = min(obj.keys.values())
    first_at = offset(starts, *first_key)
    between = text[open_at:first_at]
    if "\n" in between:
        indent = between[between.rfind("\n") + 1 :]
        return first_at, first_at, f"{member},\n{indent}"
    return first_at, first_at, f"{member}, "


def member_removal(text: str, starts: list, obj: JNode, key: str) -> tuple | None:
    """An edit deleting member `key` of `obj` (with its comma)."""
    if key not in obj.keys:
        return None
    start = offset(starts, *obj.keys[key])
    end = node_span(starts, obj.value[key])[1]
    rest = text[end:]
    stripped = rest.lstrip(" \t")
    if stripped.startswith(","):
        end += len(rest) - len(stripped) + 1
        tail = text[end:]
        end += len(tail) - len(tail.lstrip(" \t\r\n"))
    else:  # the last member: take the comma before it instead
        before = text[:start].rstrip(" \t\r\n")
        if before.endswith(","):
            start = len(before) - 1
    return start, end, ""


def element_removal(text: str, starts: list, arr: JNode, element: JNode) -> tuple:
    """An edit deleting one element of an array (with its comma)."""
    start, end = node_span(starts, element)
    rest = text[end:]
    stripped = rest.lstrip(" \t\r\n")
    if stripped.startswith(","):
        end += len(rest) - len(stripped) + 1
        tail = text[end:]
        end += len(tail) - len(tail.lstrip(" \t\r\n"))
    else:
        before = text[:start].rstrip(" \t\r\n")
        if before.endswith(","):
            start = len(before) - 1
    return start, end, ""


def apply_edits(text: str, edits: list) -> str:
    """Apply (start, end, replacement) edits; overlapping edits raise ValueError."""
    out = text
    last = None
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        if last is not None and end > last:
            raise ValueError("overlapping edits")
        out = out[:start] + new + out[end:]
        last = start
    return out
