"""One layer's semantics, run on the shapes of its inputs.

`run_layer(layer, input_shapes)` evaluates the constructor checks and the
unit's output shape; `expected_weights` the weight shapes the layer builds.
The checker (checker.py) walks a model with them; the Python frontend uses them
while it evaluates `x.shape` in the code it reads, so it never calls the checker.
"""

from __future__ import annotations

from ..ir import Layer
from ..target import active as active_target
from . import REGISTRY, keras2
from .arguments import check_layer_tree
from .base import Ctx, Unknown, Violation
from .ops import OPS


def input_shapes_of(layer: Layer, shapes: dict) -> list:
    out: list = []
    for e in layer.inputs:
        outs = shapes.get(e.node)
        if outs is None or e.index >= len(outs):
            out.append(None)
        else:
            out.append(outs[e.index])
    return out


def unit_of(kind: str):
    """The semantics of a layer kind, or of a tensor op (`ops.<name>`, semantics/ops.py)."""
    unit = REGISTRY.get(kind) or OPS.get(kind)
    if unit is None and active_target() == "keras2":
        return keras2.unit_of(kind)  # a layer only Keras 2 has (semantics/keras2_layers.py)
    return unit


def run_layer(layer: Layer, inputs: list, warnings: list | None = None) -> tuple[list, Violation | None, bool]:
    """Evaluate one layer. Returns (output shapes, violation, evaluated).

    `evaluated` is False when the kind is unknown or a needed value is unknown.
    Non-fatal findings of the unit are appended to `warnings` when given.
    """
    unit = unit_of(layer.kind)
    if unit is None:
        return [None], None, False
    if active_target() == "keras2":  # the per-target layer (semantics/keras2.py, docs/targets.md)
        return keras2.run_layer(layer, list(inputs), lambda view: _run_unit(unit, view, inputs, warnings))
    return _run_unit(unit, layer, inputs, warnings)


def _run_unit(unit, layer: Layer, inputs: list, warnings: list | None) -> tuple[list, Violation | None, bool]:
    ctx = Ctx(layer=layer, inputs=list(inputs))
    if warnings is not None:
        ctx.warnings = warnings
    try:
        # what the constructor rejects, the same way for every kind
        check_layer_tree(layer, lambda l: ctx if l is layer else Ctx(layer=l))
        out = unit.output(ctx)
    except Violation as v:
        return [None], v, True
    except Unknown:
        return [None], None, False
    if isinstance(out, list):
        return [tuple(s) if s is not None else None for s in out], None, True
    return [tuple(out) if out is not None else None], None, True


def expected_weights(layer: Layer, inputs: list) -> list | None:
    unit = REGISTRY.get(layer.kind)
    if unit is None or unit.weights is None:
        return None
    try:
        return [tuple(w) for w in unit.weights(Ctx(layer=layer, inputs=list(inputs)))]
    except (Unknown, Violation):
        return None
