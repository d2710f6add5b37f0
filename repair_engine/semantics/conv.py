"""Convolution layers: Conv1D/2D/3D, their transposes, depthwise and separable convolutions.

Follows keras/src/layers/convolutional/ (Keras 3.15): constructor checks first
(`BaseConv.__init__` and friends), then the input checks done by build() and
compute_output_shape() (`ops.operation_utils.compute_conv_output_shape`,
`backend_utils.compute_conv_transpose_output_shape`).

Keyword, identifier and Layer.__init__ checks are arguments.py's (the same for
every kind); the helpers shared with pooling and reshaping are in base.py.
"""

from __future__ import annotations

import math
from typing import Any

from ..diagnostics import fmt_shape
from ..messages import NotPositive
from .base import (
    REGISTRY,
    Ctx,
    Example,
    bad_arg,
    channels_defined,
    conv_output_length,
    flipped_layout_fits,
    integral,
    keras_tuple,
    padding_arg,
    rebuild,
    register,
    required_arg,
    small_divisors,
    spatial_input,
    spatial_rank,
    spatial_siblings,
    swappable,
    too_small,
    tuple_value,
    weights_of,
)

# --------------------------------------------------------------------------
# Shared helpers (pooling.py and reshaping.py import these)
# --------------------------------------------------------------------------


def _truthy(ctx: Ctx, name: str, default: Any) -> bool:
    return bool(ctx.arg(name, default))


# --------------------------------------------------------------------------
# Convolution units
# --------------------------------------------------------------------------


def _positive(ctx: Ctx, name: str, default: Any = None, required: bool = False) -> int:
    if required:
        value = required_arg(ctx, name, 8)
    else:
        value = ctx.arg(name, default)
    # Keras compares with `<= 0`, so a bool passes as 0/1 like any int.
    if not isinstance(value, int) or value <= 0:
        fixed = integral(value)
        hint = {"arg": name, "min": 1}
        if isinstance(fixed, int) and fixed > 0:
            hint["value"] = fixed
        bad_arg(
            ctx,
            name,
            value,
            "must be a strictly positive integer",
            f"use {name}={fixed}" if "value" in hint else f"use an integer {name} >= 1",
            hint,
            expected=f"{name} > 0",
            code=NotPositive.code,
        )
    return int(value)


def _strides_dilation(ctx: Ctx, strides: tuple, dilation: tuple) -> None:
    if max(strides) > 1 and max(dilation) > 1:
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind}: strides={strides} cannot be combined with dilation_rate={dilation} (Keras supports "
            "`strides > 1` only with `dilation_rate = 1`); set strides=1 or dilation_rate=1",
            expected="strides == 1 or dilation_rate == 1",
            actual=f"strides={strides}, dilation_rate={dilation}",
            argument="strides",
            hint={"arg": "strides", "value": 1, "or": {"dilation_rate": 1}},
        )


def _window_args(ctx: Ctx, rank: int, padding_choices: tuple, sequence_padding: bool = False) -> dict:
    """kernel_size, strides, dilation_rate, padding, data_format in Keras' order.

    `sequence_padding`: keep a list/tuple padding, which standardize_padding
    lets through and only the shape computation rejects."""
    kernel = tuple_value(ctx, "kernel_size", required_arg(ctx, "kernel_size", 3), rank)
    strides = keras_tuple(ctx, "strides", rank, 1)
    dilation = keras_tuple(ctx, "dilation_rate", rank, 1)
    raw = ctx.arg("padding", "valid")
    padding = raw if sequence_padding and isinstance(raw, (list, tuple)) else padding_arg(ctx, padding_choices)
    data_format = ctx.data_format()
    return {"kernel": kernel, "strides": strides, "dilation": dilation, "padding": padding, "df": data_format}


def _conv_spatial(ctx: Ctx, shape: tuple, spatial: list, w: dict) -> list:
    def lengths(dims: list) -> list:
        return [
            conv_output_length(n, w["kernel"][i], w["padding"], w["strides"][i], w["dilation"][i])
            for i, n in enumerate(dims)
        ]

    out = lengths(spatial)
    for i, (length, n) in enumerate(zip(spatial, out)):
        if n is None or n > 0 or w["padding"] != "valid":  # Keras checks sizes for 'valid' only
            continue
        k, d = w["kernel"][i], w["dilation"][i]
        axis = i + (2 if w["df"] == "channels_first" else 1)
        kmax = (length - 1) // d + 1 if length >= 1 else 0
        detail = f" with dilation_rate={d} (spanning {d * (k - 1) + 1} positions)" if d > 1 else ""
        alternatives: dict = {"padding": "same"}
        rank = len(spatial)
        if flipped_layout_fits(shape, rank, w["df"], lambda dims: all(x is None or x > 0 for x in lengths(dims))):
            alternatives["data_format"] = "channels_last"
        too_small(
            ctx, shape, "kernel_size", w["kernel"] if rank > 1 else k, axis, length, kmax, detail, n, alternatives
        )
    return out


