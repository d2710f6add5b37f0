"""Merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum,
Concatenate, Dot.

Ground truth: keras/src/layers/merging/*.py of Keras 3.15. Symbolically a merge
layer only runs build() and compute_output_shape(); the rules below follow them
exactly, quirks included:
- a merge layer must be called with a list; a one-element list is accepted by
  every merge layer except Subtract and Dot (exactly two inputs);
- elementwise merges broadcast the non-batch shapes numpy-style (right-aligned,
  1 stretches, None is compatible with anything and gives None) and refuse
  different concrete batch sizes;
- Concatenate compares the shapes without the concatenation axis (None matches
  anything, ranks must agree) and sums that axis (None if any is None);
- Dot compares the two contracted dims with `!=` (so None vs 3 is refused) and
  its output drops the contracted axes and the second batch axis.
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import fmt_shape
from .base import Ctx, Example, is_int, register


def _fmt_list(shapes: list) -> str:
    return "[" + ", ".join(fmt_shape(s) for s in shapes) + "]"


def merge_inputs(ctx: Ctx, exactly: int | None = None) -> list:
    """The input shapes of a merge call, after the list-call and count checks."""
    n = len(ctx.inputs)
    if not ctx.layer.list_input:
        if n == 1:
            ctx.fail(
                "invalid_argument",
                f"{ctx.kind} is a merge layer and must be called on a list of tensors, but it is called on a "
                f"single tensor; call it as {ctx.kind}()([a, b])",
                expected="a list of tensors",
                actual="a single tensor",
                hint={"call": "list"},
            )
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} receives {n} tensors as separate positional arguments; merge layers take one list: "
            f"{ctx.kind}()([a, b])",
            expected="one list argument",
            actual=f"{n} positional tensors",
            hint={"call": "list"},
        )
    if n == 0:
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} is called on an empty list; pass the tensors to merge",
            expected="at least 1 input",
            actual="0 inputs",
            hint={"inputs": 0},
        )
    if exactly is not None and n != exactly:
        known = all(s is not None for s in ctx.inputs)
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} must be called on exactly {exactly} inputs, received {n}"
            + (f": {_fmt_list(ctx.inputs)}" if known else ""),
            expected=f"{exactly} inputs",
            actual=f"{n} inputs",
            hint={"inputs": n, "need_inputs": exactly},
        )
    return ctx.shapes()  # raises Unknown when any input shape is unknown


def mismatch(ctx: Ctx, shapes: list, message: str, axis: Any, dims: list, **extra: Any):
    ctx.fail(
        "merge_shape_mismatch",
        f"{ctx.kind} cannot merge the shapes {_fmt_list(shapes)}: {message}",
        expected=extra.pop("expected", f"equal (or broadcastable) dims on axis {axis}"),
        actual=f"dims {dims} on axis {axis}",
        hint={"axis": axis, "dims": dims, **extra},
    )


def dims_at(shapes: list, axis: int) -> list:
    """Each input's dim on `axis` (negative, counted from the end; None where absent)."""
    return [s[axis] if len(s) >= -axis + 1 else None for s in shapes]


def broadcast_pair(ctx: Ctx, shapes: list, acc: tuple, new: tuple, index: int) -> tuple:
    """Merge._compute_elemwise_op_output_shape on non-batch shapes: `acc` merges the
    inputs before `index`, `new` is input `index`."""
    a, b, swapped = (new, acc, True) if len(acc) < len(new) else (acc, new, False)
    if not b:
        return a
    out = list(a[: len(a) - len(b)])
    for k, (i, j) in enumerate(zip(a[len(a) - len(b) :], b)):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1:
            out.append(i)
        elif i != j:
            axis = k - len(b)  # counted from the end, the axis Keras aligns
            before, this = (j, i) if swapped else (i, j)
            mismatch(
                ctx,
                shapes,
                (
                    f"axis {axis} is {before} in input 0 but {this} in input 1"
                    if index == 1
                    else f"axis {axis} is {before} in the inputs before input {index} but {this} in input {index}"
                )
                + " (shapes are aligned from the last axis; a dim must be equal, 1 or None); make those dims "
                "equal, e.g. with a Dense or Reshape before the merge",
                axis,
                [before, this],
                input=index,
                by_input=dims_at(shapes, axis),
            )
        else:
            out.append(i)
    return tuple(out)


