"""Symbolic input dimensions (issue 10, item 3).

Each case is a model whose input shape is not a constant: a factory whose
`input_shape` is a parameter never called with constants, `Input(shape=(h, w, 3))`
with unknown `h` and `w`, a Sequential or subclassed model without an input.
nnrepair reads it statically (the factory is never called) and must give:

- `invalid` only when Keras rejects the model for every value tried,
- `valid` when Keras builds it for the values tried, with the same output
  dimensions wherever nnrepair states one (None: depends on the input),
- an info finding that states the condition (`needs h >= 7`) when Keras builds
  it for some values and rejects it for others; the test builds both sides.

Real Keras builds every case for each listed input shape (a subprocess).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from repair_engine.checker import check
from repair_engine.frontends import python_source
from repair_engine.semantics import dims

HEAD = "import keras\nfrom keras import layers\n"

# name -> (program defining `build(...)`, static verdict, info text expected or None,
#          static output shape or None, [(args of build, Keras builds it?)...])
# `build` returns a model; a model without an input is called on keras.Input(shape=args[0]).
CASES: dict[str, tuple] = {
    "factory_conv_classifier": (
        "def build(input_shape, n_classes=10):\n"
        "    inputs = keras.Input(shape=input_shape)\n"
        "    x = layers.Conv2D(32, 3, activation='relu')(inputs)\n"
        "    x = layers.MaxPooling2D()(x)\n"
        "    x = layers.Flatten()(x)\n"
        "    return keras.Model(inputs, layers.Dense(n_classes)(x))\n",
        "valid",
        "needs input_shape[0] >= 3",
        [None, 10],
        [(((28, 28, 1),), True), (((64, 48, 3),), True), (((2, 9, 3),), False)],
    ),
    "factory_dense_widths_feed_add": (
        "def build(input_shape):\n"
        "    inputs = keras.Input(shape=input_shape)\n"
        "    a = layers.Dense(10)(inputs)\n"
        "    b = layers.Dense(20)(inputs)\n"
        "    return keras.Model(inputs, layers.Add()([a, b]))\n",
        "invalid",
        None,
        None,
        [(((8,),), False), (((4, 6),), False), (((5, 6, 7),), False)],
    ),
    "tuple_of_unknown_sizes_kernel_7": (
        "def build(h, w):\n"
        "    inputs = keras.Input(shape=(h, w, 3))\n"
        "    return keras.Model(inputs, layers.Conv2D(8, 7)(inputs))\n",
        "valid",
        "needs h >= 7",
        [None, None, None, 8],
        [((7, 9), True), ((32, 32), True), ((6, 9), False)],
    ),
    "concatenate_axis_sizes_differ": (
        "def build(n):\n"
        "    inputs = keras.Input(shape=(n, 16))\n"
        "    a = layers.Dense(8)(inputs)\n"
        "    b = layers.Dense(4)(inputs)\n"
        "    return keras.Model(inputs, layers.Concatenate(axis=1)([a, b]))\n",
        "invalid",
        None,
        None,
        [((5,), False), ((10,), False), ((40,), False)],
    ),
    "concatenate_last_axis_any_n": (
        "def build(n):\n"
        "    inputs = keras.Input(shape=(n, 16))\n"
        "    a = layers.Dense(8)(inputs)\n"
        "    return keras.Model(inputs, layers.Concatenate()([a, inputs]))\n",
        "valid",
        None,
        [None, None, 24],
        [((5,), True), ((33,), True)],
    ),
    "reshape_needs_one_size": (
        "def build(n):\n"
        "    inputs = keras.Input(shape=(n,))\n"
        "    return keras.Model(inputs, layers.Reshape((4, 4))(inputs))\n",
        "valid",
        "needs n == 16",
        [None, 4, 4],
        [((16,), True), ((15,), False), ((32,), False)],
    ),
    "pool_then_upsample_needs_even_sizes": (
        "def build(h):\n"
        "    inputs = keras.Input(shape=(h, h, 3))\n"
        "    x = layers.Conv2D(4, 3, padding='same')(inputs)\n"
        "    y = layers.UpSampling2D()(layers.MaxPooling2D()(x))\n"
        "    return keras.Model(inputs, layers.Concatenate()([x, y]))\n",
        "valid",
        "divisible by 2",
        [None, None, None, 8],
        [((32,), True), ((10,), True), ((33,), False), ((7,), False)],
    ),
    "sequential_input_of_unknown_sizes": (
        "def build(h, w):\n    return keras.Sequential([keras.Input(shape=(h, w, 3)), layers.Conv2D(8, 7)])\n",
        "valid",
        "needs h >= 7",
        [None, None, None, 8],
        [((7, 9), True), ((40, 12), True), ((6, 9), False)],
    ),
    "first_layer_input_shape_of_unknown_sizes": (
        "def build(h, w):\n"
        "    return keras.Sequential(\n"
        "        [layers.Conv2D(8, 7, input_shape=(h, w, 3)), layers.GlobalMaxPooling2D(), layers.Dense(2)]\n"
        "    )\n",
        "valid",
        "needs h >= 7",
        [None, 2],
        [((7, 9), True), ((40, 12), True), ((6, 9), False)],
    ),
    "sequential_without_input": (
        "def build():\n"
        "    return keras.Sequential([layers.Conv2D(8, 3), layers.GlobalAveragePooling2D(), layers.Dense(3)])\n",
        "valid",
        "4-D input",
        [None, 3],
        [(((32, 32, 3),), True), (((5, 7, 1),), True), (((32, 3),), False)],
    ),
    "sequential_without_input_rank_error_for_every_rank": (
        "def build():\n    return keras.Sequential([layers.Dense(8), layers.Flatten(), layers.Conv2D(4, 3)])\n",
        "invalid",
        None,
        None,
        [(((8,),), False), (((6, 8),), False), (((5, 6, 8),), False), (((4, 5, 6, 8),), False)],
    ),
    "subclassed_model_never_built": (
        "class Net(keras.Model):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.d1 = layers.Dense(8)\n"
        "        self.d2 = layers.Dense(4)\n"
        "    def call(self, x):\n"
        "        return self.d2(self.d1(x))\n"
        "model = Net()\n"
        "def build():\n"
        "    return Net()\n",
        "valid",
        None,
        None,
        [(((5,),), True), (((3, 7),), True)],
    ),
    "subclassed_model_widths_feed_add": (
        "class Net(keras.Model):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.a = layers.Dense(8)\n"
        "        self.b = layers.Dense(6)\n"
        "    def call(self, x):\n"
        "        return self.a(x) + self.b(x)\n"
        "model = Net()\n"
        "def build():\n"
        "    return Net()\n",
        "invalid",
        None,
        None,
        [(((5,),), False), (((3, 7),), False), (((2, 3, 4),), False)],
    ),
}


def static(source: str):
    return python_source.load("case.py", (HEAD + source).encode())


def results(source: str) -> list:
    return [check(m) for m in static(source).models]


@pytest.mark.parametrize("name", sorted(CASES))
def test_static_verdict(name):
    source, expected, info, shape, _ = CASES[name]
    res = results(source)
    assert res, "no model read"
    statuses = {r.status for r in res}
    assert ("invalid" if "invalid" in statuses else res[-1].status) == expected, [r.diagnostics for r in res]
    infos = [d.message for r in res for d in r.diagnostics if d.severity == "info"]
    if info is not None:
        assert any(info in m for m in infos), infos
    if shape is not None:
        assert list(res[-1].output_shapes[0]) == shape


def test_inputs_carry_symbols():
    m = static(CASES["tuple_of_unknown_sizes_kernel_7"][0]).models[0]
    assert m.inputs[0].shape == (None, None, None, 3)
    assert m.inputs[0].symbols == (None, "h", "w", None)
    m = static(CASES["factory_conv_classifier"][0]).models[0]
    assert m.inputs[0].shape is None and m.inputs[0].symbols == "input_shape"


def test_constant_input_has_no_symbols():
    m = static("inputs = keras.Input(shape=(8, 3))\nmodel = keras.Model(inputs, layers.Dense(2)(inputs))\n").models[0]
    assert m.inputs[0].symbols is None and not dims.has_symbols(m)


def test_factory_called_with_constants_is_checked_with_them():
    src = CASES["tuple_of_unknown_sizes_kernel_7"][0] + "model = build(5, 9)\n"
    res = results(src)
    assert [r.status for r in res] == ["invalid"]  # Keras: kernel 7 does not fit 5 rows


def test_error_message_shows_symbols_not_a_made_up_value():
    res = results(CASES["factory_dense_widths_feed_add"][0])
    err = next(d for r in res for d in r.errors)
    assert "(None, 10)" in err.message and "64" not in err.message


def test_describe_conditions():
    assert dims.describe("h", {1: False, 2: False, 3: True, 4: True}) == "needs h >= 3"
    assert dims.describe("h", {1: False, 2: True, 3: False, 4: True, 6: True}) == "needs h divisible by 2"
    assert dims.describe("h", {1: True, 2: True}) is None
    assert dims.describe("n", {15: False, 16: True, 17: False}).startswith("needs n == 16")


_RUNNER = r"""
import inspect, json, os, sys, warnings
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.simplefilter("ignore")
import keras
cases = json.loads(sys.argv[1])
out = {}
for name, (source, args_list) in cases.items():
    g = {}
    exec(source, g)
    recs = []
    for args in args_list:
        rec = {"builds": None, "shape": None}
        try:
            args = [tuple(a) if isinstance(a, list) else a for a in args]
            if inspect.signature(g["build"]).parameters:
                shape = list(g["build"](*args).outputs[0].shape)
            else:  # a model without an input: called on one
                shape = list(g["build"]()(keras.Input(shape=args[0])).shape)
            rec = {"builds": True, "shape": shape}
        except Exception as e:
            rec = {"builds": False, "error": type(e).__name__ + ": " + str(e)[:160]}
        recs.append(rec)
    out[name] = recs
