"""The same Keras 2 code judged by the Keras the repository pins: tensorflow==2.12 -> Keras 2
verdicts, tensorflow==2.21 -> Keras 3 verdicts (read from requirements.txt, never executed)."""

import pytest

from repair_engine.api import analyze_paths
from repair_engine.config import Config

KERAS2_MODEL = """\
import tensorflow as tf
from tensorflow.keras import layers

model = tf.keras.Sequential()
model.add(layers.Embedding(1000, 16, input_length=20))
model.add(layers.LSTM(32, time_major=False))
model.add(layers.Dense(8, dynamic=False))
model.add(layers.LeakyReLU(alpha=0.1))
model.add(layers.Dense(1, activation="sigmoid"))

other = tf.keras.Sequential([
    layers.Dense(16, batch_input_shape=(None, 10), weights=None),
    layers.Dense(1),
])
"""

KERAS2_FAULT = """\
import tensorflow as tf
from tensorflow.keras import layers

model = tf.keras.Sequential([
    layers.Dense(16, input_shape=(10,)),
    layers.LeakyReLU(negative_slope=0.1),
])
cnn = tf.keras.Sequential([layers.Dense(16, input_shape=(10,)), layers.Conv2D(8, 3)])
"""


def repo(tmp_path, tf_pin, files):
    d = tmp_path / tf_pin.replace("=", "_")
    d.mkdir()
    (d / "requirements.txt").write_text(f"numpy\ntensorflow=={tf_pin}\n")
    for name, text in files.items():
        (d / name).write_text(text)
    return d


def findings(report):
    return [(m.name, d.code, d.severity, d.span.line if d.span else None) for m in report.models for d in m.diagnostics]


def test_tf_212_gets_keras2_verdicts(tmp_path):
    d = repo(tmp_path, "2.12.0", {"model.py": KERAS2_MODEL})
    report = analyze_paths([str(d)], config=Config())
    assert report.target.name == "keras2"
    assert [m.status for m in report.models] == ["valid", "valid"]
    assert findings(report) == []  # every Keras 2 spelling above builds on tf-keras


def test_tf_221_gets_keras3_verdicts(tmp_path):
    d = repo(tmp_path, "2.21.0", {"model.py": KERAS2_MODEL})
    report = analyze_paths([str(d)], config=Config())
    assert report.target.name == "keras3"
    got = findings(report)
    lines = {line for _, _, _, line in got}
    # Keras 3 rejects time_major (line 6), dynamic (7), batch_input_shape (12); ignores input_length (5)
    assert {5, 7, 12} <= lines, got
    assert "invalid" in [m.status for m in report.models]


def test_keras2_faults_are_reported_under_keras2(tmp_path):
    d = repo(tmp_path, "2.12.0", {"model.py": KERAS2_FAULT})
    report = analyze_paths([str(d)], config=Config())
    errors = [(d.code, d.span.line, d.message) for m in report.models for d in m.diagnostics if d.severity == "error"]
    assert [(c, line) for c, line, _ in errors] == [("NNR201", 6), ("NNR101", 8)], errors
    assert "Keras 2 spells it `alpha`" in errors[0][2]


@pytest.mark.parametrize("target, reading", [("keras2", {"seed": 7}), ("keras3", {"value_range": 7})])
def test_positional_reading_follows_the_target(tmp_path, target, reading):
    # tf-keras: RandomContrast(factor, seed); Keras 3: RandomContrast(factor, value_range, seed)
    src = (
        "import keras\n"
        "x = keras.Input(shape=(8, 8, 3))\n"
        "y = keras.layers.RandomContrast(0.5, 7)(x)\n"
        "model = keras.Model(x, y)\n"
    )
    (tmp_path / "m.py").write_text(src)
    report = analyze_paths([str(tmp_path / "m.py")], config=Config(target=target))
    assert report.target.name == target
    (layer,) = report.models[0].model.layers
    assert {k: v for k, v in layer.args.items() if k != "factor"} == reading


def test_keras3_only_layer_under_keras2(tmp_path):
    src = "import keras\nmodel = keras.Sequential([keras.Input((8, 3)), keras.layers.RMSNormalization()])\n"
    (tmp_path / "m.py").write_text(src)
    k2 = analyze_paths([str(tmp_path / "m.py")], config=Config(target="keras2"))
    k3 = analyze_paths([str(tmp_path / "m.py")], config=Config(target="keras3"))
    assert [d.code for d in k2.models[0].diagnostics] == ["NNR201"]
    assert "has no RMSNormalization" in k2.models[0].diagnostics[0].message
    assert k3.models[0].status == "valid"


@pytest.mark.parametrize("pin, target, status", [("2.12.0", "keras2", 0), ("2.21.0", "keras3", 1)])
def test_the_cli_judges_by_the_pinned_keras(tmp_path, pin, target, status):
    # end to end, as users run it: `nnrepair check --format json DIR` in a subprocess
    import json
    import os
    import subprocess
    import sys

    d = repo(tmp_path, pin, {"model.py": KERAS2_MODEL})
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = subprocess.run(
        [sys.executable, "-m", "repair_engine", "check", "--format", "json", str(d)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == status, p.stderr
    out = json.loads(p.stdout)
    assert out["target"]["name"] == target
    assert out["target"]["evidence"][0]["text"] == f"tensorflow=={pin}"
    statuses = [m["status"] for m in out["models"]]
    assert statuses == (["valid", "valid"] if target == "keras2" else ["invalid", "invalid"]), out["models"]
