"""Edit operators over the IR: small immutable records that rewrite a Model.

Every edit is a frozen dataclass with `apply(model) -> Model` (pure, built with
dataclasses.replace) and `describe(model) -> str` (the human sentence shown in
reviews). The search composes them; the patchers map them back to source.

ops
  set_arg          Layer.args[arg] := new                     (kernel, strides, units, ...)
  set_input_shape  InputNode.shape := new                     (batch axis included)
  insert_layer     a new layer on input edge `edge` of `target`
  replace_layer    Layer.kind := new_kind (args re-shaped for the sibling)
  remove_layer     drop `target`, its consumers read its input
  set_weights      Layer.weights := expected weight shapes
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..diagnostics import fmt_shape
from ..ir import Edge, InputNode, Layer, Model

# Arguments whose value is an int or one int per spatial axis.
SPATIAL_ARGS = ("kernel_size", "strides", "pool_size", "dilation_rate", "size", "output_padding")


def fmt_value(value: Any) -> str:
    if isinstance(value, tuple) and all(v is None or isinstance(v, int) for v in value):
        return fmt_shape(value)
    return repr(value)


@dataclass(frozen=True)
class Edit:
    op: str = ""
    target: str = ""

    def apply(self, model: Model) -> Model:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self, model: Model) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class SetArg(Edit):
    arg: str = ""
    old: Any = None
    new: Any = None
    op: str = "set_arg"

    def apply(self, model: Model) -> Model:
        layer = model.layer(self.target)
        return model.replace_layer(self.target, layer.with_args(**{self.arg: self.new}))

    def describe(self, model: Model) -> str:
        layer = model.layer(self.target)
        if self.arg not in getattr(layer, "args", {}) and self.old is None:
            return f"{layer.kind} {self.target}: add {self.arg}={fmt_value(self.new)}"
        return f"{layer.kind} {self.target}: change {self.arg} {fmt_value(self.old)} -> {fmt_value(self.new)}"


@dataclass(frozen=True)
class RemoveArg(Edit):
    """Drop an argument the layer does not accept (Keras 3 'Unrecognized keyword arguments')."""

    arg: str = ""
    old: Any = None
    op: str = "remove_arg"

    def apply(self, model: Model) -> Model:
        layer = model.layer(self.target)
        return model.replace_layer(self.target, layer.without_arg(self.arg))

    def describe(self, model: Model) -> str:
        layer = model.layer(self.target)
        return f"{layer.kind} {self.target}: remove the argument {self.arg}={fmt_value(self.old)}"


@dataclass(frozen=True)
class RenameArg(Edit):
    """A mistyped keyword written correctly, its value kept (`kernal_size=3` ->
    `kernel_size=3`): one edit, not a removal plus an addition."""

    arg: str = ""
    new_arg: str = ""
    value: Any = None
    op: str = "rename_arg"

    def apply(self, model: Model) -> Model:
        layer = model.layer(self.target)
        return model.replace_layer(self.target, layer.without_arg(self.arg).with_args(**{self.new_arg: self.value}))

    def describe(self, model: Model) -> str:
        layer = model.layer(self.target)
        return f"{layer.kind} {self.target}: rename the argument {self.arg} -> {self.new_arg}"


@dataclass(frozen=True)
class LegacyKeyword(Edit):
    """A Keras 1/2 keyword Keras 3 rejects, written in its Keras 3 spelling
    (`border_mode=` -> `padding=`). The frontend already reads it under the new
    name, so the IR is unchanged: only the source text is."""

    arg: str = ""  # the keyword as written
    new_arg: str = ""
    op: str = "rename_arg"

    def apply(self, model: Model) -> Model:
        return model

    def describe(self, model: Model) -> str:
        layer = model.layer(self.target)
        return f"{layer.kind} {self.target}: write {self.arg}= as {self.new_arg}= (Keras 3 rejects {self.arg})"


@dataclass(frozen=True)
class LegacyBatchInput(Edit):
    """`batch_input_shape=` on a Sequential's first layer (Keras 1/2), which Keras 3
    rejects, declared as a `keras.Input(batch_shape=...)` before the layer. The IR
    already has that input: only the source text changes (patch/python.py)."""

    shape: Any = None
    op: str = "insert_layer"

    def apply(self, model: Model) -> Model:
        return model

    def describe(self, model: Model) -> str:
        layer = model.layer(self.target)
        shape = "(" + ", ".join(str(d) for d in self.shape) + ("," if len(self.shape) == 1 else "") + ")"
        return (
            f"{layer.kind} {self.target}: declare batch_input_shape= as keras.Input(batch_shape={shape}) "
            "before it (Keras 3 rejects batch_input_shape)"
        )


@dataclass(frozen=True)
class SetInputShape(Edit):
    old: Any = None
    new: Any = None
    op: str = "set_input_shape"

    def apply(self, model: Model) -> Model:
        inputs = tuple(replace(i, shape=tuple(self.new)) if i.id == self.target else i for i in model.inputs)
        return replace(model, inputs=inputs)

    def describe(self, model: Model) -> str:
        # shown per-sample (without the batch axis), as users write it
        old = fmt_shape(self.old[1:]) if self.old is not None else "(unknown)"
        return f"change the input shape {old} -> {fmt_shape(tuple(self.new)[1:])}"


@dataclass(frozen=True)
class InsertLayer(Edit):
    """Insert `kind(**args)` on input edge `edge` of layer `target` (i.e. just before it)."""

    kind: str = ""
    args: tuple = ()  # sorted (name, value) pairs: hashable
    edge: int = 0
    op: str = "insert_layer"

    @property
    def arg_dict(self) -> dict:
        return dict(self.args)

    def new_id(self, model: Model) -> str:
        taken = {l.id for l in model.layers} | {i.id for i in model.inputs}
        base = f"{self.kind.lower()}_nnr"
        n = 1
        while f"{base}{n}" in taken:
            n += 1
        return f"{base}{n}"

    def apply(self, model: Model) -> Model:
        target = model.layer(self.target)
        nid = self.new_id(model)
        src = target.inputs[self.edge]
        new = Layer(id=nid, kind=self.kind, args=self.arg_dict, inputs=(src,))
        inputs = list(target.inputs)
        inputs[self.edge] = Edge(nid)
        rewired = replace(target, inputs=tuple(inputs))
        layers: list[Layer] = []
        for l in model.layers:
            if l.id == self.target:
                layers.append(new)
                layers.append(rewired)
            else:
                layers.append(l)
        return replace(model, layers=tuple(layers))

    def describe(self, model: Model) -> str:
        args = ", ".join(
            fmt_value(v) if k in ("target_shape", "units", "n", "dims") else f"{k}={fmt_value(v)}" for k, v in self.args
        )
        return f"insert {self.kind}({args}) before {self.target}"


@dataclass(frozen=True)
class InsertOutputLayer(Edit):
    """Append `kind(**args)` after the model output `target` (output edge index `edge`)."""

    kind: str = ""
    args: tuple = ()
    edge: int = 0
    op: str = "insert_layer"

    def apply(self, model: Model) -> Model:
        nid = InsertLayer(kind=self.kind).new_id(model)
        src = model.outputs[self.edge]
        new = Layer(id=nid, kind=self.kind, args=dict(self.args), inputs=(src,))
        outputs = list(model.outputs)
        outputs[self.edge] = Edge(nid)
        return replace(model, layers=model.layers + (new,), outputs=tuple(outputs))

    def describe(self, model: Model) -> str:
        args = ", ".join(f"{k}={fmt_value(v)}" for k, v in self.args)
        return f"append {self.kind}({args}) after {self.target}"


@dataclass(frozen=True)
class ReplaceLayer(Edit):
    new_kind: str = ""
    new_args: tuple = ()  # the full new args as sorted pairs
    old_kind: str = ""
    op: str = "replace_layer"

    def apply(self, model: Model) -> Model:
        layer = model.layer(self.target)
        new = replace(layer, kind=self.new_kind, args=dict(self.new_args), written_kind=None)
        return model.replace_layer(self.target, new)

    def describe(self, model: Model) -> str:
        return f"replace {self.old_kind} {self.target} by {self.new_kind}"


@dataclass(frozen=True)
class Unwrap(Edit):
    """A wrapper (Bidirectional) replaced by the layer it wraps (same id, so the
    graph is unchanged): priced as a class change."""

    old_kind: str = ""
    new_kind: str = ""
    op: str = "replace_layer"

    def apply(self, model: Model) -> Model:
        layer = model.layer(self.target)
        inner = layer.inner
        if not isinstance(inner, Layer):
            raise ValueError("nothing wrapped")
        new = replace(layer, kind=inner.kind, args=dict(inner.args), inner=None, written_kind=None)
        return model.replace_layer(self.target, new)

    def describe(self, model: Model) -> str:
        return f"replace {self.old_kind}({self.new_kind}) {self.target} by the {self.new_kind} alone"


@dataclass(frozen=True)
class Wrap(Edit):
    """A layer wrapped in `kind` (LSTM -> Bidirectional(LSTM)); same id and edges."""

    kind: str = "Bidirectional"
    old_kind: str = ""
    op: str = "replace_layer"

    def apply(self, model: Model) -> Model:
        layer = model.layer(self.target)
        inner = replace(layer, id=f"{layer.id}_forward", inputs=(), span=None, written_kind=None)
        new = replace(layer, kind=self.kind, args={}, inner=inner, written_kind=None)
        return model.replace_layer(self.target, new)

    def describe(self, model: Model) -> str:
        return f"wrap {self.old_kind} {self.target} in {self.kind}"


@dataclass(frozen=True)
class RemoveLayer(Edit):
    kind: str = ""
    op: str = "remove_layer"

    def apply(self, model: Model) -> Model:
        layer = model.layer(self.target)
        src = layer.inputs[0]

        def reroute(e: Edge) -> Edge:
            return src if e.node == self.target else e

        layers = tuple(
            replace(l, inputs=tuple(reroute(e) for e in l.inputs)) for l in model.layers if l.id != self.target
        )
        return replace(model, layers=layers, outputs=tuple(reroute(e) for e in model.outputs))

    def describe(self, model: Model) -> str:
        return f"remove {self.kind} {self.target}"


@dataclass(frozen=True)
class SetWeights(Edit):
    old: Any = None
    new: Any = None
    op: str = "set_weights"

    def apply(self, model: Model) -> Model:
        layer = model.layer(self.target)
        return model.replace_layer(self.target, replace(layer, weights=tuple(tuple(w) for w in self.new)))

    def describe(self, model: Model) -> str:
        old = ", ".join(map(fmt_shape, self.old or ()))
        new = ", ".join(map(fmt_shape, self.new))
        return f"supply weights of shapes {new} to {self.target} (was {old})"


@dataclass(frozen=True)
class Cascade(Edit):
    """The same kind of fix applied to a failing layer and to each downstream
    layer that then fails the same way (padding='same' on every window of a
    shrinking stack). One decision for a reviewer, so it is proposed and priced
    as one edit; reports list its parts (see `flatten`)."""

    parts: tuple = ()
    op: str = "cascade"

    def apply(self, model: Model) -> Model:
        for p in self.parts:
            model = p.apply(model)
        return model

    def describe(self, model: Model) -> str:
        out = []
        for p in self.parts:
            out.append(p.describe(model))
            model = p.apply(model)
        return "; ".join(out)


def flatten(edits: tuple) -> tuple:
    """Edits with every Cascade replaced by its parts (what patches and reports read)."""
    out: list = []
    for e in edits:
        out.extend(flatten(e.parts) if isinstance(e, Cascade) else (e,))
    return tuple(out)


def removable(model: Model, layer: Layer) -> bool:
    """A single-input, single-output layer can be removed by rerouting its consumers."""
    return len(layer.inputs) == 1 and not layer.list_input


def consumers(model: Model, node_id: str) -> list[Layer]:
    return [l for l in model.layers if any(e.node == node_id for e in l.inputs)]


def input_node(model: Model, node_id: str) -> InputNode | None:
    for i in model.inputs:
        if i.id == node_id:
            return i
    return None