def batch_size(ctx: Ctx, shapes: list) -> int | None:
    sizes = sorted({s[0] for s in shapes if s} - {None})
    if len(sizes) > 1:
        mismatch(
            ctx,
            shapes,
            f"the batch sizes differ ({', '.join(map(str, sizes))}); use one batch size",
            0,
            sizes,
            expected="one batch size",
        )
    return sizes[0] if sizes else None


def elementwise_shape(ctx: Ctx, exactly: int | None = None) -> tuple:
    """Merge.build + compute_output_shape: batch sizes, then pairwise broadcasting."""
    if exactly is not None and any(s is None for s in ctx.inputs):
        merge_inputs(ctx, exactly=exactly)  # shapes unknown: the input count alone can still be judged
    shapes = merge_inputs(ctx)
    batch = batch_size(ctx, shapes)
    out = shapes[0][1:]
    for index, s in enumerate(shapes[1:], start=1):
        out = broadcast_pair(ctx, shapes, out, s[1:], index)
    if exactly is not None:
        merge_inputs(ctx, exactly=exactly)  # Subtract checks the count after Merge.build
    return (batch,) + tuple(out)


# Keras accepts a one-element list for these (Merge.build only needs >= 1 input).
@register("Add", "Multiply", "Average", "Maximum", "Minimum", arity=(1, None))
def elementwise(ctx: Ctx):
    return elementwise_shape(ctx)


@register("Subtract", arity=(2, 2))
def subtract(ctx: Ctx):
    return elementwise_shape(ctx, exactly=2)


@register("Concatenate", arity=(1, None))
def concatenate(ctx: Ctx):
    axis = ctx.arg("axis", -1)
    if not is_int(axis):
        ctx.fail(
            "invalid_argument",
            f"`axis` of Concatenate must be an integer, received axis={axis!r}",
            expected="an integer axis",
            actual=f"axis={axis!r}",
            argument="axis",
            hint={"arg": "axis"},
        )
    shapes = merge_inputs(ctx)
    reduced = []
    for s in shapes:
        r = list(s)
        if len(r) > axis:
            if axis < -len(r):
                _axis_out_of_range(ctx, axis, s)
            del r[axis]
        reduced.append(tuple(r))
    if len(set(reduced)) != 1:
        ranks = sorted({len(s) for s in shapes})
        if len({len(r) for r in reduced}) != 1:
            mismatch(
                ctx,
                shapes,
                f"the inputs have different ranks ({', '.join(map(str, ranks))}); concatenated tensors must have "
                "the same rank: reshape or flatten the inputs first",
                axis,
                [],
                expected="inputs of equal rank",
                ranks=[len(s) for s in shapes],
            )
        rank = len(reduced[0])
        for k in range(rank):
            dims = sorted({r[k] for r in reduced if r[k] is not None})
            if len(dims) > 1:
                # position k of the reduced shape, back to an axis of the inputs
                p = axis % (rank + 1)
                full = k if k < p else k + 1
                mismatch(
                    ctx,
                    shapes,
                    f"all axes except the concatenation axis ({axis}) must match, but axis {full} has dims "
                    f"{', '.join(map(str, dims))}; make them equal, or concatenate along axis {full}",
                    full,
                    dims,
                    concat_axis=axis,
                    by_input=[s[full] if full < len(s) else None for s in shapes],
                )
    out = list(shapes[0])
    for s in shapes[1:]:
        # Keras: `if out[axis] is None or s[axis] is None: ... break` (short-circuit kept)
        if not -len(out) <= axis < len(out):
            _axis_out_of_range(ctx, axis, shapes[0])
        if out[axis] is None:
            break
        if not -len(s) <= axis < len(s):
            _axis_out_of_range(ctx, axis, s)
        if s[axis] is None:
            out[axis] = None
            break
        out[axis] += s[axis]
    if len({len(s) for s in shapes}) > 1:
        ranks = [len(s) for s in shapes]
        ctx.warn(
            "merge_shape_mismatch",
            f"Concatenate receives inputs of different ranks ({', '.join(map(str, ranks))}); Keras builds it "
            "(the axis it compares is None) but the concatenation fails when the model runs; give the inputs the "
            "same rank",
            expected="inputs of equal rank",
            actual=f"ranks {ranks}",
            hint={"axis": axis, "dims": [], "ranks": ranks},
        )
    return tuple(out)


