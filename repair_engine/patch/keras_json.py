"""The Keras JSON writer: a repaired model written back into the config text.

Edits are made at the lenient-JSON node spans the reader recorded, so every
other byte of the file stays as it was: changed values, changed classes,
inserted and removed layers of a Sequential-style chain. Anything else
(rewired edges, nested models, weights) cannot be expressed and gives None.
`KerasJsonStyle` holds the format's conventions; the ExAIS spec writer
(`patch/exais_spec.py`) overrides them.
"""

from __future__ import annotations

import json
from typing import Any

from ..frontends.keras_json import _child
from ..frontends.lenient_json import (
    JNode,
    JSONError,
    apply_edits,
    element_removal,
    member_insertion,
    member_removal,
    node_at,
    node_span,
    offset,
)
from ..frontends.lenient_json import line_starts as lenient_starts
from ..frontends.lenient_json import parse as lenient_parse
from ..ir import Edge, InputNode, Layer, Model, is_unknown
from . import json_values
from .protocol import Failure, PatchError, Success, refusals_as_failure


def _json_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, Layer):
        raise PatchError("a layer-valued argument cannot be written into a config")
    if is_unknown(value):
        raise PatchError("a value nnrepair does not know cannot be written into a config")
    return value


def dumps(value: Any, **kwargs: Any) -> str:
    """`value` as JSON text; a value JSON cannot hold is a refusal, not a crash."""
    try:
        return json.dumps(_json_value(value), **kwargs)
    except (TypeError, ValueError) as exc:  # not serializable, or a circular value
        raise PatchError(f"a value cannot be written as JSON ({exc})") from exc


class KerasJsonStyle:
    """How values are written in a Keras config (the hooks exais_spec overrides)."""

    kind_key = "class_name"

    def layers_array(self, root: JNode) -> JNode | None:
        cfg = _child(root, "config")
        if cfg is not None and cfg.kind == "array":
            return cfg
        return _child(cfg, "layers")

    def is_chain_file(self, original: Model, arr: JNode) -> bool:
        return original.style == "sequential"

    def new_layer(self, layer: Layer, sample: JNode | None) -> dict:
        cfg = {"name": layer.id}
        cfg.update({k: _json_value(v) for k, v in layer.args.items()})
        if sample is not None and sample.get("module") is not None:
            return {"module": "keras.layers", "class_name": layer.kind, "config": cfg, "registered_name": None}
        return {"class_name": layer.kind, "config": cfg}

    def args_object(self, layer_node: JNode) -> JNode | None:
        return _child(layer_node, "config")

    def weight_edits(self, starts: list, layer_node: JNode, old: Layer, new: Layer) -> list | None:
        return None  # Keras configs hold no weights

    def key_of(self, layer: Layer, arg: str) -> str | None:
        return arg

    def value_text(self, layer: Layer, arg: str, value: Any) -> str:
        return dumps(value)

    def kind_text(self, kind: str) -> str:
        return json.dumps(kind)

    def shape_text(self, inp: InputNode, old_text: str, shape: tuple) -> str:
        key = inp.shape_source.keyword if inp.shape_source is not None else None
        dims = list(shape[1:]) if key == "shape" else list(shape)
        if inp.declared_as == "input_dim":
            return dumps(shape[-1])
        return dumps(dims)


def write(text: str, original: Model, repaired: Model) -> Success | Failure:
    """The writer protocol (patch/protocol.py): `text` with the repaired model's
    changes written in (values, classes, inserted and removed layers of a chain).
    When this writer refuses them, or they change nothing it writes, the
    value-only writer (json_values) answers."""
    outcome = refusals_as_failure(lambda: Success(written(text, original, repaired, KerasJsonStyle())))
    if isinstance(outcome, Success) and outcome.text != text:
        return outcome
    fallback = json_values.write(text, original, repaired)
    if isinstance(fallback, Success):
        return fallback
    return outcome if isinstance(outcome, Failure) else fallback


