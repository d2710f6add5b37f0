"""Executable semantics of tensor operations: keras.ops, Python operators on tensors,
indexing, and the tf.* / keras.backend functions the Python frontend maps onto them.

An op is an IR `Layer` whose kind is ``ops.<keras.ops name>`` (``ops.add``,
``ops.reshape``, ``ops.getitem`` for `x[...]`). Its arguments use the Keras 3
parameter names; the parameters that received tensors are listed, in edge order,
in the argument ``_tensors`` (a list parameter such as `concatenate`'s `xs`
appears once per tensor). Operands that are not tensors (a Python number, a
NumPy array whose shape is known: ``{"array_shape": (3,)}``) stay arguments.

Shapes are full tensor shapes (a KerasTensor's `.shape`: the batch axis is the
first axis of a layer output, a weight made by `add_weight` has none). The
rules follow Keras 3's `compute_output_spec` of each op (keras/src/ops/), so an
op is an error only where Keras raises for the symbolic tensors, i.e. for every
value of the unknown (`None`) dimensions.

The units live in their own registry, `OPS`: they are looked up by the checker
after the layer `REGISTRY`, and `OP_EXAMPLES` are checked against our units and
against `keras.ops` on KerasTensors by tests/test_tensor_ops.py.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass
from typing import Any

from ..diagnostics import fmt_shape
from ..ir import is_unknown
from .base import Ctx, Unknown
from .op_registry import LIST_PARAMS, OPS, PARAMS, op  # noqa: E402,F401


# ---------------------------------------------------------------- helpers
def _name(ctx: Ctx) -> str:
    return ctx.kind[4:] if ctx.kind.startswith("ops.") else ctx.kind


def tensor_params(ctx: Ctx) -> tuple:
    names = ctx.layer.args.get("_tensors", ())
    return tuple(names) if isinstance(names, (tuple, list)) else ()


def operand(ctx: Ctx, name: str) -> tuple:
    """The shape of operand `name`: a tensor input, a Python number, a constant array."""
    names = tensor_params(ctx)
    if name in names:
        return ctx.shape(names.index(name))
    if name not in ctx.layer.args:
        raise KeyError(name)
    value = ctx.layer.args[name]
    if is_unknown(value):
        raise Unknown(f"operand {name} of {ctx.kind}")
    return constant_shape(value, ctx)


def constant_shape(value, ctx: Ctx) -> tuple:
    if isinstance(value, (bool, int, float, complex)):
        return ()
    if isinstance(value, dict) and "array_shape" in value:
        return tuple(value["array_shape"])
    if isinstance(value, (list, tuple)):
        if not value:
            return (0,)
        inner = [constant_shape(v, ctx) for v in value]
        if all(s == inner[0] for s in inner):
            return (len(value),) + inner[0]
    raise Unknown(f"a constant operand of {ctx.kind}")


def list_operands(ctx: Ctx) -> list:
    name = LIST_PARAMS[_name(ctx)]
    names = tensor_params(ctx)
    shapes = [ctx.shape(i) for i, n in enumerate(names) if n == name]
    if not shapes:
        raise Unknown(f"the tensors of {ctx.kind}")
    return shapes


def has_operand(ctx: Ctx, name: str) -> bool:
    return name in tensor_params(ctx) or name in ctx.layer.args


def int_arg(ctx: Ctx, name: str, default: Any = None) -> Any:
    value = ctx.arg(name, default)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        if name in tensor_params(ctx):
            raise Unknown(f"{name} of {ctx.kind} is a tensor")
        ctx.fail(
            "invalid_argument",
            f"`{name}` of {_name(ctx)} must be an integer, received {name}={value!r}",
            argument=name,
            expected=f"{name}=<int>",
            actual=f"{name}={value!r}",
        )
    return value


def canonical_axis(ctx: Ctx, axis: int, rank: int, name: str = "axis", shape: tuple | None = None) -> int:
    if not -rank <= axis < rank:
        where = f" of the {rank}-D input {fmt_shape(shape)}" if shape is not None else f" of a {rank}-D input"
        ctx.fail(
            "rank_mismatch",
            f"{_name(ctx)}: {name}={axis} is out of range{where} (valid: {-rank}..{rank - 1})",
            argument=name,
            expected=f"-{rank} <= {name} < {rank}",
            actual=f"{name}={axis}",
            hint={"arg": name, "min": -rank, "max": rank - 1},
        )
    return axis % rank


def axes_arg(ctx: Ctx, rank: int, shape: tuple, name: str = "axis") -> tuple | None:
    axis = ctx.arg(name, None)
    if axis is None:
        return None
    if isinstance(axis, int) and not isinstance(axis, bool):
        axis = (axis,)
    if not isinstance(axis, (list, tuple)) or not all(isinstance(a, int) for a in axis):
        raise Unknown(f"{name} of {ctx.kind}")
    return tuple(canonical_axis(ctx, a, rank, name, shape) for a in axis)


def broadcast(ctx: Ctx, a: tuple, b: tuple, what: str = "") -> tuple:
    """Keras' broadcast_shapes: an error only when two known sizes differ and neither is 1."""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x == 1:
            out.append(y)
        elif x is None:
            out.append(None if y == 1 else y)
        elif y == 1 or y is None or x == y:
            out.append(x)
        else:
            ctx.fail(
                "incompatible_shape",
                f"{what or _name(ctx)}: shapes {fmt_shape(tuple(a))} and {fmt_shape(tuple(b))} cannot be broadcast "
                f"(axis {i - n}: {x} vs {y}); make the sizes equal or 1",
                expected=f"axis {i - n}: {x} or 1",
                actual=f"{y}",
                hint={"broadcast": (tuple(a), tuple(b)), "axis": i - n},
            )
    return tuple(out)


