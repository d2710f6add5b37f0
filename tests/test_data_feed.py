"""What a model is fed: static verdicts against real Keras 3, the Keras 3 leniency
rules in both directions, the loss rules, and the data-side repairs.

Every fixture in tests/fixtures/data/ says on its first line what it expects
(`# expect: ok` or `# expect: <kind>`); real Keras runs each one (fit for one
step on the fixture's tiny data) and must agree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from repair_engine.checker import check
from repair_engine.frontends import python_source
from repair_engine.semantics.feeds import (
    rank_adjusted,
    spec_conflict,
    squeeze_or_expand,
    target_problem,
)

FIX = Path(__file__).resolve().parent / "fixtures" / "data"
FIXTURES = sorted(p.name for p in FIX.glob("*.py"))
DATA_KINDS = {"data_shape_mismatch", "data_target_mismatch", "data_label_encoding", "data_sample_count"}


def expected(name: str) -> str:
    first = (FIX / name).read_text().splitlines()[0]
    assert first.startswith("# expect: "), name
    return first[len("# expect: ") :].split(" ", 1)[0]


def static_errors(name: str) -> list:
    path = FIX / name
    result = python_source.load(str(path), path.read_bytes())
    return [d for m in result.models for d in check(m).errors]


@pytest.mark.parametrize("name", FIXTURES)
def test_static_verdict_is_the_expected_one(name):
    kinds = [d.kind for d in static_errors(name)]
    want = expected(name)
    if want == "ok":
        assert kinds == [], kinds
    else:
        assert want in kinds, kinds


_RUNNER = r"""
import json, os, runpy, sys, warnings
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.simplefilter("ignore")
out = {}
for path in sys.argv[1:]:
    try:
        runpy.run_path(path, run_name="__main__")
        out[os.path.basename(path)] = None
    except Exception as e:
        out[os.path.basename(path)] = type(e).__name__ + ": " + (str(e).splitlines() or [""])[0][:200]
print("RESULT" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def keras_runs():
    from tests.conftest import require_keras

    require_keras()
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1")
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER] + [str(FIX / n) for n in FIXTURES],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        cwd=str(FIX),
    )
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT")), None)
    assert line is not None, proc.stderr[-2000:]
    return json.loads(line[len("RESULT") :])


@pytest.mark.parametrize("name", FIXTURES)
def test_keras_agrees(name, keras_runs):
    error = keras_runs[name]
    static = [d for d in static_errors(name) if d.kind in DATA_KINDS]
    assert (error is not None) == bool(static), f"Keras: {error}; static: {[d.message for d in static]}"
    assert error is None or error.startswith("ValueError"), error  # a shape error, not a broken fixture


# ---- the rules, pinned to what the Keras 3 source does (functional.py, loss.py)


def test_rank_adjust_adds_only_a_size_one_axis():
    assert rank_adjusted((None, 8, 8, 1), (None, 8, 8)) == (None, 8, 8, 1)
    assert rank_adjusted((None, 8, 8, 3), (None, 8, 8)) is None


def test_rank_adjust_drops_only_a_size_one_axis():
    assert rank_adjusted((None, 5), (None, 5, 1)) == (None, 5)
    assert rank_adjusted((None, 5), (None, 5, 2)) is None
    assert rank_adjusted((None, 6, 1, 1), (None, 6)) is None


def test_functional_spec_squeezes_then_compares_overlapping_axes():
    assert spec_conflict((None, 10, 4), (None, 12, 4)) == 1
    assert spec_conflict((None, 7, 1), (None, 7)) is None  # both squeezed to (None, 7)
    assert spec_conflict((None, 1, 48, 48, 1), (None, 48, 48, 1)) == 1


def test_squeeze_or_expand_matches_keras():
    assert squeeze_or_expand((None,), (None, 1)) == ((None, 1), (None, 1))
    assert squeeze_or_expand((None, 10, 1), (None, 10)) == ((None, 10), (None, 10))
    assert squeeze_or_expand((None, 3), (None, 3)) == ((None, 3), (None, 3))


@pytest.mark.parametrize(
    "loss,t,p,kind",
    [
        ("categorical_crossentropy", (32, 5), (32, 2), "data_target_mismatch"),
        ("categorical_crossentropy", (32,), (32, 4), "data_label_encoding"),
        ("categorical_crossentropy", (32, 4), (32, 4), None),
        ("binary_crossentropy", (32,), (32, 2), "data_target_mismatch"),
        ("binary_crossentropy", (32,), (32, 1), None),
        ("sparse_categorical_crossentropy", (32, 3), (32, 3), "data_label_encoding"),
        ("sparse_categorical_crossentropy", (32, 1), (32, 3), None),
        ("sparse_categorical_crossentropy", (32,), (32, 28, 10), "data_target_mismatch"),
        ("mean_squared_error", (32,), (32, 4), "data_target_mismatch"),
        ("mean_squared_error", (4,), (4, 4), None),  # broadcasts: batch == width
        ("mean_absolute_error", (32, 1), (32, 1), None),
        ("hinge", (32, 3), (32, 2), "data_target_mismatch"),
        ("mean_squared_error", (32, None), (32, 4), None),  # unknown stays unknown
    ],
)
def test_target_rules(loss, t, p, kind):
    found = target_problem(loss, t, p)
    assert (found[0] if found else None) == kind


