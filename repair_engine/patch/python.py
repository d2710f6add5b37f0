"""Map an IR repair back to a Python source patch that keeps the user's formatting.

The repair is read as a difference between the original model (whose layers
carry the spans the Python frontend recorded) and the repaired one:
changed arguments, changed classes, removed layers, inserted layers, changed
input shapes. Each becomes a small text edit at a recorded span, so comments,
quoting and layout elsewhere stay byte-identical. LibCST checks that the
result still parses and tells how the file imports layer classes.

Style kept: tuple vs int and list vs tuple of the value written, keyword vs
positional, quote style; a value that came from a named constant is changed at
the constant when the file uses the constant only there; inserted layers take
the surrounding indentation and the construction style (Sequential list,
`.add` chain, functional chain with the next call rewired).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..ir import InputNode, Layer, Model, Span, is_unknown
from .protocol import Failure, PatchError, Success, refusals_as_failure

# Writers of repair moves that write themselves (e.g. data moves reshape the array
# fed to fit() at the call). The repair side registers them (proposals.mover), so
# the patch layer never imports the repair search.
EXTRA_WRITERS: list[Callable[..., None]] = []


def register_writer(writer: Callable[..., None]) -> None:
    if writer not in EXTRA_WRITERS:
        EXTRA_WRITERS.append(writer)


@dataclass(frozen=True)
class TextEdit:
    start: int  # absolute character offsets in the original text
    end: int
    text: str
    line: int  # 1-based line the edit is anchored at (for reports)


class Source:
    """The original text with line/column <-> offset conversion (1-based, exclusive end)."""

    def __init__(self, text: str, file: str | None = None) -> None:
        self.text = text
        self.file = file  # when set, a span in another file (code imported from there) is refused
        self.starts = [0]
        for m in re.finditer(r"\r\n|\r|\n", text):
            self.starts.append(m.end())

    def offset(self, line: int, col: int) -> int:
        if line < 1 or line > len(self.starts):
            raise PatchError(f"line {line} outside the file")
        return self.starts[line - 1] + col - 1

    def span(self, span: Span | None) -> tuple[int, int]:
        if span is None:
            raise PatchError("no source position")
        if self.file is not None and span.file and span.file != self.file:
            raise PatchError(f"the position is in another file ({span.file})")
        start = self.offset(span.line, span.col)
        end_line = span.end_line or span.line
        end = self.offset(end_line, span.end_col) if span.end_col is not None else start
        if not (0 <= start <= end <= len(self.text)):
            raise PatchError("span outside the file")
        return start, end

    def line_of(self, offset: int) -> int:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    def line_start(self, offset: int) -> int:
        return self.starts[self.line_of(offset) - 1]

    def line_end(self, offset: int) -> int:
        """Offset just after the newline ending the line holding `offset`."""
        ln = self.line_of(offset)
        return self.starts[ln] if ln < len(self.starts) else len(self.text)

    def newline(self) -> str:
        m = re.search(r"\r\n|\r|\n", self.text)
        return m.group(0) if m else "\n"

    def indent_at(self, offset: int) -> str:
        ls = self.line_start(offset)
        m = re.match(r"[ \t]*", self.text[ls:])
        return m.group(0) if m else ""


# ---- value formatting ---------------------------------------------------------


def format_value(new: Any, old_text: str | None = None, old: Any = None) -> str:
    """Write `new` the way `old_text` was written (int vs tuple, list vs tuple, quotes)."""
    t = (old_text or "").strip()
    if isinstance(new, (tuple, list)) and not isinstance(new, str):
        new = tuple(new)
        if t and re.fullmatch(r"[+-]?\d+", t) and len(set(new)) == 1:
            return str(new[0])
        if t.startswith("["):
            return "[" + ", ".join(format_value(v) for v in new) + "]"
        if len(new) == 1:
            return "(" + format_value(new[0]) + ",)"
        return "(" + ", ".join(format_value(v) for v in new) + ")"
    if isinstance(new, str):
        quote = "'" if t.startswith("'") else '"'
        return quote + new.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote
    if new is None:
        return "None"
    return repr(new)


def bare_uses(src: Source, model: Model, origin: Span, name: str) -> int:
    """Distinct argument texts of the model written as `name` alone and read
    from `origin`: when they are all the name's uses besides its definition, the
    definition is the site (a constant shared by several layers, a helper's parameter)."""
    return len({info.span for _, _, info in bare_readers(src, model, origin, name)})


def bare_readers(src: Source, model: Model, origin: Span, name: str) -> list:
    """(layer id, argument, ArgSource) of every argument written as `name` alone and read from `origin`."""
    out = []
    for l in model.layers:
        for arg, info in (l.arg_sources or {}).items():
            if info.origin == origin and info.span is not None and info.origin_name == name:
                try:
                    a, b = src.span(info.span)
                except PatchError:
                    continue
                if src.text[a:b].strip() == name:
                    out.append((l.id, arg, info))
    return out


def origin_is_site(src: Source, model: Model, info, new_value_of) -> bool:
    """Change the definition of the name an argument is written as (not the use):
    every use of the name is an argument of the model read from that definition,
    and each of them gets the same new value (`new_value_of(layer_id, arg)`)."""
    readers = bare_readers(src, model, info.origin, info.origin_name)
    if count_name_uses(src.text, info.origin_name) != 1 + len({r[2].span for r in readers}):
        return False
    values = [new_value_of(lid, arg) for lid, arg, _ in readers]
    return all(v == values[0] for v in values)


def count_name_uses(text: str, name: str) -> int:
    n = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.NAME and tok.string == name:
                n += 1
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return 99
    return n


# ---- how the file spells layer classes ---------------------------------------


def imported_layer_names(text: str) -> set[str]:
    """Names bound by top-level `from <...>layers import A, B as C` statements
    ("*" when the layers are star-imported: every class name is then bound)."""
    names: set[str] = set()
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return names
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module:
            if stmt.module.split(".")[-1] == "layers":
                names.update(a.asname or a.name for a in stmt.names)
    return names


def layers_import_edit(src: Source, kinds: list[str]) -> TextEdit | None:
    """Add classes to the file's `from ...layers import ...` line (single-line form)."""
    pattern = re.compile(r"^([ \t]*from[ \t]+[\w.]*layers[ \t]+import[ \t]+)([^\n\r#(]*?)([ \t]*(#.*)?)$", re.M)
    m = pattern.search(src.text)
    if not m:
        return None
    present = [n.strip() for n in m.group(2).split(",") if n.strip()]
    missing = [k for k in kinds if k not in present]
    if not missing:
        return None
    pos = m.end(2)
    return TextEdit(pos, pos, "".join(", " + k for k in missing), src.line_of(pos))


def callee_prefix(src: Source, layer: Layer) -> tuple[str, int, int]:
    """The module prefix of a layer call (`layers.`, `keras.layers.`, ``) and
    the offsets of the class name inside the call."""
    if layer.span is None:
        raise PatchError(f"{layer.id} has no source position")
    start, end = src.span(layer.span)
    call = src.text[start:end]
    m = re.match(r"\s*((?:[A-Za-z_][\w]*\s*\.\s*)*)([A-Za-z_]\w*)\s*\(", call)
    if not m:
        raise PatchError(f"cannot read the class name of {layer.id}")
    prefix = re.sub(r"\s+", "", m.group(1))
    return prefix, start + m.start(2), start + m.end(2)


# ---- the patch ------------------------------------------------------------------


@dataclass
class Patch:
    new_text: str
    edits: list  # TextEdit
    notes: list  # human sentences about how each change was written


class Patcher:
    def __init__(self, text: str, original: Model) -> None:
        self.src = Source(text, original.span.file if original.span is not None else None)
        self.model = original
        self.edits: list[TextEdit] = []
        self.need_imports: list[str] = []
        self.bare_names = imported_layer_names(text)
        # the repaired model's layers, while patch_model records its edits
        self.repaired_layers: dict | None = None

    # -- helpers
    def add(self, start: int, end: int, text: str) -> None:
        self.edits.append(TextEdit(start, end, text, self.src.line_of(start)))

    def class_ref(self, near: Layer, kind: str) -> str:
        """Spell class `kind` the way the file spells the class of `near`."""
        prefix, _, _ = callee_prefix(self.src, near)
        if not prefix and kind not in self.bare_names and "*" not in self.bare_names:
            self.need_imports.append(kind)
        return prefix + kind

    # -- arguments
    def set_arg(self, layer: Layer, name: str, old: Any, new: Any) -> None:
        src_info = layer.arg_sources.get(name)
        if src_info is not None and src_info.span is not None:
            start, end = self.src.span(src_info.span)
            old_text = self.src.text[start:end]
            origin = src_info.origin
            # the constant is changed only when the argument is written as that name
            # alone (`kernel_size=k`), not as a tuple that merely contains it
            if (
                origin is not None
                and src_info.origin_name
                and old_text.strip() == src_info.origin_name
                and origin_is_site(self.src, self.model, src_info, self.new_value_of)
            ):
                o_start, o_end = self.constant_value(origin, src_info.origin_name)
                self.add(o_start, o_end, format_value(new, self.src.text[o_start:o_end], old))
                return
            self.add(start, end, format_value(new, old_text, old))
            return
        self.add_keyword(layer, name, format_value(new))

    def new_value_of(self, layer_id: str, arg: str) -> Any:
        layers = self.repaired_layers if self.repaired_layers is not None else {l.id: l for l in self.model.layers}
        layer = layers.get(layer_id)
        return layer.args.get(arg, _MISSING) if layer is not None else _MISSING

    def constant_value(self, origin: Span, name: str) -> tuple[int, int]:
        start, end = self.src.span(origin)
        if end <= start:
            end = self.src.line_end(start)
        seg = self.src.text[start:end]
        m = re.match(rf"\s*{re.escape(name)}\s*(?::[^=]*)?=(?!=)\s*", seg)
        if m:
            v_start = start + m.end()
            v_end = end
            tail = self.src.text[v_start:v_end]
            cut = re.search(r"\s*(#.*)?(\r\n|\r|\n)?$", tail)
            if cut and cut.start() > 0:
                v_end = v_start + cut.start()
            return v_start, v_end
        return start, end

    def call_parens(self, layer: Layer) -> tuple[int, int]:
        """Offsets of the '(' and ')' of the constructor call."""
        _, _, name_end = callee_prefix(self.src, layer)
        start, end = self.src.span(layer.span)
        open_at = self.src.text.index("(", name_end)
        close_at = end - 1
        if self.src.text[close_at] != ")":
            raise PatchError(f"cannot find the end of the call of {layer.id}")
        return open_at, close_at

    def add_keyword(self, layer: Layer, name: str, value_text: str) -> None:
        open_at, close_at = self.call_parens(layer)
        inner = self.src.text[open_at + 1 : close_at]
        stripped = inner.rstrip()
        if not stripped.strip():
            self.add(open_at + 1, open_at + 1, f"{name}={value_text}")
        elif stripped.endswith(","):
            pos = open_at + 1 + len(stripped)
            self.add(pos, pos, f" {name}={value_text},")
        else:
            pos = open_at + 1 + len(stripped)
            self.add(pos, pos, f", {name}={value_text}")

    def rename_keyword(self, layer: Layer, name: str, new_name: str) -> bool:
        """Rewrite `name=` as `new_name=` in place (the value's text is kept);
        False when the keyword is not written as `name=value`."""
        info = layer.arg_sources.get(name)
        if info is None or info.span is None:
            return False
        v_start, _ = self.src.span(info.span)
        open_at, _ = self.call_parens(layer)
        before = self.src.text[open_at + 1 : v_start]
        m = re.search(r"([A-Za-z_]\w*)(\s*=\s*)$", before)
        if m is None or m.group(1) != name:
            return False
        start = open_at + 1 + m.start(1)
        self.add(start, start + len(name), new_name)
        return True

    def remove_keyword(self, layer: Layer, name: str, value_span: Span | None = None) -> str:
        """Delete `kw=value` from the call; returns the deleted `kw=value` text."""
        info = layer.arg_sources.get(name)
        span = value_span or (info.span if info is not None else None)
        if span is None:
            raise PatchError(f"no position for argument {name} of {layer.id}")
        v_start, v_end = self.src.span(span)
        open_at, close_at = self.call_parens(layer)
        before = self.src.text[open_at + 1 : v_start]
        m = re.search(r"([A-Za-z_]\w*)\s*=\s*$", before)
        kw_start = open_at + 1 + m.start() if m else v_start
        piece = self.src.text[kw_start:v_end]
        after = self.src.text[v_end:close_at]
        m_after = re.match(r"\s*,[ \t]*", after)
        if m_after:
            self.add(kw_start, v_end + m_after.end(), "")
        else:
            m_before = re.search(r",\s*$", self.src.text[open_at + 1 : kw_start])
            start = open_at + 1 + m_before.start() if m_before else kw_start
            self.add(start, v_end, "")
        return piece

    # -- classes
    def replace_kind(self, old: Layer, new: Layer) -> None:
        _, n_start, n_end = callee_prefix(self.src, old)
        prefix, _, _ = callee_prefix(self.src, old)
        if not prefix and new.kind not in self.bare_names and "*" not in self.bare_names:
            self.need_imports.append(new.kind)
        self.add(n_start, n_end, new.kind)

    # -- supplied weights
    def set_weights(self, layer: Layer, new: Any) -> None:
        """Rewrite the shape literal of each changed array in the layer's
        `set_weights([...])` call (np.zeros((64, 3, 3, 3)) -> np.zeros((3, 3, 3, 64)))."""
        for start, end, text in weight_shape_edits(self.src.text, layer.weights, new):
            self.add(self.src.offset(*start), self.src.offset(*end), text)

    # -- wrappers
    def rewrap(self, old: Layer, new: Layer) -> None:
        """Bidirectional(LSTM(...)) <-> LSTM(...): the wrapped call's text is kept."""
        start, end = self.src.span(old.span)
        call = self.src.text[start:end]
        if old.inner is not None and new.inner is None:
            inner = old.inner
            if inner.span is None or new.kind != inner.kind or dict(new.args) != dict(inner.args):
                raise PatchError(f"cannot unwrap {old.id}")
            i_start, i_end = self.src.span(inner.span)
            outside = self.src.text[start:i_start] + self.src.text[i_end:end]
            if re.search(r"\b(input_shape|batch_input_shape|input_dim|name)\s*=", outside):
                raise PatchError(f"the wrapper {old.id} carries arguments the wrapped layer would lose")
            self.add(start, end, self.src.text[i_start:i_end])
            return
        if old.inner is None and new.inner is not None:
            if new.inner.kind != old.kind or dict(new.inner.args) != dict(old.args) or new.args:
                raise PatchError(f"cannot wrap {old.id}")
            if re.search(r"\b(input_shape|batch_input_shape|input_dim)\s*=", call):
                raise PatchError(f"{old.id} declares the model input: not wrapped")
            self.add(start, end, f"{self.class_ref(old, new.kind)}({call})")
            return
        raise PatchError(f"the layer wrapped by {old.id} changed")

    # -- layers
    def context(self, layer: Layer) -> str:
        start, end = self.src.span(layer.span)
        before = self.src.text[self.src.line_start(start) : start]
        after = self.src.text[end : end + 200]
        if re.search(r"\.add\(\s*$", before):
            return "add"
        if re.match(r"\s*\(", after):
            return "functional"
        return "list"

    def insert_before(self, consumer: Layer, new: Layer, edge: int, first_input_kw: str | None) -> None:
        ctor = self.class_ref(consumer, new.kind) + "(" + self.ctor_args(new, first_input_kw) + ")"
        start, end = self.src.span(consumer.span)
        nl = self.src.newline()
        ctx = self.context(consumer)
        ls = self.src.line_start(start)
        indent = self.src.indent_at(start)
        if ctx == "add":
            m = re.search(r"([A-Za-z_][\w.]*)\s*\.add\(\s*$", self.src.text[ls:start])
            recv = m.group(1) if m else "model"
            self.add(ls, ls, f"{indent}{recv}.add({ctor}){nl}")
        elif ctx == "functional":
            after = self.src.text[end:]
            m = re.match(r"\s*\(\s*([A-Za-z_]\w*)\s*\)", after)
            ml = re.match(r"\s*\(\s*\[([^\]]*)\]\s*\)", after)
            if m and edge == 0:
                arg, a_start, a_end = m.group(1), end + m.start(1), end + m.end(1)
            elif ml:
                names = [n.strip() for n in ml.group(1).split(",")]
                if edge >= len(names) or not re.fullmatch(r"[A-Za-z_]\w*", names[edge] or ""):
                    raise PatchError("cannot rewire this call")
                arg = names[edge]
                inner_start = end + ml.start(1)
                rel = [mm for mm in re.finditer(r"[A-Za-z_]\w*", ml.group(1))][edge]
                a_start, a_end = inner_start + rel.start(), inner_start + rel.end()
            else:
                raise PatchError(f"the input of {consumer.id} is not a plain name; cannot rewire")
            var = self.fresh_name(f"{arg}_{snake(new.kind)}")
            stmt_indent = self.src.indent_at(start)
            self.add(ls, ls, f"{stmt_indent}{var} = {ctor}({arg}){nl}")
            self.add(a_start, a_end, var)
        else:
            first_on_line = not self.src.text[ls:start].strip()
            if first_on_line:
                self.add(ls, ls, f"{indent}{ctor},{nl}")
            else:
                self.add(start, start, f"{ctor}, ")

    def insert_input(self, first: Layer, ctor: str, ctx: str) -> None:
        """Write the input declaration `ctor` before the Sequential's first layer."""
        start, _ = self.src.span(first.span)
        ls = self.src.line_start(start)
        indent = self.src.indent_at(start)
        nl = self.src.newline()
        if ctx == "add":
            m = re.search(r"([A-Za-z_][\w.]*)\s*\.add\(\s*$", self.src.text[ls:start])
            if m is None:
                raise PatchError("cannot read the model the layers are added to")
            self.add(ls, ls, f"{indent}{m.group(1)}.add({ctor}){nl}")
        elif not self.src.text[ls:start].strip():
            self.add(ls, ls, f"{indent}{ctor},{nl}")
        else:
            self.add(start, start, f"{ctor}, ")

    def fresh_name(self, base: str) -> str:
        name, n = base, 1
        while count_name_uses(self.src.text, name) > 0:
            n += 1
            name = f"{base}{n}"
        return name

    @staticmethod
    def ctor_args(new: Layer, first_input_kw: str | None) -> str:
        parts: list[str] = []
        positional = {"Reshape": "target_shape", "Dense": "units", "RepeatVector": "n", "Permute": "dims"}
        for k, v in new.args.items():
            if positional.get(new.kind) == k:
                parts.insert(0, format_value(v))
            else:
                parts.append(f"{k}={format_value(v)}")
        if first_input_kw:
            parts.append(first_input_kw)
        return ", ".join(parts)

    def remove(self, layer: Layer) -> None:
        start, end = self.src.span(layer.span)
        ctx = self.context(layer)
        ls = self.src.line_start(start)
        if ctx == "add":
            m = re.search(r"[A-Za-z_][\w.]*\s*\.add\(\s*$", self.src.text[ls:start])
            close = re.match(r"\s*\)[ \t]*", self.src.text[end:])
            if not m or not close or self.src.text[ls : ls + m.start()].strip():
                raise PatchError(f"cannot remove {layer.id}")
            rest = self.src.text[end + close.end() : self.src.line_end(end)]
            if rest.strip() and not rest.strip().startswith("#"):
                raise PatchError(f"cannot remove {layer.id}")
            self.add(ls, self.src.line_end(end), "")
        elif ctx == "functional":
            m = re.match(r"\s*\(\s*([A-Za-z_]\w*)\s*\)", self.src.text[end:])
            if not m:
                raise PatchError(f"cannot remove {layer.id}")
            self.add(start, end + m.end(), m.group(1))
        else:
            tail = re.match(r"[ \t]*,?[ \t]*", self.src.text[end:])
            t_end = end + (tail.end() if tail else 0)
            if not self.src.text[ls:start].strip() and self.src.text[t_end : self.src.line_end(end)].strip() == "":
                self.add(ls, self.src.line_end(end), "")
            else:
                self.add(start, t_end, "")

    # -- input shapes
    def set_input(self, inp: InputNode, new_shape: tuple) -> None:
        span = inp.shape_span
        if span is None:
            raise PatchError("the input shape has no source position")
        start, end = self.src.span(span)
        old_text = self.src.text[start:end]
        declared = inp.declared_as
        if declared == "data":
            if any(e.start == start and e.end == end for e in self.edits):
                return  # a data move (repair/data_moves.py) rewrote that array: the built shape follows it
            # the shape was read from the array given to fit()/predict(): a shape
            # tuple written there would replace the data (`model.fit((24,), y)`)
            raise PatchError("the input shape is the data's shape; the data is not rewritten")
        if declared == "input_length" or getattr(inp.shape_source, "keyword", None) == "input_length":
            # Embedding(..., input_length=n) holds one int, never a tuple
            body = tuple(new_shape)[1:]
            if len(body) != 1 or not isinstance(body[0], int):
                raise PatchError("input_length holds one length; this input shape cannot be written there")
            self.add(start, end, str(body[0]))
            return
        if declares_batch(inp):
            value = tuple(new_shape)
        else:
            value = tuple(new_shape)[1:]
        info = inp.shape_source
        if declared == "input_dim":
            if len(value) == 1:
                self.add(start, end, format_value(value[0]))
                return
            before = self.src.text[self.src.line_start(start) : start]
            m = re.search(r"input_dim\s*=\s*$", before)
            if not m:
                raise PatchError("cannot rewrite input_dim")
            kw_start = self.src.line_start(start) + m.start()
            self.add(kw_start, end, "input_shape=" + format_value(value))
            return
        if self.named_elements(start, old_text, value):
            return
        if (
            info is not None
            and info.origin is not None
            and info.origin_name
            and old_text.strip() == info.origin_name
            and count_name_uses(self.src.text, info.origin_name) == 2
        ):
            o_start, o_end = self.constant_value(info.origin, info.origin_name)
            self.add(o_start, o_end, format_value(value, self.src.text[o_start:o_end]))
            return
        if (
            re.search(r"\.shape\s*$", old_text)
            and inp.shape is not None
            and tuple(new_shape) == tuple(inp.shape[:1]) + tuple(inp.shape[2:])
        ):
            self.add(end, end, "[1:]")  # `X.shape` -> `X.shape[1:]`: drop the sample axis
            return
        if not old_text.lstrip().startswith(("(", "[")) and len(value) == 1 and re.fullmatch(r"\s*\d+\s*", old_text):
            self.add(start, end, str(value[0]))  # Input(shape=10)-like scalar spelling
            return
        self.add(start, end, format_value(value, old_text if old_text.lstrip().startswith(("(", "[")) else None))

    def named_elements(self, start: int, old_text: str, value: tuple) -> bool:
        """A shape tuple written with names, `(batch_size, timesteps, features)`, of
        the same length: each changed element is rewritten at its constant's
        single definition when the file uses that name only there, else in place;
        unchanged elements keep their text. False when not written this way."""
        try:
            node = ast.parse(old_text.strip(), mode="eval").body
        except SyntaxError:
            return False
        if (
            not isinstance(node, (ast.Tuple, ast.List))
            or len(node.elts) != len(value)
            or not any(isinstance(e, ast.Name) for e in node.elts)
        ):
            return False
        lead = len(old_text) - len(old_text.lstrip())
        edits = []
        for elt, new in zip(node.elts, value):
            seg = ast.get_source_segment(old_text.strip(), elt)
            try:
                old = ast.literal_eval(elt)
            except ValueError:
                old = _MISSING
            if isinstance(elt, ast.Name):
                old = self.constant_of(elt.id)
            if old is not _MISSING and old == new:
                continue
            if isinstance(elt, ast.Name) and count_name_uses(self.src.text, elt.id) == 2:
                site = self.definition_of(elt.id)
                if site is not None:
                    edits.append((site[0], site[1], format_value(new)))
                    continue
            # ast columns count bytes: only single-line ASCII text is placed by them
            if seg is None or "\n" in old_text or not old_text.isascii():
                return False
            a = start + lead + elt.col_offset
            edits.append((a, a + len(seg), format_value(new)))
        for a, b, t in edits:
            self.add(a, b, t)
        return True

    def definition_of(self, name: str) -> tuple | None:
        """(start, end) of the value of the single top-level `name = <literal>`."""
        hits = [m for m in re.finditer(rf"(?m)^{re.escape(name)}\s*=(?!=)[ \t]*", self.src.text)]
        if len(hits) != 1:
            return None
        v_start = hits[0].end()
        v_end = self.src.line_end(v_start)
        tail = self.src.text[v_start:v_end]
        cut = re.search(r"\s*(#.*)?(\r\n|\r|\n)?$", tail)
        if cut is not None:
            v_end = v_start + cut.start()
        try:
            ast.literal_eval(self.src.text[v_start:v_end])
        except (ValueError, SyntaxError):
            return None
        return v_start, v_end

    def constant_of(self, name: str) -> Any:
        site = self.definition_of(name)
        if site is None:
            return _MISSING
        return ast.literal_eval(self.src.text[site[0] : site[1]])

    # -- result
    def _merge_deletions(self, edits: list[TextEdit]) -> list[TextEdit]:
        """Two removed keywords side by side each take the comma between them
        (`a=1, ` and `, b=2`): one deletion of both, not a conflict. A comma left
        before the closing parenthesis goes too."""
        out: list[TextEdit] = []
        for e in edits:
            prev = out[-1] if out else None
            if prev is not None and prev.text == e.text == "" and e.start < prev.end:
                out[-1] = _joined(prev, e)
            else:
                out.append(e)
        return [self._without_dangling_comma(e) if e.text == "" else e for e in out]

    def _without_dangling_comma(self, e: TextEdit) -> TextEdit:
        text = self.src.text
        if not text[e.end :].lstrip(" \t").startswith(")"):
            return e
        head = text[: e.start].rstrip(" \t")
        if not head.endswith(",") or e.start - len(head) > 1 or text[e.start - 1 : e.start] not in (" ", ","):
            return e
        return TextEdit(len(head) - 1, e.end, "", e.line)

    def result(self) -> Patch:
        if self.need_imports:
            seen = []
            for k in self.need_imports:
                if k not in seen:
                    seen.append(k)
            imp = layers_import_edit(self.src, seen)
            if imp is None:
                raise PatchError(f"{', '.join(seen)} would need an import the file does not have")
            self.edits.append(imp)
        # one site edited for several layers it creates (a helper called N times)
        # records the same text edit N times: it is written once
        edits = self._merge_deletions(sorted(set(self.edits), key=lambda e: (e.start, e.end, e.text)))
        for a, b in zip(edits, edits[1:]):
            if a.start == a.end == b.start == b.end and a.text == b.text:
                continue
            if b.start < a.end or (a.start == a.end == b.start == b.end and False):
                raise PatchError("two changes overlap")
        text = self.src.text
        for e in reversed(edits):
            text = text[: e.start] + e.text + text[e.end :]
        try:
            # compile(), never executed: the parser alone accepts a repeated keyword
            compile(text, "<patched>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError) as exc:  # never hand out a patch that does not compile
            raise PatchError(f"the patched source does not compile: {type(exc).__name__}") from exc
        return Patch(new_text=text, edits=edits, notes=[])


def _joined(a: TextEdit, b: TextEdit) -> TextEdit:
    return TextEdit(a.start, max(a.end, b.end), "", a.line)


def snake(kind: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", kind)
    s = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", s)
    return s.lower()


def write(text: str, original: Model, repaired: Model) -> Success | Failure:
    """The writer protocol (patch/protocol.py): the source with `repaired` written in."""

    def produce() -> Success:
        patch = patch_model(text, original, repaired).result()
        return Success(patch.new_text, tuple(patch.edits))

    return refusals_as_failure(produce)


def patch_model(text: str, original: Model, repaired: Model, patcher: Patcher | None = None) -> Patcher:
    """Record the text edits that turn `original` into `repaired` (both IR; ids of
    surviving layers are unchanged). Raises PatchError when a change cannot be written."""
    p = patcher or Patcher(text, original)
    p.repaired_layers = {l.id: l for l in repaired.layers}
    old_layers = {l.id: l for l in original.layers}
    new_layers = {l.id: l for l in repaired.layers}
    new_shapes = {i.id: i.shape for i in repaired.inputs}
    moved: set[str] = _legacy_batch_inputs(p, original, new_shapes)
    # inserted layers: placed before the first surviving original consumer
    nl: Layer | None  # a new layer here, the counterpart of an original one below
    for nl in repaired.layers:
        if nl.id in old_layers:
            continue
        consumer, edge = _consumer_of(repaired, nl.id, old_layers)
        if consumer is None:
            raise PatchError(f"cannot place the new {nl.kind}")
        orig_consumer = old_layers[consumer.id]
        kw = None
        first_input = _input_declared_on(original, orig_consumer)
        if first_input is not None and first_input.id in moved and nl.inputs and nl.inputs[0].node == first_input.id:
            # the keras.Input written for a batch_input_shape= goes first; a second
            # insertion at the same place would have no defined order
            raise PatchError(f"the new {nl.kind} would go where the new keras.Input goes")
        if first_input is not None and nl.inputs and nl.inputs[0].node == first_input.id:
            # Sequential: the input declaration moves to the new first layer
            name = _input_kw_arg(orig_consumer, first_input)
            piece = p.remove_keyword(orig_consumer, name, first_input.shape_span)
            shape = new_shapes.get(first_input.id, first_input.shape)
            if shape is not None and shape != first_input.shape:
                value = tuple(shape) if declares_batch(first_input) else tuple(shape)[1:]
                kw_name = "input_shape" if first_input.declared_as == "input_dim" else name
                piece = f"{kw_name}={format_value(value, piece.split('=', 1)[-1])}"
            kw = piece
            moved.add(first_input.id)
        p.insert_before(orig_consumer, nl, edge, kw)
    for writer in EXTRA_WRITERS:
        writer(p, original, repaired)
    # input shapes
    for inp in original.inputs:
        shape = new_shapes.get(inp.id, inp.shape)
        if inp.id not in moved and shape is not None and shape != inp.shape:
            p.set_input(inp, tuple(shape))
    # removed / changed layers
    for ol in original.layers:
        nl = new_layers.get(ol.id)
        if nl is None:
            p.remove(ol)
            continue
        if nl.weights != ol.weights:
            p.set_weights(ol, nl.weights)
        if (ol.inner is None) != (nl.inner is None) or (
            ol.inner is not None and nl.inner is not None and ol.inner.kind != nl.inner.kind
        ):
            p.rewrap(ol, nl)
            continue
        if nl.kind != ol.kind:
            p.replace_kind(ol, nl)
        done = _renamed_keywords(p, ol, nl)
        _legacy_keywords(p, ol, nl, done)
        for name in sorted(set(ol.args) | set(nl.args)):
            if name in done:
                continue
            a, b = ol.args.get(name, _MISSING), nl.args.get(name, _MISSING)
            if a == b or (a is not _MISSING and b is not _MISSING and _same(a, b)):
                continue
            if b is _MISSING:
                p.remove_keyword(ol, name)
            elif is_unknown(b):
                raise PatchError("unknown value")
            else:
                p.set_arg(ol, name, None if a is _MISSING else a, b)
    return p


_MISSING = object()

# array constructors whose first argument is the shape, and those taking one int per axis
SHAPE_FIRST = {"zeros", "ones", "empty", "full"}
SHAPE_SPREAD = {"rand", "randn"}


def _literal_shape(node: ast.AST) -> tuple | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return (node.value,)
    if isinstance(node, (ast.Tuple, ast.List)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, int) and not isinstance(e.value, bool) for e in node.elts
    ):
        return tuple(e.value for e in node.elts if isinstance(e, ast.Constant))
    return None


def _array_shape_site(node: ast.AST) -> tuple | None:
    """(shape, first node, last node) of `np.zeros(shape)` / `np.random.rand(a, b)`; None otherwise."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
    if name in SHAPE_FIRST:
        shape = _literal_shape(node.args[0])
        return (shape, node.args[0], node.args[0]) if shape is not None else None
    if name in SHAPE_SPREAD and all(_literal_shape(a) is not None and isinstance(a, ast.Constant) for a in node.args):
        return tuple(a.value for a in node.args if isinstance(a, ast.Constant)), node.args[0], node.args[-1]
    return None


def weight_shape_edits(text: str, old: Any, new: Any) -> list:
    """((line, col), (line, col), text) edits of the one `set_weights([...])` call
    whose arrays have the shapes `old`: each changed array's shape literal
    rewritten. Raises PatchError when that call is not unique or an array is not
    built from a literal shape. Columns are 1-based characters, end exclusive."""
    if not old or not new or len(old) != len(new):
        raise PatchError("supplied weights cannot be rewritten in Python source")
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise PatchError("the source does not parse") from exc
    calls = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "set_weights"
            and node.args
            and isinstance(node.args[0], (ast.List, ast.Tuple))
            and len(node.args[0].elts) == len(old)
        ):
            sites = [_array_shape_site(e) for e in node.args[0].elts]
            # every readable array agrees with the supplied shapes, and the changed ones are readable
            if all(s is None or s[0] == tuple(o) for s, o in zip(sites, old)) and all(
                s is not None for s, o, n in zip(sites, old, new) if tuple(o) != tuple(n)
            ):
                calls.append(sites)
    if len(calls) != 1:
        raise PatchError("supplied weights cannot be rewritten in Python source")
    out = []
    for site, o, n in zip(calls[0], old, new):
        if tuple(o) == tuple(n):
            continue
        assert site is not None  # the changed arrays were checked readable above
        shape, first, last = site
        if first is last:
            seg = ast.get_source_segment(text, first) or ""
            value = format_value(tuple(n), seg if seg.lstrip().startswith(("(", "[")) else None)
            if len(n) == 1 and not seg.lstrip().startswith(("(", "[")):
                value = str(n[0])
        else:
            value = ", ".join(str(d) for d in n)
        out.append(
            (
                _char_pos(text, first.lineno, first.col_offset),
                _char_pos(text, last.end_lineno, last.end_col_offset),
                value,
            )
        )
    return out


def _char_pos(text: str, line: int, byte_col: int) -> tuple:
    """ast columns count UTF-8 bytes; spans here count characters (1-based)."""
    src_line = text.splitlines(keepends=True)[line - 1]
    return line, len(src_line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore")) + 1


def weights_writable(text: str | None, old: Any, new: Any) -> bool:
    if text is None:
        return False
    try:
        weight_shape_edits(text, old, new)
    except PatchError:
        return False
    return True


def declares_batch(inp: InputNode) -> bool:
    """The shape is written with its batch axis (`batch_shape=` / `batch_input_shape=`),
    whether the frontend records that in `declared_as` or in the keyword."""
    kw = getattr(inp.shape_source, "keyword", None) if inp.shape_source is not None else None
    return inp.declared_as in ("batch_input_shape", "batch_shape") or kw in ("batch_input_shape", "batch_shape")


def rejected_legacy(layer: Layer) -> list:
    """(modern, old) keywords of a layer call written in a Keras 1/2 spelling that
    Keras 3 rejects (`border_mode=` for `padding=`), read from `Layer.legacy`."""
    from ..frontends.python.legacy import _ACCEPTED_BY_KERAS3

    out = []
    for modern, old in (layer.legacy or {}).items():
        if "/" in old or old == modern or (layer.written_kind or layer.kind, old) in _ACCEPTED_BY_KERAS3:
            continue
        if (layer.kind, old) in _ACCEPTED_BY_KERAS3:
            continue
        info = layer.arg_sources.get(modern) if layer.arg_sources else None
        if info is not None and info.keyword == old and info.span is not None:
            out.append((modern, old))
    return out


def _legacy_keywords(p: Patcher, ol: Layer, nl: Layer, done: set) -> None:
    """Rewrite each rejected Keras 1/2 keyword in its Keras 3 spelling, the value
    in the form the frontend normalized it to (`dim_ordering='th'` ->
    `data_format='channels_first'`), unless the repair changes it anyway."""
    for modern, old in rejected_legacy(ol):
        if modern not in nl.args or modern in done:
            continue  # removed (or renamed) by the repair itself
        info = ol.arg_sources[modern]
        v_start, v_end = p.src.span(info.span)
        open_at, _ = p.call_parens(ol)
        before = p.src.text[open_at + 1 : v_start]
        m = re.search(r"([A-Za-z_]\w*)(\s*=\s*)$", before)
        if m is None or m.group(1) != old:
            continue
        start = open_at + 1 + m.start(1)
        p.add(start, start + len(old), modern)
        value_text = p.src.text[v_start:v_end]
        if nl.args[modern] == ol.args.get(modern):
            try:
                written = ast.literal_eval(value_text.strip())
            except (ValueError, SyntaxError):
                continue  # a name or an expression: its value is what the frontend read
            if written != ol.args[modern] and not is_unknown(ol.args[modern]):
                p.add(v_start, v_end, format_value(ol.args[modern], value_text))


def _renamed_keywords(p: Patcher, ol: Layer, nl: Layer) -> set:
    """A dropped keyword whose value reappears under one new name (a mistyped
    keyword spelled right): the name is rewritten, the value text kept."""
    gone = [a for a in ol.args if a not in nl.args]
    new = [b for b in nl.args if b not in ol.args]
    done: set = set()
    for a in gone:
        same = [b for b in new if b not in done and _same(ol.args[a], nl.args[b])]
        if len(same) == 1 and p.rename_keyword(ol, a, same[0]):
            done.update({a, same[0]})
    return done


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return tuple(a) == tuple(b)
    return False


def _legacy_batch_inputs(p: Patcher, original: Model, new_shapes: dict) -> set:
    """`Layer(..., batch_input_shape=S)` first in a Sequential is Keras 1/2, which
    Keras 3 rejects: the keyword is removed and `keras.Input(batch_shape=S)` is
    written before the layer, S as written (or the repaired shape). Returns the ids
    of the inputs so rewritten."""
    done: set = set()
    for inp in original.inputs:
        if inp.declared_as != "batch_input_shape" or inp.shape_span is None:
            continue
        layer = next((l for l in original.layers if _input_declared_on(original, l) is inp), None)
        if layer is None:
            continue
        ctx = p.context(layer)
        if ctx == "functional":
            continue  # not a Sequential's first layer: left to the verification, which refuses it
        value = p.remove_keyword(layer, "batch_input_shape", inp.shape_span).split("=", 1)[-1].strip()
        shape = new_shapes.get(inp.id, inp.shape)
        if shape is not None and shape != inp.shape:
            value = format_value(tuple(shape), value)
        p.insert_input(layer, f"{p.class_ref(layer, 'Input')}(batch_shape={value})", ctx)
        done.add(inp.id)
    return done


def _consumer_of(model: Model, node_id: str, originals: dict) -> tuple[Layer | None, int]:
    """Follow inserted layers forward to the first original layer that reads them."""
    seen = set()
    cur = node_id
    while cur not in seen:
        seen.add(cur)
        for l in model.layers:
            for i, e in enumerate(l.inputs):
                if e.node == cur:
                    if l.id in originals:
                        return l, i
                    cur = l.id
                    break
            else:
                continue
            break
        else:
            return None, 0
    return None, 0


def _input_declared_on(model: Model, layer: Layer) -> InputNode | None:
    """The model input whose declaration sits inside this layer's call (input_shape=...)."""
    if layer.span is None:
        return None
    for inp in model.inputs:
        s = inp.shape_span or inp.span
        if s is None or inp.declared_as not in ("input_shape", "batch_input_shape", "input_dim", "batch_shape"):
            continue
        ls = layer.span
        if (ls.line, ls.col) <= (s.line, s.col) and (s.end_line or s.line, s.end_col or 0) <= (
            ls.end_line or ls.line,
            ls.end_col or 10**9,
        ):
            return inp
    return None


def _input_kw_arg(layer: Layer, inp: InputNode) -> str:
    for name in ("input_shape", "batch_input_shape", "input_dim", "batch_shape"):
        if name in layer.arg_sources:
            return name
    if inp.shape_source is not None and inp.shape_source.keyword:
        return inp.shape_source.keyword
    return inp.declared_as
