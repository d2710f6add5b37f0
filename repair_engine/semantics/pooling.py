"""Pooling layers: Max/Average pooling, global pooling and adaptive pooling (1D/2D/3D).

Follows keras/src/layers/pooling/ (Keras 3.15): BasePooling (standardize_tuple
for pool_size/strides, input_spec ndim = rank + 2, and
`compute_pooling_output_shape`, which compares `padding` case-sensitively),
BaseGlobalPooling and BaseAdaptivePooling (which has no input_spec at all).
"""

from __future__ import annotations

from ..diagnostics import fmt_shape
from .base import (
    Ctx,
    Example,
    conv_output_length,
    flipped_layout_fits,
    padding_arg,
    plumbing,
    rebuild,
    register,
    required_arg,
    spatial_input,
    spatial_rank,
    spatial_siblings,
    too_small,
    tuple_value,
)

_POOL = {
    1: ("MaxPooling1D", "AveragePooling1D", "MaxPool1D", "AvgPool1D"),
    2: ("MaxPooling2D", "AveragePooling2D", "MaxPool2D", "AvgPool2D"),
    3: ("MaxPooling3D", "AveragePooling3D", "MaxPool3D", "AvgPool3D"),
}
_GLOBAL = tuple(f"Global{op}{d}D" for op in ("AveragePooling", "MaxPooling", "AvgPool", "MaxPool") for d in (1, 2, 3))
_ADAPTIVE = tuple(f"Adaptive{op}Pooling{d}D" for op in ("Average", "Max") for d in (1, 2, 3))


@register(*_POOL[1], *_POOL[2], *_POOL[3])
def pooling(ctx: Ctx):
    rank = spatial_rank(ctx.kind)
    # Keras 3 gives MaxPooling a default pool_size of 2 but AveragePooling none.
    if "Av" in ctx.kind:
        raw_pool = required_arg(ctx, "pool_size", 2 if rank == 1 else (2,) * rank)
    else:
        raw_pool = ctx.arg("pool_size", 2)
    pool = tuple_value(ctx, "pool_size", raw_pool, rank)
    raw_strides = ctx.arg("strides", None)
    # strides=None means strides=pool_size; Keras lets 0 through its
    # constructor and then divides by it, so reject it here.
    strides = pool if raw_strides is None else tuple_value(ctx, "strides", raw_strides, rank)
    padding = padding_arg(ctx, ("valid", "same"), lower=False)
    df = ctx.data_format()
    shape, spatial, _ = spatial_input(ctx, rank, df)

    def lengths(dims: list) -> list:
        return [conv_output_length(n, pool[i], padding, strides[i]) for i, n in enumerate(dims)]

    out = lengths(spatial)
    for i, (length, n) in enumerate(zip(spatial, out)):
        if n is not None and n <= 0 and padding == "valid":  # 'same' may give 0 for an empty axis
            axis = i + (2 if df == "channels_first" else 1)
            alternatives: dict = {"padding": "same"}
            if flipped_layout_fits(shape, rank, df, lambda dims: all(x is None or x > 0 for x in lengths(dims))):
                alternatives["data_format"] = "channels_last"
            too_small(ctx, shape, "pool_size", pool if rank > 1 else pool[0], axis, length, length, "", n, alternatives)
    channels = shape[1] if df == "channels_first" else shape[-1]
    return rebuild(shape, out, channels, df)


@register(*_GLOBAL)
def global_pooling(ctx: Ctx):
    rank = spatial_rank(ctx.kind)
    df = ctx.data_format()
    keepdims = bool(ctx.arg("keepdims", False))
    shape, _, axis = spatial_input(ctx, rank, df)
    channels = shape[axis]
    if keepdims:
        return rebuild(shape, [1] * rank, channels, df)
    return (shape[0], channels)


