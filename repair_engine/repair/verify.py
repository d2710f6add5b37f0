"""Verification of a repair: re-extract the patched source, re-check it, build it with Keras.

`verified` follows the contract: True when every check that could run passed
(the checker on the re-extracted model, and real Keras when installed), False
when one failed, None when nothing could be checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import formats
from ..checker import check
from ..ir import Model, is_unknown
from .proposals import model_errors


@dataclass
class Verification:
    verified: bool | None
    reason: str = ""
    model: Model | None = None  # the re-extracted model, when re-extraction ran
    by: str | None = None  # "keras" (real Keras built it) or "semantics" (the checker alone); None unless verified
    backend: str | None = None  # the Keras backend that built it, when by == "keras"


def frontend_for(fmt: str):
    return formats.reader(fmt)  # the one format registry (formats.py)


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


def prepare_keras(use_oracle: bool = True) -> None:
    """A repair is about to be searched: start importing Keras in the worker
    process now, on the other core, so the build does not wait for the import
    (repair_engine.keras_worker). Nothing when Keras is off, missing, or
    already imported here."""
    import importlib.util

    from .. import keras_worker, oracle

    if not use_oracle or oracle.loaded_backend() is not None or not keras_worker.enabled():
        return
    if importlib.util.find_spec("keras") is None:
        return
    keras_worker.start(oracle.repair_backend())


def keras_build(model: Model, use_oracle: bool = True) -> tuple[bool | None, str, str | None]:
    """(builds in real Keras: True/False, None when it could not be asked; why; the backend)."""
    if not use_oracle:
        return None, "Keras check disabled", None
    from .. import keras_worker, oracle

    if oracle.loaded_backend() is None and keras_worker.enabled():
        prepare_keras(use_oracle)
        worker = keras_worker.current()
        if worker is None:
            return None, "TensorFlow/Keras not installed", None
        reply = worker.build(model)
        if reply is None:
            return None, worker.why_not or "the Keras worker did not answer", None
        if reply.get("unsupported"):
            return None, f"Keras cannot build this IR: {reply.get('error')}", None
        return bool(reply.get("ok")), reply.get("error") or "", worker.backend
    if not oracle.available(oracle.repair_backend()):
        return None, "TensorFlow/Keras not installed", None
    try:
        res = oracle.build(model)
    except Exception as exc:
        return None, f"Keras could not be run: {type(exc).__name__}", None
    if res.unsupported:
        return None, f"Keras cannot build this IR: {res.error}", None
    return res.ok, res.error or "", oracle.loaded_backend()


def compiles(text: str, path: str | None) -> str | None:
    """None when the text compiles to bytecode (never executed), else why not.
    `ast.parse` alone accepts `f(padding="same", padding="same")`; compile() does not."""
    try:
        compile(text, path or "<patched>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return f"the patched source does not compile: {getattr(exc, 'msg', None) or exc}"
    return None


def verify(
    repaired: Model,
    fmt: str | None = None,
    path: str | None = None,
    new_text: str | None = None,
    index: int = 0,
    use_oracle: bool = True,
) -> Verification:
    """Check the repair end to end. With a patched text: it compiles (Python), it
    re-extracts to the repaired model the search found, the checker passes on the
    re-extracted model, and real Keras builds it (when installed)."""
    model = repaired
    reextracted = None
    if new_text is not None and fmt is not None and path is not None:
        if fmt == "python":
            why_not = compiles(new_text, path)
            if why_not is not None:
                return Verification(False, why_not)
        reextracted, why = reextract(fmt, path, new_text, index, repaired.name)
        if reextracted is None:
            return Verification(False, why)
        differs = model_difference(repaired, reextracted)
        if differs is not None:
            return Verification(False, f"the patched source reads as another model: {differs}", reextracted)
        if fmt == "python":
            from ..patch.python import rejected_legacy

            left = [old for l in reextracted.layers for _, old in rejected_legacy(l)]
            if left:
                return Verification(
                    False, f"the patched source still uses `{left[0]}`, which Keras 3 rejects", reextracted
                )
        model = reextracted
    try:
        res = check(model)
    except Exception as exc:  # a checker failure is no verdict on the repair
        return Verification(None, f"the checker failed: {type(exc).__name__}", reextracted)
    errors = model_errors(res)
    if errors:
        first = errors[0]
        return Verification(False, f"the repaired model still fails: {first.message}", reextracted)
    ok, why, backend = keras_build(model, use_oracle)
    if ok is False:
        return Verification(False, f"Keras rejects the repaired model: {why}", reextracted)
    if ok is None:
        return Verification(True, f"checked by the semantics only ({why})", reextracted, by="semantics")
    return Verification(True, why, reextracted, by="keras", backend=backend)


def model_difference(want: Model, got: Model) -> str | None:
    """None when `got` (re-read from the patched text) is the model the search
    found, else the first difference. Layers are compared by position (ids of
    inserted layers are fresh), arguments by value (an int stands for the same
    int on every axis)."""
    if len(want.inputs) != len(got.inputs):
        return "another number of inputs"
    for a, b in zip(want.inputs, got.inputs):
        if (tuple(a.shape) if a.shape is not None else None) != (tuple(b.shape) if b.shape is not None else None):
            return f"input shape {b.shape} instead of {a.shape}"
    if len(want.layers) != len(got.layers):
        return f"{len(got.layers)} layers instead of {len(want.layers)}"
    pos_a = _positions(want)
    pos_b = _positions(got)
    for la, lb in zip(want.layers, got.layers):
        if la.kind != lb.kind:
            return f"{lb.kind} instead of {la.kind}"
        if _norm_args(la) != _norm_args(lb):
            return f"{la.kind} arguments {dict(lb.args)} instead of {dict(la.args)}"
        if [(pos_a.get(e.node), e.index) for e in la.inputs] != [(pos_b.get(e.node), e.index) for e in lb.inputs]:
            return f"{la.kind} reads other inputs"
    if [(pos_a.get(e.node), e.index) for e in want.outputs] != [(pos_b.get(e.node), e.index) for e in got.outputs]:
        return "other outputs"
    return None


def _positions(model: Model) -> dict:
    pos = {i.id: ("i", n) for n, i in enumerate(model.inputs)}
    pos.update({l.id: ("l", n) for n, l in enumerate(model.layers)})
    return pos


def _norm_args(layer) -> tuple:
    out = []
    for k, v in sorted(layer.args.items()):
        if is_unknown(v):
            v = "<unknown>"
        out.append((k, _norm_value(v)))
    inner = _norm_args(layer.inner) if getattr(layer, "inner", None) is not None else None
    return (layer.kind, tuple(out), inner)


def _norm_value(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        vs = tuple(_norm_value(x) for x in v)
        if vs and all(x == vs[0] for x in vs) and all(isinstance(x, int) and not isinstance(x, bool) for x in vs):
            return vs[0]
        return vs
    if isinstance(v, dict):
        return tuple(sorted((str(k), _norm_value(x)) for k, x in v.items()))
    if hasattr(v, "kind") and hasattr(v, "args"):
        return _norm_args(v)
    return v


def keras_enabled(config: Any) -> bool:
    rep = getattr(config, "repair", None) if config is not None else None
    v = getattr(rep, "verify_with_keras", None) if rep is not None else None
    return True if v is None else bool(v)
