"""Verification of a repair: re-extract the patched source, re-check it, build it with Keras.

`verified` follows the contract: True when every check that could run passed
(the checker on the re-extracted model, and real Keras when installed), False
when one failed, None when nothing could be checked.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from ..checker import check
from ..ir import Model
from .proposals import model_errors

FRONTEND_MODULES = {
    "python": ("python_source", "python"),
    "exais_spec": ("exais_spec",),
    "keras_json": ("keras_json",),
}


@dataclass
class Verification:
    verified: bool | None
    reason: str = ""
    model: Model | None = None  # the re-extracted model, when re-extraction ran


def frontend_for(fmt: str):
    for name in FRONTEND_MODULES.get(fmt, ()):
        try:
            mod = importlib.import_module(f"repair_engine.frontends.{name}")
        except ImportError:
            continue
        if hasattr(mod, "load"):
            return mod
    return None


def reextract(fmt: str, path: str, text: str, index: int, name: str | None) -> tuple[Model | None, str]:
    mod = frontend_for(fmt)
    if mod is None:
        return None, f"no {fmt} frontend to re-read the patched file"
    try:
        fr = mod.load(path, text.encode("utf-8"))
    except Exception as exc:  # the frontend must not crash, but a patch must never crash us either
        return None, f"re-reading the patched file failed: {type(exc).__name__}"
    models = list(getattr(fr, "models", []) or [])
    if name is not None:
        named = [m for m in models if m.name == name]
        if len(named) == 1:
            return named[0], ""
    if index < len(models):
        return models[index], ""
    return None, "the patched file no longer defines this model"


def keras_build(model: Model, use_oracle: bool = True) -> tuple[bool | None, str]:
    if not use_oracle:
        return None, "Keras check disabled"
    from .. import oracle

    if not oracle.available():
        return None, "TensorFlow/Keras not installed"
    try:
        res = oracle.build(model)
    except Exception as exc:
        return None, f"Keras could not be run: {type(exc).__name__}"
    if res.unsupported:
        return None, f"Keras cannot build this IR: {res.error}"
    return res.ok, res.error or ""


def verify(
    repaired: Model,
    fmt: str | None = None,
    path: str | None = None,
    new_text: str | None = None,
    index: int = 0,
    use_oracle: bool = True,
) -> Verification:
    """Re-check the repair. With a patched text, the model is re-extracted from it first."""
    model = repaired
    reextracted = None
    if new_text is not None and fmt is not None and path is not None:
        reextracted, why = reextract(fmt, path, new_text, index, repaired.name)
        if reextracted is None:
            return Verification(False, why)
        model = reextracted
    try:
        res = check(model)
    except Exception as exc:  # a checker failure is no verdict on the repair
        return Verification(None, f"the checker failed: {type(exc).__name__}", reextracted)
    errors = model_errors(res)
    if errors:
        first = errors[0]
        return Verification(False, f"the repaired model still fails: {first.message}", reextracted)
    ok, why = keras_build(model, use_oracle)
    if ok is False:
        return Verification(False, f"Keras rejects the repaired model: {why}", reextracted)
    if ok is None and reextracted is None and new_text is None:
        # only the in-memory semantics ran
        return Verification(True, "checked by the semantics only", reextracted)
    return Verification(True, why, reextracted)


def keras_enabled(config: Any) -> bool:
    rep = getattr(config, "repair", None) if config is not None else None
    v = getattr(rep, "verify_with_keras", None) if rep is not None else None
    return True if v is None else bool(v)
