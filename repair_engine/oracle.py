"""The optional oracle: build an IR model with real Keras 3 (when installed).

Used by the tests (semantics examples, fidelity) and by `nnrepair fix` to mark
a repair as verified. It only instantiates Keras layer classes from the IR's
literal arguments; it never imports or runs the user's code.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from .ir import Layer, Model, is_unknown

_keras = None

# The backend that builds repaired models (`nnrepair fix`). Keras 3 on numpy
# imports in well under half of TensorFlow's time and agrees with it on every
# model we can label (benchmarks/backend_agreement.py, docs/repair.md "Speed");
# it needs jax and scipy besides keras. The tests and the fidelity benchmarks
# keep TensorFlow as the judge (`_load()` without a backend).
REPAIR_BACKEND_ENV = "NNREPAIR_KERAS_BACKEND"
FAST_BACKEND = "numpy"
FAST_BACKEND_NEEDS = ("jax", "scipy")
BACKENDS = ("tensorflow", "numpy", "jax", "torch")


def available(backend: str | None = None) -> bool:
    try:
        _load(backend)
        return True
    except Exception:
        return False


def repair_backend() -> str:
    """The backend for repair verification: $NNREPAIR_KERAS_BACKEND when it names
    one, else numpy when its dependencies are installed, else TensorFlow."""
    import importlib.util

    asked = os.environ.get(REPAIR_BACKEND_ENV, "").strip().lower()
    if asked in BACKENDS:
        return asked
    if all(importlib.util.find_spec(m) is not None for m in FAST_BACKEND_NEEDS):
        return FAST_BACKEND
    return "tensorflow"


def loaded_backend() -> str | None:
    """The backend of the Keras this process imported (None before the import)."""
    if _keras is None:
        return None
    try:
        return str(_keras.backend.backend())
    except Exception:
        return None


def _load(backend: str | None = None):
    """Import Keras once per process. `backend` applies only to that first import
    (Keras fixes its backend then); without one, TensorFlow unless $KERAS_BACKEND says."""
    global _keras
    if _keras is None:
        # TensorFlow's start-up lines are noise in a checker's output; oneDNN's
        # line is silenced only by turning its kernels off, which no shape depends on
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
        if backend is not None and "keras" not in sys.modules:
            os.environ["KERAS_BACKEND"] = backend
        else:
            os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        import keras  # noqa: WPS433 (optional dependency)

        _keras = keras
    return _keras


@dataclass
class OracleResult:
    ok: bool
    output_shapes: list | None = None
    error: str | None = None  # exception type and first line
    unsupported: bool = False  # the IR holds something the oracle cannot build


def make_layer(layer: Layer):
    keras = _load()
    cls = getattr(keras.layers, layer.kind, None)
    if cls is None:
        raise LookupError(f"keras.layers has no {layer.kind}")
    args = dict(layer.args)
    for k, v in args.items():
        if is_unknown(v):
            raise LookupError(f"argument {k} is unknown")
    if layer.inner is not None:
        args["layer"] = make_layer(layer.inner)
        if "backward_layer" in args and isinstance(args["backward_layer"], Layer):
            args["backward_layer"] = make_layer(args["backward_layer"])
    args.pop("weights", None) if layer.kind not in ("Embedding",) else None
    return cls(**args)


def build(model: Model) -> OracleResult:
    """Build `model` with real Keras; report whether it builds and its output shapes."""
    return _build(model)[0]


def run_forward(model: Model, max_elements: int = 10**7) -> OracleResult:
    """Build `model` and run it once on zeros (unknown sizes become 2).

    Some layers build symbolically but cannot run (e.g. TimeDistributed skips its
    inner layer's rank check when building); running decides those cases.
    """
    import numpy as np

    res, ins, outs = _build(model)
    if not res.ok:
        return res
    keras = _load()
    data = []
    for inp in model.inputs:
        shape = tuple(2 if d is None else d for d in inp.shape or ())  # _build refused unknown shapes
        n = 1
        for d in shape:
            n *= d
        if n > max_elements:
            return OracleResult(ok=False, unsupported=True, error="input too large to run")
        data.append(np.zeros(shape, dtype=inp.dtype or "float32"))
    try:
        m = keras.Model(ins, outs)
        m(data)  # the model was built on a list of inputs
    except Exception as e:
        if _resource_exhausted(e):
            return OracleResult(ok=False, unsupported=True, error=_fmt(e))
        return OracleResult(ok=False, error=_fmt(e))
    return res


def _build(model: Model):
    keras = _load()
    import numpy as np

    tensors: dict[str, list] = {}
    try:
        for inp in model.inputs:
            if inp.shape is None:
                return OracleResult(ok=False, unsupported=True, error="unknown input shape"), None, None
            kw: dict[str, Any] = {"batch_shape": tuple(inp.shape)}
            if inp.dtype:
                kw["dtype"] = inp.dtype
            tensors[inp.id] = [keras.Input(**kw)]
    except Exception as e:  # an invalid input declaration
        return OracleResult(ok=False, error=_fmt(e)), None, None
    instances: dict[str, Any] = {}
    for layer in model.layers:
        try:
            obj = instances.get(layer.instance_id)
            if obj is None:
                obj = make_layer(layer)
                instances[layer.instance_id] = obj
        except LookupError as e:
            return OracleResult(ok=False, unsupported=True, error=str(e)), None, None
        except Exception as e:
            return OracleResult(ok=False, error=_fmt(e)), None, None
        try:
            ins = [tensors[e.node][e.index] for e in layer.inputs]
            kwargs = dict(layer.call_args)
            if layer.list_input:
                out = obj(ins, **kwargs)
            else:
                out = obj(*ins, **kwargs)
            if layer.weights is not None:
                # None: a weight whose shape was not given keeps the built shape
                built = [tuple(v.shape) for v in obj.get_weights()]
                given = [
                    tuple(w) if w is not None else (built[i] if i < len(built) else ())
                    for i, w in enumerate(layer.weights)
                ]
                obj.set_weights([np.zeros(w, dtype="float32") for w in given])  # type: ignore[type-var]  # a None dim raises, reported like a Keras error
        except Exception as e:
            if _resource_exhausted(e):
                # too large to allocate here: says nothing about validity
                return OracleResult(ok=False, unsupported=True, error=_fmt(e)), None, None
            return OracleResult(ok=False, error=_fmt(e)), None, None
        tensors[layer.id] = list(out) if isinstance(out, (list, tuple)) else [out]
    shapes = []
    out_tensors = []
    for edge in model.outputs:
        outs = tensors.get(edge.node, [])
        if edge.index >= len(outs):
            return (
                OracleResult(ok=False, error=f"IndexError: {edge.node} has {len(outs)} outputs, not {edge.index + 1}"),
                None,
                None,
            )
        shapes.append(tuple(outs[edge.index].shape))
        out_tensors.append(outs[edge.index])
    return OracleResult(ok=True, output_shapes=shapes), [tensors[i.id][0] for i in model.inputs], out_tensors


def _resource_exhausted(e: Exception) -> bool:
    return isinstance(e, MemoryError) or type(e).__name__ == "ResourceExhaustedError"


def _fmt(e: Exception) -> str:
    first = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}: {first[:300]}"
