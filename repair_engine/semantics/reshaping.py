"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, Cropping, ZeroPadding, UpSampling.

Follows keras/src/layers/reshaping/ (Keras 3.15). Sizes are plain Python
integers: a Reshape of 10**12 elements is checked arithmetically, never
allocated.
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import fmt_shape
from .base import (
    Ctx,
    Example,
    bad_arg,
    plumbing,
    product,
    rebuild,
    register,
    required_arg,
    spatial_input,
    spatial_rank,
    spatial_siblings,
    tuple_value,
)

_ORDINAL = ("1st", "2nd", "3rd")
# keras.src.backend.tensorflow.image.RESIZE_INTERPOLATIONS
_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")


# ---- Flatten --------------------------------------------------------------


@register("Flatten")
def flatten(ctx: Ctx):
    ctx.data_format()
    s = ctx.min_rank(1)
    rest = s[1:]
    return (s[0], product(rest) if rest else 1)


# ---- Reshape --------------------------------------------------------------


def _target_dims(ctx: Ctx) -> tuple:
    """tuple(target_shape) as Keras reads it: non-integer entries become None."""
    target = required_arg(ctx, "target_shape", (-1,))
    if not isinstance(target, (tuple, list, str)):
        bad_arg(
            ctx,
            "target_shape",
            target,
            "must be a tuple of integers (batch axis excluded)",
            f"write target_shape=({target!r},)" if isinstance(target, int) else "write e.g. target_shape=(-1,)",
            {"arg": "target_shape", "value": (target,) if isinstance(target, int) and target >= -1 else (-1,)},
            expected="tuple of ints",
        )
    dims = tuple(int(d) if isinstance(d, int) else None for d in target)
    if any(d is not None and d < -1 for d in dims):
        bad_arg(
            ctx,
            "target_shape",
            target,
            "must hold non-negative integers or a single -1",
            "use positive sizes and at most one -1",
            {"arg": "target_shape", "min": -1},
        )
    if dims.count(-1) > 1:
        bad_arg(
            ctx,
            "target_shape",
            target,
            "may hold at most one unknown dimension (-1)",
            "replace all but one -1 with explicit sizes",
            {"arg": "target_shape", "max_unknown": 1},
        )
    return dims


def _closest_divisor(n: int, want: int) -> int:
    """The divisor of n closest to `want` (bounded search; 1 always divides)."""
    want = max(1, min(want, n))
    for delta in range(0, min(want, 4096)):
        for d in (want - delta, want + delta):
            if 1 <= d <= n and n % d == 0:
                return d
    return 1


