"""Tensor expressions in the Python frontend: operators, indexing, `.shape`, and
calls of keras.ops / keras.backend / tf.* functions, turned into IR op nodes
(kind ``ops.<name>``, semantics in repair_engine/semantics/ops.py).

The evaluator calls these functions with itself as `ev`; they only add nodes to
`ev.graph` and return Tensors (or UNKNOWN). A function we do not know, or an
argument we cannot follow, makes only the op's output unknown (an opaque node).
"""

from __future__ import annotations

import ast
from typing import Any

from ...ir import UNKNOWN, Edge, Layer
from ...semantics.ops import LIST_PARAMS, OPS, PARAMS
from .values import ArrayVal, Tensor

# Python operators on tensors -> keras.ops (KerasTensor.__add__ is ops.add, ...)
BINARY_OPS: dict[Any, str] = {
    ast.Add: "add",
    ast.Sub: "subtract",
    ast.Mult: "multiply",
    ast.Div: "divide",
    ast.FloorDiv: "floor_divide",
    ast.Pow: "power",
    ast.MatMult: "matmul",
    ast.Mod: "mod",
    ast.BitAnd: "logical_and",
    ast.BitOr: "logical_or",
    ast.BitXor: "logical_xor",
}
COMPARE_OPS: dict[Any, str] = {
    ast.Eq: "equal",
    ast.NotEq: "not_equal",
    ast.Lt: "less",
    ast.LtE: "less_equal",
    ast.Gt: "greater",
    ast.GtE: "greater_equal",
}
# parameters whose value is a shape: a tensor element there is a dynamic size (None)
SHAPE_PARAMS = {"newshape", "shape", "repeats", "size"}

# Other spellings of the ops: written path -> (op, written parameter names, Keras
# names in the same order, defaults that differ from the Keras op's).
_ALIASES: dict[str, tuple] = {}


def _alias(paths: str, op: str, written: str, keras: str | None = None, **defaults: Any) -> None:
    w = tuple(written.split())
    k = tuple(keras.split()) if keras else PARAMS[op][: len(w)]
    for p in paths.split():
        _ALIASES[p] = (op, w, k, defaults)


def _tf(*names: str) -> str:
    return " ".join(f"tensorflow.{n}" for n in names)


for _n, _tfname in (
    ("sum", "reduce_sum"),
    ("mean", "reduce_mean"),
    ("max", "reduce_max"),
    ("min", "reduce_min"),
    ("prod", "reduce_prod"),
    ("any", "reduce_any"),
    ("all", "reduce_all"),
    ("std", "reduce_std"),
    ("var", "reduce_variance"),
    ("logsumexp", "reduce_logsumexp"),
):
    _alias(_tf(_tfname, "math." + _tfname), _n, "input_tensor axis keepdims")
    _alias(f"keras.backend.{_n}", _n, "x axis keepdims")