def patch_text(text: str, original: Model, repaired: Model, style: KerasJsonStyle | None = None) -> str | None:
    """`text` with the repaired model's changes written in, or None when this
    writer refuses them (see `written`); without the value-only fallback."""
    try:
        return written(text, original, repaired, style or KerasJsonStyle())
    except PatchError:
        return None


def written(text: str, original: Model, repaired: Model, style: KerasJsonStyle) -> str:
    """`text` with the repaired model's changes written in; PatchError(reason) when
    they cannot be expressed as edits of this file (rewired edges, nested models,
    structure outside a Sequential-style chain, weights the style cannot write)."""
    try:
        root = lenient_parse(text)
    except JSONError as exc:
        raise PatchError(f"the file is not readable JSON ({exc})") from exc
    starts = lenient_starts(text)
    edits = _input_edits(text, starts, root, original, repaired, style)
    old_layers = {l.id: l for l in original.layers}
    structural = [l.id for l in repaired.layers] != [l.id for l in original.layers]
    if structural:
        edits.extend(_chain_edits(text, starts, root, original, repaired, style))
    for new in repaired.layers:
        old = old_layers.get(new.id)
        if old is None or old == new:
            continue  # inserted above, or unchanged
        if old.inputs != new.inputs and not structural:
            raise PatchError(f"the inputs of {old.id} are rewired: not written into the config")
        if old.inner != new.inner:
            raise PatchError(f"the nested model of {old.id} changes: not written into the config")
        edits.extend(_layer_edits(text, starts, root, old, new, style))
    try:
        return apply_edits(text, edits) if edits else text
    except ValueError as exc:  # overlapping edits
        raise PatchError("two changes overlap") from exc


def _input_edits(text: str, starts: list, root: JNode, original: Model, repaired: Model, style) -> list:
    if [i.id for i in original.inputs] != [i.id for i in repaired.inputs]:
        raise PatchError("the model's inputs change: not written into the config")
    edits = []
    for old_input, new_input in zip(original.inputs, repaired.inputs):
        if old_input.shape == new_input.shape:
            continue
        span = old_input.shape_span or (old_input.shape_source.span if old_input.shape_source else None)
        node = node_at(root, span.line, span.col) if span is not None else None
        if node is None or new_input.shape is None:
            raise PatchError(f"the shape of input {old_input.id} has no position in the file")
        a, z = node_span(starts, node)
        shape_text = style.shape_text(old_input, text[a:z], tuple(new_input.shape))
        edits.append((a, z, _same_layout(text[a:z], shape_text)))
    return edits


def _layer_edits(text: str, starts: list, root: JNode, old: Layer, new: Layer, style) -> list:
    """The edits of one layer's object: weights, class, arguments."""
    lnode = node_at(root, old.span.line, old.span.col) if old.span is not None else None
    if lnode is None or lnode.kind != "object":
        raise PatchError(f"{old.id} has no object in the file")
    edits = []
    if old.weights != new.weights:
        wedits = style.weight_edits(starts, lnode, old, new)
        if wedits is None:
            raise PatchError(f"the weights of {old.id} cannot be written into the file")
        edits.extend(wedits)
    if old.kind != new.kind:
        knode = lnode.get(style.kind_key)
        if knode is None:
            raise PatchError(f"{old.id} has no `{style.kind_key}` to change")
        edits.append((*node_span(starts, knode), style.kind_text(new.kind)))
    obj = style.args_object(lnode)
    for arg in sorted(set(old.args) | set(new.args)):
        before, after = old.args.get(arg, _ABSENT), new.args.get(arg, _ABSENT)
        if before == after:
            continue
        src = old.arg_sources.get(arg)
        key = src.keyword if src is not None and src.keyword else style.key_of(new, arg)
        if key in ("nb_row", "nb_col", "kernel_dim1", "kernel_dim2", "kernel_dim3") or key is None:
            raise PatchError(f"`{arg}` of {old.id} is written as {key or 'no key'}: not rewritten")
        if obj is None:
            raise PatchError(f"{old.id} has no argument object")
        if after is _ABSENT:
            edit = member_removal(text, starts, obj, key)
            if edit is None:
                raise PatchError(f"`{key}` of {old.id} is not in the file to remove")
            edits.append(edit)
        elif key in obj.keys:
            a, z = node_span(starts, obj.value[key])
            edits.append((a, z, _same_layout(text[a:z], style.value_text(new, arg, after))))
        else:
            edits.append(member_insertion(text, starts, obj, key, style.value_text(new, arg, after)))
    return edits


