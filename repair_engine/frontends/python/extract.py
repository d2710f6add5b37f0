"""Turn the evaluator's model objects into IR models."""

from __future__ import annotations

from ...diagnostics import Diagnostic, fmt_shape
from ...ir import UNKNOWN, ArgSource, Edge, InputNode, Layer, Model, is_unknown
from . import symbols
from .evaluator import SHAPE_ARGS, Evaluator, Graph, _flat_tensors, _reachable
from .values import ArrayVal, Budget, InputDecl, LayerObj, ModelObj, Tensor


def extract_models(ev: Evaluator) -> list[Model]:
    out: list[Model] = []
    seen: set = set()
    for m in ev.models:
        if m.consumed and m.bound_name is None:
            continue
        if m.consumed and m.style == "sequential" and _input_decl(m) is None:
            continue  # a block used inside another model: checked there
        if m.style == "subclassed" and (m.instance is None or m.instance.cls.method("call") is None):
            continue  # no forward pass to follow (e.g. a GAN wrapper with only train_step)
        try:
            model = materialize(ev, m)
        except Budget:
            raise
        except RecursionError:
            continue
        if model is None:
            continue
        key = _signature(model)
        if key in seen:
            continue
        seen.add(key)
        out.append(model)
    out = _prebuilt_weights(ev, out)
    # name clashes (two models bound to `model`): keep names unique
    names: dict[str, int] = {}
    final = []
    from dataclasses import replace

    for model in out:
        k = names.get(model.name, 0)
        names[model.name] = k + 1
        final.append(model if k == 0 else replace(model, name=f"{model.name}_{k + 1}"))
    return final


def _prebuilt_weights(ev: Evaluator, models: list) -> list:
    """A layer first called inside another model already has weights when this
    model calls it (`decoder_layer = autoencoder.layers[-1]`): record their
    shapes as the layer's weights, so the checker sees what Keras will see."""
    from dataclasses import replace

    from ...semantics.run import expected_weights

    first_call: dict = {}
    for nid, n in ev.graph.nodes.items():
        if isinstance(n, Layer):
            first_call.setdefault(n.instance_id, nid)
    owner: dict[str, int] = {}
    for mi, model in enumerate(models):
        for l in model.layers:
            owner.setdefault(l.id, mi)
    out = []
    for mi, model in enumerate(models):
        ids = {l.id for l in model.layers}
        seen: set = set()
        layers = []
        changed = False
        for l in model.layers:
            first = first_call.get(l.instance_id)
            if (
                l.instance_id not in seen
                and l.weights is None
                and first is not None
                and first not in ids
                and owner.get(first, mi) != mi
                and model.style == "functional"
            ):
                # the shapes feeding its first call, as the evaluator computed them (semantics only)
                src_layer = ev.graph.nodes[first]
                inputs = [ev.graph.shape_of(e.node, e.index) for e in src_layer.inputs]
                expected = expected_weights(src_layer, inputs)
                if expected:
                    # blame the call that feeds the already-built layer (`decoder_layer(encoded_input)`)
                    call = ev.call_spans.get((id(ev.graph), l.id))
                    sources = dict(l.arg_sources)
                    if call is not None:
                        sources["weights"] = ArgSource(span=call)
                    l = replace(l, weights=tuple(tuple(w) for w in expected), arg_sources=sources)
                    changed = True
            seen.add(l.instance_id)
            layers.append(l)
        out.append(replace(model, layers=tuple(layers)) if changed else model)
    return out


def _signature(model: Model):
    return (
        model.span,
        tuple((l.kind, repr(sorted(l.args.items(), key=lambda kv: kv[0])), l.span) for l in model.layers),
        tuple(i.shape for i in model.inputs),
    )


def _input_decl(m: ModelObj) -> InputDecl | None:
    """The input a model is built with: its first entry's declaration
    (Input / InputLayer / input_shape), else build() or its first call on an Input."""
    if m.style == "sequential" and m.entries:
        first = m.entries[0]
        if isinstance(first, InputDecl):
            return first
        if isinstance(first, LayerObj) and first.input_decl is not None:
            return first.input_decl
        if isinstance(first, ModelObj) and first.style == "sequential" and _input_decl(first) is not None:
            return _input_decl(first)
        if isinstance(first, ModelObj) and first.style == "functional":
            # a functional model (or a keras.applications base) first: its input is the model's
            ins = _flat_tensors(first.inputs)
            node = first.graph.nodes.get(ins[0].node) if len(ins) == 1 and first.graph is not None else None
            if isinstance(node, InputNode):
                return InputDecl(
                    shape=node.shape,
                    span=node.span,
                    shape_span=node.shape_span,
                    shape_source=node.shape_source,
                    declared_as="Input",
                    symbols=node.symbols,
                )
    if m.input_decl is not None:
        return m.input_decl
    if m.style != "functional" and m.data_calls:
        # an unbuilt model is built by fit()/predict() from the data's shape
        method, arr, src, call = m.data_calls[0]
        if arr.shape:
            return InputDecl(
                shape=(None,) + tuple(arr.shape[1:]),
                span=call,
                shape_span=src.span if src else call,
                shape_source=src,
                declared_as="data",
            )
    return None


