"""keras.applications: the generated table against the installed Keras, and
the frontend's reading of application bases (base.output, base.input, a base
called on a tensor, a base inside a Sequential)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from repair_engine.checker import check
from repair_engine.frontends import python_source
from repair_engine.semantics.applications import TABLE, spatial

ROOT = Path(__file__).parent.parent


def _shapes(src: str, tmp_path) -> dict:
    path = tmp_path / "m.py"
    path.write_text(src)
    result = python_source.load(str(path), path.read_bytes())
    return {m.name: check(m) for m in result.models}


def test_spatial_sizes_follow_the_table():
    assert spatial("ResNet50", 224) == 7
    assert spatial("MobileNetV2", 96) == 3
    assert spatial("ResNet50", 20) is None  # below every measured size: unknown, not a guess
    assert spatial("NoSuchNet", 224) is None


def test_base_output_feeds_the_head(tmp_path):
    res = _shapes(
        "import keras\nfrom keras import layers\n"
        "base = keras.applications.ResNet50(include_top=False, weights=None, input_shape=(224, 224, 3))\n"
        "base.trainable = False\n"
        "x = layers.GlobalAveragePooling2D()(base.output)\n"
        "model = keras.Model(base.input, layers.Dense(4)(x))\n",
        tmp_path,
    )
    assert res["model"].output_shapes == [(None, 4)]
    assert not res["model"].errors


def test_pooling_and_include_top(tmp_path):
    res = _shapes(
        "import keras\n"
        "a = keras.Sequential([keras.applications.VGG16(include_top=False, weights=None, pooling='max',"
        " input_shape=(64, 64, 3)), keras.layers.Dense(2)])\n"
        "b = keras.Sequential([keras.applications.VGG16(weights=None, classes=3)])\n",
        tmp_path,
    )
    assert res["a"].output_shapes == [(None, 2)]
    assert res["b"].output_shapes == [(None, 3)]


def test_table_covers_every_installed_application():
    from tests.conftest import require_keras

    require_keras()
    sys.path.insert(0, str(ROOT / "scripts"))
    from gen_applications import applications

    assert set(applications()) <= set(TABLE)


@pytest.mark.parametrize(
    "name,size,pooling",
    [
        ("MobileNetV2", 160, None),
        ("DenseNet121", 128, "avg"),
        ("MobileNetV3Small", 192, None),
        ("MobileNetV3Large", 224, "max"),
    ],
)
def test_table_matches_a_rebuilt_sample(name, size, pooling, tmp_path):
    """Rebuild a sample with real Keras (weights=None: no download) and compare."""
    from tests.conftest import require_keras

    oracle = require_keras()
    keras = oracle._load()
    fn = getattr(keras.applications, name)
    real = tuple(fn(include_top=False, weights=None, input_shape=(size, size, 3), pooling=pooling).output.shape)
    res = _shapes(
        f"import keras\nbase = keras.applications.{name}(include_top=False, weights=None,"
        f" input_shape=({size}, {size}, 3), pooling={pooling!r})\nmodel = keras.Model(base.input, base.output)\n",
        tmp_path,
    )
    assert res["model"].output_shapes == [real]
