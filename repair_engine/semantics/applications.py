"""keras.applications bases (transfer learning) as one op node: `ops.application`.

Output shapes come from TABLE (repair_engine/semantics/applications_table.py),
generated from the installed Keras by scripts/gen_applications.py and tested
against it (tests/test_applications.py). A size the table does not cover stays
unknown (None), never a guess.
"""

from __future__ import annotations

import math

from ..diagnostics import fmt_shape
from .base import Ctx, Unknown
from .op_registry import op

try:
    from .applications_table import TABLE
except ImportError:  # table not generated yet
    TABLE = {}


def spatial(name: str, size: int | None) -> int | None:
    row = TABLE.get(name)
    if row is None or size is None:
        return None
    _, _, sizes, ceil32 = row
    if size in sizes:
        return sizes[size]
    if ceil32 and size >= min(sizes):
        return math.ceil(size / 32)
    return None


@op("application", params=("inputs", "name", "include_top", "pooling", "classes"))
def application(ctx: Ctx):
    name = ctx.arg("name")
    row = TABLE.get(name)
    if row is None:
        raise Unknown(f"application {name}")
    include_top = ctx.arg("include_top", True)
    if include_top:
        classes = ctx.arg("classes", 1000)
        shape = ctx.shape(0)
        _rank4(ctx, shape, name)
        return (shape[0], classes)
    shape = ctx.shape(0)
    _rank4(ctx, shape, name)
    channels = row[1]
    pooling = ctx.arg("pooling", None)
    if pooling in ("avg", "max"):
        return (shape[0], channels)
    return (shape[0], spatial(name, shape[1]), spatial(name, shape[2]), channels)


def _rank4(ctx: Ctx, shape, name: str) -> None:
    if len(shape) != 4:
        ctx.fail(
            "rank_mismatch",
            f"{name} expects a 4-D input (batch, height, width, channels) but receives {len(shape)}-D "
            f"{fmt_shape(shape)}",
            expected="ndim=4",
            actual=f"ndim={len(shape)}",
        )
