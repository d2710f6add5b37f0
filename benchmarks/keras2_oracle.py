"""The Keras 2 oracle: build an IR model with tf-keras 2.21 (`import tf_keras`), beside Keras 3.

For the keras2 target's tests and `benchmarks/fidelity.py --target keras2`. It reuses
repair_engine.oracle's builder with the tf_keras module in place of keras (both expose
the same Input / layers / Model API), and passes each argument by the name it was
written with (Layer.legacy), as a Keras 2 user wrote it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from repair_engine import oracle
from repair_engine.ir import Model

_tf_keras = None


def _load():
    global _tf_keras
    if _tf_keras is None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tf_keras  # optional dependency (the tensorflow extra)

        _tf_keras = tf_keras
    return _tf_keras


def available() -> bool:
    try:
        _load()
        return True
    except Exception:  # ImportError, or a TensorFlow that fails to load
        return False


@contextmanager
def _tf_keras_builder() -> Iterator[None]:
    keras3 = oracle._load()
    oracle._keras = _load()
    try:
        yield
    finally:
        oracle._keras = keras3


def as_written(model: Model) -> Model:
    """Arguments under the names the user wrote (LeakyReLU(alpha=...) rather than negative_slope)."""

    def layer_as_written(layer):
        inner = layer_as_written(layer.inner) if layer.inner is not None else None
        if not layer.legacy and inner is layer.inner:
            return layer
        args = {layer.legacy.get(k, k): v for k, v in layer.args.items() if "/" not in layer.legacy.get(k, k)}
        return replace(layer, args=args, inner=inner)

    return replace(model, layers=tuple(layer_as_written(l) for l in model.layers))


def build(model: Model) -> oracle.OracleResult:
    with _tf_keras_builder():
        return oracle.build(as_written(model))


def run_forward(model: Model) -> oracle.OracleResult:
    with _tf_keras_builder():
        return oracle.run_forward(as_written(model))
