"""Textual patches of Keras JSON model files (`model.to_json()` output).

Only value edits are written: an argument that already appears in the file
(its value span was recorded by the frontend) and the input's batch shape.
Everything else around the value stays byte-identical; a list value that was
spread over several lines keeps that layout. Structural edits (new, removed or
replaced layers, new keys) raise PatchError: the caller then keeps the IR
repair and reports it without a diff.
"""

from __future__ import annotations

import json
from typing import Any

from ..ir import Model, is_unknown
from .protocol import Failure, PatchError, Success, refusals_as_failure
from .python import Patch, Source, TextEdit


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def json_value(value: Any, old_text: str) -> str:
    """`value` as JSON, laid out like the value it replaces."""
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list) and "\n" in old_text:
        lines = old_text.split("\n")
        inner = _indent(lines[1]) if len(lines) > 1 else "  "
        closing = _indent(lines[-1])
        items = [json.dumps(v) for v in value]
        if not items:
            return "[]"
        return "[\n" + ",\n".join(inner + i for i in items) + "\n" + closing + "]"
    return json.dumps(value)


def patch_json(text: str, original: Model, repaired: Model) -> Patch:
    src = Source(text)
    edits: list[TextEdit] = []
    old_layers = {l.id: l for l in original.layers}
    new_layers = {l.id: l for l in repaired.layers}
    if set(old_layers) != set(new_layers):
        raise PatchError("layers were added or removed: not written into JSON")
    for inp in original.inputs:
        new = next((i for i in repaired.inputs if i.id == inp.id), None)
        if new is None or new.shape is None or new.shape == inp.shape:
            continue
        if inp.shape_span is None:
            raise PatchError("the input shape has no position in the file")
        a, b = src.span(inp.shape_span)
        edits.append(TextEdit(a, b, json_value(list(new.shape), text[a:b]), src.line_of(a)))
    for lid, ol in old_layers.items():
        nl = new_layers[lid]
        if nl.kind != ol.kind or nl.weights != ol.weights:
            raise PatchError("a layer class or weights changed: not written into JSON")
        if nl.inputs != ol.inputs or nl.inner != ol.inner:  # a value writer writes no edge
            raise PatchError(f"the inputs of {lid} are rewired: not written into JSON")
        for name in set(ol.args) | set(nl.args):
            if ol.args.get(name) == nl.args.get(name):
                continue
            srcinfo = ol.arg_sources.get(name)
            if name not in nl.args or name not in ol.args or srcinfo is None or srcinfo.span is None:
                raise PatchError(f"argument {name} is not a value already written in the file")
            if is_unknown(nl.args[name]):
                raise PatchError("unknown value")
            a, b = src.span(srcinfo.span)
            edits.append(TextEdit(a, b, json_value(nl.args[name], text[a:b]), src.line_of(a)))
    edits.sort(key=lambda e: (e.start, e.end))
    for x, y in zip(edits, edits[1:]):
        if y.start < x.end:
            raise PatchError("two changes overlap")
    new_text = text
    for e in reversed(edits):
        new_text = new_text[: e.start] + e.text + new_text[e.end :]
    try:
        json.loads(new_text)
    except ValueError as exc:
        raise PatchError("the patched file is not valid JSON") from exc
    return Patch(new_text=new_text, edits=edits, notes=[])


def write(text: str, original: Model, repaired: Model) -> Success | Failure:
    """The writer protocol (patch/protocol.py), value edits only."""

    def produce() -> Success:
        patch = patch_json(text, original, repaired)
        return Success(patch.new_text, tuple(patch.edits))

    return refusals_as_failure(produce)