def _axis_out_of_range(ctx: Ctx, axis: int, shape: tuple):
    rank = len(shape)
    ctx.fail(
        "invalid_argument",
        f"`axis` of {ctx.kind} is out of range for the {rank}-D input {fmt_shape(shape)}: received axis={axis}; "
        f"use an axis in [{-rank}, {rank - 1}] (usually -1)",
        expected=f"{-rank} <= axis <= {rank - 1}",
        actual=f"axis={axis}",
        argument="axis",
        hint={"arg": "axis", "min": -rank, "max": rank - 1},
    )


def dot_axes(ctx: Ctx) -> Any:
    axes = ctx.required("axes")
    if is_int(axes):
        return axes
    if not isinstance(axes, (list, tuple)) or len(axes) != 2 or not all(is_int(a) for a in axes):
        ctx.fail(
            "invalid_argument",
            f"`axes` of Dot must be an integer or a pair of integers (one axis per input), received axes={axes!r}",
            expected="int or (int, int)",
            actual=f"axes={axes!r}",
            argument="axes",
            hint={"arg": "axes"},
        )
    return tuple(axes)


@register("Dot", arity=(2, 2))
def dot(ctx: Ctx):
    axes = dot_axes(ctx)
    shapes = merge_inputs(ctx, exactly=2)
    s1, s2 = shapes
    if len(s2) < 2:
        # Keras drops the contracted axis and the batch axis of the second input: it needs two axes.
        ctx.fail(
            "rank_mismatch",
            f"Dot needs its second input to have an axis besides the batch axis, but receives {fmt_shape(s2)}; "
            "give that input a feature axis (e.g. Reshape((1,)) or Dense) before the Dot",
            expected="ndim>=2",
            actual=f"ndim={len(s2)}",
            hint={"need_rank": (2, 3), "got_rank": len(s2), "input": 1},
        )
    if is_int(axes):
        pair = [axes % len(s1), axes % len(s2)] if axes < 0 else [axes, axes]
    else:
        pair = list(axes)
    for a, s in zip(pair, (s1, s2)):
        if not -len(s) <= a < len(s):
            rank = len(s)
            ctx.fail(
                "invalid_argument",
                f"`axes` of Dot names axis {a}, out of range for the {rank}-D input {fmt_shape(s)}; "
                f"use axes in [1, {rank - 1}]",
                expected=f"axis in [{-rank}, {rank - 1}]",
                actual=f"axes={ctx.arg('axes')!r}",
                argument="axes",
                hint={"arg": "axes", "min": 1, "max": rank - 1},
            )
    d1, d2 = s1[pair[0]], s2[pair[1]]
    if d1 != d2:
        mismatch(
            ctx,
            shapes,
            f"the dot product contracts axis {pair[0]} of the first input ({d1}) with axis {pair[1]} of the "
            f"second ({d2}); these sizes must be equal (None only matches None): change `axes` or the inputs",
            pair,
            [d1, d2],
            expected="equal contracted dims",
        )
    warn_dot_at_run_time(ctx, pair, s1, s2)
    a, b = list(s1), list(s2)
    a.pop(pair[0])
    b.pop(pair[1])
    if not b:
        _axis_out_of_range(ctx, pair[1], s2)
    b.pop(0)
    out = a + b
    if len(out) == 1:
        out.append(1)
    return tuple(out)


