"""Regularization layers: Dropout, AlphaDropout, GaussianDropout, GaussianNoise,
SpatialDropout1D/2D/3D, ActivityRegularization.

All return their input shape; Keras 3.15 (keras/src/layers/regularization/*.py)
checks the rate/stddev range in the constructor, Dropout's noise_shape entries,
the rank of the SpatialDropout inputs (InputSpec ndim) and the data_format.
"""

from __future__ import annotations

import math
from typing import Any

from ..ir import is_unknown
from ..messages import OutOfRange
from .base import SKIP, Ctx, Example, input_spec_of, is_number, optional_arg, register

_SPATIAL_RANK = {"SpatialDropout1D": 3, "SpatialDropout2D": 4, "SpatialDropout3D": 5}
_SPATIAL_LAYOUT = {
    "SpatialDropout1D": "(batch, steps, channels)",
    "SpatialDropout2D": "(batch, rows, cols, channels)",
    "SpatialDropout3D": "(batch, dim1, dim2, dim3, channels)",
}


def unit_interval(ctx: Ctx, name: str) -> float:
    """Keras' `if not 0 <= value <= 1: raise` (a non-number fails the comparison)."""
    if ctx.has(name) and is_unknown(ctx.layer.args[name]):
        return SKIP
    value = ctx.required(name)
    if not is_number(value) or not 0 <= value <= 1:
        ctx.fail(
            "invalid_argument",
            f"`{name}` of {ctx.kind} must be a number between 0 and 1, received {name}={value!r}"
            + ("; pass the fraction, e.g. 0.5 for 50%" if is_number(value) and value > 1 else ""),
            expected=f"0 <= {name} <= 1",
            actual=f"{name}={value!r}",
            argument=name,
            hint={
                "arg": name,
                "min": 0,
                "max": 1,
                # 50 most likely means 50 %
                **({"value": value / 100} if is_number(value) and 1 < value <= 100 else {}),
            },
            code=OutOfRange.code,
        )
    return value


def check_noise_shape(ctx: Ctx) -> None:
    """Dropout._validate_noise_shape: an iterable (not a str) of ints > 0 or None."""
    value = optional_arg(ctx, "noise_shape", None)
    if value is None or value is SKIP:
        return
    bad = None
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        bad = "a tuple or list of integers"
    else:
        for d in value:
            if d is not None and (not isinstance(d, int) or d <= 0):
                bad = "positive integers or None"
                break
    if bad:
        ctx.fail(
            "invalid_argument",
            f"`noise_shape` of {ctx.kind} must be {bad}, received noise_shape={value!r}",
            expected="noise_shape entries > 0 or None",
            actual=f"noise_shape={value!r}",
            argument="noise_shape",
            hint={"arg": "noise_shape", "remove": True},
        )


@register("Dropout")
def dropout(ctx: Ctx):
    unit_interval(ctx, "rate")
    check_noise_shape(ctx)
    return ctx.input_shape


@register("AlphaDropout", "GaussianDropout")
def noise_dropout(ctx: Ctx):
    unit_interval(ctx, "rate")  # AlphaDropout keeps noise_shape unchecked
    return ctx.input_shape


@register("GaussianNoise")
def gaussian_noise(ctx: Ctx):
    unit_interval(ctx, "stddev")
    return ctx.input_shape


@register("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D")
def spatial_dropout(ctx: Ctx):
    unit_interval(ctx, "rate")
    if ctx.kind != "SpatialDropout1D":
        value = optional_arg(ctx, "data_format", None)
        if value is not None and value is not SKIP:
            # backend.standardize_data_format: str(value).lower() must be a known format.
            if str(value).lower() not in ("channels_last", "channels_first"):
                ctx.fail(
                    "invalid_argument",
                    f"`data_format` of {ctx.kind} must be 'channels_last' or 'channels_first', "
                    f"received data_format={value!r}",
                    expected="channels_last | channels_first",
                    actual=f"data_format={value!r}",
                    argument="data_format",
                    hint={"arg": "data_format", "choices": ["channels_last", "channels_first"]},
                )
    return ctx.input_rank(_SPATIAL_RANK[ctx.kind], _SPATIAL_LAYOUT[ctx.kind])