_ABSENT = object()


def _same_layout(old_text: str, new_text: str) -> str:
    """Write a flat array one element per line when the old value was written so."""
    if "\n" not in old_text or not new_text.startswith("["):
        return new_text
    try:
        items = json.loads(new_text)
    except ValueError:
        return new_text
    if not isinstance(items, list) or any(isinstance(v, (list, dict)) for v in items) or not items:
        return new_text
    lines = old_text.split("\n")
    indent = lines[1][: len(lines[1]) - len(lines[1].lstrip())]
    close = lines[-1][: len(lines[-1]) - len(lines[-1].lstrip())]
    return "[\n" + ",\n".join(indent + json.dumps(v) for v in items) + "\n" + close + "]"


def _is_chain(model: Model) -> bool:
    if len(model.inputs) != 1:
        return False
    prev = model.inputs[0].id
    for l in model.layers:
        if l.inputs != (Edge(prev),) or l.inner is not None and l.inner.inputs:
            return False
        prev = l.id
    return tuple(model.outputs) == (Edge(prev),)


def _chain_edits(text: str, starts: list, root: JNode, original: Model, repaired: Model, style) -> list:
    """Edits inserting/removing layer objects of a Sequential-style chain."""
    if not (_is_chain(original) and _is_chain(repaired)):
        raise PatchError("layers are added or removed outside a chain: not written into the config")
    arr = style.layers_array(root)
    if arr is None or arr.kind != "array" or not style.is_chain_file(original, arr):
        raise PatchError("the file's layer list cannot take added or removed layers")
    element = {}
    for l in original.layers:
        n = node_at(root, l.span.line, l.span.col) if l.span is not None else None
        if n is None or not any(n is e for e in arr.value):
            raise PatchError(f"{l.id} is not an element of the file's layer list")
        element[l.id] = n
    new_ids = {l.id for l in repaired.layers}
    edits = []
    for l in original.layers:
        if l.id not in new_ids:
            edits.append(element_removal(text, starts, arr, element[l.id]))
    layers = list(repaired.layers)
    sample = arr.value[0] if arr.value else None
    multiline, indent = _array_layout(text, starts, arr)
    for i, l in enumerate(layers):
        if l.id in element:
            continue
        obj = style.new_layer(l, sample)
        if multiline:
            body = dumps(obj, indent=2).replace("\n", "\n" + indent)
        else:
            body = dumps(obj)
        nxt = next((m.id for m in layers[i + 1 :] if m.id in element), None)
        if nxt is not None:
            at = node_span(starts, element[nxt])[0]
            edits.append((at, at, body + (",\n" + indent if multiline else ", ")))
        elif arr.value:
            at = node_span(starts, arr.value[-1])[1]
            edits.append((at, at, (",\n" + indent if multiline else ", ") + body))
        else:
            raise PatchError("the file's layer list is empty")
    return edits


def _array_layout(text: str, starts: list, arr: JNode) -> tuple:
    if not arr.value:
        return False, ""
    open_at = offset(starts, arr.line, arr.col) + 1
    first = node_span(starts, arr.value[0])[0]
    between = text[open_at:first]
    if "\n" not in between:
        return False, ""
    return True, between[between.rfind("\n") + 1 :]