def materialize(ev: Evaluator, m: ModelObj) -> Model | None:
    name = m.bound_name or m.keras_name or f"model_at_line_{m.span.line if m.span else 0}"
    notes: list = list(m.notes)
    if m.style == "functional":
        graph: Graph = m.graph
        outs = _own_tensors(ev, _flat_tensors(m.outputs), graph, notes, name, m)
        if not outs:
            notes.append(ev.note(f"the outputs of model `{name}` could not be followed", span=m.span))
        needed = _reachable(graph, outs)
        declared = [t.node for t in _flat_tensors(m.inputs)]
        inputs = [graph.nodes[n] for n in declared if isinstance(graph.nodes.get(n), InputNode)]
        if m.inputs is not None and not _flat_tensors(m.inputs):
            notes.append(ev.note(f"the inputs of model `{name}` could not be followed", span=m.span))
        for nid, n in graph.nodes.items():
            if nid in needed and isinstance(n, InputNode) and n not in inputs:
                inputs.append(n)
        layers = [n for nid, n in graph.nodes.items() if nid in needed and isinstance(n, Layer)]
        outputs = tuple(Edge(t.node, t.index) for t in outs)
        return _finish(ev, m, name, inputs, layers, outputs, notes, "functional")

    if m.style == "sequential" and m.entries and getattr(m.entries[0], "branches", None):
        return _materialize_keras1_merge(ev, m, name, notes)
    # sequential and subclassed: run the layers on a fresh input in a fresh graph
    decl = _input_decl(m)
    saved = ev.graph
    ev.graph = Graph()
    try:
        syms = None
        if decl is None or decl.shape is UNKNOWN or decl.shape is None:
            # no constant input shape: checked for every rank and size (semantics/dims.py)
            shape = None
            src = decl.shape_source if decl is not None else None
            syms = (src.origin_name if src is not None else None) or symbols.DEFAULT_BASE
        else:
            shape = tuple(decl.shape)
            syms = decl.symbols
        iid = ev.graph.fresh_id("input_layer")
        inp = InputNode(
            id=iid,
            shape=shape,
            span=decl.span if decl else None,
            shape_span=decl.shape_span if decl else None,
            shape_source=decl.shape_source if decl else None,
            declared_as=decl.declared_as if decl else "Input",
            dtype=decl.dtype if decl else None,
            name=decl.name if decl else None,
            symbols=syms,
        )
        ev.graph.nodes[iid] = inp
        x = Tensor(iid, id(ev.graph))
        if m.style == "sequential":
            y = ev.apply_model(_Unconsumed(m), [(x, None)], [], None)  # type: ignore[arg-type]  # a proxy of m
        else:
            y = ev.call_instance(m.instance, [(x, None)], [], _NodeAt(m.span))
        graph = ev.graph
    finally:
        ev.graph = saved
    outs = _own_tensors(ev, _flat_tensors(y), graph, notes, name, m)
    layers = [n for n in graph.nodes.values() if isinstance(n, Layer)]
    needed = _reachable(graph, outs)
    if m.style == "subclassed":
        layers = [l for l in layers if l.id in needed]
    # inputs made inside the forward pass itself (odd, but possible) are inputs too
    inputs = [inp] + [
        n for nid, n in graph.nodes.items() if nid in needed and isinstance(n, InputNode) and n is not inp
    ]
    return _finish(ev, m, name, inputs, layers, tuple(Edge(t.node, t.index) for t in outs), notes, m.style)


def _materialize_keras1_merge(ev, m: ModelObj, name: str, notes: list) -> Model:
    """Sequential([Merge([a, b], mode=...), ...]): one input per branch model."""
    merge = m.entries[0]
    saved = ev.graph
    ev.graph = Graph()
    inputs, tensors = [], []
    try:
        for b in merge.branches:
            decl = _input_decl(b)
            shape = tuple(decl.shape) if decl is not None and isinstance(decl.shape, tuple) else None
            iid = ev.graph.fresh_id(ev.unique_name("input_layer"))
            inp = InputNode(
                id=iid,
                shape=shape,
                span=decl.span if decl else None,
                shape_span=decl.shape_span if decl else None,
                shape_source=decl.shape_source if decl else None,
                declared_as=decl.declared_as if decl else "Input",
            )
            ev.graph.nodes[iid] = inp
            inputs.append(inp)
            tensors.append(ev.apply_model(_Unconsumed(b), [(Tensor(iid, id(ev.graph)), None)], [], None))
        y = ev.apply_layer(merge, [(tensors, None)], [], None)
        rest = ModelObj(style="sequential", span=m.span, entries=m.entries[1:])
        y = ev.apply_model(rest, [(y, None)], [], None)
        graph = ev.graph
    finally:
        ev.graph = saved
    outs = _own_tensors(ev, _flat_tensors(y), graph, notes, name, m)
    layers = [n for n in graph.nodes.values() if isinstance(n, Layer)]
    return _finish(ev, m, name, inputs, layers, tuple(Edge(t.node, t.index) for t in outs), notes, "sequential")