_alias(_tf("reshape"), "reshape", "tensor shape")
_alias("keras.backend.reshape", "reshape", "x shape")
_alias(_tf("concat"), "concatenate", "values axis")
_alias("keras.backend.concatenate", "concatenate", "tensors axis", axis=-1)
_alias(_tf("stack"), "stack", "values axis")
_alias("keras.backend.stack", "stack", "x axis")
_alias(_tf("expand_dims"), "expand_dims", "input axis")
_alias("keras.backend.expand_dims", "expand_dims", "x axis", axis=-1)
_alias(_tf("squeeze"), "squeeze", "input axis")
_alias("keras.backend.squeeze", "squeeze", "x axis")
_alias(_tf("transpose", "linalg.matrix_transpose"), "transpose", "a perm")
_alias("keras.backend.permute_dimensions", "transpose", "x pattern")
_alias("keras.backend.transpose", "transpose", "x")
_alias(_tf("matmul", "linalg.matmul"), "matmul", "a b")
_alias("keras.backend.dot", "dot", "x y")
_alias(_tf("tile"), "tile", "input multiples")
_alias("keras.backend.tile", "tile", "x n")
_alias(_tf("repeat"), "repeat", "input repeats axis")
_alias("keras.backend.repeat_elements", "repeat", "x rep axis")
_alias(_tf("cast"), "cast", "x dtype")
_alias("keras.backend.cast", "cast", "x dtype")
_alias(_tf("one_hot"), "one_hot", "indices depth on_value off_value axis", "x num_classes _on _off axis")
_alias("keras.backend.one_hot", "one_hot", "indices num_classes")
_alias(_tf("gather"), "take", "params indices axis", axis=0)
_alias("keras.backend.gather", "take", "reference indices", axis=0)
_alias(_tf("where"), "where", "condition x y")
_alias("keras.backend.switch", "where", "condition then_expression else_expression")
_alias(_tf("pad"), "pad", "tensor paddings mode")
_alias(_tf("cumsum", "math.cumsum"), "cumsum", "x axis", axis=0)
_alias("keras.backend.cumsum", "cumsum", "x axis", axis=0)
_alias(_tf("math.top_k", "nn.top_k"), "top_k", "input k sorted")
_alias(_tf("image.resize"), "image.resize", "images size method", "images size interpolation")
_alias(_tf("broadcast_to"), "broadcast_to", "input shape")
_alias(_tf("clip_by_value"), "clip", "t clip_value_min clip_value_max")
_alias("keras.backend.clip", "clip", "x min_value max_value")
_alias(_tf("einsum", "linalg.einsum"), "einsum", "equation")
_alias(_tf("split"), "split", "value num_or_size_splits axis", axis=0)
_alias(_tf("identity"), "copy", "input")
_alias(_tf("stop_gradient"), "stop_gradient", "input")
_alias("keras.backend.stop_gradient", "stop_gradient", "variables")
_alias(_tf("nn.softmax", "math.softmax"), "softmax", "logits axis", axis=-1)
_alias(_tf("nn.log_softmax", "math.log_softmax"), "log_softmax", "logits axis", axis=-1)
_alias("keras.backend.softmax", "softmax", "x axis", axis=-1)
_alias(_tf("zeros", "ones"), "zeros", "shape dtype")
_alias("keras.backend.zeros keras.backend.ones", "zeros", "shape dtype")
_alias("keras.ops.array keras.ops.numpy.array", "convert_to_tensor", "x dtype")
_alias(_tf("range"), "arange", "start limit delta", "start stop step")
for _n, _k in (
    ("add", "add"),
    ("subtract", "subtract"),
    ("multiply", "multiply"),
    ("divide", "divide"),
    ("truediv", "divide"),
    ("maximum", "maximum"),
    ("minimum", "minimum"),
    ("pow", "power"),
    ("equal", "equal"),
    ("not_equal", "not_equal"),
    ("greater", "greater"),
    ("greater_equal", "greater_equal"),
    ("less", "less"),
    ("less_equal", "less_equal"),
    ("logical_and", "logical_and"),
    ("logical_or", "logical_or"),
    ("floordiv", "floor_divide"),
    ("squared_difference", "subtract"),
):
    _alias(_tf(_n, "math." + _n), _k, "x y")
for _n in ("maximum", "minimum", "pow", "equal", "not_equal", "greater", "less"):
    _alias(f"keras.backend.{_n}", "power" if _n == "pow" else _n, "x y")
for _n in (
    "abs exp log sqrt rsqrt square sin cos tan tanh sigmoid floor ceil round sign negative reciprocal erf "
    "logical_not softplus softsign is_nan zeros_like ones_like"
).split():
    keras_name = {"is_nan": "isnan"}.get(_n, _n)
    if keras_name in PARAMS:
        _alias(_tf(_n, "math." + _n), keras_name, "x")
        _alias(f"keras.backend.{_n}", keras_name, "x")
for _n in "relu relu6 elu selu gelu silu swish sigmoid tanh softplus softsign leaky_relu".split():
    _alias(_tf("nn." + _n), _n, "features")
_alias("keras.backend.relu", "relu", "x")
_alias("keras.backend.l2_normalize", "normalize", "x axis")
_alias(_tf("math.l2_normalize", "nn.l2_normalize", "linalg.l2_normalize"), "normalize", "x axis")


def resolve(path: str) -> tuple | None:
    """(op, written params, keras params, defaults) for a call path, or None."""
    hit = _ALIASES.get(path)
    if hit is not None:
        return hit
    for prefix in (
        "keras.ops.numpy.",
        "keras.ops.nn.",
        "keras.ops.math.",
        "keras.ops.core.",
        "keras.ops.",
        "keras.activations.",
    ):
        if path.startswith(prefix):
            name = path[len(prefix) :]
            if name in PARAMS and name not in ("weight", "getitem"):
                return (name, PARAMS[name], PARAMS[name], {})
    return None