@register("Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D")
def conv(ctx: Ctx):
    rank = spatial_rank(ctx.kind)
    filters = _positive(ctx, "filters", required=True)
    w = _window_args(ctx, rank, ("valid", "same", "causal") if rank == 1 else ("valid", "same"))
    groups = ctx.arg("groups", 1)
    if not isinstance(groups, int) or groups <= 0:
        bad_arg(
            ctx,
            "groups",
            groups,
            "must be a positive integer",
            "use groups=1 (an ordinary convolution)",
            {"arg": "groups", "min": 1, "value": 1},
            expected="groups > 0",
        )
    if filters % groups:
        bad_arg(
            ctx,
            "groups",
            groups,
            f"must divide filters={filters}",
            f"use a groups value that divides {filters}, e.g. groups=1",
            {"arg": "groups", "choices": small_divisors(filters)},
            expected="filters % groups == 0",
        )
    _strides_dilation(ctx, w["strides"], w["dilation"])
    shape, spatial, axis = spatial_input(ctx, rank, w["df"])
    c = channels_defined(ctx, shape, axis, w["df"])
    if c % groups:
        common = small_divisors(math.gcd(c, filters))
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind}: groups={groups} must divide the {c} input channels of {fmt_shape(shape)}; "
            f"use a groups value that divides both {c} and filters={filters} (e.g. {common[-1]})",
            expected="channels % groups == 0",
            actual=f"groups={groups}, channels={c}",
            argument="groups",
            hint={"arg": "groups", "choices": common},
        )
    return rebuild(shape, _conv_spatial(ctx, shape, spatial, w), filters, w["df"])


