"""The ExAIS spec writer: a repaired model written back in the spec's own
conventions ("nodes" for units, "(3,3)" strings for tuples, "linear" for Dense),
through the Keras JSON writer with the spec's style hooks."""

from __future__ import annotations

import json

from ..frontends.exais_spec import parse_value
from ..frontends.lenient_json import node_span
from ..ir import Model
from . import keras_json
from .protocol import Failure, Success, refusals_as_failure

_SPEC_KEY = {
    "units": "nodes",
    "filters": "nodes",
    "activation": "func",
    "pool_size": "size",
    "target_shape": "size",
    "negative_slope": "alpha",
}
_SPEC_TYPE = {"Dense": "linear"}


def spec_literal(value) -> str:
    """A value as the spec writes it inside its string: (3, 3) -> "(3,3)", 16 -> "16"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "(" + ",".join(spec_literal(v) for v in value) + ")"
    if value is None:
        return ""
    return str(value)


class SpecStyle(keras_json.KerasJsonStyle):
    kind_key = "type"

    def args_object(self, layer_node):
        return layer_node

    def weight_edits(self, starts, layer_node, old, new):
        """Only a declared `weight_shape` can be rewritten (literal weight values cannot)."""
        src = old.arg_sources.get("weights")
        if src is None or src.keyword != "weight_shape" or not new.weights or not old.weights:
            return None
        if len(old.weights) != len(new.weights) or tuple(old.weights[1:]) != tuple(new.weights[1:]):
            return None
        node = layer_node.get("weight_shape")
        if node is None:
            return None
        return [(*node_span(starts, node), keras_json.dumps(spec_literal(tuple(new.weights[0]))))]

    def layers_array(self, root):
        return root.get("model").get("layers") if root.get("model") is not None else None

    def is_chain_file(self, original, arr):
        # explicit "inputs" edges name layers: inserting one would need rewiring them
        return all(e.kind == "object" and "inputs" not in e.value for e in arr.value)

    def new_layer(self, layer, sample):
        obj = {"type": _SPEC_TYPE.get(layer.kind, layer.kind)}
        for arg, value in layer.args.items():
            obj[self.key_of(layer, arg)] = json.loads(self.value_text(layer, arg, value))
        return obj

    def key_of(self, layer, arg):
        if arg == "padding" and (layer.kind.startswith("ZeroPadding") or layer.kind.startswith("Cropping")):
            return "sizes"
        if arg == "size" and layer.kind.startswith("UpSampling"):
            return "size"
        return _SPEC_KEY.get(arg, arg)

    def value_text(self, layer, arg, value):
        if arg == "padding" and not (layer.kind.startswith("ZeroPadding") or layer.kind.startswith("Cropping")):
            return '"true"' if value == "same" else '"false"'
        return keras_json.dumps(spec_literal(value))

    def kind_text(self, kind):
        return json.dumps(_SPEC_TYPE.get(kind, kind))

    def shape_text(self, inp, old_text, shape):
        # keep the batch entry the spec wrote ("(1,28,28,1)" -> first entry "1")
        old = parse_value(json.loads(old_text)) if old_text.startswith('"') else None
        batch = old[0] if isinstance(old, tuple) and old else 1
        return keras_json.dumps(spec_literal((batch,) + tuple(shape[1:])))


def write(text: str, original: Model, repaired: Model) -> Success | Failure:
    """The writer protocol (patch/protocol.py): the spec text with the repaired
    model's changes written in the spec's conventions."""
    outcome = refusals_as_failure(lambda: Success(keras_json.written(text, original, repaired, SpecStyle())))
    if isinstance(outcome, Success) and outcome.text == text:
        return Failure("the repair changes nothing the spec writes")
    return outcome


def patch_text(text: str, original: Model, repaired: Model) -> str | None:
    """The spec text with the repaired model's argument/shape/type changes written
    in the spec's conventions; None when the writer refuses them."""
    return keras_json.patch_text(text, original, repaired, SpecStyle())
