"""The documented divergences (docs/keras-divergences.md): Keras builds these models,
they fail on their first forward pass, and nnrepair says so."""

import pytest

from repair_engine.checker import check
from repair_engine.ir import Edge, InputNode, Layer, Model


def _time_distributed(inner_kind, shape):
    inp = InputNode(id="x", shape=shape)
    td = Layer(
        id="td",
        kind="TimeDistributed",
        inputs=(Edge("x"),),
        inner=Layer(id="inner", kind=inner_kind, args={}),
    )
    return Model(name="m", inputs=(inp,), layers=(td,), outputs=(Edge("td"),))


def test_time_distributed_inner_rank(keras_oracle):
    for inner, shape in [("GlobalAveragePooling2D", (None, 1, 3)), ("MaxPooling2D", (None, 4, 6, 6))]:
        m = _time_distributed(inner, shape)
        assert keras_oracle.build(m).ok, "Keras builds it symbolically"
        run = keras_oracle.run_forward(m)
        assert not run.ok and not run.unsupported, "but it fails when called on data"
        assert [d.kind for d in check(m).errors] == ["rank_mismatch"]


def test_time_distributed_valid_inner_runs(keras_oracle):
    m = _time_distributed("GlobalAveragePooling2D", (None, 4, 6, 6, 3))
    assert keras_oracle.run_forward(m).ok
    r = check(m)
    assert r.valid and r.output_shapes == [(None, 4, 3)]


def test_attention_dims_warn(keras_oracle):
    q = InputNode(id="q", shape=(None, 5, 8))
    v = InputNode(id="v", shape=(None, 7, 6))
    att = Layer(id="att", kind="Attention", inputs=(Edge("q"), Edge("v")), list_input=True)
    m = Model(name="m", inputs=(q, v), layers=(att,), outputs=(Edge("att"),))
    assert keras_oracle.build(m).ok
    assert not keras_oracle.run_forward(m).ok
    r = check(m)
    assert r.valid
    assert [d.severity for d in r.diagnostics] == ["warning"]


def test_equalization_model_is_a_keras_defect(keras_oracle):
    """Keras cannot build a model ending in Equalization (its symbolic call returns
    the input tensor), although the layer runs on data; nnrepair says valid."""
    import numpy as np

    from repair_engine.api import analyze

    keras = keras_oracle._load()
    x = keras.Input(shape=(8, 10, 3))
    with pytest.raises(ValueError, match="cycle"):
        keras.Model(x, keras.layers.Equalization()(x))
    images = np.random.uniform(0, 255, (2, 8, 10, 3)).astype("float32")
    assert tuple(keras.layers.Equalization()(images).shape) == (2, 8, 10, 3)
    src = (
        "import keras\nx = keras.Input(shape=(8, 10, 3))\n"
        "model = keras.Model(x, keras.layers.Equalization()(x))\n"
    )
    assert [m.status for m in analyze({"m.py": src}).models] == ["valid"]