def is_op_path(path: str) -> bool:
    return resolve(path) is not None


def bind(spec: tuple, pos: list, kws: list) -> dict | None:
    """Bind a call's arguments to the Keras op parameters (None when they do not fit)."""
    op, written, keras, defaults = spec
    out: dict = {}
    values = [v for v, _ in pos]
    list_param = LIST_PARAMS.get(op)
    if op == "meshgrid":
        out["x"] = list(values)
        out.update({k: v for k, v, _ in kws if k == "indexing"})
        return out
    if op == "einsum":
        # einsum(equation, *operands)
        if not values:
            return None
        out["subscripts"] = values[0]
        out["operands"] = list(values[1:])
        return out
    for i, v in enumerate(values):
        if i >= len(written):
            return None
        out[keras[i]] = v
    by_name = dict(zip(written, keras))
    for k, v, _ in kws:
        if k in ("name", "keep_dims"):
            continue
        target = by_name.get(k, k if k in PARAMS[op] else None)
        if target is None:
            if _has_tensor(v):
                return None  # a tensor we would not account for
            continue  # dtype=, name=, approximate=...: no effect on the shape
        out[target] = v
    for k, v in defaults.items():
        out.setdefault(k, v)
    out = {k: v for k, v in out.items() if not k.startswith("_")}
    if list_param and list_param in out and isinstance(out[list_param], tuple):
        out[list_param] = list(out[list_param])
    if op == "split" and isinstance(out.get("indices_or_sections"), (list, tuple)):
        # tf.split takes section sizes; keras.ops.split takes split indices
        sizes = out["indices_or_sections"]
        if spec[1][0] == "value" and all(isinstance(s, int) for s in sizes):
            acc, idx = 0, []
            for s in sizes[:-1]:
                acc += s
                idx.append(acc)
            out["indices_or_sections"] = idx
    return out


def make_op(ev, op: str, args: dict, node, what: str | None = None):
    """Add an `ops.<op>` node to the graph; its output Tensor(s), or an opaque
    tensor when an argument cannot be followed."""
    list_param = LIST_PARAMS.get(op)
    edges: list = []
    names: list = []
    plain: dict = {}
    deps: list = []
    for name, value in args.items():
        if isinstance(value, Tensor):
            if value.graph != id(ev.graph):
                return ev.opaque_tensor(what or op, [], node)
            edges.append(Edge(value.node, value.index))
            names.append(name)
        elif name == list_param and isinstance(value, (list, tuple)):
            for v in value:
                if not isinstance(v, Tensor) or v.graph != id(ev.graph):
                    return ev.opaque_tensor(what or op, deps + list(value), node)
                edges.append(Edge(v.node, v.index))
                names.append(name)
        elif name in SHAPE_PARAMS and isinstance(value, (list, tuple)):
            plain[name] = tuple(
                None if isinstance(v, Tensor) or v is UNKNOWN or v is None else ev.plain(v) for v in value
            )
        elif isinstance(value, ArrayVal):
            plain[name] = {"array_shape": tuple(value.shape)}
        elif _has_tensor(value):
            return ev.opaque_tensor(what or op, [v for v in args.values()], node)
        else:
            plain[name] = ev.plain(value)
    plain["_tensors"] = tuple(names)
    lid = ev.graph.fresh_id(ev.unique_name(op.replace(".", "_")))
    ev.graph.nodes[lid] = Layer(id=lid, kind="ops." + op, args=plain, inputs=tuple(edges), span=ev.span(node))
    n = _output_count(op, plain)
    if n == 1:
        return Tensor(lid, id(ev.graph))
    return [Tensor(lid, id(ev.graph), i) for i in range(n)]


def _output_count(op: str, args: dict) -> int:
    if op == "top_k":
        return 2
    if op == "meshgrid":
        return len(args.get("_tensors", ())) or 1
    if op == "split":
        n = args.get("indices_or_sections")
        if isinstance(n, int) and not isinstance(n, bool) and 0 < n <= 1024:
            return n
        if isinstance(n, (list, tuple)):
            return len(n) + 1
    return 1