def warn_dot_at_run_time(ctx: Ctx, pair: list, s1: tuple, s2: tuple) -> None:
    """What Keras builds but batch_dot refuses when the model runs."""
    if any(a % len(s) == 0 for a, s in zip(pair, (s1, s2))):
        ctx.warn(
            "invalid_argument",
            f"`axes` of Dot contracts the batch axis (axes={ctx.arg('axes')!r}); Keras builds the layer with a "
            "meaningless shape but batch_dot refuses axis 0 when the model runs; use axes >= 1",
            expected="axes >= 1",
            actual=f"axes={ctx.arg('axes')!r}",
            argument="axes",
            hint={"arg": "axes", "min": 1},
        )
    if s1[0] is not None and s2[0] is not None and s1[0] != s2[0]:
        ctx.warn(
            "merge_shape_mismatch",
            f"Dot receives different batch sizes ({s1[0]} and {s2[0]}); Keras builds the layer but batch_dot "
            "fails when the model runs; use one batch size",
            expected="one batch size",
            actual=f"batch sizes {s1[0]}, {s2[0]}",
            hint={"axis": 0, "dims": [s1[0], s2[0]]},
        )


def _ex(kind: str, args: dict, inputs: Any, **kw: Any) -> Example:
    return Example(kind, args, inputs, **kw)


