"""Evaluator soundness and budgets (issue 10, item 7).

Each defect of the issue is a case here: a small program of our own, read
statically by nnrepair, and run by real Keras (with the run-time value the
static reading cannot know) to confirm the verdict and the output shape.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types

import pytest

from repair_engine.checker import check
from repair_engine.frontends import python_source
from repair_engine.frontends.python.evaluator import Evaluator
from repair_engine.frontends.python.source import Spans

HEAD = "import os\nimport keras\nfrom keras import layers\nN = int(os.environ.get('NNR_N', '3'))  # unknown statically\n"

# name -> (program, nnrepair's expected verdict, expected output shape or None when not known statically)
CASES = {
    "dict_zip_len": (
        "names = ['cat', 'dog', 'bird']\nids = [4, 5, 6]\nmapping = dict(zip(names, ids))\n"
        "inputs = keras.Input(shape=(8,))\nmodel = keras.Model(inputs, layers.Dense(len(mapping))(inputs))\n",
        "valid",
        [None, 3],
    ),
    "dict_enumerate_len": (
        "index = dict(enumerate(['a', 'b', 'c', 'd']))\n"
        "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(len(index))])\n",
        "valid",
        [None, 4],
    ),
    "dict_of_pairs_and_keywords": (
        "cfg = dict([('units', 6)], depth=2)\n"
        "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(cfg['units'] * cfg['depth'])])\n",
        "valid",
        [None, 12],
    ),
    "list_filled_in_unknown_loop_sliced": (
        "widths = []\nfor i in range(N):\n    widths.append(16 * (i + 1))\nk = len(widths) // 2\n"
        "inputs = keras.Input(shape=(8,))\nbranches = [layers.Dense(w)(inputs) for w in widths[:k]]\n"
        "x = layers.Concatenate()(branches)\nmodel = keras.Model(inputs, layers.Dense(len(widths[:k]))(x))\n",
        "not invalid",
        None,
    ),
    "list_extended_in_unknown_loop_len": (
        "blocks = []\nfor i in range(N):\n    blocks.extend([i, i])\n"
        "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(len(blocks) - 1)])\n",
        "not invalid",
        None,
    ),
    "dict_filled_in_unknown_loop": (
        "inputs = keras.Input(shape=(8,))\nbranches = {}\nfor i in range(N):\n"
        "    branches['b%d' % i] = layers.Dense(4)(inputs)\n"
        "x = layers.Concatenate()(list(branches.values()))\nmodel = keras.Model(inputs, x)\n",
        "not invalid",
        None,
    ),
    "dict_filled_under_unknown_condition": (
        "heads = {'main': 2}\nif N > 2:\n    heads['aux'] = 3\n"
        "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(len(heads) - 1)])\n",
        "not invalid",
        None,
    ),
    "sorted_with_key_is_not_guessed": (
        "sizes = sorted([3, 1, 2], key=lambda v: -v)\n"
        "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(sizes[0] - 2)])\n",
        "not invalid",
        None,
    ),
    "set_size_is_not_guessed": (
        "labels = set(['a', 'b', 'a'])\nmodel = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(len(labels) - 1)])\n",
        "not invalid",
        None,
    ),
    "min_max_sum_enumerate": (
        "pairs = list(enumerate([5, 7], start=1))\nu = max(2, 3) + min([4, 9]) + sum([1, 1], 2) + pairs[-1][0]\n"
        "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(u)])\n",
        "valid",
        [None, 13],
    ),
    "model_after_training_loop": (
        "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4)])\n"
        "loss = 0.0\nfor epoch in range(30):\n    step = 0\n    while step < 4000:\n"
        "        loss = loss * 0.9 + step / 4000\n        step += 1\n"
        "head = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(0)])\n",
        "invalid",
        None,
    ),
    "model_after_big_comprehension": (
        "grid = [[i * j + 1 for j in range(128)] for i in range(256)]\n"
        "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(0)])\n",
        "invalid",
        None,
    ),
    "model_after_5000_layer_comprehension": (
        "blocks = [layers.Dense(4) for _ in range(5000)]\n"
        "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(0)])\n",
        "invalid",
        None,
    ),
}

_RUNNER = r"""
import json, os, runpy, sys, warnings
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.simplefilter("ignore")
import keras
out = {}
for path in sys.argv[1:]:
    rec = {"raises": None, "shape": None}
    try:
        g = runpy.run_path(path, run_name="__main__")
        rec["raises"] = False
        model = g.get("head") or g.get("model")
        rec["shape"] = list(model.outputs[0].shape)
    except Exception as e:
        rec["raises"] = type(e).__name__ + ": " + str(e)[:120]
    out[os.path.basename(path)[:-3]] = rec