@register(*_ADAPTIVE)
def adaptive_pooling(ctx: Ctx):
    rank = spatial_rank(ctx.kind)
    size = required_arg(ctx, "output_size", 1 if rank == 1 else (1,) * rank)
    if isinstance(size, int):
        size = (size,) * rank
    elif not (isinstance(size, (tuple, list)) and len(size) == rank):
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind}: `output_size` must be an integer or a tuple of {rank} integers, received "
            f"output_size={size!r}; write e.g. output_size={(1,) * rank if rank > 1 else 1}",
            expected=f"int or {rank} ints",
            actual=f"output_size={size!r}",
            argument="output_size",
            hint={"arg": "output_size", "len": rank},
        )
    for v in size:
        if v is not None and (not isinstance(v, int) or v < 0):
            ctx.fail(
                "invalid_argument",
                f"{ctx.kind}: every value of `output_size` must be a non-negative integer, received "
                f"output_size={tuple(size)!r}; use integers >= 1",
                expected="output_size >= 0",
                actual=f"output_size={tuple(size)!r}",
                argument="output_size",
                hint={"arg": "output_size", "min": 1},
            )
    size = tuple(None if v is None else int(v) for v in size)
    # BaseAdaptivePooling does not lower-case data_format ("" and None mean the default).
    value = ctx.arg("data_format", None) or "channels_last"
    if value not in ("channels_last", "channels_first"):
        ctx.data_format(lower=False)
    # No input_spec: Keras builds any rank symbolically, taking the channels
    # from the last (or second) axis.
    shape = ctx.shape()
    if value == "channels_first" and len(shape) < 2:
        ctx.input_rank(rank + 2)
    if len(shape) != rank + 2:
        ctx.warn(
            "rank_mismatch",
            f"{ctx.kind} expects a {rank + 2}-D input but receives {len(shape)}-D {fmt_shape(shape)}; "
            "Keras does not check the rank, so the shape it reports while building differs from the "
            "one the layer produces when it runs",
            hint={"need_rank": (rank + 2,), "got_rank": len(shape), "input": 0},
        )
    channels = shape[1] if value == "channels_first" else shape[-1]
    return rebuild(shape, list(size), channels, value)


E = Example
CF = {"data_format": "channels_first"}

# siblings the repair may swap, and pools it may remove (they only move data)
for _family in (
    ("MaxPooling1D", "MaxPooling2D", "MaxPooling3D"),
    ("AveragePooling1D", "AveragePooling2D", "AveragePooling3D"),
    ("GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D"),
    ("GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D"),
):
    spatial_siblings(*_family)
    plumbing(*_family)

