"""Activation layers: Activation, ReLU, LeakyReLU, PReLU, ELU, Softmax.

All keep the input shape; what can go wrong is in the constructor (Keras 3.15
keras/src/layers/activations/*.py) and, for PReLU, in the `alpha` weight it
builds from the input. Keras 3 no longer exports ThresholdedReLU (it is not
registered, so it stays an unknown kind).
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import fmt_shape
from ..messages import NotPositive
from .base import SKIP, Ctx, Example, defined_weights, input_spec_of, is_number, optional_arg, register, weights_of


def non_negative(ctx: Ctx, name: str, value: Any, allow_none: bool = False) -> None:
    """ReLU/LeakyReLU: `value is None or value < 0` is refused; a non-number raises in Keras too."""
    if value is SKIP or (value is None and allow_none):
        return
    if not is_number(value) or value < 0:
        ctx.fail(
            "invalid_argument",
            f"`{name}` of {ctx.kind} must be a non-negative number, received {name}={value!r}; "
            f"use {name}=0.0 or a positive value",
            expected=f"{name} >= 0",
            actual=f"{name}={value!r}",
            argument=name,
            hint={"arg": name, "min": 0},
            code=NotPositive.code,
        )


@register("Activation")
def activation(ctx: Ctx):
    ctx.required("activation")
    return ctx.input_shape


@register("ReLU")
def relu(ctx: Ctx):
    non_negative(ctx, "max_value", optional_arg(ctx, "max_value", None), allow_none=True)
    non_negative(ctx, "negative_slope", optional_arg(ctx, "negative_slope", 0.0))
    non_negative(ctx, "threshold", optional_arg(ctx, "threshold", 0.0))
    return ctx.input_shape


@register("LeakyReLU")
def leaky_relu(ctx: Ctx):
    # The deprecated Keras 2 `alpha` still works in Keras 3.15 and wins over negative_slope.
    if ctx.has("alpha"):
        non_negative(ctx, "alpha", optional_arg(ctx, "alpha"))
    else:
        non_negative(ctx, "negative_slope", optional_arg(ctx, "negative_slope", 0.3))
    return ctx.input_shape


@register("ELU")
def elu(ctx: Ctx):
    return ctx.input_shape  # alpha is not validated by Keras


@register("Softmax")
def softmax(ctx: Ctx):
    # Keras 3 never checks `axis` when building symbolically (compute_output_shape
    # returns the input shape and call() is not traced), so any axis builds; a bad
    # one only fails when the model runs: a warning, not an error.
    s = ctx.input_shape
    axis = optional_arg(ctx, "axis", -1)
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if axis is not SKIP and any(not isinstance(a, int) or not -len(s) <= a < len(s) for a in axes):
        ctx.warn(
            "invalid_argument",
            f"`axis` of Softmax is not an axis of its {len(s)}-D input {fmt_shape(s)}: received axis={axis!r}. "
            "Keras builds the model but the softmax fails when it runs; use axis=-1 (or an axis in "
            f"[{-len(s)}, {len(s) - 1}])",
            expected=f"{-len(s)} <= axis <= {len(s) - 1}",
            actual=f"axis={axis!r}",
            argument="axis",
            hint={"arg": "axis", "value": -1},
        )
    return s


def prelu_shared_axes(ctx: Ctx) -> list:
    value = ctx.arg("shared_axes", None)
    if value is None:
        return []
    axes = list(value) if isinstance(value, (list, tuple)) else [value]
    bad = [a for a in axes if not isinstance(a, int)]
    if bad:
        ctx.fail(
            "invalid_argument",
            f"`shared_axes` of PReLU must hold integer axes, received shared_axes={value!r}",
            expected="integer axes",
            actual=f"shared_axes={value!r}",
            argument="shared_axes",
            hint={"arg": "shared_axes"},
        )
    return axes


def prelu_alpha_shape(ctx: Ctx) -> tuple:
    s = ctx.input_shape
    param = list(s[1:])
    for a in prelu_shared_axes(ctx):
        # Keras indexes param_shape[a - 1] (so axis 0 hits the last axis, negatives count from the end).
        if not -len(param) <= a - 1 < len(param):
            ctx.fail(
                "invalid_argument",
                f"`shared_axes` of PReLU holds axis {a}, out of range for the {len(s)}-D input {fmt_shape(s)}; "
                f"use axes in [1, {len(s) - 1}]",
                expected=f"1 <= axis <= {len(s) - 1}",
                actual=f"shared_axes={ctx.arg('shared_axes')!r}",
                argument="shared_axes",
                hint={"arg": "shared_axes", "min": 1, "max": len(s) - 1},
            )
        param[a - 1] = 1
    return tuple(param)


@register("PReLU")
def prelu(ctx: Ctx):
    prelu_shared_axes(ctx)
    alpha = prelu_alpha_shape(ctx)
    defined_weights(ctx, [alpha], ["alpha"], axis_hint=[i + 1 for i, d in enumerate(alpha) if d is None])
    return ctx.input_shape


@weights_of("PReLU")
def prelu_weights(ctx: Ctx) -> list:
    return [prelu_alpha_shape(ctx)]


@input_spec_of("PReLU")
def prelu_input_spec(ctx: Ctx) -> dict:
    s = ctx.input_shape
    shared = prelu_shared_axes(ctx)
    # Keras fixes the non-shared axes only when shared_axes is given.
    axes = {i: s[i] for i in range(1, len(s)) if i not in shared} if shared else {}
    return {"ndim": len(s), "axes": axes}


EXAMPLES = [
    Example("Activation", {"activation": "relu"}, (None, 5), out=(None, 5)),
    Example("Activation", {"activation": "softmax"}, (None, 3, 5), out=(None, 3, 5)),
    Example("Activation", {"activation": "swish"}, (None,), out=(None,), note="alias of silu"),
    Example("Activation", {"activation": None}, (None, 5), out=(None, 5), note="None means linear"),
    Example(
        "Activation",
        {"activation": "Relu"},
        (None, 5),
        error="invalid_argument",
        code="NNR204",
        argument="activation",
        fix={"activation": "relu"},
    ),
    Example(
        "Activation",
        {"activation": "leakyrelu"},
        (None, 5),
        error="invalid_argument",
        code="NNR204",
        argument="activation",
        fix={"activation": "leaky_relu"},
    ),
    Example(
        "Activation",
        {},
        (None, 5),
        error="invalid_argument",
        note="activation is required",
        code="NNR209",
        argument="activation",
    ),
    Example("ReLU", {}, (None, 5), out=(None, 5)),
    Example("ReLU", {"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5}, (None, 4, 5), out=(None, 4, 5)),
    Example("ReLU", {"max_value": 0}, (None, 5), out=(None, 5)),
    Example("ReLU", {"max_value": -1}, (None, 5), error="invalid_argument", code="NNR206", argument="max_value"),
    Example("ReLU", {"max_value": "6"}, (None, 5), error="invalid_argument", code="NNR206", argument="max_value"),
    Example(
        "ReLU", {"negative_slope": -0.1}, (None, 5), error="invalid_argument", code="NNR206", argument="negative_slope"
    ),
    Example(
        "ReLU", {"negative_slope": None}, (None, 5), error="invalid_argument", code="NNR206", argument="negative_slope"
    ),
    Example("ReLU", {"threshold": -0.5}, (None, 5), error="invalid_argument", code="NNR206", argument="threshold"),
    Example("LeakyReLU", {}, (None, 5), out=(None, 5)),
    Example("LeakyReLU", {"negative_slope": 0.2}, (None, 2, 5), out=(None, 2, 5)),
    Example("LeakyReLU", {"alpha": 0.2}, (None, 5), out=(None, 5), note="deprecated alpha still accepted"),
    Example(
        "LeakyReLU",
        {"alpha": 0.2, "negative_slope": -1},
        (None, 5),
        out=(None, 5),
        note="alpha overrides negative_slope",
    ),
    Example("LeakyReLU", {"alpha": -0.2}, (None, 5), error="invalid_argument", code="NNR206", argument="alpha"),
    Example(
        "LeakyReLU",
        {"negative_slope": -0.2},
        (None, 5),
        error="invalid_argument",
        code="NNR206",
        argument="negative_slope",
    ),
    Example(
        "LeakyReLU",
        {"negative_slope": None},
        (None, 5),
        error="invalid_argument",
        code="NNR206",
        argument="negative_slope",
    ),
    Example("PReLU", {}, (None, 5), out=(None, 5), weights=((5,),)),
    Example("PReLU", {}, (None,), out=(None,), weights=((),)),
    Example("PReLU", {"shared_axes": [1]}, (None, None, 3), out=(None, None, 3), weights=((1, 3),)),
    Example("PReLU", {"shared_axes": [1, 2]}, (None, 8, 8, 3), out=(None, 8, 8, 3), weights=((1, 1, 3),)),
    Example("PReLU", {"shared_axes": 1}, (None, 4, 3), out=(None, 4, 3)),
    Example(
        "PReLU",
        {"shared_axes": 0},
        (None, 4, 3),
        out=(None, 4, 3),
        weights=((4, 1),),
        note="Keras indexes param_shape[axis - 1]: axis 0 shares the last axis",
    ),
    Example("PReLU", {"shared_axes": [-1]}, (None, 4, 3), out=(None, 4, 3), weights=((1, 3),)),
    Example("PReLU", {"alpha_initializer": "zeros"}, (None, 5), out=(None, 5)),
    Example(
        "PReLU",
        {"alpha_initializer": "const"},
        (None, 5),
        error="invalid_argument",
        code="NNR204",
        argument="alpha_initializer",
    ),
    Example("PReLU", {}, (None, None), error="undefined_dim", code="NNR105", argument=""),
    Example("PReLU", {"shared_axes": [2]}, (None, None, 3), error="undefined_dim", code="NNR105", argument=""),
    Example(
        "PReLU", {"shared_axes": [3]}, (None, 4, 3), error="invalid_argument", code="NNR201", argument="shared_axes"
    ),
    Example(
        "PReLU",
        {"shared_axes": [1]},
        (None, 4, 3),
        weights=((4, 3),),
        error="weight_shape",
        code="NNR301",
        argument="weights",
    ),
    Example("ELU", {}, (None, 5), out=(None, 5)),
    Example("ELU", {"alpha": -3}, (None,), out=(None,), note="alpha is not validated"),
    Example("Softmax", {}, (None, 5), out=(None, 5)),
    Example("Softmax", {"axis": 1}, (None, 5, 3), out=(None, 5, 3)),
    Example("Softmax", {"axis": [1, 2]}, (None, 5, 3), out=(None, 5, 3)),
    Example("Softmax", {"axis": 5}, (None, 5), out=(None, 5), note="axis is not checked when building"),
    Example(
        "Softmax",
        {"dim": 1},
        (None, 5),
        error="invalid_argument",
        note="Keras 3 has no `dim`",
        code="NNR202",
        argument="dim",
    ),
    Example("ELU", {"alpha": 1.0, "name": "elu1"}, (None, 5), out=(None, 5)),
    Example(
        "ELU",
        {"alpah": 1.0},
        (None, 5),
        error="invalid_argument",
        note="misspelled keyword",
        code="NNR202",
        argument="alpah",
    ),
    Example("LeakyReLU", {"slope": 0.1}, (None, 5), error="invalid_argument", code="NNR202", argument="slope"),
]