# ---------------------------------------------------------------- elementwise
UNARY = (
    "abs absolute negative exp expm1 log log1p log2 log10 sqrt rsqrt square sin cos tan arcsin arccos arctan "
    "sinh cosh tanh arctanh floor ceil round sign reciprocal erf erfinv isnan isinf isfinite logical_not "
    "convert_to_tensor cast copy zeros_like ones_like real imag conj relu relu6 sigmoid "
    "hard_sigmoid silu swish hard_silu hard_swish gelu elu selu softplus softsign leaky_relu mish celu "
    "log_sigmoid squareplus sparse_plus tanh_shrink hard_tanh soft_shrink hard_shrink linear exponential "
    "nan_to_num"
).split()


# shape-preserving ops: their other parameters (dtype, alpha, approximate...) do not change the shape
@op(*UNARY, params=("x", "_arg1", "_arg2"))
def unary(ctx: Ctx):
    return operand(ctx, "x")


@op("stop_gradient", params=("variable",))
def stop_gradient(ctx: Ctx):
    return operand(ctx, "variable")


@op("full_like", params=("x", "fill_value"))
def full_like(ctx: Ctx):
    return operand(ctx, "x")


@op("clip", params=("x", "x_min", "x_max"))
def clip(ctx: Ctx):
    return operand(ctx, "x")


@op("softmax", "log_softmax", params=("x", "axis"))
def softmax(ctx: Ctx):
    shape = operand(ctx, "x")
    axes_arg(ctx, len(shape), shape)
    return shape


@op("normalize", params=("x", "axis", "order"))
def normalize(ctx: Ctx):
    shape = operand(ctx, "x")
    axes_arg(ctx, len(shape), shape)
    return shape


BINARY = (
    "add subtract multiply divide true_divide floor_divide power mod maximum minimum equal not_equal greater "
    "greater_equal less less_equal logical_and logical_or logical_xor arctan2 hypot"
).split()


@op(*BINARY, params=("x1", "x2"))
def binary(ctx: Ctx):
    a, b = operand(ctx, "x1"), operand(ctx, "x2")
    return broadcast(ctx, a, b)


@op("where", params=("condition", "x1", "x2"))
def where(ctx: Ctx):
    if not (has_operand(ctx, "x1") and has_operand(ctx, "x2")):
        raise Unknown("where(condition) returns indices")
    c = operand(ctx, "condition")
    return broadcast(ctx, broadcast(ctx, c, operand(ctx, "x1")), operand(ctx, "x2"))


# ---------------------------------------------------------------- reductions
@op("sum", "mean", "max", "min", "prod", "any", "all", "std", "var", "logsumexp", params=("x", "axis", "keepdims"))
def reduce(ctx: Ctx):
    shape = operand(ctx, "x")
    axes = axes_arg(ctx, len(shape), shape)
    keep = bool(ctx.arg("keepdims", False))
    if axes is None:
        return tuple(1 for _ in shape) if keep else ()
    if keep:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


@op("argmax", "argmin", params=("x", "axis", "keepdims"))
def argmax(ctx: Ctx):
    return reduce(ctx)


# ---------------------------------------------------------------- shapes
def _shape_list(ctx: Ctx, name: str) -> tuple:
    value = ctx.arg(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (list, tuple)):
        raise Unknown(f"{name} of {ctx.kind}")
    return tuple(v if isinstance(v, int) and not isinstance(v, bool) else None for v in value)