@weights_of("Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D")
def conv_weights(ctx: Ctx) -> list:
    rank = spatial_rank(ctx.kind)
    kernel = tuple_value(ctx, "kernel_size", ctx.arg("kernel_size"), rank)
    df = ctx.data_format()
    shape, _, axis = spatial_input(ctx, rank, df)
    filters = int(ctx.arg("filters"))
    out = [kernel + (shape[axis] // int(ctx.arg("groups", 1)), filters)]
    if _truthy(ctx, "use_bias", True):
        out.append((filters,))
    return out


_TRANSPOSE = (
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "Convolution1DTranspose",
    "Convolution2DTranspose",
    "Convolution3DTranspose",
)


def transpose_length(
    length: int | None, kernel: int, padding: str, stride: int, output_padding: int | None, dilation: int
) -> int | None:
    """backend_utils._get_output_shape_given_tf_padding."""
    if length is None:
        return None
    k = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        return (length - 1) * stride + k + extra
    if output_padding is None:
        return length * stride
    return (length - 1) * stride + k % 2 + output_padding


@register(*_TRANSPOSE)
def conv_transpose(ctx: Ctx):
    rank = spatial_rank(ctx.kind)
    filters = _positive(ctx, "filters", required=True)
    w = _window_args(ctx, rank, ("valid", "same"), sequence_padding=True)
    op = ctx.arg("output_padding", None)
    if op is not None:
        op = tuple_value(ctx, "output_padding", op, rank, allow_zero=True)
        for i, (p, s) in enumerate(zip(op, w["strides"])):
            if p >= s:
                ctx.fail(
                    "invalid_argument",
                    f"{ctx.kind}: output_padding must be strictly less than strides on every axis, but at "
                    f"index {i} output_padding is {p} and strides is {s} (output_padding={op}, "
                    f"strides={w['strides']}); use output_padding <= {s - 1} there, or output_padding=None",
                    expected="output_padding < strides",
                    actual=f"output_padding={op}, strides={w['strides']}",
                    argument="output_padding",
                    hint={"arg": "output_padding", "max": [x - 1 for x in w["strides"]], "remove": True},
                )
    _strides_dilation(ctx, w["strides"], w["dilation"])
    shape, spatial, axis = spatial_input(ctx, rank, w["df"])
    channels_defined(ctx, shape, axis, w["df"])
    if not isinstance(w["padding"], str):
        if any(n is not None for n in spatial):
            # Keras reads the padding string only for axes of known size.
            padding_arg(ctx, ("valid", "same"))
        ctx.warn(
            "invalid_argument",
            f"{ctx.kind}: padding={w['padding']!r} is accepted while building because no axis size is "
            "known, but the layer fails when it runs; use padding='valid' or 'same'",
            argument="padding",
            hint={"arg": "padding", "choices": ["valid", "same"]},
        )
    if max(w["dilation"]) > 1:
        ctx.warn(
            "invalid_argument",
            f"{ctx.kind}: dilation_rate={w['dilation']} builds, but TensorFlow's CPU kernels for "
            "transposed convolutions do not support dilation rates larger than 1 (it fails when run "
            "on CPU); use dilation_rate=1 unless the model only runs on GPU",
            argument="dilation_rate",
            hint={"arg": "dilation_rate", "value": 1},
        )
    out = []
    for i, length in enumerate(spatial):
        n = transpose_length(
            length, w["kernel"][i], w["padding"], w["strides"][i], None if op is None else op[i], w["dilation"][i]
        )
        if n is not None and n < 0:  # Keras accepts a 0-sized axis, not a negative one
            too_small(ctx, shape, "kernel_size", w["kernel"], i + 1, length, 0, "", n)
        out.append(n)
    return rebuild(shape, out, filters, w["df"])


@weights_of(*_TRANSPOSE)
def conv_transpose_weights(ctx: Ctx) -> list:
    rank = spatial_rank(ctx.kind)
    kernel = tuple_value(ctx, "kernel_size", ctx.arg("kernel_size"), rank)
    df = ctx.data_format()
    shape, _, axis = spatial_input(ctx, rank, df)
    filters = int(ctx.arg("filters"))
    out = [kernel + (filters, shape[axis])]
    if _truthy(ctx, "use_bias", True):
        out.append((filters,))
    return out


def _depth_multiplier(ctx: Ctx) -> int:
    return _positive(ctx, "depth_multiplier", 1)


@register("DepthwiseConv1D", "DepthwiseConv2D")
def depthwise_conv(ctx: Ctx):
    rank = spatial_rank(ctx.kind)
    w = _window_args(ctx, rank, ("valid", "same"))
    dm = _depth_multiplier(ctx)
    # No strides/dilation check here: Keras' BaseDepthwiseConv does not make one.
    shape, spatial, axis = spatial_input(ctx, rank, w["df"])
    c = channels_defined(ctx, shape, axis, w["df"])
    return rebuild(shape, _conv_spatial(ctx, shape, spatial, w), dm * c, w["df"])


@weights_of("DepthwiseConv1D", "DepthwiseConv2D")
def depthwise_weights(ctx: Ctx) -> list:
    rank = spatial_rank(ctx.kind)
    kernel = tuple_value(ctx, "kernel_size", ctx.arg("kernel_size"), rank)
    shape, _, axis = spatial_input(ctx, rank, ctx.data_format())
    dm = int(ctx.arg("depth_multiplier", 1))
    out = [kernel + (shape[axis], dm)]
    if _truthy(ctx, "use_bias", True):
        out.append((dm * shape[axis],))
    return out


@register("SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D")
def separable_conv(ctx: Ctx):
    rank = spatial_rank(ctx.kind)
    filters = _positive(ctx, "filters", required=True)
    w = _window_args(ctx, rank, ("valid", "same"))
    _depth_multiplier(ctx)
    shape, spatial, axis = spatial_input(ctx, rank, w["df"])
    out = _conv_spatial(ctx, shape, spatial, w)
    channels_defined(ctx, shape, axis, w["df"])
    return rebuild(shape, out, filters, w["df"])


@weights_of("SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D")
def separable_weights(ctx: Ctx) -> list:
    rank = spatial_rank(ctx.kind)
    kernel = tuple_value(ctx, "kernel_size", ctx.arg("kernel_size"), rank)
    shape, _, axis = spatial_input(ctx, rank, ctx.data_format())
    dm, filters, c = int(ctx.arg("depth_multiplier", 1)), int(ctx.arg("filters")), shape[axis]
    out = [kernel + (c, dm), (1,) * rank + (dm * c, filters)]
    if _truthy(ctx, "use_bias", True):
        out.append((filters,))
    return out


# --------------------------------------------------------------------------
# Examples (verdict and output shape as real Keras 3.15 gives them)
# --------------------------------------------------------------------------

# siblings the repair may swap (rank families, same-rank twins)
spatial_siblings("Conv1D", "Conv2D", "Conv3D")
spatial_siblings("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")
spatial_siblings("SeparableConv1D", "SeparableConv2D")
spatial_siblings("DepthwiseConv1D", "DepthwiseConv2D")
swappable("Conv1D", "SeparableConv1D")
swappable("Conv2D", "SeparableConv2D")

E = Example
CF = {"data_format": "channels_first"}

# ---- input spec kept after the first call (shared layers) ----------------------------


def _conv_input_spec(ctx: Ctx) -> dict:
    """A built convolution keeps InputSpec(min_ndim=rank + 2, axes={channel axis: channels})."""
    digits = [c for c in ctx.kind if c.isdigit()]
    rank = int(digits[0]) if digits else 2
    s = ctx.input_shape
    axis = 1 if ctx.data_format() == "channels_first" else -1
    return {"min_ndim": rank + 2, "axes": {axis: s[axis]}}


for _kind in [k for k, u in REGISTRY.items() if u.output in (conv, conv_transpose, depthwise_conv, separable_conv)]:
    REGISTRY[_kind].input_spec = _conv_input_spec  # type: ignore[attr-defined]


EXAMPLES = [
    # ---- Conv1D ----
    E("Conv1D", {"filters": 4, "kernel_size": 3}, (None, 10, 2), out=(None, 8, 4)),
    E("Conv1D", {"filters": 4, "kernel_size": 3, "padding": "same", "strides": 2}, (None, 9, 2), out=(None, 5, 4)),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "padding": "causal", "dilation_rate": 2},
        (None, 9, 3),
        out=(None, 9, 4),
        note="causal keeps the length",
    ),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "padding": "Causal", "strides": 2},
        (None, 9, 3),
        out=(None, 5, 4),
        note="padding is case-insensitive for convolutions",
    ),
    E("Conv1D", {"filters": 4, "kernel_size": 3, "dilation_rate": 2}, (None, 10, 2), out=(None, 6, 4)),
    E("Conv1D", {"filters": 4, "kernel_size": 3, **CF}, (None, 2, 10), out=(None, 4, 8)),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "data_format": "CHANNELS_FIRST"},
        (None, 2, None),
        out=(None, 4, None),
        note="data_format is lower-cased; None length stays None",
    ),
    E("Conv1D", {"filters": 4, "kernel_size": 9}, (None, 9, 2), out=(None, 1, 4)),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 10},
        (None, 9, 2),
        error="non_positive_dim",
        code="NNR107",
        argument="kernel_size",
    ),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 4, "dilation_rate": 3},
        (None, 9, 2),
        error="non_positive_dim",
        note="the dilated kernel spans 10 steps",
        code="NNR107",
        argument="kernel_size",
    ),
    E("Conv1D", {"filters": 4, "kernel_size": 10, "padding": "same"}, (None, 9, 2), out=(None, 9, 4)),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "padding": "causal"},
        (None, 0, 2),
        out=(None, 0, 4),
        note="Keras checks output sizes only for 'valid'",
    ),
    E("Conv1D", {"filters": 6, "kernel_size": 3, "groups": 3}, (None, 9, 3), out=(None, 7, 6)),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "groups": 3},
        (None, 9, 3),
        error="invalid_argument",
        note="filters not divisible by groups",
        code="NNR201",
        argument="groups",
    ),
    E(
        "Conv1D",
        {"filters": 6, "kernel_size": 3, "groups": 3},
        (None, 9, 4),
        error="invalid_argument",
        note="input channels not divisible by groups",
        code="NNR201",
        argument="groups",
    ),
    E(
        "Conv1D",
        {"filters": 6, "kernel_size": 3, "groups": 0},
        (None, 9, 4),
        error="invalid_argument",
        code="NNR201",
        argument="groups",
        fix={"groups": 1},
    ),
    E(
        "Conv1D",
        {"filters": 0, "kernel_size": 3},
        (None, 9, 4),
        error="invalid_argument",
        code="NNR206",
        argument="filters",
    ),
    E(
        "Conv1D",
        {"filters": 4.0, "kernel_size": 3},
        (None, 9, 4),
        error="invalid_argument",
        code="NNR206",
        argument="filters",
        fix={"filters": 4},
    ),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3.0},
        (None, 9, 4),
        error="invalid_argument",
        code="NNR208",
        argument="kernel_size",
        fix={"kernel_size": 3},
    ),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": (3, 3)},
        (None, 9, 4),
        error="invalid_argument",
        note="a 2-tuple for a 1-D kernel",
        code="NNR208",
        argument="kernel_size",
    ),
    E("Conv1D", {"filters": 4, "kernel_size": [3]}, (None, 9, 4), out=(None, 7, 4)),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
        (None, 9, 4),
        error="invalid_argument",
        code="NNR201",
        argument="strides",
        fix={"strides": 1},
    ),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "dilation_rate": 0},
        (None, 9, 4),
        error="invalid_argument",
        code="NNR206",
        argument="dilation_rate",
    ),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "strides": 0},
        (None, 9, 4),
        error="invalid_argument",
        code="NNR206",
        argument="strides",
    ),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "padding": "full"},
        (None, 9, 4),
        error="invalid_argument",
        code="NNR203",
        argument="padding",
    ),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "padding": 1},
        (None, 9, 4),
        error="invalid_argument",
        code="NNR203",
        argument="padding",
    ),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "data_format": "NHWC"},
        (None, 9, 4),
        error="invalid_argument",
        code="NNR203",
        argument="data_format",
    ),
    E("Conv1D", {"filters": 4, "kernel_size": 3}, (None, 9), error="rank_mismatch", code="NNR101", argument=""),
    E("Conv1D", {"filters": 4, "kernel_size": 3}, (None, 9, 9, 4), error="rank_mismatch", code="NNR101", argument=""),
    E("Conv1D", {"filters": 4, "kernel_size": 3}, (None, 9, None), error="undefined_dim", code="NNR105", argument=""),
    E("Conv1D", {"filters": 4, "kernel_size": 3}, (None, None, 5), out=(None, None, 4)),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "border_mode": "same"},
        (None, 9, 4),
        error="invalid_argument",
        note="unknown keyword (Keras 1 spelling)",
        code="NNR202",
        argument="border_mode",
    ),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "activation": "relu", "use_bias": False},
        (None, 9, 4),
        out=(None, 7, 4),
    ),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "activation": "rlu"},
        (None, 9, 4),
        error="invalid_argument",
        code="NNR204",
        argument="activation",
        fix={"activation": "relu"},
    ),
    E("Conv1D", {"filters": 4, "kernel_size": 3, "kernel_initializer": "he_normal"}, (None, 9, 4), out=(None, 7, 4)),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "kernel_initializer": "he"},
        (None, 9, 4),
        error="invalid_argument",
        code="NNR204",
        argument="kernel_initializer",
        fix={"kernel_initializer": "he_normal"},
    ),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "trainable": 1},
        (None, 9, 4),
        error="invalid_argument",
        code="NNR203",
        argument="trainable",
    ),
    E("Conv1D", {"filters": 4, "kernel_size": 3}, (None, 9, 2), weights=((3, 2, 4), (4,)), out=(None, 7, 4)),
    E(
        "Conv1D",
        {"filters": 4, "kernel_size": 3},
        (None, 9, 2),
        weights=((3, 4, 2), (4,)),
        error="weight_shape",
        code="NNR301",
        argument="weights",
    ),
    E("Convolution1D", {"filters": 4, "kernel_size": 5}, (None, 9, 2), out=(None, 5, 4), note="alias"),
    # ---- Conv2D ----
    E("Conv2D", {"filters": 8, "kernel_size": 3}, (None, 28, 28, 1), out=(None, 26, 26, 8)),
    E("Conv2D", {"filters": 8, "kernel_size": (3, 5), "strides": (2, 1)}, (None, 28, 28, 1), out=(None, 13, 24, 8)),
    E(
        "Conv2D",
        {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"},
        (None, 7, 8, 3),
        out=(None, 4, 4, 8),
    ),
    E("Conv2D", {"filters": 8, "kernel_size": 3, "padding": "SAME"}, (None, 7, 8, 3), out=(None, 7, 8, 8)),
    E("Conv2D", {"filters": 8, "kernel_size": 3, **CF}, (None, 3, 32, 30), out=(None, 8, 30, 28)),
    E(
        "Conv2D",
        {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same", **CF},
        (None, 3, None, 9),
        out=(None, 8, None, 5),
    ),
    E("Conv2D", {"filters": 8, "kernel_size": 3, "dilation_rate": (2, 1)}, (None, 9, 9, 3), out=(None, 5, 7, 8)),
    E("Conv2D", {"filters": 8, "kernel_size": 3}, (None, None, None, 3), out=(None, None, None, 8)),
    E("Conv2D", {"filters": 8, "kernel_size": 3}, (4, 10, 10, 3), out=(4, 8, 8, 8), note="a fixed batch is kept"),
    E("Conv2D", {"filters": 8, "kernel_size": 3, "groups": 2}, (None, 9, 9, 4), out=(None, 7, 7, 8)),
    E("Conv2D", {"filters": 8, "kernel_size": 3}, (None, 28, 28), error="rank_mismatch", code="NNR101", argument=""),
    E(
        "Conv2D",
        {"filters": 8, "kernel_size": 3},
        (None, 8, 8, 3, 2),
        error="rank_mismatch",
        code="NNR101",
        argument="",
    ),
    E(
        "Conv2D",
        {"filters": 8, "kernel_size": 5},
        (None, 28, 4, 1),
        error="non_positive_dim",
        code="NNR107",
        argument="kernel_size",
    ),
    E(
        "Conv2D",
        {"filters": 8, "kernel_size": 3, **CF},
        (None, 28, 28, 1),
        error="non_positive_dim",
        note="a channels_last input read as channels_first",
        code="NNR107",
        argument="kernel_size",
    ),
    E(
        "Conv2D",
        {"filters": 8, "kernel_size": 3, **CF},
        (None, None, 28, 28),
        error="undefined_dim",
        code="NNR105",
        argument="",
    ),
    E(
        "Conv2D",
        {"filters": 8, "kernel_size": 3, "padding": "causal"},
        (None, 8, 8, 3),
        error="invalid_argument",
        note="causal is 1-D only",
        code="NNR203",
        argument="padding",
    ),
    E(
        "Conv2D",
        {"filters": 8, "kernel_size": (3, 3, 3)},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR208",
        argument="kernel_size",
    ),
    E(
        "Conv2D",
        {"filters": 8, "kernel_size": (3, 0)},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR206",
        argument="kernel_size",
    ),
    E(
        "Conv2D",
        {"filters": 8, "kernel_size": 3, "strides": (1, 2), "dilation_rate": (2, 1)},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="strides",
        fix={"strides": 1},
    ),
    E(
        "Conv2D",
        {"filters": -8, "kernel_size": 3},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR206",
        argument="filters",
    ),
    E(
        "Conv2D",
        {"kernel_size": 3},
        (None, 8, 8, 3),
        error="invalid_argument",
        note="filters is required",
        code="NNR209",
        argument="filters",
        fix={"filters": 8},
    ),
    E("Conv2D", {"filters": 8, "kernel_size": 3}, (None, 8, 8, 3), weights=((3, 3, 3, 8), (8,)), out=(None, 6, 6, 8)),
    E(
        "Conv2D",
        {"filters": 6, "kernel_size": 3, "groups": 3},
        (None, 8, 8, 3),
        weights=((3, 3, 1, 6), (6,)),
        out=(None, 6, 6, 6),
        note="grouped kernel has channels // groups",
    ),
    E(
        "Conv2D",
        {"filters": 8, "kernel_size": 3, "use_bias": False},
        (None, 8, 8, 3),
        weights=((3, 3, 3, 8), (8,)),
        error="weight_shape",
        code="NNR301",
        argument="weights",
    ),
    E("Convolution2D", {"filters": 2, "kernel_size": 2}, (None, 4, 4, 1), out=(None, 3, 3, 2)),
    # ---- Conv3D ----
    E("Conv3D", {"filters": 4, "kernel_size": 3}, (None, 8, 8, 8, 1), out=(None, 6, 6, 6, 4)),
    E(
        "Conv3D",
        {"filters": 4, "kernel_size": (1, 3, 3), "padding": "same", "strides": (1, 2, 2), **CF},
        (None, 2, 5, 9, 9),
        out=(None, 4, 5, 5, 5),
    ),
    E("Conv3D", {"filters": 4, "kernel_size": 3}, (None, 8, 8, 1), error="rank_mismatch", code="NNR101", argument=""),
    E(
        "Conv3D",
        {"filters": 4, "kernel_size": 3},
        (None, 8, 2, 8, 1),
        error="non_positive_dim",
        code="NNR107",
        argument="kernel_size",
    ),
    E(
        "Conv3D",
        {"filters": 4, "kernel_size": 3, "padding": "causal"},
        (None, 8, 8, 8, 1),
        error="invalid_argument",
        code="NNR203",
        argument="padding",
    ),
    E(
        "Conv3D",
        {"filters": 4, "kernel_size": 3},
        (None, 8, 8, 8, 2),
        weights=((3, 3, 3, 2, 4), (4,)),
        out=(None, 6, 6, 6, 4),
    ),
    E("Convolution3D", {"filters": 4, "kernel_size": 2}, (None, None, 3, 3, 1), out=(None, None, 2, 2, 4)),
    # ---- transposed ----
    E("Conv1DTranspose", {"filters": 4, "kernel_size": 3}, (None, 10, 2), out=(None, 12, 4)),
    E("Conv1DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2}, (None, 10, 2), out=(None, 21, 4)),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 2, "strides": 3},
        (None, 10, 2),
        out=(None, 30, 4),
        note="stride larger than the kernel",
    ),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
        (None, 10, 2),
        out=(None, 20, 4),
    ),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 1},
        (None, 10, 2),
        out=(None, 22, 4),
    ),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 4, "strides": 2, "output_padding": 0, "padding": "same"},
        (None, 1, 2),
        out=(None, 0, 4),
        note="Keras accepts a zero-sized output axis",
    ),
    E("Conv1DTranspose", {"filters": 4, "kernel_size": 3, "dilation_rate": 2}, (None, 10, 2), out=(None, 14, 4)),
    E("Conv1DTranspose", {"filters": 4, "kernel_size": 3, **CF}, (None, 2, None), out=(None, 4, None)),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 2},
        (None, 10, 2),
        error="invalid_argument",
        note="output_padding must be < strides",
        code="NNR201",
        argument="output_padding",
    ),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3, "output_padding": -1, "strides": 2},
        (None, 10, 2),
        error="invalid_argument",
        code="NNR206",
        argument="output_padding",
    ),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3, "padding": "causal"},
        (None, 10, 2),
        error="invalid_argument",
        code="NNR203",
        argument="padding",
    ),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3, "padding": (1,)},
        (None, 10, 2),
        error="invalid_argument",
        code="NNR203",
        argument="padding",
    ),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3, "padding": (1,)},
        (None, None, 2),
        out=(None, None, 4),
        note="Keras only reads padding for axes of known size",
    ),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3, "groups": 2},
        (None, 10, 2),
        error="invalid_argument",
        note="transposed convolutions take no groups",
        code="NNR202",
        argument="groups",
    ),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
        (None, 10, 2),
        error="invalid_argument",
        code="NNR201",
        argument="strides",
        fix={"strides": 1},
    ),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3},
        (None, 10, None),
        error="undefined_dim",
        code="NNR105",
        argument="",
    ),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3},
        (None, 10),
        error="rank_mismatch",
        code="NNR101",
        argument="",
    ),
    E(
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3},
        (None, 10, 2),
        weights=((3, 4, 2), (4,)),
        out=(None, 12, 4),
        note="the transposed kernel is (k, filters, channels)",
    ),
    E(
        "Conv2DTranspose",
        {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"},
        (None, 7, 7, 16),
        out=(None, 14, 14, 8),
    ),
    E(
        "Conv2DTranspose",
        {"filters": 8, "kernel_size": (3, 4), "strides": (2, 3), "output_padding": (1, 2)},
        (None, 5, 6, 3),
        out=(None, 12, 21, 8),
    ),
    E(
        "Conv2DTranspose",
        {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 1},
        (None, 5, 6, 3),
        out=(None, 10, 12, 8),
    ),
    E("Conv2DTranspose", {"filters": 8, "kernel_size": 3, **CF}, (None, 3, 5, None), out=(None, 8, 7, None)),
    E(
        "Conv2DTranspose",
        {"filters": 8, "kernel_size": 3},
        (None, 5, 5, 3, 1),
        error="rank_mismatch",
        code="NNR101",
        argument="",
    ),
    E(
        "Conv2DTranspose",
        {"filters": 8, "kernel_size": 3, "output_padding": (0, 1)},
        (None, 5, 5, 3),
        error="invalid_argument",
        note="strides default to 1",
        code="NNR201",
        argument="output_padding",
    ),
    E(
        "Conv2DTranspose",
        {"filters": 8, "kernel_size": 3},
        (None, 5, 5, 3),
        weights=((3, 3, 8, 3), (8,)),
        out=(None, 7, 7, 8),
    ),
    E("Convolution2DTranspose", {"filters": 2, "kernel_size": 2, "strides": 2}, (None, 4, 4, 1), out=(None, 8, 8, 2)),
    E(
        "Conv3DTranspose",
        {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"},
        (None, 4, 4, 4, 1),
        out=(None, 8, 8, 8, 2),
    ),
    E("Conv3DTranspose", {"filters": 2, "kernel_size": 3, **CF}, (None, 1, 4, 4, 4), out=(None, 2, 6, 6, 6)),
    E(
        "Conv3DTranspose",
        {"filters": 2, "kernel_size": 3},
        (None, 4, 4, 1),
        error="rank_mismatch",
        code="NNR101",
        argument="",
    ),
    E(
        "Convolution1DTranspose",
        {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same"},
        (None, 5, 1),
        out=(None, 10, 2),
    ),
    E(
        "Convolution1DTranspose",
        {"filters": 2, "kernel_size": 2, "output_padding": 1},
        (None, 5, 1),
        error="invalid_argument",
        code="NNR201",
        argument="output_padding",
    ),
    E(
        "Convolution1D",
        {"filters": 2, "kernel_size": 6},
        (None, 5, 1),
        error="non_positive_dim",
        code="NNR107",
        argument="kernel_size",
    ),
    E(
        "Convolution2D",
        {"filters": 2, "kernel_size": 2},
        (None, 5, 1),
        error="rank_mismatch",
        code="NNR101",
        argument="",
    ),
    E(
        "Convolution2DTranspose",
        {"filters": 2, "kernel_size": 2},
        (None, 5, 5, None),
        error="undefined_dim",
        code="NNR105",
        argument="",
    ),
    E(
        "Convolution3D",
        {"filters": 2, "kernel_size": 2, "groups": 2},
        (None, 5, 5, 5, 3),
        error="invalid_argument",
        code="NNR201",
        argument="groups",
    ),
    E(
        "SeparableConvolution2D",
        {"filters": 2, "kernel_size": 4},
        (None, 3, 5, 1),
        error="non_positive_dim",
        code="NNR107",
        argument="kernel_size",
    ),
    E(
        "Convolution3DTranspose",
        {"filters": 2, "kernel_size": 1, "strides": 2, "dilation_rate": 2},
        (None, 2, 2, 2, 1),
        error="invalid_argument",
        code="NNR201",
        argument="strides",
        fix={"strides": 1},
    ),
    E("Convolution3DTranspose", {"filters": 2, "kernel_size": 1}, (None, 2, 2, 2, 1), out=(None, 2, 2, 2, 2)),
    # ---- depthwise ----
    E("DepthwiseConv2D", {"kernel_size": 3}, (None, 8, 8, 3), out=(None, 6, 6, 3)),
    E(
        "DepthwiseConv2D",
        {"kernel_size": 3, "depth_multiplier": 2, "padding": "same", "strides": 2},
        (None, 8, 7, 3),
        out=(None, 4, 4, 6),
    ),
    E("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2, **CF}, (None, 3, 8, 8), out=(None, 6, 6, 6)),
    E(
        "DepthwiseConv2D",
        {"kernel_size": 3, "strides": 2, "dilation_rate": 2},
        (None, 9, 9, 3),
        out=(None, 3, 3, 3),
        note="Keras does not reject strides with dilation for depthwise convolutions",
    ),
    E("DepthwiseConv2D", {"kernel_size": 3}, (None, 8, 8, None), error="undefined_dim", code="NNR105", argument=""),
    E(
        "DepthwiseConv2D",
        {"kernel_size": 9},
        (None, 8, 8, 3),
        error="non_positive_dim",
        code="NNR107",
        argument="kernel_size",
    ),
    E(
        "DepthwiseConv2D",
        {"kernel_size": 3, "depth_multiplier": 0},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR206",
        argument="depth_multiplier",
    ),
    E(
        "DepthwiseConv2D",
        {"kernel_size": 3, "filters": 4},
        (None, 8, 8, 3),
        error="invalid_argument",
        note="depthwise convolutions take depth_multiplier, not filters",
        code="NNR202",
        argument="filters",
    ),
    E("DepthwiseConv2D", {"kernel_size": 3}, (None, 8, 3), error="rank_mismatch", code="NNR101", argument=""),
    E(
        "DepthwiseConv2D",
        {"kernel_size": 3, "depth_multiplier": 2},
        (None, 8, 8, 3),
        weights=((3, 3, 3, 2), (6,)),
        out=(None, 6, 6, 6),
    ),
    E("DepthwiseConv1D", {"kernel_size": 3}, (None, 8, 4), out=(None, 6, 4)),
    E(
        "DepthwiseConv1D",
        {"kernel_size": 3, "padding": "causal"},
        (None, 8, 4),
        error="invalid_argument",
        code="NNR203",
        argument="padding",
    ),
    E("DepthwiseConv1D", {"kernel_size": 3, "depth_multiplier": 3, **CF}, (None, 4, None), out=(None, 12, None)),
    E(
        "DepthwiseConv1D",
        {"kernel_size": 3, "strides": 0},
        (None, 8, 4),
        error="invalid_argument",
        code="NNR206",
        argument="strides",
    ),
    # ---- separable ----
    E("SeparableConv2D", {"filters": 8, "kernel_size": 3}, (None, 8, 8, 3), out=(None, 6, 6, 8)),
    E(
        "SeparableConv2D",
        {"filters": 8, "kernel_size": 3, "padding": "same", "strides": 2, "depth_multiplier": 2},
        (None, 9, 8, 3),
        out=(None, 5, 4, 8),
    ),
    E("SeparableConv2D", {"filters": 8, "kernel_size": 3, **CF}, (None, 3, 8, 8), out=(None, 8, 6, 6)),
    E(
        "SeparableConv2D",
        {"filters": 8, "kernel_size": 3},
        (None, 8, 8, None),
        error="undefined_dim",
        code="NNR105",
        argument="",
    ),
    E(
        "SeparableConv2D",
        {"filters": 8, "kernel_size": 3, "groups": 2},
        (None, 8, 8, 4),
        error="invalid_argument",
        code="NNR202",
        argument="groups",
    ),
    E(
        "SeparableConv2D",
        {"filters": 0, "kernel_size": 3},
        (None, 8, 8, 4),
        error="invalid_argument",
        code="NNR206",
        argument="filters",
    ),
    E(
        "SeparableConv2D",
        {"filters": 8, "kernel_size": 3, "depth_multiplier": -1},
        (None, 8, 8, 4),
        error="invalid_argument",
        code="NNR206",
        argument="depth_multiplier",
    ),
    E(
        "SeparableConv2D",
        {"filters": 8, "kernel_size": 5},
        (None, 4, 8, 4),
        error="non_positive_dim",
        code="NNR107",
        argument="kernel_size",
    ),
    E(
        "SeparableConv2D",
        {"filters": 8, "kernel_size": 3, "depth_multiplier": 2},
        (None, 8, 8, 3),
        weights=((3, 3, 3, 2), (1, 1, 6, 8), (8,)),
        out=(None, 6, 6, 8),
    ),
    E(
        "SeparableConv1D",
        {"filters": 8, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
        (None, 9, 3),
        out=(None, 3, 8),
    ),
    E(
        "SeparableConv1D",
        {"filters": 8, "kernel_size": 3, "padding": "causal"},
        (None, 9, 3),
        error="invalid_argument",
        code="NNR203",
        argument="padding",
    ),
    E(
        "SeparableConv1D",
        {"filters": 8, "kernel_size": 3},
        (None, 9, 9, 3),
        error="rank_mismatch",
        code="NNR101",
        argument="",
    ),
    E("SeparableConvolution1D", {"filters": 2, "kernel_size": 3}, (None, None, 3), out=(None, None, 2)),
    E(
        "SeparableConvolution1D",
        {"filters": 2, "kernel_size": 3},
        (None, 3),
        error="rank_mismatch",
        code="NNR101",
        argument="",
    ),
    E("SeparableConvolution2D", {"filters": 2, "kernel_size": 1}, (None, 3, 3, 3), out=(None, 3, 3, 2)),
]