EXAMPLES = [
    # elementwise merges
    _ex("Add", {}, [(None, 3), (None, 3)], out=(None, 3)),
    _ex("Add", {}, [(None, 3), (None, 3), (None, 3)], out=(None, 3)),
    _ex("Add", {}, [(None, 3)], out=(None, 3), note="a one-element list is accepted"),
    _ex("Add", {}, [(None, 3), (None, 1)], out=(None, 3), note="1 broadcasts"),
    _ex("Add", {}, [(None, 2, 3), (None, 3)], out=(None, 2, 3), note="right-aligned broadcasting"),
    _ex("Add", {}, [(None, 2, 3), (None, None)], out=(None, 2, None)),
    _ex("Add", {}, [(None, 1, 3), (None, 4, 1)], out=(None, 4, 3)),
    _ex("Add", {}, [(None,), (None, 3)], out=(None, 3)),
    _ex("Add", {}, [(4, 3), (None, 3)], out=(4, 3), note="the known batch size wins"),
    _ex("Add", {}, [(None, 3), (None, 4)], error="merge_shape_mismatch", code="NNR102", argument=""),
    _ex("Add", {}, [(None, 2, 3), (None, 2)], error="merge_shape_mismatch", code="NNR102", argument=""),
    _ex("Add", {}, [(None, 0, 3), (None, 4, 3)], error="merge_shape_mismatch", code="NNR102", argument=""),
    _ex(
        "Add", {}, [(4, 3), (5, 3)], error="merge_shape_mismatch", note="batch sizes differ", code="NNR102", argument=""
    ),
    _ex(
        "Add",
        {},
        (None, 3),
        error="invalid_argument",
        note="called on a tensor, not a list",
        code="NNR201",
        argument="",
    ),
    _ex(
        "Add",
        {},
        [(None, 3), (None, 3)],
        list_call=False,
        error="invalid_argument",
        note="tensors passed positionally",
        code="NNR201",
        argument="",
    ),
    _ex("Subtract", {}, [(None, 3), (None, 3)], out=(None, 3)),
    _ex("Subtract", {}, [(None, 4, 3), (None, 1, 3)], out=(None, 4, 3)),
    _ex("Subtract", {}, [(None, 3)], error="invalid_argument", note="exactly 2 inputs", code="NNR201", argument=""),
    _ex("Subtract", {}, [(None, 3), (None, 3), (None, 3)], error="invalid_argument", code="NNR201", argument=""),
    _ex("Subtract", {}, [(None, 3), (None, 5)], error="merge_shape_mismatch", code="NNR102", argument=""),
    _ex("Multiply", {}, [(None, 8, 3), (None, 8, 1)], out=(None, 8, 3)),
    _ex("Multiply", {}, [(None, 8, 3), (None, 7, 3)], error="merge_shape_mismatch", code="NNR102", argument=""),
    _ex("Average", {}, [(None, 5), (None, 5), (None, 5)], out=(None, 5)),
    _ex("Average", {}, [(None, 5), (None, 6)], error="merge_shape_mismatch", code="NNR102", argument=""),
    _ex("Maximum", {}, [(None, 5), (None, None)], out=(None, None)),
    _ex("Maximum", {}, [(None, 5)], out=(None, 5)),
    _ex("Maximum", {}, [(None, 5), (None, 2)], error="merge_shape_mismatch", code="NNR102", argument=""),
    _ex("Minimum", {}, [(None, 2, 5), (None, 2, 5)], out=(None, 2, 5)),
    _ex("Minimum", {}, (None, 2, 5), error="invalid_argument", code="NNR201", argument=""),
    _ex("Minimum", {}, [(None, 3, 5), (None, 2, 5)], error="merge_shape_mismatch", code="NNR102", argument=""),
    # Concatenate
    _ex("Concatenate", {}, [(None, 3), (None, 4)], out=(None, 7)),
    _ex("Concatenate", {}, [(None, 3)], out=(None, 3)),
    _ex("Concatenate", {"axis": 1}, [(None, 2, 3), (None, 5, 3)], out=(None, 7, 3)),
    _ex("Concatenate", {"axis": -2}, [(None, 2, 3), (None, 5, 3), (None, 1, 3)], out=(None, 8, 3)),
    _ex(
        "Concatenate",
        {"axis": -1},
        [(None, 2, 3), (None, None, 4)],
        out=(None, 2, 7),
        note="None matches any dim; the first input's dims are kept",
    ),
    _ex("Concatenate", {"axis": 1}, [(None, 3), (None, None)], out=(None, None)),
    _ex("Concatenate", {"axis": 0}, [(4, 3), (5, 3)], out=(9, 3), note="the batch axis can be concatenated"),
    _ex(
        "Concatenate",
        {"axis": 2},
        [(None, 3, None), (None, 3)],
        out=(None, 3, None),
        note="Keras quirk: the None sum stops before the shorter input is indexed",
    ),
    _ex("Concatenate", {"axis": 5}, [(None, 3)], out=(None, 3), note="one input: axis is never used"),
    _ex("Concatenate", {"axis": True}, [(None, 3), (None, 3)], out=(None, 6)),
    _ex(
        "Concatenate",
        {"axis": 1},
        [(None, 2, 3), (None, 2, 4)],
        error="merge_shape_mismatch",
        code="NNR102",
        argument="",
    ),
    _ex(
        "Concatenate",
        {"axis": 1},
        [(None, 2, 1), (None, 2, 4)],
        error="merge_shape_mismatch",
        note="a 1 is not squeezed",
        code="NNR102",
        argument="",
    ),
    _ex(
        "Concatenate",
        {},
        [(None, 3), (None, 4, 3)],
        error="merge_shape_mismatch",
        note="ranks differ",
        code="NNR102",
        argument="",
    ),
    _ex("Concatenate", {"axis": 1}, [(4, 2, 3), (5, 2, 3)], error="merge_shape_mismatch", code="NNR102", argument=""),
    _ex(
        "Concatenate",
        {"axis": 3},
        [(None, 2, 3), (None, 2, 3)],
        error="invalid_argument",
        code="NNR201",
        argument="axis",
    ),
    _ex(
        "Concatenate",
        {"axis": -5},
        [(None, 2, 3), (None, 2, 4)],
        error="invalid_argument",
        code="NNR201",
        argument="axis",
    ),
    _ex("Concatenate", {"axis": 1.0}, [(None, 3), (None, 3)], error="invalid_argument", code="NNR201", argument="axis"),
    _ex("Concatenate", {}, (None, 3), error="invalid_argument", code="NNR201", argument=""),
    # Dot
    _ex("Dot", {"axes": 1}, [(None, 3), (None, 3)], out=(None, 1)),
    _ex("Dot", {"axes": (1, 2)}, [(None, 3, 5), (None, 10, 3)], out=(None, 5, 10)),
    _ex("Dot", {"axes": -1}, [(None, 3, 5), (None, 10, 5)], out=(None, 3, 10)),
    _ex("Dot", {"axes": (-1, -1)}, [(None, 4, 3), (None, 2, 3)], out=(None, 4, 2)),
    _ex("Dot", {"axes": -3}, [(None, 3), (None, 3)], out=(None, 1), note="negative axes wrap modulo the rank"),
    _ex("Dot", {"axes": 1}, [(None, 3, 4), (None, 3)], out=(None, 4)),
    _ex("Dot", {"axes": 1, "normalize": True}, [(None, 3), (None, 3)], out=(None, 1)),
    _ex("Dot", {"axes": 1}, [(None, None), (None, None)], out=(None, 1)),
    _ex("Dot", {"axes": 1}, [(4, 3), (5, 3)], out=(4, 1), note="Dot does not compare batch sizes"),
    _ex("Dot", {"axes": 0}, [(None, 3), (None, 3)], out=(3, 1), note="Keras builds axes=0 with a strange shape"),
    _ex("Dot", {"axes": 1}, [(None, 3), (None, 4)], error="merge_shape_mismatch", code="NNR102", argument=""),
    _ex(
        "Dot",
        {"axes": 1},
        [(None, None), (None, 3)],
        error="merge_shape_mismatch",
        note="None != 3",
        code="NNR102",
        argument="",
    ),
    _ex(
        "Dot", {"axes": (1, 1)}, [(None, 3, 5), (None, 5, 3)], error="merge_shape_mismatch", code="NNR102", argument=""
    ),
    _ex("Dot", {"axes": 1}, [(None, 3)], error="invalid_argument", code="NNR201", argument=""),
    _ex("Dot", {"axes": 1}, [(None, 3), (None, 3), (None, 3)], error="invalid_argument", code="NNR201", argument=""),
    _ex("Dot", {"axes": 3}, [(None, 3), (None, 3)], error="invalid_argument", code="NNR201", argument="axes"),
    _ex("Dot", {"axes": 2}, [(None, 3, 4), (None, 3)], error="invalid_argument", code="NNR201", argument="axes"),
    _ex("Dot", {"axes": 1}, [(None,), (None,)], error="rank_mismatch", code="NNR101", argument=""),
    _ex("Dot", {"axes": 0}, [(None, 3), (None,)], error="rank_mismatch", code="NNR101", argument=""),
    _ex("Dot", {"axes": 0}, [(None,), (None, None)], out=(), note="Keras quirk: a rank-0 output builds"),
    _ex("Dot", {"axes": [1, 2, 3]}, [(None, 3), (None, 3)], error="invalid_argument", code="NNR201", argument="axes"),
    _ex("Dot", {"axes": "a"}, [(None, 3), (None, 3)], error="invalid_argument", code="NNR201", argument="axes"),
    _ex("Dot", {"axes": (1.0, 1)}, [(None, 3), (None, 3)], error="invalid_argument", code="NNR201", argument="axes"),
    _ex(
        "Dot",
        {},
        [(None, 3), (None, 3)],
        error="invalid_argument",
        note="axes is required",
        code="NNR209",
        argument="axes",
    ),
    _ex(
        "Dot",
        {"axes": 1},
        [(None, 3), (None, 3)],
        list_call=False,
        error="invalid_argument",
        code="NNR201",
        argument="",
    ),
    _ex(
        "Add",
        {"axis": -1},
        [(None, 3), (None, 3)],
        error="invalid_argument",
        note="Add takes no axis",
        code="NNR202",
        argument="axis",
    ),
    _ex("Concatenate", {"axis": -1, "name": "cat"}, [(None, 3), (None, 4)], out=(None, 7)),
]