# ---- repairs: verified by the checker over model, data and loss together


def _fix(name: str):
    from repair_engine.repair import fix_file

    path = FIX / name
    result = python_source.load(str(path), path.read_bytes())
    checks = [check(m) for m in result.models]
    return result, fix_file(result, checks, verify=False)


def test_single_sample_repaired_with_a_batch_axis():
    _, fix = _fix("predict_single_bad.py")
    assert fix.new_text is not None
    # at the definition, as a human writes it (the name is used nowhere else)
    assert "sample = sample[None]\nmodel.predict(sample, verbose=0)" in fix.new_text


def test_units_repaired_to_the_targets_width():
    _, fix = _fix("units_onehot_bad.py")
    assert fix.new_text is not None and "layers.Dense(5, activation=" in fix.new_text


def test_missing_flatten_inserted():
    _, fix = _fix("missing_flatten_bad.py")
    assert fix.new_text is not None and "Flatten()" in fix.new_text


def test_label_encoding_repaired_at_the_loss():
    _, fix = _fix("sparse_onehot_bad.py")
    assert fix.new_text is not None
    assert 'loss="categorical_crossentropy"' in fix.new_text or "Dense(3" in fix.new_text


def test_repairs_never_feed_a_shape_tuple():
    for name in FIXTURES:
        if expected(name) == "ok":
            continue
        _, fix = _fix(name)
        if fix.new_text:
            assert ".fit((" not in fix.new_text and ".predict((" not in fix.new_text, name


# bad fixtures whose repair a human would write, and the text it must contain
REPAIRED = {
    "predict_single_bad.py": "sample[None]",
    "units_onehot_bad.py": "layers.Dense(5, activation=",
    "missing_flatten_bad.py": "Flatten()",
    "sigmoid2_bad.py": "Dense(1",
    "count_single_sequence_bad.py": "x = x[None]\ny = ",  # one sequence: its batch axis, at the definition
    "predict_list_point_bad.py": "model.predict([point[None]]",  # each point of the loop
    "reshape_no_numpy_bad.py": "x = x.reshape(-1, 8, 8, 1)\n",  # no numpy alias: the array's method
    "flatten_dense_stack_bad.py": "model.add(Flatten())\nmodel.add(Dense(units=1))",  # before the output Dense
    "metric_sparse_acc_bad.py": 'metrics=["categorical_accuracy"]',  # the metric of one-hot targets
    "metric_top_k_bad.py": 'metrics=["sparse_top_k_categorical_accuracy"]',
    "metric_auc_bad.py": "layers.Dense(1, activation=",  # one output per target
    "cce_class_indices_bad.py": "model.fit(x, keras.utils.to_categorical(y, 3)",  # the loss is a class: the targets
}


def test_one_hot_targets_offered_beside_the_sparse_loss():
    _, fix = _fix("cce_indices_bad.py")
    assert fix.new_text is not None and 'loss="sparse_categorical_crossentropy"' in fix.new_text
    diffs = [a["diff"] for r in fix.repairs.values() if r for a in r["alternatives"]]
    assert any("keras.utils.to_categorical(y, 3)" in t for t in diffs), diffs


@pytest.mark.parametrize("name", sorted(REPAIRED))
def test_repaired_fixtures_check_clean(name):
    _, fix = _fix(name)
    assert fix.new_text is not None, name
    assert REPAIRED[name] in fix.new_text, fix.new_text
    result = python_source.load(name, fix.new_text.encode())
    assert not [d for m in result.models for d in check(m).errors], name


def test_repaired_fixtures_run_in_keras(tmp_path):
    """The repaired programs run: real Keras fits/predicts them without an error."""
    from tests.conftest import require_keras

    require_keras()
    paths = []
    for name in sorted(REPAIRED):
        _, fix = _fix(name)
        assert fix.new_text is not None, name
        path = tmp_path / name
        path.write_text(fix.new_text)
        paths.append(str(path))
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1")
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER] + paths, capture_output=True, text=True, timeout=900, env=env, cwd=str(tmp_path)
    )
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT")), None)
    assert line is not None, proc.stderr[-2000:]
    errors = {k: v for k, v in json.loads(line[len("RESULT") :]).items() if v is not None}
    assert errors == {}


def test_data_used_elsewhere_is_rewritten_at_the_call(tmp_path):
    # `sample` is read twice: a new line at its definition would change the other use too
    src = (FIX / "predict_single_bad.py").read_text() + "print(sample.shape)\n"
    path = tmp_path / "twice.py"
    path.write_text(src)
    from repair_engine.repair import fix_file

    result = python_source.load(str(path), src.encode())
    fix = fix_file(result, [check(m) for m in result.models], verify=False)
    assert fix.new_text is not None
    assert "model.predict(sample[None], verbose=0)" in fix.new_text
    assert "sample = sample[None]" not in fix.new_text