@op("reshape", params=("x", "newshape"))
def reshape(ctx: Ctx):
    shape = operand(ctx, "x")
    new = _shape_list(ctx, "newshape")
    if new.count(-1) > 1 or any(d is not None and d < -1 for d in new):
        ctx.fail(
            "invalid_argument",
            f"reshape: newshape={new} may hold at most one -1 and no other negative size",
            argument="newshape",
        )
    if None in shape or None in new:
        return tuple(None if d == -1 else d for d in new)
    size = math.prod(shape)
    if -1 not in new:
        if size != math.prod(new):
            _reshape_fail(ctx, shape, new, size)
        return new
    known = math.prod(d for d in new if d != -1)
    if known == 0 or size % known:
        _reshape_fail(ctx, shape, new, size)
    return tuple(size // known if d == -1 else d for d in new)


def _reshape_fail(ctx: Ctx, shape, new, size) -> None:
    ctx.fail(
        "reshape_size",
        f"reshape: a tensor of shape {fmt_shape(shape)} ({size} elements) cannot be reshaped to {fmt_shape(new)}",
        argument="newshape",
        expected=f"{size} elements",
        actual=fmt_shape(new),
        hint={"elements": size},
    )


@op("transpose", params=("x", "axes"))
def transpose(ctx: Ctx):
    shape = operand(ctx, "x")
    axes = ctx.arg("axes", None)
    if axes is None:
        return tuple(reversed(shape))
    if not isinstance(axes, (list, tuple)) or not all(isinstance(a, int) for a in axes):
        raise Unknown("axes of transpose")
    if len(axes) != len(shape):
        ctx.fail(
            "rank_mismatch",
            f"transpose: axes={tuple(axes)} has {len(axes)} entries for the {len(shape)}-D input {fmt_shape(shape)}",
            argument="axes",
            expected=f"{len(shape)} axes",
            actual=f"{len(axes)} axes",
        )
    return tuple(shape[canonical_axis(ctx, a, len(shape), "axes", shape)] for a in axes)


@op("expand_dims", params=("x", "axis"))
def expand_dims(ctx: Ctx):
    shape = operand(ctx, "x")
    axis = ctx.arg("axis")
    axes = (axis,) if isinstance(axis, int) else axis
    if not isinstance(axes, (list, tuple)) or not all(isinstance(a, int) for a in axes):
        raise Unknown("axis of expand_dims")
    rank = len(shape) + len(axes)
    canon = sorted(canonical_axis(ctx, a, rank, "axis", shape) for a in axes)
    out = list(shape)
    for a in canon:
        out.insert(a, 1)
    return tuple(out)


@op("squeeze", params=("x", "axis"))
def squeeze(ctx: Ctx):
    shape = operand(ctx, "x")
    axes = axes_arg(ctx, len(shape), shape)
    if axes is None:
        return tuple(d for d in shape if d != 1)
    for a in axes:
        if shape[a] is not None and shape[a] != 1:
            ctx.fail(
                "incompatible_shape",
                f"squeeze: axis {a} of {fmt_shape(shape)} has size {shape[a]}, not 1",
                argument="axis",
                expected="size 1",
                actual=str(shape[a]),
            )
    return tuple(d for i, d in enumerate(shape) if i not in axes)


@op("concatenate", params=("xs", "axis"))
def concatenate(ctx: Ctx):
    shapes = list_operands(ctx)
    axis = int_arg(ctx, "axis", 0)
    if axis is None:
        return (_total([math.prod(s) if None not in s else None for s in shapes]),)
    rank = len(shapes[0])
    for s in shapes[1:]:
        if len(s) != rank:
            ctx.fail(
                "rank_mismatch",
                f"concatenate: all inputs need the same rank, received {', '.join(map(fmt_shape, shapes))}",
                expected=f"ndim={rank}",
                actual=f"ndim={len(s)}",
            )
    ax = canonical_axis(ctx, axis, rank, "axis", shapes[0])
    out = []
    for i in range(rank):
        if i == ax:
            out.append(_total([s[i] for s in shapes]))
            continue
        known = {s[i] for s in shapes if s[i] is not None}
        if len(known) > 1:
            ctx.fail(
                "merge_shape_mismatch",
                f"concatenate: the inputs {', '.join(map(fmt_shape, shapes))} differ at axis {i} (other than the "
                f"concatenation axis {axis})",
                argument="axis",
                expected="equal sizes off the concatenation axis",
                actual=", ".join(map(fmt_shape, shapes)),
            )
        out.append(known.pop() if known else None)
    return tuple(out)


def _total(dims) -> int | None:
    return None if any(d is None for d in dims) else sum(dims)


@op("stack", params=("x", "axis"))
def stack(ctx: Ctx):
    shapes = list_operands(ctx)
    axis = int_arg(ctx, "axis", 0)
    first = shapes[0]
    for s in shapes[1:]:
        if len(s) != len(first) or any(a is not None and b is not None and a != b for a, b in zip(s, first)):
            ctx.fail(
                "merge_shape_mismatch",
                f"stack: all inputs need the same shape, received {', '.join(map(fmt_shape, shapes))}",
                expected=fmt_shape(first),
                actual=fmt_shape(s),
            )
    merged = tuple(next((s[i] for s in shapes if s[i] is not None), None) for i in range(len(first)))
    ax = canonical_axis(ctx, axis, len(first) + 1, "axis", first)
    return merged[:ax] + (len(shapes),) + merged[ax:]


@op("split", params=("x", "indices_or_sections", "axis"))
def split(ctx: Ctx):
    shape = operand(ctx, "x")
    n = ctx.arg("indices_or_sections")
    axis = canonical_axis(ctx, int_arg(ctx, "axis", 0), len(shape), "axis", shape)
    size = shape[axis]
    if isinstance(n, int) and not isinstance(n, bool):
        if size is not None and (n <= 0 or size % n):
            ctx.fail(
                "invalid_argument",
                f"split: axis {axis} of {fmt_shape(shape)} (size {size}) cannot be split into {n} equal sections",
                argument="indices_or_sections",
                expected=f"a divisor of {size}",
                actual=str(n),
            )
        part = None if size is None else size // n
        return [shape[:axis] + (part,) + shape[axis + 1 :] for _ in range(n)]
    if isinstance(n, (list, tuple)) and all(isinstance(i, int) for i in n):
        bounds = [0] + list(n) + [size]
        if size is None:
            return [shape[:axis] + (None,) + shape[axis + 1 :] for _ in range(len(n) + 1)]
        return [
            shape[:axis] + (max(0, min(b, size) - min(a, size)),) + shape[axis + 1 :]
            for a, b in zip(bounds, bounds[1:])
        ]
    raise Unknown("indices_or_sections of split")


@op("tile", params=("x", "repeats"))
def tile(ctx: Ctx):
    shape = operand(ctx, "x")
    reps = _shape_list(ctx, "repeats")
    n = max(len(shape), len(reps))
    shape = (1,) * (n - len(shape)) + tuple(shape)
    reps = (1,) * (n - len(reps)) + reps
    return tuple(None if d is None or r is None else d * r for d, r in zip(shape, reps))


@op("repeat", params=("x", "repeats", "axis"))
def repeat(ctx: Ctx):
    shape = operand(ctx, "x")
    reps = ctx.arg("repeats")
    axis = int_arg(ctx, "axis", None)
    if not isinstance(reps, int) or isinstance(reps, bool):
        raise Unknown("repeats of repeat")
    if axis is None:
        n = None if None in shape else math.prod(shape)
        return (None if n is None else n * reps,)
    ax = canonical_axis(ctx, axis, len(shape), "axis", shape)
    d = shape[ax]
    return shape[:ax] + (None if d is None else d * reps,) + shape[ax + 1 :]


@op("broadcast_to", params=("x", "shape"))
def broadcast_to(ctx: Ctx):
    shape = operand(ctx, "x")
    target = _shape_list(ctx, "shape")
    if len(target) < len(shape):
        ctx.fail(
            "rank_mismatch",
            f"broadcast_to: {fmt_shape(shape)} has more axes than the target {fmt_shape(target)}",
            argument="shape",
        )
    broadcast(ctx, shape, target)
    return target


@op("moveaxis", params=("x", "source", "destination"))
def moveaxis(ctx: Ctx):
    shape = operand(ctx, "x")
    src, dst = ctx.arg("source"), ctx.arg("destination")
    src = (src,) if isinstance(src, int) else src
    dst = (dst,) if isinstance(dst, int) else dst
    if not isinstance(src, (list, tuple)) or not isinstance(dst, (list, tuple)) or len(src) != len(dst):
        raise Unknown("axes of moveaxis")
    rank = len(shape)
    src = [canonical_axis(ctx, a, rank, "source", shape) for a in src]
    dst = [canonical_axis(ctx, a, rank, "destination", shape) for a in dst]
    order = [i for i in range(rank) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return tuple(shape[i] for i in order)


@op("swapaxes", params=("x", "axis1", "axis2"))
def swapaxes(ctx: Ctx):
    shape = list(operand(ctx, "x"))
    a = canonical_axis(ctx, int_arg(ctx, "axis1"), len(shape), "axis1", tuple(shape))
    b = canonical_axis(ctx, int_arg(ctx, "axis2"), len(shape), "axis2", tuple(shape))
    shape[a], shape[b] = shape[b], shape[a]
    return tuple(shape)


@op("roll", params=("x", "shift", "axis"))
def roll(ctx: Ctx):
    return operand(ctx, "x")


@op("sort", "argsort", "cumsum", "cumprod", params=("x", "axis"))
def along_axis(ctx: Ctx):
    shape = operand(ctx, "x")
    axis = ctx.arg("axis", -1 if _name(ctx) in ("sort", "argsort") else None)
    if axis is None:
        return (None if None in shape else math.prod(shape),) if _name(ctx).startswith("cum") else shape
    canonical_axis(ctx, int_arg(ctx, "axis", axis), len(shape), "axis", shape)
    return shape


@op("pad", params=("x", "pad_width", "mode"))
def pad(ctx: Ctx):
    shape = operand(ctx, "x")
    width = ctx.arg("pad_width")
    if isinstance(width, int):
        width = [(width, width)] * len(shape)
    if not isinstance(width, (list, tuple)) or not all(
        isinstance(p, (list, tuple)) and len(p) == 2 and all(isinstance(v, int) for v in p) for p in width
    ):
        raise Unknown("pad_width of pad")
    if len(width) == 1:
        width = list(width) * len(shape)
    if len(width) != len(shape):
        ctx.fail(
            "rank_mismatch",
            f"pad: pad_width has {len(width)} pairs for the {len(shape)}-D input {fmt_shape(shape)}",
            argument="pad_width",
            expected=f"{len(shape)} pairs",
            actual=f"{len(width)} pairs",
        )
    return tuple(None if d is None else d + a + b for d, (a, b) in zip(shape, width))


@op("matmul", params=("x1", "x2"))
def matmul(ctx: Ctx):
    a, b = operand(ctx, "x1"), operand(ctx, "x2")
    if not a or not b:
        ctx.fail("rank_mismatch", "matmul: scalars cannot be multiplied as matrices; use multiply", expected="ndim>=1")
    a1, b1 = len(a) == 1, len(b) == 1
    aa = (1,) + a if a1 else a
    bb = b + (1,) if b1 else b
    if aa[-1] is not None and bb[-2] is not None and aa[-1] != bb[-2]:
        ctx.fail(
            "incompatible_shape",
            f"matmul: the inner dimensions differ: {fmt_shape(a)} @ {fmt_shape(b)} ({aa[-1]} vs {bb[-2]})",
            expected=f"x2.shape[-2] == {aa[-1]}",
            actual=f"{bb[-2]}",
        )
    out = list(broadcast(ctx, aa[:-2], bb[:-2], "matmul")) + [aa[-2], bb[-1]]
    if a1:
        del out[-2]
    if b1:
        del out[-1]
    return tuple(out)


@op("dot", params=("x1", "x2"))
def dot(ctx: Ctx):
    a, b = operand(ctx, "x1"), operand(ctx, "x2")
    if not a or not b:
        return broadcast(ctx, a, b)
    if len(b) == 1:
        return matmul(ctx)
    inner_a, inner_b = a[-1], b[-2]
    if inner_a is not None and inner_b is not None and inner_a != inner_b:
        ctx.fail("incompatible_shape", f"dot: {fmt_shape(a)} and {fmt_shape(b)} do not align ({inner_a} vs {inner_b})")
    return a[:-1] + b[:-2] + b[-1:]


@op("einsum", params=("subscripts", "operands"))
def einsum(ctx: Ctx):
    eq = ctx.arg("subscripts")
    if not isinstance(eq, str):
        raise Unknown("subscripts of einsum")
    shapes = list_operands(ctx)
    eq = eq.replace(" ", "")
    lhs, _, rhs = eq.partition("->")
    terms = lhs.split(",")
    if "." in eq or len(terms) != len(shapes):
        raise Unknown("einsum with ellipsis or an operand count we cannot match")
    sizes: dict[str, int | None] = {}
    for term, shape in zip(terms, shapes):
        if len(term) != len(shape):
            ctx.fail(
                "rank_mismatch",
                f"einsum: subscript '{term}' names {len(term)} axes but its operand is {len(shape)}-D {fmt_shape(shape)}",
                argument="subscripts",
                expected=f"ndim={len(term)}",
                actual=f"ndim={len(shape)}",
            )
        for letter, d in zip(term, shape):
            # Keras' symbolic einsum does not compare the sizes of a repeated letter: neither do we
            old = sizes.get(letter)
            if old is None or old == 1:
                sizes[letter] = d if d is not None else old
    if not _:
        counts = {c: lhs.count(c) for c in set(lhs) if c in string.ascii_letters}
        rhs = "".join(sorted(c for c, n in counts.items() if n == 1))
    return tuple(sizes.get(c) for c in rhs)


@op("take", params=("x", "indices", "axis"))
def take(ctx: Ctx):
    shape = operand(ctx, "x")
    idx = operand(ctx, "indices")
    axis = int_arg(ctx, "axis", None)
    if axis is None:
        return idx
    ax = canonical_axis(ctx, axis, len(shape), "axis", shape)
    return shape[:ax] + tuple(idx) + shape[ax + 1 :]


@op("take_along_axis", params=("x", "indices", "axis"))
def take_along_axis(ctx: Ctx):
    shape = operand(ctx, "x")
    idx = operand(ctx, "indices")
    axis = int_arg(ctx, "axis", None)
    if axis is None:
        return idx
    ax = canonical_axis(ctx, axis, len(shape), "axis", shape)
    if len(idx) != len(shape):
        ctx.fail("rank_mismatch", f"take_along_axis: indices {fmt_shape(idx)} and x {fmt_shape(shape)} differ in rank")
    rest = broadcast(ctx, shape[:ax] + (1,) + shape[ax + 1 :], idx[:ax] + (1,) + idx[ax + 1 :])
    return rest[:ax] + (idx[ax],) + rest[ax + 1 :]


@op("one_hot", params=("x", "num_classes", "axis"))
def one_hot(ctx: Ctx):
    shape = operand(ctx, "x")
    n = int_arg(ctx, "num_classes")
    axis = int_arg(ctx, "axis", -1)
    out = list(shape)
    ax = canonical_axis(ctx, axis, len(shape) + 1, "axis", shape)
    out.insert(ax, n)
    return tuple(out)


@op("top_k", params=("x", "k", "sorted"))
def top_k(ctx: Ctx):
    shape = operand(ctx, "x")
    k = int_arg(ctx, "k", 1)
    if not shape:
        ctx.fail("rank_mismatch", "top_k needs an input of at least 1 dimension", expected="ndim>=1")
    out = shape[:-1] + (k,)
    return [out, out]


@op("image.resize", params=("images", "size", "interpolation"))
def image_resize(ctx: Ctx):
    shape = operand(ctx, "images")
    size = ctx.arg("size")
    if not isinstance(size, (list, tuple)) or len(size) != 2:
        ctx.fail(
            "invalid_argument",
            f"image.resize: size must be a tuple of 2 integers, received size={size!r}",
            argument="size",
        )
    if len(shape) not in (3, 4):
        ctx.fail(
            "rank_mismatch",
            f"image.resize expects a 3-D or 4-D input (batch, height, width, channels) but receives "
            f"{len(shape)}-D {fmt_shape(shape)}",
            expected="ndim=3|4",
            actual=f"ndim={len(shape)}",
        )
    h, w = (v if isinstance(v, int) else None for v in size)
    return shape[:-3] + (h, w, shape[-1])


@op("slice", params=("inputs", "start_indices", "shape"))
def slice_op(ctx: Ctx):
    shape = operand(ctx, "inputs")
    size = _shape_list(ctx, "shape")
    if len(size) != len(shape):
        ctx.fail("rank_mismatch", f"slice: shape={size} has {len(size)} entries for a {len(shape)}-D input")
    return size


@op("slice_update", params=("inputs", "start_indices", "updates"))
def slice_update(ctx: Ctx):
    return operand(ctx, "inputs")


@op("zeros", "ones", "empty", params=("shape", "dtype"))
def creation(ctx: Ctx):
    return _shape_list(ctx, "shape")


@op("full", params=("shape", "fill_value", "dtype"))
def full(ctx: Ctx):
    return _shape_list(ctx, "shape")


@op("arange", params=("start", "stop", "step", "dtype"))
def arange(ctx: Ctx):
    start, stop, step = ctx.arg("start"), ctx.arg("stop", None), ctx.arg("step", 1)
    if stop is None:
        start, stop = 0, start
    if not all(isinstance(v, (int, float)) for v in (start, stop, step)) or step == 0:
        raise Unknown("arange bounds")
    return (max(0, math.ceil((stop - start) / step)),)


@op("linspace", params=("start", "stop", "num", "endpoint", "retstep", "dtype", "axis"))
def linspace(ctx: Ctx):
    start, stop = ctx.arg("start"), ctx.arg("stop")
    if not isinstance(start, (int, float)) or not isinstance(stop, (int, float)):
        raise Unknown("array bounds of linspace")
    return (int_arg(ctx, "num", 50),)


@op("scatter_update", params=("inputs", "indices", "updates"))
def scatter_update(ctx: Ctx):
    return operand(ctx, "inputs")


@op("meshgrid", params=("x", "indexing"))
def meshgrid(ctx: Ctx):
    shapes = list_operands(ctx)
    if any(len(s) != 1 for s in shapes):
        raise Unknown("meshgrid of tensors that are not 1-D")
    dims = [s[0] for s in shapes]
    if ctx.arg("indexing", "xy") == "xy" and len(dims) >= 2:
        dims[0], dims[1] = dims[1], dims[0]
    return [tuple(dims) for _ in shapes]


@op("eye", params=("N", "M", "k", "dtype"))
def eye(ctx: Ctx):
    n = int_arg(ctx, "N")
    m = int_arg(ctx, "M", None)
    return (n, n if m is None else m)


@op("weight", params=("shape",))
def weight(ctx: Ctx):
    """A weight made by `self.add_weight(shape=...)` (no batch axis)."""
    return _shape_list(ctx, "shape")


# ---------------------------------------------------------------- indexing
@op("getitem", params=("x", "key"))
def getitem(ctx: Ctx):
    """`x[key]`: the key is a tuple of ints, slices ("slice", start, stop, step),
    None (new axis) and "..." (Ellipsis), as NumPy basic indexing."""
    shape = operand(ctx, "x")
    key = ctx.arg("key")
    key = list(key) if isinstance(key, list) and key and key[0] != "slice" else [key]
    if any(not _key_part_ok(k) for k in key):
        raise Unknown("a tensor index")
    consumed = sum(1 for k in key if k is not None and k != "...")
    if key.count("...") > 1:
        ctx.fail("invalid_argument", "an index can only have a single ellipsis ('...')", argument="key")
    if consumed > len(shape):
        ctx.fail(
            "rank_mismatch",
            f"too many indices for the {len(shape)}-D tensor {fmt_shape(shape)}: {consumed} were given",
            argument="key",
            expected=f"at most {len(shape)} indices",
            actual=f"{consumed} indices",
        )
    if "..." in key:
        i = key.index("...")
        key = key[:i] + [("slice", None, None, None)] * (len(shape) - consumed) + key[i + 1 :]
    key = key + [("slice", None, None, None)] * (len(shape) - sum(1 for k in key if k is not None))
    out: list = []
    axis = 0
    for k in key:
        if k is None:
            out.append(1)
            continue
        d = shape[axis]
        if isinstance(k, int):
            if d is not None and not -d <= k < d:
                ctx.fail(
                    "invalid_argument",
                    f"index {k} is out of bounds for axis {axis} of size {d} of {fmt_shape(shape)}",
                    argument="key",
                    expected=f"-{d} <= index < {d}",
                    actual=str(k),
                )
        else:
            _, start, stop, step = k
            out.append(None if d is None else len(range(*slice(start, stop, step).indices(d))))
        axis += 1
    return tuple(out)


def _key_part_ok(k) -> bool:
    if k is None or k == "..." or (isinstance(k, int) and not isinstance(k, bool)):
        return True
    return (
        isinstance(k, (tuple, list))
        and len(k) == 4
        and k[0] == "slice"
        and all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in k[1:])
        and k[3] != 0
    )


# ---------------------------------------------------------------- examples
@dataclass(frozen=True)
class OpExample:
    """One op example: `op` called with `tensors` (param -> shape, or a list of
    shapes for a list parameter) and the other arguments `args`; `out` is the
    shape (or list of shapes) Keras gives, `error` the kind when Keras raises."""

    op: str
    tensors: dict
    args: dict
    out: Any = None
    error: str | None = None


def _ex(op_name: str, tensors: dict, out: Any = None, error: str | None = None, **args: Any) -> OpExample:
    return OpExample(op_name, tensors, args, out, error)


S = ("slice", None, None, None)
OP_EXAMPLES = [
    _ex("add", {"x1": (None, 8), "x2": (None, 8)}, (None, 8)),
    _ex("add", {"x1": (None, 8), "x2": (8,)}, (None, 8)),
    _ex("add", {"x1": (None, 8), "x2": (None, 4)}, error="incompatible_shape"),
    _ex("add", {"x1": (None, 4, 8)}, (None, 4, 8), x2=1.0),
    _ex("subtract", {"x1": (None, 1, 8), "x2": (None, 5, 1)}, (None, 5, 8)),
    _ex("multiply", {"x1": (None, 3), "x2": (2, 1, 3)}, (2, None, 3)),
    _ex("multiply", {"x1": (None, 3, 4), "x2": (None, 5, 4)}, error="incompatible_shape"),
    _ex("divide", {"x1": (None, 6)}, (None, 6), x2=2),
    _ex("power", {"x1": (None, 6)}, (None, 6), x2=2),
    _ex("floor_divide", {"x1": (None, 6), "x2": (None, 6)}, (None, 6)),
    _ex("maximum", {"x1": (None, 6), "x2": (None, 1)}, (None, 6)),
    _ex("minimum", {"x1": (None, 6), "x2": (None, 7)}, error="incompatible_shape"),
    _ex("equal", {"x1": (None, 6), "x2": (None, 6)}, (None, 6)),
    _ex("greater", {"x1": (None, 2, 6)}, (None, 2, 6), x2=0.0),
    _ex("logical_and", {"x1": (None, 6), "x2": (None, 6)}, (None, 6)),
    _ex("where", {"condition": (None, 6), "x1": (None, 6), "x2": (None, 1)}, (None, 6)),
    _ex("where", {"condition": (None, 6), "x1": (None, 6), "x2": (None, 3)}, error="incompatible_shape"),
    _ex("negative", {"x": (None, 5)}, (None, 5)),
    _ex("exp", {"x": (None, 5)}, (None, 5)),
    _ex("log", {"x": (None, 5)}, (None, 5)),
    _ex("sqrt", {"x": (None, 5)}, (None, 5)),
    _ex("rsqrt", {"x": (None, 5)}, (None, 5)),
    _ex("square", {"x": (None, 5)}, (None, 5)),
    _ex("abs", {"x": (None, 5)}, (None, 5)),
    _ex("sin", {"x": (None, 5)}, (None, 5)),
    _ex("cos", {"x": (None, 5)}, (None, 5)),
    _ex("tanh", {"x": (None, 5)}, (None, 5)),
    _ex("floor", {"x": (None, 5)}, (None, 5)),
    _ex("sign", {"x": (None, 5)}, (None, 5)),
    _ex("isnan", {"x": (None, 5)}, (None, 5)),
    _ex("logical_not", {"x": (None, 5)}, (None, 5)),
    _ex("stop_gradient", {"variable": (None, 5)}, (None, 5)),
    _ex("convert_to_tensor", {"x": (None, 5)}, (None, 5)),
    _ex("cast", {"x": (None, 5)}, (None, 5), dtype="int32"),
    _ex("zeros_like", {"x": (None, 5)}, (None, 5)),
    _ex("ones_like", {"x": (None, 5)}, (None, 5)),
    _ex("full_like", {"x": (None, 5)}, (None, 5), fill_value=2.0),
    _ex("clip", {"x": (None, 5)}, (None, 5), x_min=0.0, x_max=1.0),
    _ex("relu", {"x": (None, 5)}, (None, 5)),
    _ex("relu6", {"x": (None, 5)}, (None, 5)),
    _ex("sigmoid", {"x": (None, 5)}, (None, 5)),
    _ex("silu", {"x": (None, 5)}, (None, 5)),
    _ex("gelu", {"x": (None, 5)}, (None, 5)),
    _ex("elu", {"x": (None, 5)}, (None, 5)),
    _ex("selu", {"x": (None, 5)}, (None, 5)),
    _ex("softplus", {"x": (None, 5)}, (None, 5)),
    _ex("leaky_relu", {"x": (None, 5)}, (None, 5)),
    _ex("hard_sigmoid", {"x": (None, 5)}, (None, 5)),
    _ex("softmax", {"x": (None, 4, 5)}, (None, 4, 5), axis=-1),
    _ex("softmax", {"x": (None, 4, 5)}, error="rank_mismatch", axis=3),
    _ex("log_softmax", {"x": (None, 5)}, (None, 5)),
    _ex("sum", {"x": (None, 4, 5)}, (None, 5), axis=1),
    _ex("sum", {"x": (None, 4, 5)}, (None, 1, 5), axis=1, keepdims=True),
    _ex("sum", {"x": (None, 4, 5)}, ()),
    _ex("sum", {"x": (None, 4, 5)}, error="rank_mismatch", axis=3),
    _ex("mean", {"x": (None, 4, 5)}, (None,), axis=(1, 2)),
    _ex("max", {"x": (None, 4, 5)}, (None, 4), axis=-1),
    _ex("min", {"x": (None, 4, 5)}, (None, 5), axis=1),
    _ex("prod", {"x": (None, 4, 5)}, (None, 4), axis=2),
    _ex("any", {"x": (None, 4, 5)}, (None, 4), axis=-1),
    _ex("all", {"x": (None, 4, 5)}, (None, 4), axis=-1),
    _ex("std", {"x": (None, 4, 5)}, (None, 4, 1), axis=-1, keepdims=True),
    _ex("var", {"x": (None, 4, 5)}, (None, 4), axis=-1),
    _ex("logsumexp", {"x": (None, 4, 5)}, (None, 4), axis=-1),
    _ex("argmax", {"x": (None, 4, 5)}, (None, 4), axis=-1),
    _ex("argmin", {"x": (None, 4, 5)}, (None, 5), axis=1),
    _ex("reshape", {"x": (None, 4, 5)}, (None, 20), newshape=(-1, 20)),
    _ex("reshape", {"x": (2, 4, 5)}, (2, 10, 2), newshape=(2, -1, 2)),
    _ex("reshape", {"x": (2, 4, 5)}, error="reshape_size", newshape=(3, -1)),
    _ex("reshape", {"x": (2, 4, 5)}, error="reshape_size", newshape=(2, 3, 3)),
    _ex("transpose", {"x": (None, 4, 5)}, (None, 5, 4), axes=(0, 2, 1)),
    _ex("transpose", {"x": (None, 4, 5)}, (5, 4, None)),
    _ex("transpose", {"x": (None, 4, 5)}, error="rank_mismatch", axes=(0, 1)),
    _ex("expand_dims", {"x": (None, 4)}, (None, 4, 1), axis=-1),
    _ex("expand_dims", {"x": (None, 4)}, (None, 1, 4), axis=1),
    _ex("expand_dims", {"x": (None, 4)}, error="rank_mismatch", axis=3),
    _ex("squeeze", {"x": (None, 1, 4)}, (None, 4), axis=1),
    _ex("squeeze", {"x": (None, 3, 4)}, error="incompatible_shape", axis=1),
    _ex("concatenate", {"xs": [(None, 4), (None, 6)]}, (None, 10), axis=-1),
    _ex("concatenate", {"xs": [(None, 4, 2), (None, 6, 2)]}, (None, 10, 2), axis=1),
    _ex("concatenate", {"xs": [(None, 4, 2), (None, 6, 3)]}, error="merge_shape_mismatch", axis=1),
    _ex("concatenate", {"xs": [(None, 4, 2), (None, 6)]}, error="rank_mismatch", axis=1),
    _ex("stack", {"x": [(None, 4), (None, 4)]}, (None, 2, 4), axis=1),
    _ex("stack", {"x": [(None, 4), (None, 4), (None, 4)]}, (3, None, 4)),
    _ex("stack", {"x": [(None, 4), (None, 5)]}, error="merge_shape_mismatch", axis=1),
    _ex("split", {"x": (None, 6)}, [(None, 2), (None, 2), (None, 2)], indices_or_sections=3, axis=-1),
    _ex("split", {"x": (None, 6)}, [(None, 1), (None, 3), (None, 2)], indices_or_sections=[1, 4], axis=1),
    _ex("split", {"x": (None, 7)}, error="invalid_argument", indices_or_sections=3, axis=-1),
    _ex("tile", {"x": (None, 4)}, (None, 12), repeats=(1, 3)),
    _ex("tile", {"x": (None, 4)}, (2, None, 4), repeats=(2, 1, 1)),
    _ex("repeat", {"x": (None, 4)}, (None, 8), repeats=2, axis=1),
    _ex("repeat", {"x": (2, 4)}, (16,), repeats=2),
    _ex("broadcast_to", {"x": (1, 4)}, (3, 4), shape=(3, 4)),
    _ex("broadcast_to", {"x": (2, 4)}, error="incompatible_shape", shape=(3, 4)),
    _ex("moveaxis", {"x": (None, 3, 4)}, (None, 4, 3), source=-1, destination=1),
    _ex("swapaxes", {"x": (None, 3, 4)}, (None, 4, 3), axis1=1, axis2=2),
    _ex("roll", {"x": (None, 3, 4)}, (None, 3, 4), shift=1, axis=1),
    _ex("cumsum", {"x": (None, 3, 4)}, (None, 3, 4), axis=1),
    _ex("cumsum", {"x": (2, 3, 4)}, (24,)),
    _ex("cumprod", {"x": (None, 3, 4)}, (None, 3, 4), axis=-1),
    _ex("sort", {"x": (None, 3, 4)}, (None, 3, 4)),
    _ex("argsort", {"x": (None, 3, 4)}, (None, 3, 4), axis=1),
    _ex("pad", {"x": (None, 3, 4)}, (None, 5, 4), pad_width=((0, 0), (1, 1), (0, 0))),
    _ex("pad", {"x": (None, 3, 4)}, error="rank_mismatch", pad_width=((1, 1), (0, 0))),
    _ex("matmul", {"x1": (None, 3, 4), "x2": (None, 4, 5)}, (None, 3, 5)),
    _ex("matmul", {"x1": (None, 3, 4), "x2": (4, 5)}, (None, 3, 5)),
    _ex("matmul", {"x1": (None, 3, 4), "x2": (4,)}, (None, 3)),
    _ex("matmul", {"x1": (None, 3, 4), "x2": (5, 6)}, error="incompatible_shape"),
    _ex("matmul", {"x1": (2, 3, 4), "x2": (3, 4, 6)}, error="incompatible_shape"),
    _ex("einsum", {"operands": [(None, 3, 4), (4, 5)]}, (None, 3, 5), subscripts="bij,jk->bik"),
    _ex("einsum", {"operands": [(None, 3, 4), (None, 5, 4)]}, (None, 3, 5), subscripts="bqd,bkd->bqk"),
    _ex("einsum", {"operands": [(None, 3, 4), (6, 5)]}, (None, 3, 5), subscripts="bij,jk->bik"),
    _ex("einsum", {"operands": [(None, 3, 4)]}, error="rank_mismatch", subscripts="bi->ib"),
    _ex("take", {"x": (None, 10), "indices": (3,)}, (None, 3), axis=1),
    _ex("take", {"x": (50, 8), "indices": (None, 7)}, (None, 7, 8), axis=0),
    _ex("take_along_axis", {"x": (None, 10), "indices": (None, 3)}, (None, 3), axis=1),
    _ex("one_hot", {"x": (None, 7)}, (None, 7, 10), num_classes=10),
    _ex("one_hot", {"x": (None, 7)}, (None, 10, 7), num_classes=10, axis=1),
    _ex("top_k", {"x": (None, 7)}, [(None, 3), (None, 3)], k=3),
    _ex("image.resize", {"images": (None, 32, 32, 3)}, (None, 64, 48, 3), size=(64, 48)),
    _ex("image.resize", {"images": (None, 32, 32, 3)}, error="invalid_argument", size=64),
    _ex("image.resize", {"images": (None, 32)}, error="rank_mismatch", size=(64, 48)),
    _ex("image.resize", {"images": (32, 32, 3)}, (64, 48, 3), size=(64, 48)),
    _ex("dot", {"x1": (None, 3, 4), "x2": (4, 5)}, (None, 3, 5)),
    _ex("dot", {"x1": (None, 4), "x2": (4,)}, (None,)),
    _ex("normalize", {"x": (None, 3, 4)}, (None, 3, 4), axis=-1),
    _ex("slice", {"inputs": (None, 8, 8)}, (2, 4, 4), start_indices=(0, 0, 0), shape=(2, 4, 4)),
    _ex("slice_update", {"inputs": (None, 8), "updates": (2, 4)}, (None, 8), start_indices=(0, 0)),
    _ex("zeros", {}, (3, 4), shape=(3, 4)),
    _ex("ones", {}, (3,), shape=(3,)),
    _ex("full", {}, (2, 2), shape=(2, 2), fill_value=1.0),
    _ex("arange", {}, (10,), start=10),
    _ex("arange", {}, (4,), start=2, stop=10, step=2),
    _ex("eye", {}, (3, 3), N=3),
    _ex("linspace", {}, (7,), start=0.0, stop=1.0, num=7),
    _ex("scatter_update", {"inputs": (4, 5), "indices": (2, 2), "updates": (2,)}, (4, 5)),
    _ex("meshgrid", {"x": [(3,), (5,)]}, [(5, 3), (5, 3)]),
    _ex("meshgrid", {"x": [(3,), (5,)]}, [(3, 5), (3, 5)], indexing="ij"),
    _ex("getitem", {"x": (None, 5, 6)}, (None, 6), key=[S, 0]),
    _ex("getitem", {"x": (None, 5, 6)}, (None, 5, 3), key=["...", ("slice", None, 3, None)]),
    _ex("getitem", {"x": (None, 5, 6)}, (None, 1, 5, 6), key=[S, None]),
    _ex("getitem", {"x": (None, 5, 6)}, (None, 6), key=[S, -1, S]),
    _ex("getitem", {"x": (None, 5, 6)}, (None, 2, 6), key=[S, ("slice", 1, None, 2)]),
    _ex("getitem", {"x": (None, 5, 6)}, error="rank_mismatch", key=[S, 0, 0, 0]),
    _ex("getitem", {"x": (None, 5, 6)}, error="invalid_argument", key=[S, 5]),
]


@op("declared", params=("shape",))
def declared(ctx: Ctx):
    """A custom layer's own compute_output_shape() result (Keras uses it as the output shape)."""
    return _shape_list(ctx, "shape")


from . import applications  # noqa: E402,F401  (registers ops.application)