print("RESULT" + json.dumps(out))
"""


def static(source: str, max_steps: int | None = None):
    data = (HEAD + source).encode()
    result = python_source.load("case.py", data) if max_steps is None else python_source.load("case.py", data, max_steps)
    return result


def verdict(result) -> tuple:
    """(status, output shape of the last model) as nnrepair reads the program."""
    if not result.models:
        return "unsupported", None
    statuses = [check(m).status for m in result.models]
    last = check(result.models[-1])
    status = "invalid" if "invalid" in statuses else statuses[-1]
    shape = last.output_shapes[0] if last.output_shapes else None
    return status, (list(shape) if shape is not None else None)


@pytest.mark.parametrize("name", sorted(CASES))
def test_static_reading(name):
    source, expected, shape = CASES[name]
    status, out = verdict(static(source))
    if expected == "not invalid":
        assert status != "invalid", (name, status)
    else:
        assert status == expected, (name, status)
    if shape is not None:
        assert out == shape


@pytest.fixture(scope="module")
def keras_runs(tmp_path_factory):
    from tests.conftest import require_keras

    require_keras()
    folder = tmp_path_factory.mktemp("soundness")
    paths = []
    for name, (source, _, _) in CASES.items():
        p = folder / f"{name}.py"
        p.write_text(HEAD + source)
        paths.append(str(p))
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3", NNR_N="4")
    proc = subprocess.run([sys.executable, "-c", _RUNNER, *paths], capture_output=True, text=True, timeout=600, env=env)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT")), None)
    assert line is not None, proc.stderr[-2000:]
    return json.loads(line[len("RESULT") :])


@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_agrees(name, keras_runs):
    """Keras (N=4) rejects exactly the programs nnrepair calls invalid, with the same shapes."""
    _, expected, shape = CASES[name]
    run = keras_runs[name]
    assert bool(run["raises"]) == (expected == "invalid"), run
    if shape is not None:
        assert run["shape"] == shape


# ---------------------------------------------------------------- budgets


def evaluator_steps(source: str) -> int:
    import ast

    text = HEAD + source
    ev = Evaluator(ast.parse(text), Spans("case.py", text), "case.py")
    ev.run()
    return ev.steps


def test_training_loop_costs_about_one_iteration():
    """A loop that builds nothing is not unrolled: 30 x 4000 iterations cost
    no more than a few hundred steps over the same file without the loop."""
    model = "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4)])\n"
    loop = (
        "loss = 0.0\nfor epoch in range(30):\n    step = 0\n    while step < 4000:\n"
        "        loss = loss * 0.9 + step / 4000\n        batch = [loss, step]\n        step += 1\n"
    )
    without, with_loop = evaluator_steps(model), evaluator_steps(model + loop)
    assert with_loop - without < budgets_skip_steps() * 2


def budgets_skip_steps() -> int:
    from repair_engine.frontends.python import budgets

    return budgets.SKIP_LOOP_STEPS


def test_loop_that_builds_layers_is_still_unrolled():
    source = (
        "model = keras.Sequential([keras.Input(shape=(8,))])\nfor i in range(200):\n"
        "    model.add(layers.Dense(4))\nmodel.add(layers.Reshape((3,)))\n"
    )
    result = static(source)
    assert len(result.models[0].layers) == 201  # every Dense was read
    assert check(result.models[0]).status == "invalid"  # Reshape((3,)) of 4 values, seen after 200 layers


def test_model_at_the_end_of_a_60000_line_file_is_checked():
    lines = "".join(f"v{i} = {i} * 2 + 1\n" for i in range(60_000))
    result = static(lines + "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(0)])\n")
    assert verdict(result)[0] == "invalid"
    assert not [d for d in result.diagnostics if d.kind == "limit_exceeded"]


def test_model_after_a_huge_literal_is_checked():
    table = "TABLE = [" + ", ".join(str(i) for i in range(100_000)) + "]\n"
    result = static(table + "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(0)])\n")
    assert verdict(result)[0] == "invalid"


def test_budget_exhausted_by_one_statement_skips_only_that_statement():
    """A statement too costly for the budget is skipped (its names become
    unknown); the models after it are read, and the skip is reported."""
    source = (
        "blocks = [[layers.Dense(4) for _ in range(100)] for _ in range(100)]\nsize = len(blocks)\n"
        "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(size), layers.Dense(0)])\n"
    )
    result = static(source, max_steps=5_000)
    assert verdict(result)[0] == "invalid"  # Dense(0) after it; Dense(size) is unknown, not an error
    notes = [d for d in result.diagnostics if d.kind == "limit_exceeded"]
    assert notes and notes[0].span.line == HEAD.count("\n") + 1


def test_same_answer_on_a_slow_machine(monkeypatch):
    """The step budget decides: a clock running 100x faster (a loaded machine)
    changes no result below the safety net."""
    from repair_engine.frontends.python import evaluator

    source = CASES["model_after_big_comprehension"][0]
    fast = verdict(static(source))
    ticks = iter(range(10**9))
    monkeypatch.setattr(evaluator, "time", types.SimpleNamespace(monotonic=lambda: next(ticks) * 0.01))
    assert verdict(static(source)) == fast