@input_spec_of("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D")
def spatial_dropout_input_spec(ctx: Ctx) -> dict:
    return {"ndim": _SPATIAL_RANK[ctx.kind]}


def penalty(ctx: Ctx, name: str) -> None:
    """regularizers.validate_float_arg: a finite number >= 0 (None means 0)."""
    value = optional_arg(ctx, name, 0.0)
    if value is None or value is SKIP:
        return
    if not is_number(value) or math.isinf(value) or math.isnan(value) or value < 0:
        ctx.fail(
            "invalid_argument",
            f"`{name}` of {ctx.kind} must be a non-negative finite number, received {name}={value!r}",
            expected=f"{name} >= 0",
            actual=f"{name}={value!r}",
            argument=name,
            hint={"arg": name, "min": 0},
        )


@register("ActivityRegularization")
def activity_regularization(ctx: Ctx):
    penalty(ctx, "l1")
    penalty(ctx, "l2")
    return ctx.input_shape


def _ex(kind: str, args: dict, inputs: Any, **kw: Any) -> Example:
    return Example(kind, args, inputs, **kw)


EXAMPLES = [
    _ex("Dropout", {"rate": 0.5}, (None, 5), out=(None, 5)),
    _ex("Dropout", {"rate": 0.2}, (None,), out=(None,), note="any rank"),
    _ex("Dropout", {"rate": 0}, (None, 2, 3, 4), out=(None, 2, 3, 4)),
    _ex("Dropout", {"rate": 1}, (None, 5), out=(None, 5), note="1 is inside the closed range"),
    _ex(
        "Dropout",
        {"rate": 0.5, "noise_shape": (None, 1, 3)},
        (None, 5),
        out=(None, 5),
        note="noise_shape is only used in training",
    ),
    _ex(
        "Dropout",
        {"rate": 1.5},
        (None, 5),
        error="invalid_argument",
        code="NNR207",
        argument="rate",
        fix={"rate": 0.015},
    ),
    _ex("Dropout", {"rate": -0.1}, (None, 5), error="invalid_argument", code="NNR207", argument="rate"),
    _ex("Dropout", {"rate": "0.5"}, (None, 5), error="invalid_argument", code="NNR207", argument="rate"),
    _ex("Dropout", {}, (None, 5), error="invalid_argument", note="rate is required", code="NNR209", argument="rate"),
    _ex(
        "Dropout",
        {"rate": 0.5, "noise_shape": (None, 0)},
        (None, 5),
        error="invalid_argument",
        code="NNR201",
        argument="noise_shape",
    ),
    _ex(
        "Dropout",
        {"rate": 0.5, "noise_shape": "ab"},
        (None, 5),
        error="invalid_argument",
        code="NNR201",
        argument="noise_shape",
    ),
    _ex(
        "Dropout",
        {"rate": 0.5, "noise_shape": (None, 2.0)},
        (None, 5),
        error="invalid_argument",
        code="NNR201",
        argument="noise_shape",
    ),
    _ex("AlphaDropout", {"rate": 0.1}, (None, 5), out=(None, 5)),
    _ex(
        "AlphaDropout",
        {"rate": 0.1, "noise_shape": (None, 0)},
        (None, 5),
        out=(None, 5),
        note="AlphaDropout does not validate noise_shape",
    ),
    _ex("AlphaDropout", {"rate": -0.1}, (None, 5), error="invalid_argument", code="NNR207", argument="rate"),
    _ex("GaussianDropout", {"rate": 0.3}, (None, 4, 5), out=(None, 4, 5)),
    _ex(
        "GaussianDropout",
        {"rate": 1.1},
        (None, 5),
        error="invalid_argument",
        code="NNR207",
        argument="rate",
        fix={"rate": 0.011000000000000001},
    ),
    _ex("GaussianNoise", {"stddev": 0.1}, (None,), out=(None,)),
    _ex("GaussianNoise", {"stddev": 1.0}, (None, 5), out=(None, 5)),
    _ex(
        "GaussianNoise",
        {"stddev": 1.1},
        (None, 5),
        error="invalid_argument",
        code="NNR207",
        argument="stddev",
        fix={"stddev": 0.011000000000000001},
    ),
    _ex("GaussianNoise", {"stddev": None}, (None, 5), error="invalid_argument", code="NNR207", argument="stddev"),
    _ex("SpatialDropout1D", {"rate": 0.1}, (None, 5, 3), out=(None, 5, 3)),
    _ex("SpatialDropout1D", {"rate": 0.1}, (None, 5), error="rank_mismatch", code="NNR101", argument=""),
    _ex(
        "SpatialDropout1D",
        {"rate": 1.1},
        (None, 5, 3),
        error="invalid_argument",
        code="NNR207",
        argument="rate",
        fix={"rate": 0.011000000000000001},
    ),
    _ex(
        "SpatialDropout1D",
        {"rate": 0.1, "noise_shape": None},
        (None, 5, 3),
        error="invalid_argument",
        note="no **kwargs: noise_shape is a TypeError",
        code="NNR202",
        argument="noise_shape",
    ),
    _ex(
        "SpatialDropout1D",
        {"rate": 0.1, "data_format": "channels_last"},
        (None, 5, 3),
        error="invalid_argument",
        code="NNR202",
        argument="data_format",
    ),
    _ex("SpatialDropout2D", {"rate": 0.1}, (None, 8, 8, 3), out=(None, 8, 8, 3)),
    _ex("SpatialDropout2D", {"rate": 0.1, "data_format": "channels_first"}, (None, 5, 3, 3), out=(None, 5, 3, 3)),
    _ex("SpatialDropout2D", {"rate": 0.1, "data_format": "Channels_First"}, (None, 5, 3, 3), out=(None, 5, 3, 3)),
    _ex(
        "SpatialDropout2D",
        {"rate": 0.1, "data_format": "nchw"},
        (None, 5, 3, 3),
        error="invalid_argument",
        code="NNR201",
        argument="data_format",
    ),
    _ex("SpatialDropout2D", {"rate": 0.1}, (None, 8, 3), error="rank_mismatch", code="NNR101", argument=""),
    _ex(
        "SpatialDropout2D",
        {"rate": 0.1, "trainable": False},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR202",
        argument="trainable",
    ),
    _ex("SpatialDropout3D", {"rate": 0.1}, (None, 4, 4, 4, 3), out=(None, 4, 4, 4, 3)),
    _ex("SpatialDropout3D", {"rate": 0.1}, (None, 5, 3, 3), error="rank_mismatch", code="NNR101", argument=""),
    _ex(
        "SpatialDropout3D",
        {"rate": 2},
        (None, 4, 4, 4, 3),
        error="invalid_argument",
        code="NNR207",
        argument="rate",
        fix={"rate": 0.02},
    ),
    _ex("ActivityRegularization", {}, (None, 5), out=(None, 5)),
    _ex("ActivityRegularization", {"l1": 0.01, "l2": 0.1}, (None, 3, 5), out=(None, 3, 5)),
    _ex("ActivityRegularization", {"l1": None}, (None, 5), out=(None, 5), note="None means 0"),
    _ex("ActivityRegularization", {"l1": -1}, (None, 5), error="invalid_argument", code="NNR201", argument="l1"),
    _ex("ActivityRegularization", {"l2": "a"}, (None, 5), error="invalid_argument", code="NNR201", argument="l2"),
    _ex(
        "ActivityRegularization",
        {"l2": float("inf")},
        (None, 5),
        error="invalid_argument",
        code="NNR201",
        argument="l2",
    ),
    _ex("Dropout", {"rate": 0.5, "seed": 1, "name": "drop"}, (None, 5), out=(None, 5)),
    _ex(
        "Dropout",
        {"p": 0.5, "rate": 0.5},
        (None, 5),
        error="invalid_argument",
        note="unrecognized keyword",
        code="NNR202",
        argument="p",
    ),
]
