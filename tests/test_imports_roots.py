"""Import handling (issue 10, item 5): import roots, imports under if/try,
Keras submodules handed over at run time, discovery of indirect imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from repair_engine.api import analyze_paths
from repair_engine.checker import check
from repair_engine.frontends import python_source
from repair_engine.frontends.python.imports import canonical

BODY = (
    "inputs = keras.Input(shape=(28, 28))\n"
    "x = layers.Conv2D(8, 3)(inputs)\n"  # a 3-D input: Keras rejects it
    "model = keras.Model(inputs, layers.Dense(2)(x))\n"
)

PROGRAMS = {
    "keras_core": "import keras_core as keras\nfrom keras_core import layers\n" + BODY,
    "tf_keras": "import tf_keras as keras\nfrom tf_keras import layers\n" + BODY,
    "compat_v1": "from tensorflow.compat.v1 import keras\nfrom tensorflow.compat.v1.keras import layers\n" + BODY,
    "try_import": (
        "try:\n    from tensorflow import keras\n    from tensorflow.keras import layers\n"
        "except ImportError:\n    import keras\n    from keras import layers\n" + BODY
    ),
    "if_import": (
        "import sys\nif sys.version_info >= (3, 9):\n    import keras\n    from keras import layers\n"
        "else:\n    from tensorflow import keras\n    from tensorflow.keras import layers\n" + BODY
    ),
    "runtime_submodules": (
        "from keras_applications import get_submodules_from_kwargs\n"
        "backend = None\nlayers = None\nmodels = None\nkeras_utils = None\n\n"
        "def block(x, filters):\n    return layers.Conv2D(filters, 3)(x)\n\n"
        "def Net(input_shape=(28, 28), **kwargs):\n"
        "    global backend, layers, models, keras_utils\n"
        "    backend, layers, models, keras_utils = get_submodules_from_kwargs(kwargs)\n"
        "    inputs = layers.Input(shape=input_shape)\n"
        "    x = block(inputs, 8)\n"
        "    return models.Model(inputs, x)\n\n"
        "model = Net()\n"
    ),
}

# the same programs as real Keras 3 runs them (the roots we cannot install are keras itself)
KERAS_PROGRAMS = {
    "keras_core": "import keras\nfrom keras import layers\n" + BODY,
    "runtime_submodules": PROGRAMS["runtime_submodules"]
    .replace("from keras_applications import get_submodules_from_kwargs\n", "import keras\n")
    .replace("get_submodules_from_kwargs(kwargs)", "keras.backend, keras.layers, keras.models, keras.utils"),
    "try_import": PROGRAMS["try_import"],
    "if_import": PROGRAMS["if_import"],
}


@pytest.mark.parametrize("root", ["keras_core", "keras_core.layers.Dense", "tf_keras.layers", "tensorflow.compat.v1.keras"])
def test_roots_are_keras(root):
    assert canonical(root).split(".")[0] == "keras"


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_model_is_read_and_the_fault_found(name):
    result = python_source.load(f"{name}.py", PROGRAMS[name].encode())
    assert len(result.models) == 1, name
    res = check(result.models[0])
    assert res.status == "invalid"
    assert res.errors[0].kind == "rank_mismatch"


def test_keras_agrees(tmp_path):
    from tests.conftest import require_keras

    require_keras()
    runner = (
        "import json, sys, warnings\nwarnings.simplefilter('ignore')\nout = {}\n"
        "for name, src in json.loads(sys.stdin.read()).items():\n"
        "    try:\n        exec(compile(src, name, 'exec'), {})\n        out[name] = None\n"
        "    except Exception as e:\n        out[name] = type(e).__name__\n"
        "print('RESULT' + json.dumps(out))\n"
    )
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", runner], input=json.dumps(KERAS_PROGRAMS), capture_output=True,
                          text=True, timeout=300, env=env)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT")), None)
    assert line is not None, proc.stderr[-2000:]
    assert json.loads(line[len("RESULT"):]) == {name: "ValueError" for name in KERAS_PROGRAMS}


def test_discovery_finds_files_whose_keras_import_is_indirect(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "backend.py").write_text("from tensorflow.keras import layers, models\n")
    (tmp_path / "pkg" / "net.py").write_text(
        "from .backend import layers, models\n\ndef net(x):\n    return layers.Conv2D(8, 3)(x)\n"
    )
    (tmp_path / "pkg" / "apps.py").write_text(PROGRAMS["runtime_submodules"])
    (tmp_path / "pkg" / "core.py").write_text(PROGRAMS["keras_core"])
    (tmp_path / "pkg" / "torchy.py").write_text("import torch\nnet = torch.nn.Linear(3, 4)\n")
    report = analyze_paths([str(tmp_path)])
    files = {os.path.basename(m.file) for m in report.models}
    assert {"apps.py", "core.py"} <= files
    assert "torchy.py" not in files
    from repair_engine.discover import collect

    found, _ = collect([str(tmp_path)])
    assert {"apps.py", "core.py", "net.py"} <= {os.path.basename(f.path) for f in found}