EXAMPLES = [
    # ---- MaxPooling / AveragePooling ----
    E("MaxPooling1D", {}, (None, 10, 3), out=(None, 5, 3)),
    E("MaxPooling1D", {"pool_size": 3}, (None, 10, 3), out=(None, 3, 3), note="strides default to pool_size"),
    E("MaxPooling1D", {"pool_size": 3, "strides": 1}, (None, 10, 3), out=(None, 8, 3)),
    E("MaxPooling1D", {"pool_size": 3, "strides": 5}, (None, 8, 3), out=(None, 2, 3)),
    E("MaxPooling1D", {"pool_size": 3, "padding": "same"}, (None, 10, 3), out=(None, 4, 3)),
    E("MaxPooling1D", {"pool_size": 3, **CF}, (None, 8, 3), out=(None, 8, 1)),
    E("MaxPooling1D", {"pool_size": 4}, (None, 3, 8), error="non_positive_dim", code="NNR107", argument="pool_size"),
    E("MaxPooling1D", {"pool_size": 4, "padding": "same"}, (None, 3, 8), out=(None, 1, 8)),
    E("MaxPooling1D", {"pool_size": 2}, (None, None, 8), out=(None, None, 8)),
    E(
        "MaxPooling1D",
        {"pool_size": 2, "padding": "same"},
        (None, 0, 8),
        out=(None, 0, 8),
        note="an empty axis stays empty",
    ),
    E("MaxPooling1D", {"pool_size": 2}, (None, 0, 8), error="non_positive_dim", code="NNR107", argument="pool_size"),
    E("MaxPooling1D", {"pool_size": 2}, (None, 8), error="rank_mismatch", code="NNR101", argument=""),
    E("MaxPooling1D", {"pool_size": 2}, (None, 8, 8, 3), error="rank_mismatch", code="NNR101", argument=""),
    E("MaxPooling1D", {"pool_size": 0}, (None, 8, 3), error="invalid_argument", code="NNR206", argument="pool_size"),
    E(
        "MaxPooling1D",
        {"pool_size": 2, "strides": 0},
        (None, 8, 3),
        error="invalid_argument",
        note="Keras divides by the stride",
        code="NNR206",
        argument="strides",
    ),
    E(
        "MaxPooling1D",
        {"pool_size": 2, "padding": "causal"},
        (None, 8, 3),
        error="invalid_argument",
        code="NNR203",
        argument="padding",
    ),
    E(
        "MaxPooling1D",
        {"pool_size": 2, "padding": ["valid"]},
        (None, 8, 3),
        error="invalid_argument",
        code="NNR203",
        argument="padding",
    ),
    E(
        "MaxPooling1D",
        {"pool_size": (2, 2)},
        (None, 8, 3),
        error="invalid_argument",
        code="NNR208",
        argument="pool_size",
    ),
    E(
        "MaxPooling1D",
        {"pool_length": 2},
        (None, 8, 3),
        error="invalid_argument",
        note="Keras 1 spelling",
        code="NNR202",
        argument="pool_length",
    ),
    E("MaxPool1D", {"pool_size": 2}, (None, 9, 3), out=(None, 4, 3), note="alias"),
    E("AveragePooling1D", {"pool_size": 2, "strides": 1, "padding": "same"}, (None, 7, 3), out=(None, 7, 3)),
    E("AveragePooling1D", {"pool_size": 2, **CF}, (None, None, 7), out=(None, None, 3)),
    E(
        "AveragePooling1D",
        {"pool_size": 8},
        (None, 7, 3),
        error="non_positive_dim",
        code="NNR107",
        argument="pool_size",
    ),
    E("AvgPool1D", {"pool_size": 2}, (None, 4, 3), out=(None, 2, 3)),
    E(
        "AvgPool1D",
        {},
        (None, 4, 3),
        error="invalid_argument",
        note="AveragePooling has no default pool_size",
        code="NNR209",
        argument="pool_size",
        fix={"pool_size": 2},
    ),
    E(
        "AveragePooling2D",
        {"strides": 2},
        (None, 4, 4, 3),
        error="invalid_argument",
        code="NNR209",
        argument="pool_size",
        fix={"pool_size": (2, 2)},
    ),
    E("MaxPooling2D", {}, (None, 28, 28, 8), out=(None, 14, 14, 8)),
    E("MaxPooling2D", {"pool_size": (2, 3)}, (None, 9, 9, 8), out=(None, 4, 3, 8)),
    E("MaxPooling2D", {"pool_size": 3, "strides": 2}, (None, 9, 8, 8), out=(None, 4, 3, 8)),
    E("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, (None, 9, 8, 8), out=(None, 5, 4, 8)),
    E("MaxPooling2D", {"pool_size": 2, **CF}, (None, 8, 28, 27), out=(None, 8, 14, 13)),
    E("MaxPooling2D", {"pool_size": 3}, (None, 8, None, 3), out=(None, 2, None, 3)),
    E("MaxPooling2D", {"pool_size": 3}, (None, 8, 2, 3), error="non_positive_dim", code="NNR107", argument="pool_size"),
    E(
        "MaxPooling2D",
        {"pool_size": 2, **CF},
        (None, 28, 28, 1),
        error="non_positive_dim",
        note="a channels_last image read as channels_first",
        code="NNR107",
        argument="pool_size",
    ),
    E(
        "MaxPooling2D",
        {"padding": "SAME"},
        (None, 8, 8, 3),
        error="invalid_argument",
        note="pooling compares padding case-sensitively",
        code="NNR203",
        argument="padding",
    ),
    E(
        "MaxPooling2D",
        {"strides": (1, 0)},
        (None, 8, None, 3),
        error="invalid_argument",
        code="NNR206",
        argument="strides",
    ),
    E("MaxPooling2D", {"pool_size": 2}, (None, 28, 28), error="rank_mismatch", code="NNR101", argument=""),
    E(
        "MaxPooling2D",
        {"pool_size": 2, "data_format": "channels_middle"},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR203",
        argument="data_format",
    ),
    E("MaxPool2D", {"pool_size": 2, "strides": 1}, (None, 3, 3, 1), out=(None, 2, 2, 1)),
    E("AveragePooling2D", {"pool_size": (1, 4)}, (None, 5, 8, 2), out=(None, 5, 2, 2)),
    E(
        "AveragePooling2D",
        {"pool_size": (1, 4), **CF},
        (None, 2, 5, 3),
        error="non_positive_dim",
        code="NNR107",
        argument="pool_size",
    ),
    E("AvgPool2D", {"pool_size": 2, "padding": "same"}, (None, 5, 5, 2), out=(None, 3, 3, 2)),
    E("MaxPooling3D", {}, (None, 8, 8, 8, 2), out=(None, 4, 4, 4, 2)),
    E("MaxPooling3D", {"pool_size": (1, 2, 2), **CF}, (None, 2, 3, 8, 8), out=(None, 2, 3, 4, 4)),
    E(
        "MaxPooling3D",
        {"pool_size": 3},
        (None, 8, 8, 2, 2),
        error="non_positive_dim",
        code="NNR107",
        argument="pool_size",
    ),
    E("MaxPooling3D", {}, (None, 8, 8, 2), error="rank_mismatch", code="NNR101", argument=""),
    E("MaxPool3D", {"pool_size": 2, "padding": "same"}, (None, 3, None, 5, 1), out=(None, 2, None, 3, 1)),
    E("AveragePooling3D", {"pool_size": 2, "strides": (1, 2, 1)}, (None, 4, 4, 4, 1), out=(None, 3, 2, 3, 1)),
    E("AvgPool3D", {"pool_size": (1, 2, 3), "padding": "same", **CF}, (None, 1, 3, 3, 3), out=(None, 1, 3, 2, 1)),
    E(
        "AveragePooling3D",
        {"pool_size": 4},
        (None, 4, 4, 3, 1),
        error="non_positive_dim",
        code="NNR107",
        argument="pool_size",
    ),
    E("MaxPool1D", {"pool_size": 5}, (None, 4, 3), error="non_positive_dim", code="NNR107", argument="pool_size"),
    E(
        "MaxPool2D",
        {"pool_size": 2, "padding": "full"},
        (None, 4, 4, 3),
        error="invalid_argument",
        code="NNR203",
        argument="padding",
    ),
    E("MaxPool3D", {}, (None, 4, 4, 3), error="rank_mismatch", code="NNR101", argument=""),
    E("AvgPool2D", {"pool_size": 2}, (None, 4, 3), error="rank_mismatch", code="NNR101", argument=""),
    E("GlobalAvgPool1D", {}, (None, 3), error="rank_mismatch", code="NNR101", argument=""),
    E(
        "GlobalAvgPool2D",
        {"keepdims": True, "axis": 1},
        (None, 3, 3, 3),
        error="invalid_argument",
        code="NNR202",
        argument="axis",
    ),
    E(
        "GlobalAvgPool3D",
        {"data_format": "channels_mid"},
        (None, 3, 3, 3, 3),
        error="invalid_argument",
        code="NNR203",
        argument="data_format",
    ),
    E("GlobalMaxPool1D", {}, (None, 3, 3, 3), error="rank_mismatch", code="NNR101", argument=""),
    E("GlobalMaxPool2D", {}, (None, 3, 3, 3, 3), error="rank_mismatch", code="NNR101", argument=""),
    E("GlobalMaxPool3D", {}, (None, 3, 3, 3), error="rank_mismatch", code="NNR101", argument=""),
    E("GlobalMaxPooling3D", {"keepdims": True}, (None, 3, 3, 3), error="rank_mismatch", code="NNR101", argument=""),
    E(
        "AdaptiveAveragePooling1D",
        {"output_size": -2},
        (None, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="output_size",
    ),
    E(
        "AdaptiveAveragePooling3D",
        {"output_size": (2, 2)},
        (None, 8, 8, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="output_size",
    ),
    E(
        "AdaptiveMaxPooling3D",
        {"output_size": 2, "data_format": "NDHWC"},
        (None, 8, 8, 8, 3),
        error="invalid_argument",
        code="NNR203",
        argument="data_format",
    ),
    E(
        "AvgPool3D",
        {"pool_size": (2, 2, 2, 2)},
        (None, 4, 4, 4, 1),
        error="invalid_argument",
        code="NNR208",
        argument="pool_size",
    ),
    # ---- global pooling ----
    E("GlobalAveragePooling1D", {}, (None, 10, 3), out=(None, 3)),
    E("GlobalAveragePooling1D", {"keepdims": True}, (None, 10, 3), out=(None, 1, 3)),
    E("GlobalAveragePooling1D", {**CF}, (None, 10, 3), out=(None, 10)),
    E("GlobalAveragePooling1D", {}, (None, 10), error="rank_mismatch", code="NNR101", argument=""),
    E("GlobalAvgPool1D", {}, (None, None, 3), out=(None, 3)),
    E("GlobalMaxPooling1D", {"keepdims": True, **CF}, (None, 4, None), out=(None, 4, 1)),
    E("GlobalMaxPooling1D", {}, (None, 5, 5, 3), error="rank_mismatch", code="NNR101", argument=""),
    E("GlobalMaxPool1D", {}, (None, 5, None), out=(None, None)),
    E("GlobalAveragePooling2D", {}, (None, 7, 7, 32), out=(None, 32)),
    E("GlobalAveragePooling2D", {"keepdims": True}, (None, 7, 7, 32), out=(None, 1, 1, 32)),
    E("GlobalAveragePooling2D", {"keepdims": True, **CF}, (None, 8, 8, 3), out=(None, 8, 1, 1)),
    E("GlobalAveragePooling2D", {"keepdims": None}, (None, 8, 8, 3), out=(None, 3)),
    E("GlobalAveragePooling2D", {}, (None, 8, 3), error="rank_mismatch", code="NNR101", argument=""),
    E(
        "GlobalAveragePooling2D",
        {"data_format": "channels"},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR203",
        argument="data_format",
    ),
    E("GlobalAvgPool2D", {}, (None, None, None, 3), out=(None, 3)),
    E("GlobalMaxPooling2D", {}, (None, 7, 7, 32), out=(None, 32)),
    E(
        "GlobalMaxPooling2D",
        {"keep_dims": True},
        (None, 7, 7, 32),
        error="invalid_argument",
        code="NNR202",
        argument="keep_dims",
    ),
    E("GlobalMaxPool2D", {**CF}, (None, 16, 7, 7), out=(None, 16)),
    E("GlobalAveragePooling3D", {}, (None, 4, 4, 4, 8), out=(None, 8)),
    E("GlobalAveragePooling3D", {"keepdims": True, **CF}, (None, 8, 4, 4, 4), out=(None, 8, 1, 1, 1)),
    E("GlobalAveragePooling3D", {}, (None, 4, 4, 8), error="rank_mismatch", code="NNR101", argument=""),
    E("GlobalAvgPool3D", {}, (None, 4, 4, 4, None), out=(None, None)),
    E("GlobalMaxPooling3D", {"keepdims": True}, (None, 4, 4, 4, 8), out=(None, 1, 1, 1, 8)),
    E("GlobalMaxPool3D", {}, (None, 4, 4, 4, 8), out=(None, 8)),
    # ---- adaptive pooling ----
    E("AdaptiveAveragePooling1D", {"output_size": 4}, (None, 10, 3), out=(None, 4, 3)),
    E("AdaptiveAveragePooling1D", {"output_size": [2], **CF}, (None, 3, 10), out=(None, 3, 2)),
    E("AdaptiveMaxPooling1D", {"output_size": (2,)}, (None, None, 3), out=(None, 2, 3)),
    E(
        "AdaptiveMaxPooling1D",
        {"output_size": (2, 2)},
        (None, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="output_size",
    ),
    E("AdaptiveAveragePooling2D", {"output_size": (2, 3)}, (None, 8, 8, 5), out=(None, 2, 3, 5)),
    E("AdaptiveAveragePooling2D", {"output_size": 4, **CF}, (None, 5, 8, 8), out=(None, 5, 4, 4)),
    E(
        "AdaptiveAveragePooling2D",
        {"output_size": 16},
        (None, 8, 8, 3),
        out=(None, 16, 16, 3),
        note="the output may be larger than the input",
    ),
    E(
        "AdaptiveAveragePooling2D",
        {"output_size": -1},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="output_size",
    ),
    E(
        "AdaptiveAveragePooling2D",
        {"output_size": (2.0, 3)},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="output_size",
    ),
    E(
        "AdaptiveAveragePooling2D",
        {"output_size": (2, 3), "data_format": "CHANNELS_LAST"},
        (None, 8, 8, 3),
        error="invalid_argument",
        note="adaptive pooling does not lower-case data_format",
        code="NNR203",
        argument="data_format",
    ),
    E(
        "AdaptiveAveragePooling2D",
        {},
        (None, 8, 8, 3),
        error="invalid_argument",
        note="output_size is required",
        code="NNR209",
        argument="output_size",
        fix={"output_size": (1, 1)},
    ),
    E("AdaptiveMaxPooling2D", {"output_size": (1, 1)}, (None, None, None, 4), out=(None, 1, 1, 4)),
    E(
        "AdaptiveMaxPooling2D",
        {"output_size": "2"},
        (None, 8, 8, 4),
        error="invalid_argument",
        code="NNR201",
        argument="output_size",
    ),
    E("AdaptiveAveragePooling3D", {"output_size": 2}, (None, 8, 8, 8, 1), out=(None, 2, 2, 2, 1)),
    E("AdaptiveMaxPooling3D", {"output_size": (1, 2, 3), **CF}, (None, 4, 8, 8, 8), out=(None, 4, 1, 2, 3)),
]
