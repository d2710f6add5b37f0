"""Executable semantics of Keras 3 layers, one module per layer family.

Importing this package registers every unit in `REGISTRY` (kind -> LayerUnit).
`FAMILIES` lists the family modules; each has an `EXAMPLES` list.
"""

from __future__ import annotations

import importlib

from .base import REGISTRY, Ctx, Example, LayerUnit, Unknown, Violation  # noqa: F401

FAMILY_NAMES = (
    "core",
    "activations",
    "regularization",
    "conv",
    "pooling",
    "reshaping",
    "merging",
    "normalization",
    "recurrent",
    "attention",
    "preprocessing",
)

FAMILIES = []
for _name in FAMILY_NAMES:
    try:
        FAMILIES.append(importlib.import_module(f"{__name__}.{_name}"))
    except ModuleNotFoundError as _e:  # a family not written yet
        if _e.name != f"{__name__}.{_name}":
            raise


def all_examples() -> list:
    out = []
    for fam in FAMILIES:
        for ex in getattr(fam, "EXAMPLES", []):
            out.append((fam.__name__.rsplit(".", 1)[-1], ex))
    return out
