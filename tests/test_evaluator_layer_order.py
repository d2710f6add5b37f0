"""`model.layers[i]` of a branching functional model follows Keras 3's order
(by depth, not creation): a false alarm of the real-world benchmark."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from repair_engine.checker import check
from repair_engine.frontends import python_source

HEADS = (
    "import keras\nfrom keras import Input, Model\nfrom keras.layers import Dense, Flatten\n"
    "inputs = Input((28, 28))\nx = Flatten()(inputs)\nouts = []\n"
    "x1 = Dense(64, name='64_1')(x)\nx1 = Dense(128, name='128_1')(x1)\no1 = Dense(10, name='output1')(x1)\n"
    "x2 = Dense(64, name='64_2')(x)\nx2 = Dense(128, name='128_2')(x2)\no2 = Dense(10, name='output2')(x2)\n"
    "x3 = Dense(64, name='64_3')(x)\nx3 = Dense(128, name='128_3')(x3)\no3 = Dense(10, name='output3')(x3)\n"
    "model = Model(inputs, [o1, o2, o3])\n"
    "y = model.layers[2](model.layers[1](model.input))\n"
)
# Keras lists [input, flatten, 64_1, 64_2, 64_3, 128_1, 128_2, 128_3, output1, output2, output3]
PROGRAMS = {
    "depth_order_valid": HEADS + "head = Model(model.input, model.layers[10](model.layers[7](y)))\n",
    "depth_order_invalid": HEADS + "head = Model(model.input, model.layers[8](y))\n",  # output1 wants 128 inputs
}


def static_status(src: str) -> str:
    models = python_source.load("p.py", src.encode()).models
    head = next(m for m in models if m.name == "head")
    return check(head).status


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_static(name):
    assert static_status(PROGRAMS[name]) == name.rsplit("_", 1)[1]


def test_keras_agrees():
    from tests.conftest import require_keras

    require_keras()
    runner = (
        "import json, sys, warnings\nwarnings.simplefilter('ignore')\nout = {}\n"
        "for name, src in json.loads(sys.stdin.read()).items():\n"
        "    try:\n        exec(compile(src, name, 'exec'), {})\n        out[name] = 'valid'\n"
        "    except Exception as e:\n        out[name] = 'invalid'\n"
        "print('RESULT' + json.dumps(out))\n"
    )
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", runner], input=json.dumps(PROGRAMS), capture_output=True,
                          text=True, timeout=300, env=env)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT")), None)
    assert line is not None, proc.stderr[-2000:]
    assert json.loads(line[len("RESULT"):]) == {n: n.rsplit("_", 1)[1] for n in PROGRAMS}
