"""Core layers: Dense (reference unit for the family modules)."""

from __future__ import annotations

from ..diagnostics import fmt_shape
from .base import Ctx, Example, register, weights_of


def last_dim_defined(ctx: Ctx, shape, what: str = "the last axis") -> int:
    """Layers that create weights from the last axis need it defined."""
    if shape[-1] is None:
        ctx.fail(
            "undefined_dim",
            f"{ctx.kind} creates its weights from {what} of its input, which is undefined (None) in "
            f"{fmt_shape(shape)}; give the input a fixed size on that axis",
            expected=f"{what} defined",
            actual=f"shape={fmt_shape(shape)}",
            hint={"axis": -1},
        )
    return shape[-1]


@register("Dense")
def dense(ctx: Ctx):
    units = ctx.positive_int("units")
    s = ctx.min_rank(2)
    last_dim_defined(ctx, s)
    return s[:-1] + (units,)


@weights_of("Dense")
def dense_weights(ctx: Ctx) -> list:
    s = ctx.input_shape
    w = [(s[-1], ctx.arg("units"))]
    if ctx.arg("use_bias", True):
        w.append((ctx.arg("units"),))
    return w


EXAMPLES = [
    Example("Dense", {"units": 3}, (None, 5), out=(None, 3)),
    Example("Dense", {"units": 3}, (None, 4, 5), out=(None, 4, 3), note="applies to the last axis"),
    Example("Dense", {"units": 3}, (None,), error="rank_mismatch", note="needs min_ndim=2"),
    Example("Dense", {"units": 0}, (None, 5), error="invalid_argument"),
    Example("Dense", {"units": 3.0}, (None, 5), error="invalid_argument", note="Keras 3 wants an int"),
    Example("Dense", {"units": 3}, (None, None), error="undefined_dim"),
    Example("Dense", {"units": 3}, (None, 5), weights=((5, 3), (3,)), out=(None, 3)),
    Example("Dense", {"units": 3}, (None, 5), weights=((4, 3), (3,)), error="weight_shape"),
]