def _late_weights(ev, layers: list) -> list:
    """Weights set with layer.set_weights(...) after the layer was called."""
    from dataclasses import replace

    out = []
    for l in layers:
        obj = ev.layer_objs.get(l.instance_id)
        ws = obj.args.get("weights") if obj is not None else None
        if l.weights is None and isinstance(ws, list) and ws and all(isinstance(w, ArrayVal) for w in ws):
            sources = dict(l.arg_sources)
            if "weights" in obj.arg_sources:
                sources["weights"] = obj.arg_sources["weights"]
            l = replace(l, weights=tuple(w.shape for w in ws), arg_sources=sources)
        out.append(l)
    return out


def _own_tensors(ev, outs: list, graph: Graph, notes: list, name: str, m: ModelObj) -> list:
    """Outputs not computed in the model's own graph cannot be followed."""
    own = [t for t in outs if t.graph == id(graph) and t.node in graph.nodes]
    if len(own) != len(outs):
        notes.append(
            ev.note(f"an output of model `{name}` is not computed from its inputs; it is left out", span=m.span)
        )
    return own


_KERAS1_CONV = {"Convolution1D", "Convolution2D", "Convolution3D", "AtrousConvolution2D", "Deconvolution2D"}
_SPATIAL = (
    "Conv2D",
    "MaxPooling2D",
    "AveragePooling2D",
    "ZeroPadding2D",
    "SeparableConv2D",
    "Conv2DTranspose",
    "UpSampling2D",
    "Cropping2D",
)


def _keras1_channels_first(ev, inputs, layers) -> list:
    """Keras 1 code (Convolution2D, border_mode...) ran on Theano's 'th'
    ordering by default: an input_shape like (3, 224, 224) was channels-first
    there and is read as channels-last by Keras 3."""
    if len(inputs) != 1 or inputs[0].shape is None or len(inputs[0].shape) != 4:
        return []
    keras1 = any(
        l.legacy
        or (
            l.written_kind in _KERAS1_CONV
            and l.arg_sources.get("strides") is not None
            and l.arg_sources["strides"].position == 2
        )  # Convolution2D(n, r, c): Keras 1 signature
        for l in layers
    )
    first = next((l for l in layers if l.kind in _SPATIAL), None)
    shape = inputs[0].shape
    if not keras1 or first is None or "data_format" in first.args:
        return []
    if shape[1] in (1, 3) and isinstance(shape[3], int) and shape[3] > 4:
        where = inputs[0].shape_span or inputs[0].span
        fixed = (shape[2], shape[3], shape[1])
        return [
            Diagnostic(
                kind="legacy_api",
                severity="warning",
                span=where,
                message=f"input shape {fmt_shape(shape[1:])} looks channels-first, the Keras 1 (Theano 'th') default "
                f"of this code; Keras 3 reads it as channels-last. Write {fmt_shape(fixed)} (and give the data "
                "that layout) or set data_format='channels_first'",
            )
        ]
    return []


def _finish(ev, m, name, inputs, layers, outputs, notes, style) -> Model:
    seen_msgs: set = set()
    layers = _late_weights(ev, layers)
    notes = list(notes) + _keras1_channels_first(ev, inputs, layers)
    for inp in inputs:
        for d in ev.layer_notes.get(inp.id, []):
            notes.append(d)
    for layer in layers:
        for d in ev.layer_warnings.get(layer.instance_id, []):
            notes.append(d)
        for k, v in layer.args.items():
            if k in SHAPE_ARGS and is_unknown(v):
                src = layer.arg_sources.get(k)
                notes.append(
                    Diagnostic(
                        kind="unsupported_construct",
                        severity="info",
                        message=f"the value of `{k}` of {layer.kind} {layer.id} could not be determined statically; "
                        f"shapes from {layer.id} on are not checked",
                        span=(src.span if src and src.span else layer.span),
                        layer=layer.id,
                        layer_kind=layer.kind,
                    )
                )
    uniq = []
    for d in notes:
        key = (d.kind, d.message, d.span)
        if key in seen_msgs:
            continue
        seen_msgs.add(key)
        uniq.append(d)
    return Model(
        name=name,
        inputs=tuple(inputs),
        layers=tuple(layers),
        outputs=tuple(outputs),
        file=ev.file,
        span=m.span,
        notes=tuple(uniq),
        style=style,
        feeds=tuple(m.feeds),  # checked with the layers (semantics.feeds.check_feeds)
    )


class _Unconsumed:
    """A view of a Sequential that applies its entries without marking it consumed."""

    def __init__(self, m: ModelObj) -> None:
        self.__dict__["_m"] = m

    def __getattr__(self, name):
        return getattr(self.__dict__["_m"], name)

    def __setattr__(self, name, value):
        if name not in ("consumed", "input_decl"):
            setattr(self.__dict__["_m"], name, value)


class _NodeAt:
    """A stand-in ast node carrying a span's position (for opaque nodes)."""

    def __init__(self, span) -> None:
        self.lineno = span.line if span else 1
        self.col_offset = 0
        self.end_lineno = self.lineno
        self.end_col_offset = 0