def _has_tensor(v) -> bool:
    if isinstance(v, Tensor):
        return True
    if isinstance(v, (list, tuple)):
        return any(_has_tensor(x) for x in v)
    return False


def call_op(ev, path: str, pos: list, kws: list, node):
    """A keras.ops / backend / tf call. Returns NotImplemented when `path` is no op we know."""
    spec = resolve(path)
    if spec is None:
        return NotImplemented
    args = bind(spec, pos, kws)
    if args is None:
        return ev.unknown_call(None, pos, kws, node)
    tensors = [v for v in args.values() if _has_tensor(v)]
    if not tensors and spec[0] in ("convert_to_tensor", "array"):
        shape = ev.nested_shape(args.get("x"))
        return ArrayVal(shape) if shape is not None else UNKNOWN  # a constant: its shape is known
    if not tensors and spec[0] not in ("zeros", "ones", "full", "arange", "eye", "linspace"):
        return UNKNOWN
    out = make_op(ev, spec[0], args, node, what=path)
    note = legacy_backend_note(path)
    first = out[0] if isinstance(out, list) else out
    if note is not None and isinstance(first, Tensor):
        from ...diagnostics import Diagnostic

        ev.layer_warnings.setdefault(first.node, []).append(
            Diagnostic(kind="legacy_api", severity="warning", message=note, span=ev.span(node))
        )
    return out


def binary(ev, opnode: Any, left, right, node):
    name = BINARY_OPS.get(opnode) or COMPARE_OPS.get(opnode)
    if name is None or not (_operand_ok(left) and _operand_ok(right)):
        return ev.opaque_tensor(f"operator {name or '?'}", [left, right], node)
    return make_op(ev, name, {"x1": left, "x2": right}, node)


def _operand_ok(v) -> bool:
    return isinstance(v, (Tensor, ArrayVal, int, float, bool)) or (isinstance(v, (list, tuple)) and not _has_tensor(v))


def unary(ev, opnode: type, value, node):
    if isinstance(opnode, ast.USub) or opnode is ast.USub:
        return make_op(ev, "negative", {"x": value}, node)
    if isinstance(opnode, ast.UAdd) or opnode is ast.UAdd:
        return value
    if isinstance(opnode, ast.Invert) or opnode is ast.Invert:
        return make_op(ev, "logical_not", {"x": value}, node)
    return ev.opaque_tensor("unary operator", [value], node)


def subscript(ev, base: Tensor, key, node):
    """`x[key]` on a tensor: basic indexing as ops.getitem; anything else is opaque."""
    parts = list(key) if isinstance(key, tuple) else [key]
    out: list[Any] = []
    for k in parts:
        if isinstance(k, slice):
            out.append(("slice", k.start, k.stop, k.step))
        elif k is Ellipsis:
            out.append("...")
        elif k is None or (isinstance(k, int) and not isinstance(k, bool)):
            out.append(k)
        else:
            return ev.opaque_tensor("tensor indexing", [base], node)
    return make_op(ev, "getitem", {"x": base, "key": out}, node)


def shape_of(ev, t: Tensor):
    """`x.shape` of a symbolic tensor (None for unknown sizes), or UNKNOWN."""
    if t.graph != id(ev.graph):
        return UNKNOWN
    shape = ev.graph.shape_of(t.node, t.index)
    return tuple(shape) if shape is not None else UNKNOWN


def is_op_kind(kind: str) -> bool:
    return kind in OPS


def opaque_kind(what: str) -> str:
    """The kind of an opaque node: never the name of a modelled op (written text
    such as `ops.cast` would otherwise pick up that op's semantics)."""
    return f"{what}(...)" if what in OPS else what


KERAS3_BACKEND = {"backend", "clear_session", "epsilon", "floatx", "image_data_format", "is_keras_tensor"}


def legacy_backend_note(path: str) -> str | None:
    """keras.backend.<op> was removed in Keras 3 (AttributeError); keras.ops has it."""
    if not path.startswith("keras.backend."):
        return None
    name = path.rsplit(".", 1)[-1]
    if name in KERAS3_BACKEND:
        return None
    spec = resolve(path)
    target = f"keras.ops.{spec[0]}" if spec else "the keras.ops function"
    return f"`keras.backend.{name}` does not exist in Keras 3 (AttributeError); use `{target}`"