def _reshape_suggestions(size: int, target: tuple, dims: tuple) -> list:
    """Valid target shapes close to `target`: one axis changed, -1 on the last axis,
    the nearest factorization of the same rank, the input's own dims, flat."""
    out: list = []

    def add(cand: tuple) -> None:
        if cand not in out and cand != target:
            out.append(cand)

    if size == 0:
        return [(0,)]
    known = [d for d in target if d != -1]
    if -1 in target:
        # change one known axis to the divisor of `size` nearest to it
        for i, d in enumerate(target):
            if d == -1:
                continue
            rest = product(x for j, x in enumerate(target) if j != i and x != -1)
            if rest and size % rest == 0:
                add(tuple(_closest_divisor(size // rest, d) if j == i else x for j, x in enumerate(target)))
    else:
        for i in range(len(target)):
            rest = product(x for j, x in enumerate(target) if j != i)
            if rest and size % rest == 0:
                add(tuple(size // rest if j == i else x for j, x in enumerate(target)))
        if len(target) > 1:
            rest = product(target[:-1])
            if rest and size % rest == 0:
                add(tuple(target[:-1]) + (-1,))
    if known and len(target) > 1:
        left, near = size, []
        for d in target[:-1]:
            f = _closest_divisor(left, d if d != -1 else 1)
            near.append(f)
            left //= f
        add(tuple(near) + (left,))
    add(tuple(dims))
    add((size,))
    return out[:4]


@register("Reshape")
def reshape(ctx: Ctx):
    target = _target_dims(ctx)
    s = ctx.shape()
    dims = s[1:]
    if None in dims or None in target:
        return (s[0], *(None if d == -1 else d for d in target))
    size = product(dims)
    known = product(d for d in target if d != -1)
    assert size is not None and known is not None  # no None left in dims or target
    if -1 not in target:
        if size == known:
            return (s[0], *target)
        why = f"{fmt_shape(s)} holds {size} elements per sample but target_shape={target} holds {known}"
    else:
        if known != 0 and size % known == 0:
            return (s[0], *(size // known if d == -1 else d for d in target))
        why = (
            f"{fmt_shape(s)} holds {size} elements per sample, which the known dimensions of "
            f"target_shape={target} (product {known}) do not divide"
        )
    sugg = _reshape_suggestions(size, target, tuple(dims))
    ctx.fail(
        "reshape_size",
        f"Reshape cannot keep the total size: {why}; use a target_shape with {size} elements, "
        f"e.g. {sugg[0]}, or put -1 on one axis",
        expected=f"{size} elements",
        actual=f"target_shape={target}",
        argument="target_shape",
        hint={"arg": "target_shape", "input_elements": size, "target_elements": known, "suggest": sugg, "values": sugg},
    )


# ---- Permute / RepeatVector -----------------------------------------------


@register("Permute")
def permute(ctx: Ctx):
    dims = required_arg(ctx, "dims", (2, 1))
    ok = isinstance(dims, (tuple, list)) and all(isinstance(d, int) for d in dims)
    if not ok or sorted(int(d) for d in dims) != list(range(1, len(dims) + 1)):
        n = len(dims) if isinstance(dims, (tuple, list)) else 2
        fix = tuple(range(n, 0, -1))
        if ok and sorted(dims) == list(range(n)):  # 0-based: shift by one
            fix = tuple(int(d) + 1 for d in dims)
        bad_arg(
            ctx,
            "dims",
            dims,
            f"must be a permutation of 1..{n} (the batch axis 0 stays in place)",
            f"use e.g. dims={fix}",
            {"arg": "dims", "permutation_of": list(range(1, n + 1)), "value": fix},
        )
    s = ctx.input_rank(len(dims) + 1, f"(batch + {len(dims)} axes permuted by dims={tuple(dims)})")
    return (s[0], *(s[int(d)] for d in dims))


@register("RepeatVector")
def repeat_vector(ctx: Ctx):
    n = required_arg(ctx, "n", 2)
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        bad_arg(ctx, "n", n, "must be a positive integer", "use an integer n >= 1", {"arg": "n", "min": 1})
    s = ctx.shape()
    if len(s) != 2:
        todo = "flatten it first (Flatten())" if len(s) > 2 else "give it a features axis"
        ctx.fail(
            "rank_mismatch",
            f"RepeatVector expects a 2-D input (batch, features) but receives {len(s)}-D {fmt_shape(s)}: {todo}",
            expected="ndim=2",
            actual=f"ndim={len(s)}",
            hint={"need_rank": (2,), "got_rank": len(s), "input": 0},
        )
    return (s[0], n, s[1])


# ---- Cropping / ZeroPadding -----------------------------------------------


def _pairs(ctx: Ctx, name: str, value: Any, rank: int, int_may_be_negative: bool) -> tuple:
    """Cropping2D/3D, ZeroPadding2D/3D: an int, `rank` ints, or `rank` pairs."""
    if isinstance(value, int):
        if value < 0 and not int_may_be_negative:
            bad_arg(ctx, name, value, "cannot be negative", f"use {name} >= 0", {"arg": name, "min": 0})
        return ((value, value),) * rank
    if isinstance(value, (tuple, list, str)):
        if len(value) != rank:
            bad_arg(
                ctx,
                name,
                value,
                f"must have {rank} elements (one per spatial axis)",
                f"write {name}={((1, 1),) * rank}",
                {"arg": name, "len": rank},
            )
        return tuple(
            tuple_value(ctx, name, v, 2, allow_zero=True, label=f"{_ORDINAL[i]} entry of {name}")
            for i, v in enumerate(value)
        )
    bad_arg(
        ctx,
        name,
        value,
        f"must be an int, a tuple of {rank} ints or a tuple of {rank} pairs of ints",
        f"write e.g. {name}={((1, 1),) * rank}",
        {"arg": name, "len": rank},
    )


def _crop_or_pad(ctx: Ctx, name: str, pairs: tuple, df: str, sign: int) -> tuple:
    rank = len(pairs)
    shape, spatial, _ = spatial_input(ctx, rank, df)
    out: list = []
    for i, (length, (a, b)) in enumerate(zip(spatial, pairs)):
        if length is None:
            out.append(None)
            continue
        n = length + sign * (a + b)
        # Cropping must leave >= 1; padding (negative ints) may reach 0.
        if n <= 0 if sign < 0 else n < 0:
            _crop_too_large(ctx, name, shape, pairs, i, df, sign) if sign < 0 else _padding_too_negative(
                ctx, name, shape, pairs, i, df
            )
        out.append(n)
    channels = shape[1] if df == "channels_first" else shape[-1]
    return rebuild(shape, out, channels, df)


def _fixed_value(pairs: tuple, i: int, pair: tuple) -> Any:
    fixed = tuple(pair if j == i else p for j, p in enumerate(pairs))
    return fixed[0] if len(fixed) == 1 else fixed


def _crop_too_large(ctx: Ctx, name: str, shape: tuple, pairs: tuple, i: int, df: str, sign: int) -> None:
    spatial = shape[2:] if df == "channels_first" else shape[1:-1]
    length, (a, b) = spatial[i], pairs[i]
    axis = i + (2 if df == "channels_first" else 1)
    limit = length - 1
    first = min(a, limit)
    ctx.fail(
        "non_positive_dim",
        f"{ctx.kind}: {name}={pairs[i]} on axis {axis} crops {a + b} of the {length} positions of "
        f"{fmt_shape(shape)}, leaving {length - a - b}: crop at most {limit} in total on that axis",
        expected=f"{name} total <= {limit} on axis {axis}",
        actual=f"{name}={pairs[i]}, input size {length}",
        argument=name,
        hint={
            "arg": name,
            "axis": axis,
            "max_total": limit,
            "input_dim": length,
            "value": _fixed_value(pairs, i, (first, min(b, limit - first))),
        },
    )


def _padding_too_negative(ctx: Ctx, name: str, shape: tuple, pairs: tuple, i: int, df: str) -> None:
    spatial = shape[2:] if df == "channels_first" else shape[1:-1]
    length, (a, b) = spatial[i], pairs[i]
    axis = i + (2 if df == "channels_first" else 1)
    ctx.fail(
        "non_positive_dim",
        f"{ctx.kind}: the negative {name}={a} removes {-(a + b)} of the {length} positions on axis {axis} of "
        f"{fmt_shape(shape)}, leaving {length + a + b}: use a non-negative {name}",
        expected=f"{name} total >= -{length} on axis {axis}",
        actual=f"{name}={a}, input size {length}",
        argument=name,
        hint={"arg": name, "axis": axis, "min_total": -length, "input_dim": length, "min": 0},
    )


@register("Cropping1D")
def cropping1d(ctx: Ctx):
    pairs = (tuple_value(ctx, "cropping", ctx.arg("cropping", (1, 1)), 2, allow_zero=True),)
    return _crop_or_pad(ctx, "cropping", pairs, "channels_last", -1)


@register("Cropping2D", "Cropping3D")
def cropping(ctx: Ctx):
    rank = spatial_rank(ctx.kind)
    df = ctx.data_format()
    default = ((0, 0), (0, 0)) if rank == 2 else ((1, 1),) * 3
    pairs = _pairs(ctx, "cropping", ctx.arg("cropping", default), rank, int_may_be_negative=False)
    return _crop_or_pad(ctx, "cropping", pairs, df, -1)


@register("ZeroPadding1D")
def zero_padding1d(ctx: Ctx):
    df = ctx.data_format()
    pairs = (tuple_value(ctx, "padding", ctx.arg("padding", 1), 2, allow_zero=True),)
    return _crop_or_pad(ctx, "padding", pairs, df, +1)


@register("ZeroPadding2D", "ZeroPadding3D")
def zero_padding(ctx: Ctx):
    rank = spatial_rank(ctx.kind)
    df = ctx.data_format()
    default = (1, 1) if rank == 2 else ((1, 1),) * 3
    # Keras does not reject a negative int here; only a negative size.
    pairs = _pairs(ctx, "padding", ctx.arg("padding", default), rank, int_may_be_negative=True)
    if pairs[0][0] < 0:
        ctx.warn(
            "invalid_argument",
            f"{ctx.kind}: padding={pairs[0][0]} is negative; Keras builds the layer but it fails "
            "when it runs (TensorFlow cannot pad by a negative amount); use Cropping to shrink",
            argument="padding",
            hint={"arg": "padding", "min": 0},
        )
    return _crop_or_pad(ctx, "padding", pairs, df, +1)


# ---- UpSampling -----------------------------------------------------------


def _scale(length: int | None, factor: int) -> int | None:
    return None if length is None else length * factor


@register("UpSampling1D")
def upsampling1d(ctx: Ctx):
    size = ctx.arg("size", 2)
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        bad_arg(ctx, "size", size, "must be a positive integer", "use an integer size >= 1", {"arg": "size", "min": 1})
    s, _, _ = spatial_input(ctx, 1, "channels_last")
    return (s[0], _scale(s[1], size), s[2])


@register("UpSampling2D", "UpSampling3D")
def upsampling(ctx: Ctx):
    rank = spatial_rank(ctx.kind)
    df = ctx.data_format()
    size = tuple_value(ctx, "size", ctx.arg("size", 2), rank)
    if rank == 2:
        interp = ctx.arg("interpolation", "nearest")
        if not isinstance(interp, str):  # Keras calls .lower() on it
            bad_arg(
                ctx,
                "interpolation",
                interp,
                "must be a string",
                "use interpolation='nearest' or 'bilinear'",
                {"arg": "interpolation", "choices": ["nearest", "bilinear"]},
            )
        if interp.lower() not in _INTERPOLATIONS:
            ctx.warn(
                "invalid_argument",
                f"{ctx.kind}: interpolation={interp!r} is not one of {', '.join(_INTERPOLATIONS)}; "
                "Keras builds the layer but it fails when it runs",
                argument="interpolation",
                hint={"arg": "interpolation", "choices": list(_INTERPOLATIONS)},
            )
    shape, spatial, axis = spatial_input(ctx, rank, df)
    return rebuild(shape, [_scale(n, f) for n, f in zip(spatial, size)], shape[axis], df)


E = Example
CF = {"data_format": "channels_first"}

# siblings the repair may swap, and layers it may remove (they only move data)
plumbing("Flatten", "Reshape", "Permute", "RepeatVector")
for _family in (
    ("ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D"),
    ("Cropping1D", "Cropping2D", "Cropping3D"),
    ("UpSampling1D", "UpSampling2D", "UpSampling3D"),
):
    spatial_siblings(*_family)
    plumbing(*_family)

EXAMPLES = [
    # ---- Flatten ----
    E("Flatten", {}, (None, 28, 28, 1), out=(None, 784)),
    E("Flatten", {}, (None, 3, None, 5), out=(None, None)),
    E("Flatten", {}, (None,), out=(None, 1), note="nothing to flatten: size 1"),
    E("Flatten", {}, (None, 7), out=(None, 7)),
    E("Flatten", {**CF}, (None, 3, 4, 5), out=(None, 60)),
    E("Flatten", {}, (None, 3, 4, 0), out=(None, 0)),
    E("Flatten", {}, (None, 10**6, 10**6, 10), out=(None, 10**13), note="sizes are never allocated"),
    E(
        "Flatten",
        {"data_format": "x"},
        (None, 3, 4, 5),
        error="invalid_argument",
        code="NNR203",
        argument="data_format",
    ),
    E("Flatten", {"input_shape": (3, 4)}, (None, 3, 4), out=(None, 12), note="legacy input_shape is accepted"),
    E(
        "Flatten",
        {"batch_input_shape": (None, 3, 4)},
        (None, 3, 4),
        error="invalid_argument",
        note="Keras 3 no longer accepts batch_input_shape on a layer",
        code="NNR202",
        argument="batch_input_shape",
    ),
    # ---- Reshape ----
    E("Reshape", {"target_shape": (4, 6)}, (None, 8, 3), out=(None, 4, 6)),
    E("Reshape", {"target_shape": (4, -1)}, (2, 8, 3), out=(2, 4, 6), note="the batch axis is not reshaped"),
    E("Flatten", {}, (2, 3, 4), out=(2, 12)),
    E("Reshape", {"target_shape": [4, -1]}, (None, 8, 3), out=(None, 4, 6)),
    E("Reshape", {"target_shape": (-1,)}, (None, 8, 3), out=(None, 24)),
    E("Reshape", {"target_shape": (28, 28, 1)}, (None, 784), out=(None, 28, 28, 1)),
    E("Reshape", {"target_shape": (5, 5)}, (None, 8, 3), error="reshape_size", code="NNR104", argument="target_shape"),
    E("Reshape", {"target_shape": (5, -1)}, (None, 8, 3), error="reshape_size", code="NNR104", argument="target_shape"),
    E("Reshape", {"target_shape": (0, -1)}, (None, 8, 3), error="reshape_size", code="NNR104", argument="target_shape"),
    E("Reshape", {"target_shape": (0, 5)}, (None, 0, 3), out=(None, 0, 5)),
    E(
        "Reshape",
        {"target_shape": (5, 5)},
        (None, None, 3),
        out=(None, 5, 5),
        note="Keras cannot check sizes when an input axis is None",
    ),
    E("Reshape", {"target_shape": (-1, 3)}, (None, None, 3), out=(None, None, 3)),
    E("Reshape", {"target_shape": (None, 12)}, (None, 8, 3), out=(None, None, 12)),
    E(
        "Reshape",
        {"target_shape": (-1, -1)},
        (None, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="target_shape",
    ),
    E(
        "Reshape",
        {"target_shape": (-2, 12)},
        (None, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="target_shape",
    ),
    E(
        "Reshape",
        {"target_shape": 24},
        (None, 8, 3),
        error="invalid_argument",
        note="an int is not a shape",
        code="NNR201",
        argument="target_shape",
        fix={"target_shape": (24,)},
    ),
    E(
        "Reshape",
        {"target_shape": None},
        (None, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="target_shape",
        fix={"target_shape": (-1,)},
    ),
    E(
        "Reshape",
        {},
        (None, 8, 3),
        error="invalid_argument",
        code="NNR209",
        argument="target_shape",
        fix={"target_shape": (-1,)},
    ),
    E("Reshape", {"target_shape": ()}, (None, 1), out=(None,)),
    E("Reshape", {"target_shape": (-1,)}, (None,), out=(None, 1)),
    E(
        "Reshape",
        {"target_shape": (10**6, 10**6, -1)},
        (None, 10**6, 10**6),
        out=(None, 10**6, 10**6, 1),
        note="10**12 elements: arithmetic only",
    ),
    E(
        "Reshape",
        {"target_shape": (10**6, 10**6 + 1)},
        (None, 10**6, 10**6),
        error="reshape_size",
        code="NNR104",
        argument="target_shape",
    ),
    # ---- Permute ----
    E("Permute", {"dims": (2, 1)}, (None, 8, 3), out=(None, 3, 8)),
    E("Permute", {"dims": [3, 1, 2]}, (None, 3, None, 5), out=(None, 5, 3, None)),
    E("Permute", {"dims": (2, 1)}, (None, 8, 3, 2), error="rank_mismatch", code="NNR101", argument=""),
    E(
        "Permute",
        {"dims": (0, 1)},
        (None, 8, 3),
        error="invalid_argument",
        note="axis 0 is the batch",
        code="NNR201",
        argument="dims",
        fix={"dims": (1, 2)},
    ),
    E(
        "Permute",
        {"dims": (1, 1)},
        (None, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="dims",
        fix={"dims": (2, 1)},
    ),
    E(
        "Permute",
        {"dims": (1, 3)},
        (None, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="dims",
        fix={"dims": (2, 1)},
    ),
    E("Permute", {"dims": 1}, (None, 8), error="invalid_argument", code="NNR201", argument="dims"),
    # ---- RepeatVector ----
    E("RepeatVector", {"n": 3}, (None, 8), out=(None, 3, 8)),
    E("RepeatVector", {"n": 3}, (None, None), out=(None, 3, None)),
    E("RepeatVector", {"n": 3}, (None, 8, 2), error="rank_mismatch", code="NNR101", argument=""),
    E("RepeatVector", {"n": 0}, (None, 8), error="invalid_argument", code="NNR201", argument="n"),
    E("RepeatVector", {"n": 2.0}, (None, 8), error="invalid_argument", code="NNR201", argument="n"),
    E("RepeatVector", {"n": True}, (None, 8), error="invalid_argument", code="NNR201", argument="n"),
    # ---- Cropping ----
    E("Cropping1D", {}, (None, 8, 3), out=(None, 6, 3)),
    E("Cropping1D", {"cropping": (4, 3)}, (None, 8, 3), out=(None, 1, 3)),
    E(
        "Cropping1D",
        {"cropping": 4},
        (None, 8, 3),
        error="non_positive_dim",
        code="NNR103",
        argument="cropping",
        fix={"cropping": (4, 3)},
    ),
    E("Cropping1D", {"cropping": (0, 2)}, (None, None, 3), out=(None, None, 3)),
    E("Cropping1D", {"cropping": -1}, (None, 8, 3), error="invalid_argument", code="NNR206", argument="cropping"),
    E(
        "Cropping1D",
        {"cropping": 1, **CF},
        (None, 3, 8),
        error="invalid_argument",
        note="Cropping1D takes no data_format",
        code="NNR202",
        argument="data_format",
    ),
    E("Cropping1D", {}, (None, 8), error="rank_mismatch", code="NNR101", argument=""),
    E("Cropping2D", {}, (None, 8, 8, 3), out=(None, 8, 8, 3)),
    E("Cropping2D", {"cropping": 3}, (None, 8, 8, 3), out=(None, 2, 2, 3)),
    E("Cropping2D", {"cropping": (1, (1, 2))}, (None, 8, 8, 3), out=(None, 6, 5, 3)),
    E("Cropping2D", {"cropping": ((1, 2), (3, 4)), **CF}, (None, 3, 8, None), out=(None, 3, 5, None)),
    E("Cropping2D", {"cropping": 4}, (None, 8, 8, 3), error="non_positive_dim", code="NNR103", argument="cropping"),
    E(
        "Cropping2D",
        {"cropping": ((0, 0), (2, 2)), **CF},
        (None, 8, 8, 4),
        error="non_positive_dim",
        code="NNR103",
        argument="cropping",
        fix={"cropping": ((0, 0), (2, 1))},
    ),
    E("Cropping2D", {"cropping": -1}, (None, 8, 8, 3), error="invalid_argument", code="NNR201", argument="cropping"),
    E(
        "Cropping2D",
        {"cropping": (1, 2, 3)},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="cropping",
    ),
    E("Cropping2D", {"cropping": 1.5}, (None, 8, 8, 3), error="invalid_argument", code="NNR201", argument="cropping"),
    E(
        "Cropping2D",
        {"cropping": ((1, -1), (0, 0))},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR206",
        argument="cropping",
    ),
    E("Cropping2D", {"cropping": 1}, (None, 8, 8), error="rank_mismatch", code="NNR101", argument=""),
    E("Cropping3D", {}, (None, 3, 8, 8, 3), out=(None, 1, 6, 6, 3)),
    E(
        "Cropping3D",
        {},
        (None, 2, 8, 8, 3),
        error="non_positive_dim",
        code="NNR103",
        argument="cropping",
        fix={"cropping": ((1, 0), (1, 1), (1, 1))},
    ),
    E("Cropping3D", {"cropping": (0, 1, 2), **CF}, (None, 3, 4, 4, 5), out=(None, 3, 4, 2, 1)),
    E(
        "Cropping3D",
        {"cropping": (1, 2)},
        (None, 8, 8, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="cropping",
    ),
    E("Cropping3D", {}, (None, 8, 8, 3), error="rank_mismatch", code="NNR101", argument=""),
    # ---- ZeroPadding ----
    E("ZeroPadding1D", {}, (None, 8, 3), out=(None, 10, 3)),
    E("ZeroPadding1D", {"padding": (1, 2), **CF}, (None, 8, 8), out=(None, 8, 11)),
    E("ZeroPadding1D", {"padding": -1}, (None, 8, 3), error="invalid_argument", code="NNR206", argument="padding"),
    E(
        "ZeroPadding1D",
        {"padding": (1, 2, 3)},
        (None, 8, 3),
        error="invalid_argument",
        code="NNR208",
        argument="padding",
    ),
    E("ZeroPadding1D", {}, (None, 8, 8, 3), error="rank_mismatch", code="NNR101", argument=""),
    E("ZeroPadding2D", {}, (None, 8, 8, 3), out=(None, 10, 10, 3)),
    E("ZeroPadding2D", {"padding": (1, 2)}, (None, 8, 8, 3), out=(None, 10, 12, 3)),
    E("ZeroPadding2D", {"padding": ((1, 0), (0, 2)), **CF}, (None, 3, None, 8), out=(None, 3, None, 10)),
    E(
        "ZeroPadding2D",
        {"padding": -1},
        (None, 8, 8, 3),
        out=(None, 6, 6, 3),
        note="Keras lets a negative int through and shrinks the image",
    ),
    E("ZeroPadding2D", {"padding": -4}, (None, 8, 8, 3), out=(None, 0, 0, 3)),
    E("ZeroPadding2D", {"padding": -5}, (None, 8, 8, 3), error="non_positive_dim", code="NNR103", argument="padding"),
    E(
        "ZeroPadding2D",
        {"padding": ((1, 2), (3, -1))},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR206",
        argument="padding",
    ),
    E("ZeroPadding2D", {"padding": "ab"}, (None, 8, 8, 3), error="invalid_argument", code="NNR208", argument="padding"),
    E("ZeroPadding2D", {"padding": 1.5}, (None, 8, 8, 3), error="invalid_argument", code="NNR201", argument="padding"),
    E("ZeroPadding2D", {}, (None, 8, 3), error="rank_mismatch", code="NNR101", argument=""),
    E("ZeroPadding3D", {}, (None, 8, 8, 8, 3), out=(None, 10, 10, 10, 3)),
    E("ZeroPadding3D", {"padding": (1, 2, 3)}, (None, 8, 8, 8, 3), out=(None, 10, 12, 14, 3)),
    E("ZeroPadding3D", {"padding": 2, **CF}, (None, 3, 4, None, 4), out=(None, 3, 8, None, 8)),
    E(
        "ZeroPadding3D",
        {"padding": (1, 2)},
        (None, 8, 8, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="padding",
    ),
    E("ZeroPadding3D", {}, (None, 8, 8, 3), error="rank_mismatch", code="NNR101", argument=""),
    # ---- UpSampling ----
    E("UpSampling1D", {}, (None, 8, 3), out=(None, 16, 3)),
    E("UpSampling1D", {"size": 3}, (None, None, 3), out=(None, None, 3)),
    E("UpSampling1D", {"size": (2,)}, (None, 8, 3), error="invalid_argument", code="NNR201", argument="size"),
    E("UpSampling1D", {"size": 0}, (None, 8, 3), error="invalid_argument", code="NNR201", argument="size"),
    E(
        "UpSampling1D",
        {"size": 2, "data_format": "channels_last"},
        (None, 8, 3),
        error="invalid_argument",
        note="UpSampling1D takes no data_format",
        code="NNR202",
        argument="data_format",
    ),
    E("UpSampling1D", {}, (None, 8), error="rank_mismatch", code="NNR101", argument=""),
    E("UpSampling2D", {}, (None, 8, 8, 3), out=(None, 16, 16, 3)),
    E("UpSampling2D", {"size": (2, 3), **CF}, (None, 3, 8, None), out=(None, 3, 16, None)),
    E("UpSampling2D", {"size": 2, "interpolation": "bilinear"}, (None, 4, 5, 3), out=(None, 8, 10, 3)),
    E(
        "UpSampling2D",
        {"interpolation": 3},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="interpolation",
    ),
    E("UpSampling2D", {"size": (2, 0)}, (None, 8, 8, 3), error="invalid_argument", code="NNR206", argument="size"),
    E("UpSampling2D", {}, (None, 8, 3), error="rank_mismatch", code="NNR101", argument=""),
    E("UpSampling3D", {}, (None, 2, 3, 4, 1), out=(None, 4, 6, 8, 1)),
    E("UpSampling3D", {"size": (1, 2, 3), **CF}, (None, 1, 2, 3, 4), out=(None, 1, 2, 6, 12)),
    E("UpSampling3D", {"size": (2, 2)}, (None, 2, 3, 4, 1), error="invalid_argument", code="NNR208", argument="size"),
    E(
        "UpSampling3D",
        {"interpolation": "nearest"},
        (None, 2, 3, 4, 1),
        error="invalid_argument",
        note="only UpSampling2D has interpolation",
        code="NNR202",
        argument="interpolation",
    ),
    E("UpSampling3D", {}, (None, 8, 8, 3), error="rank_mismatch", code="NNR101", argument=""),
]
