"""Layers only Keras 2 has (semantics/keras2_layers.py): checked by tf-keras under keras2, and
under keras3 the one finding is that Keras 3 has no such class.

The tf-keras half skips without tf_keras and fails under NNREPAIR_REQUIRE_KERAS=1.
"""

import os

import pytest

from repair_engine.api import analyze
from repair_engine.checker import check
from repair_engine.config import Config
from repair_engine.semantics.keras2_layers import EXAMPLES, KERAS2_ONLY_KINDS
from repair_engine.target import judging
from tests.example_models import example_model


@pytest.fixture(scope="session")
def tf_keras_oracle():
    from benchmarks import keras2_oracle

    if keras2_oracle.available():
        return keras2_oracle
    if os.environ.get("NNREPAIR_REQUIRE_KERAS") == "1":
        pytest.fail("tf-keras is required (NNREPAIR_REQUIRE_KERAS=1) but cannot be imported")
    pytest.skip("tf-keras not installed")


def _id(ex):
    return f"{ex.kind}({','.join(f'{k}={v}' for k, v in ex.args.items())})<-{ex.inputs}"


@pytest.mark.parametrize("ex", EXAMPLES, ids=[_id(e) for e in EXAMPLES])
def test_keras2_only_layer_under_keras2(ex, tf_keras_oracle):
    model = example_model(ex)
    with judging("keras2"):
        ours = check(model)
    res = tf_keras_oracle.build(model)
    assert not res.unsupported, res.error
    if ex.error is not None:
        assert [d.kind for d in ours.errors] == [ex.error], [d.message for d in ours.diagnostics]
        assert not res.ok, f"tf-keras builds it: {res.output_shapes}"
    else:
        assert ours.errors == [] and ours.output_shapes == [ex.out], [d.message for d in ours.diagnostics]
        assert res.ok, res.error
        assert res.output_shapes == [ex.out]


@pytest.mark.parametrize("kind", KERAS2_ONLY_KINDS)
def test_keras3_has_no_such_layer(kind, keras_oracle):
    assert not hasattr(keras_oracle._load().layers, kind)
    ex = next((e for e in EXAMPLES if e.kind == kind and e.error is None), None)
    args = ", ".join(f"{k}={v!r}" for k, v in (ex.args if ex else {}).items())
    shape = ex.inputs[1:] if ex else (8, 8, 3)
    source = f"import keras\nx = keras.Input(shape={shape!r})\ny = keras.layers.{kind}({args})(x)\nm = keras.Model(x, y)\n"
    report = analyze({"m.py": source}, config=Config(target="keras3"))
    errors = [d for m in report.models for d in m.diagnostics if d.severity == "error"]
    assert [d.message.split(":")[0] for d in errors] == [f"{kind} is a Keras 2 layer"]
    assert errors[0].span.line == 3


DENSE_FEATURES = """\
import tensorflow as tf
from tensorflow.keras import layers

feature_columns = []
feature_layer = tf.keras.layers.DenseFeatures(feature_columns)
model = tf.keras.Sequential([
  feature_layer,
  layers.Dense(128, activation='relu'),
  layers.Dense(1)
])
"""


def test_dense_features_under_keras3_says_keras3_has_no_such_layer():
    # tensorflow/docs tutorials/structured_data/feature_columns.ipynb: once read as
    # "DenseFeatures takes at most 0 positional arguments"
    report = analyze({"feature_columns.py": DENSE_FEATURES}, config=Config(target="keras3"))
    errors = [d for m in report.models for d in m.diagnostics if d.severity == "error"]
    assert [d.message.split(";")[0] for d in errors] == [
        "DenseFeatures is a Keras 2 layer: Keras 3 has no keras.layers.DenseFeatures (AttributeError)"
    ]
    assert errors[0].span.line == 5


def test_dense_features_under_keras2_is_no_error():
    report = analyze({"feature_columns.py": DENSE_FEATURES}, config=Config(target="keras2"))
    assert [d.message for m in report.models for d in m.diagnostics if d.severity == "error"] == []