print("RESULT" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def keras_builds():
    from tests.conftest import require_keras

    require_keras()
    cases = {name: (HEAD + c[0], [list(a) for a, _ in c[4]]) for name, c in CASES.items()}
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, json.dumps(cases)], capture_output=True, text=True, timeout=600, env=env
    )
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT")), None)
    assert line is not None, proc.stderr[-2000:]
    return json.loads(line[len("RESULT") :])


@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_agrees(name, keras_builds):
    """Keras builds exactly where the case says; invalid means it fails for every value,
    valid means it builds for the values tried, and every output dimension nnrepair
    states is Keras' dimension for every value."""
    _, expected, info, shape, tries = CASES[name]
    runs = keras_builds[name]
    assert [r["builds"] for r in runs] == [b for _, b in tries], runs
    if expected == "invalid":
        assert not any(r["builds"] for r in runs)
    else:
        assert any(r["builds"] for r in runs)
    if info is None and expected == "valid":
        assert all(r["builds"] for r in runs)
    ours = list(results(CASES[name][0])[-1].output_shapes[0] or []) if shape is not None else []
    for r in runs:
        if r["builds"] and ours:
            assert len(r["shape"]) == len(ours)
            assert all(o is None or o == k for o, k in zip(ours, r["shape"])), (ours, r["shape"])


def test_known_calls_hook_checks_the_factory_with_the_constants_of_another_file():
    """The repository reader records `build(5, 9)` found in another file: the factory is
    checked with those values (Keras: kernel 7 does not fit 5 rows), not symbolically."""
    from repair_engine.frontends.python import symbols

    source = CASES["tuple_of_unknown_sizes_kernel_7"][0]
    with symbols.known_calls({("case.py", "build"): [((5, 9), {})]}):
        res = results(source)
    assert [r.status for r in res] == ["invalid"]
    assert res[0].model.inputs[0].shape == (None, 5, 9, 3)
    with symbols.known_calls({("case.py", "build"): [((), {"h": 8, "w": 9})]}):
        assert [r.status for r in results(source)] == ["valid"]
    assert [r.status for r in results(source)] == ["valid"]  # outside the block: symbolic again
