"""User classes and Keras model objects in the Python frontend: custom Layer
subclasses read statically (build + add_weight, call inlined on symbolic
tensors, compute_output_shape honoured), Lambda layers, keras.applications bases.

Entry points take the evaluator as `ev`. `call_custom_layer` works on any
InstanceVal of a Layer subclass, wherever its ClassVal came from (this file or,
through the import resolver, another module of the repository).
"""

from __future__ import annotations

from ...ir import UNKNOWN, Edge, InputNode, Layer, is_unknown
from ...semantics.ops import OPS
from .signatures import SIGNATURES
from .values import ArrayVal, FuncVal, InstanceVal, LayerObj, ModelObj, Tensor

# keras.applications.<module>.<Name> and keras.applications.<Name>
_APP_ARGS = ("include_top", "weights", "input_tensor", "input_shape", "pooling", "classes")


def application_name(path: str) -> str | None:
    from ...semantics.applications import TABLE

    last = path.rsplit(".", 1)[-1]
    return last if last in TABLE else None


def application(ev, path: str, pos, kws, node):
    """`keras.applications.ResNet50(...)`: a functional model of one op node,
    so that base.output / base.input / base(x) / Sequential([base, ...]) work."""
    name = application_name(path)
    if name is None:
        return NotImplemented
    from ...semantics.applications import TABLE

    kw = {k: v for k, v, _ in kws}
    src = {k: s for k, _, s in kws}
    for i, (v, s) in enumerate(pos[: len(_APP_ARGS)]):
        kw[_APP_ARGS[i]] = v
        src[_APP_ARGS[i]] = s
    include_top = kw.get("include_top", True)
    tensor = kw.get("input_tensor")
    if isinstance(tensor, Tensor) and tensor.graph == id(ev.graph):
        inp = tensor
    else:
        shape = kw.get("input_shape")
        if shape is None and include_top is True:
            size = TABLE[name][0]
            shape = (size, size, 3)
        if shape is None:
            shape = (None, None, 3)
        s = src.get("input_shape")
        inp = ev.make_input([(shape if not is_unknown(shape) else UNKNOWN, s)], [], node)
    args = {"name": name, "include_top": include_top, "pooling": kw.get("pooling"), "classes": kw.get("classes", 1000)}
    lid = ev.graph.fresh_id(ev.unique_name(name.lower()))
    ev.graph.nodes[lid] = Layer(
        id=lid,
        kind="ops.application",
        args={k: ev.plain(v) for k, v in args.items()} | {"_tensors": ("inputs",)},
        inputs=(Edge(inp.node, inp.index),),
        span=ev.span(node),
    )
    ev.serial += 1
    m = ModelObj(style="functional", span=ev.span(node), keras_name=name.lower(), serial=ev.serial)
    m.inputs, m.outputs, m.graph = inp, Tensor(lid, id(ev.graph)), ev.graph
    m.consumed = True  # a base is checked inside the model that uses it
    return m


# ----------------------------------------------------------- custom layers
def add_weight(ev, pos, kws):
    """`self.add_weight(shape=...)` (Keras 3 also takes the shape first): a
    constant of that shape (no batch axis), UNKNOWN when the shape is not known."""
    kw = {k: v for k, v, _ in kws}
    shape = kw.get("shape", pos[0][0] if pos and not isinstance(pos[0][0], str) else None)
    if shape is None and len(pos) > 1:
        shape = pos[1][0]  # Keras 2 add_weight(name, shape)
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    if isinstance(shape, (tuple, list)) and all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
    ):
        return ArrayVal(tuple(shape))
    return UNKNOWN


def input_shape_value(ev, x):
    """What Keras passes to build()/compute_output_shape(): a shape tuple, or a list of them."""
    from . import tensors

    if isinstance(x, Tensor):
        return tensors.shape_of(ev, x)
    if isinstance(x, (list, tuple)) and x and all(isinstance(t, Tensor) for t in x):
        shapes = [tensors.shape_of(ev, t) for t in x]
        return UNKNOWN if any(s is UNKNOWN for s in shapes) else list(shapes)
    return UNKNOWN


