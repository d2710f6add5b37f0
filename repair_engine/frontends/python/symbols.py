"""Input shapes that are not constants, read as symbolic dimensions.

`Input(shape=input_shape)` in a factory never called with constants,
`Input(shape=(h, w, 3))` with `h` and `w` unknown, a Sequential without `Input`:
instead of leaving the model unchecked, the frontend names each unknown
dimension after the expression that holds it (`h`, `input_shape[0]`) and the
checker checks the model for every value (semantics/dims.py). Naming only:
no value is ever guessed here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ...ir import UNKNOWN

DEFAULT_BASE = "input_shape"


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _name_of(node: ast.AST | None, text) -> str | None:
    """A short name for the expression that holds a shape or a dimension."""
    if node is None:
        return None
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    s = text(node, 40)
    return s if s and len(s) <= 40 and "\n" not in s else None


def shape_node(call: ast.AST) -> ast.AST | None:
    """The `shape` argument of an `Input(...)` call node."""
    if not isinstance(call, ast.Call):
        return None
    for kw in call.keywords:
        if kw.arg == "shape":
            return kw.value
    return call.args[0] if call.args else None


def symbolic_input(value: Any, node: ast.AST | None, text) -> tuple[tuple | None, Any] | None:
    """(IR shape, symbols) for a shape value that is unknown in whole or in part, or
    None when the value is a constant or something that is not a shape at all.

    An unknown value: rank and sizes unknown, symbols = the expression's name.
    A tuple with unknown elements: the known ones kept, the others None in the
    shape and named in `symbols` (the batch axis first, never symbolic).
    """
    if value is UNKNOWN:
        return None, _name_of(node, text) or DEFAULT_BASE
    if not isinstance(value, (tuple, list)) or not any(v is UNKNOWN for v in value):
        return None
    if not all(v is UNKNOWN or v is None or (_is_int(v) and v > 0) for v in value):
        return None
    elts = node.elts if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) == len(value) else None
    base = _name_of(node, text) if elts is None else None
    names: list[str | None] = [None]
    for i, v in enumerate(value):
        if v is not UNKNOWN:
            names.append(None)
            continue
        # the same name twice (`(n, n)`) is one value: one symbol
        name = _name_of(elts[i], text) if elts is not None else None
        names.append(name or f"{base or DEFAULT_BASE}[{i}]")
    shape = (None,) + tuple(None if v is UNKNOWN else v for v in value)
    return shape, tuple(names)


# ---- constants a factory is called with elsewhere --------------------------
# A factory `build_model(input_shape, n_classes)` defined in one file and called
# with constants in another is checked with those constants. Whoever reads the
# whole repository (imports) records the calls; the evaluator of the defining
# file reads them when it runs the functions the file itself never calls.

Call = tuple[tuple, dict]  # (positional values, keyword values)
_KNOWN_CALLS: ContextVar[Mapping[tuple[str, str], list[Call]] | None] = ContextVar("nnrepair_known_calls", default=None)
MAX_KNOWN_CALLS = 3  # per function: each call builds (and reports) one model


@contextmanager
def known_calls(calls: Mapping[tuple[str, str], list[Call]]) -> Iterator[None]:
    """Within the block, `calls[(file, function)]` are the constant arguments
    `function` of `file` is called with somewhere else (values: plain Python
    constants, UNKNOWN for what is not known)."""
    token = _KNOWN_CALLS.set(calls)
    try:
        yield
    finally:
        _KNOWN_CALLS.reset(token)


def calls_of(file: str, function: str) -> list[Call]:
    calls = _KNOWN_CALLS.get()
    return list(calls.get((file, function), ()))[:MAX_KNOWN_CALLS] if calls else []
