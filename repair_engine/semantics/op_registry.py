"""The registry of tensor-op units (kind `ops.<name>`), shared by ops.py and applications.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import Ctx, LayerUnit

OPS: dict[str, LayerUnit] = {}
# Keras 3 positional parameter order of each op (the frontend binds calls with it)
PARAMS: dict[str, tuple[str, ...]] = {}
# the parameter of an op that takes a list of tensors
LIST_PARAMS = {"concatenate": "xs", "stack": "x", "einsum": "operands", "meshgrid": "x"}


def op(*names: str, params: tuple[str, ...]):
    """Register `fn` as the unit of `ops.<name>` for each name."""

    def deco(fn: Callable[[Ctx], Any]):
        unit = LayerUnit(kinds=tuple("ops." + n for n in names), output=fn, arity=(0, None))
        for n in names:
            if "ops." + n in OPS:
                raise ValueError(f"op {n} registered twice")
            OPS["ops." + n] = unit
            PARAMS[n] = params
        return fn

    return deco