def run_build(ev, inst: InstanceVal, x, node) -> None:
    """Keras builds a layer once, on its first call, with the input's shape."""
    build = inst.cls.method("build")
    if build is None or inst.attrs.get("__built__") is not None:
        return
    from .values import Binding

    inst.attrs["__built__"] = Binding(True)
    ev.call_function(FuncVal(build, inst.cls.env, owner=inst), [(input_shape_value(ev, x), None)], [], node)


def declared_output(ev, inst: InstanceVal, pos, kws, node):
    """A class defining compute_output_shape: Keras uses it instead of tracing call()."""
    method = inst.cls.method("compute_output_shape")
    if method is None or not pos:
        return None
    x = pos[0][0]
    shape = ev.call_function(FuncVal(method, inst.cls.env, owner=inst), [(input_shape_value(ev, x), None)], [], node)
    if isinstance(shape, list) and shape and all(isinstance(d, (int, type(None))) for d in shape):
        shape = tuple(shape)
    deps = [
        t for t in (x if isinstance(x, (list, tuple)) else [x]) if isinstance(t, Tensor) and t.graph == id(ev.graph)
    ]
    if not isinstance(shape, tuple) or not all(
        d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in shape
    ):
        return ev.opaque_tensor(inst.layer.kind if inst.layer else inst.cls.node.name, deps, node)
    lid = ev.graph.fresh_id(inst.layer.name if inst.layer else ev.unique_name("custom"))
    ev.graph.nodes[lid] = Layer(
        id=lid,
        kind="ops.declared",
        args={"shape": shape, "_tensors": ()},
        inputs=tuple(Edge(t.node, t.index) for t in deps),
        span=ev.span(node),
        written_kind=inst.cls.node.name,
    )
    return Tensor(lid, id(ev.graph))


def inlinable(ev, new_nodes: list) -> bool:
    """The nodes a custom call() added are all ones the checker models (Keras layers, ops)."""
    return all(
        isinstance(n, InputNode) or (isinstance(n, Layer) and (n.kind in SIGNATURES or n.kind in OPS))
        for n in new_nodes
    )


def call_lambda(ev, obj: LayerObj, pos, kws, node):
    """`Lambda(fn)(x)`: Keras traces fn on the symbolic input; so do we, keeping
    the result only when every node it adds is modelled (else None)."""
    fn = obj.args.get("function")
    if not isinstance(fn, FuncVal) or not pos or not isinstance(pos[0][0], (Tensor, list, tuple)):
        return None
    before = set(ev.graph.nodes)
    uncertain = ev.uncertain
    extra = obj.args.get("arguments")
    kw = [(k, v, None) for k, v in extra.items()] if isinstance(extra, dict) else []
    try:
        out = ev.call_function(fn, pos[:1], kw, node)
    except Exception:  # a construct the evaluator cannot follow: keep the Lambda node
        out = UNKNOWN
    new = [n for nid, n in ev.graph.nodes.items() if nid not in before]
    if (
        ev.uncertain == uncertain
        and isinstance(out, Tensor)
        and out.graph == id(ev.graph)
        and new
        and inlinable(ev, new)
    ):
        ev.used_layers.add(obj.name)
        return out
    for nid in [nid for nid in ev.graph.nodes if nid not in before]:
        del ev.graph.nodes[nid]
    return None


def layer_output(ev, obj: LayerObj, attr: str):
    """`layer.output` / `layer.input` of a layer called once in the current graph."""
    calls = [n for n in ev.graph.nodes.values() if isinstance(n, Layer) and n.instance_id == obj.name]
    if len(calls) != 1:
        return UNKNOWN
    n = calls[0]
    if attr == "output":
        return Tensor(n.id, id(ev.graph))
    if len(n.inputs) == 1:
        return Tensor(n.inputs[0].node, id(ev.graph), n.inputs[0].index)
    return [Tensor(e.node, id(ev.graph), e.index) for e in n.inputs]
