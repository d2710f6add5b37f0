"""Round trip on our own buggy fixtures (tests/fixtures/repair/*.py):
repair -> patched source -> re-extracted and re-checked (valid) -> executed with
real Keras (builds; the unpatched original does not) -> the diff touches only
the lines the edits name."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from repair_engine.checker import check
from repair_engine.frontends import python_source
from repair_engine.repair import fix_file
from repair_engine.patch.diffs import line_edits

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "repair").glob("*.py"))
IMPORT_LINE_PREFIXES = ("from ", "import ")


def repaired(path: Path):
    text = path.read_text()
    fr = python_source.load(str(path.name), text.encode())
    checks = [check(m) for m in fr.models]
    ff = fix_file(fr, checks, None, verify=False)
    return text, fr, checks, ff


@pytest.fixture(scope="module")
def all_repairs():
    return {p.name: repaired(p) for p in FIXTURES}


def test_fixtures_exist_in_every_style():
    names = {p.name for p in FIXTURES}
    assert len(names) >= 6
    texts = "".join(p.read_text() for p in FIXTURES)
    for marker in ("Sequential([", ".add(", ")(x)", "POOL = ", "Convolution2D"):
        assert marker in texts


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_patched_fixture_reextracts_valid(path, all_repairs):
    text, fr, checks, ff = all_repairs[path.name]
    bad = [i for i, c in enumerate(checks) if not c.valid]
    assert bad, "a repair fixture must be invalid"
    assert ff.new_text is not None and ff.new_text != text
    for i in bad:
        rep = ff.repairs[i]
        assert rep is not None and rep["edits"] and rep["cost"] > 0
        assert rep["diff"].startswith(f"--- a/{path.name}\n+++ b/{path.name}\n")
    again = python_source.load(path.name, ff.new_text.encode())
    assert len(again.models) == len(fr.models)
    for m in again.models:
        assert check(m).valid, [d.message for d in check(m).errors]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_diff_touches_only_the_named_lines(path, all_repairs):
    text, fr, checks, ff = all_repairs[path.name]
    lines = text.splitlines()
    for rep in ff.repairs.values():
        named = {e["line"] for e in rep["edits"]}
        for le in line_edits(text, ff.new_text, path.name):
            touched = set(range(le["start_line"], le["end_line"] + 1))
            if touched <= named:
                continue
            # an insertion is anchored on the line above the named one
            if le["start_line"] == le["end_line"] and le["start_line"] + 1 in named and \
                    le["new_lines"][0] == lines[le["start_line"] - 1]:
                continue
            # a newly used class is added to the file's import line
            if all(lines[n - 1].lstrip().startswith(IMPORT_LINE_PREFIXES) for n in touched) and \
                    any(e["op"] in ("insert_layer", "replace_layer") for e in rep["edits"]):
                continue
            raise AssertionError(f"{path.name}: lines {sorted(touched)} changed but the edits name {sorted(named)}")


RUNNER = r"""
import json, os, runpy, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
out = {}
for path in sys.argv[1:]:
    try:
        ns = runpy.run_path(path)
        model = ns["model"]
        out[path] = {"ok": True, "shape": [list(model.output_shape) if not isinstance(model.output_shape, list) else None]}
    except Exception as e:
        out[path] = {"ok": False, "error": f"{type(e).__name__}: {str(e)[:200]}"}
print("RESULT" + json.dumps(out))
"""


def run_with_keras(paths):
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", RUNNER, *map(str, paths)], capture_output=True, text=True,
                          timeout=300, env=env)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT")), None)
    assert line is not None, proc.stderr[-2000:]
    return json.loads(line[len("RESULT"):])


def test_patched_fixtures_build_with_real_keras(keras_oracle, all_repairs, tmp_path):
    originals, patched = [], []
    for name, (text, fr, checks, ff) in all_repairs.items():
        (tmp_path / f"orig_{name}").write_text(text)
        (tmp_path / f"fixed_{name}").write_text(ff.new_text)
        originals.append(tmp_path / f"orig_{name}")
        patched.append(tmp_path / f"fixed_{name}")
    results = run_with_keras(originals + patched)
    for p in originals:
        assert not results[str(p)]["ok"], f"{p.name} should fail in Keras"
    for p in patched:
        assert results[str(p)]["ok"], f"{p.name}: {results[str(p)]}"


def test_fix_file_marks_verified_with_keras(keras_oracle):
    path = FIXTURES[0]
    fr = python_source.load(path.name, path.read_bytes())
    ff = fix_file(fr, [check(m) for m in fr.models], None)
    reps = [r for r in ff.repairs.values() if r]
    assert reps and all(r["verified"] is True for r in reps)
    assert reps[0]["output_shapes_after"][0] is not None


def test_mutated_sources_never_crash_and_patches_always_parse():
    """Seeded random edits of the fixtures (numbers changed, lines dropped): the
    repair either returns a patch that parses and re-checks valid, or says why."""
    import ast
    import random
    import re as _re

    rng = random.Random(7)
    tried = 0
    for path in FIXTURES:
        base = path.read_text()
        for _ in range(4):
            lines = base.splitlines(keepends=True)
            i = rng.randrange(len(lines))
            if rng.random() < 0.3:
                del lines[i]
            else:
                lines[i] = _re.sub(r"\d+", lambda m: str(rng.choice([0, 1, 2, 3, 7, 64, 100])), lines[i], count=1)
            text = "".join(lines)
            fr = python_source.load(path.name, text.encode())
            checks = [check(m) for m in fr.models]
            ff = fix_file(fr, checks, {"repair": {"time_budget_ms": 300}}, verify=False)
            tried += 1
            if ff.new_text is not None:
                ast.parse(ff.new_text)
                for i2, rep in ff.repairs.items():
                    if rep is not None:
                        assert rep["verified"] in (True, False)
            for i2, rep in ff.repairs.items():
                if rep is None:
                    assert ff.diagnostics and all(d.kind == "repair_not_found" for d in ff.diagnostics)
    assert tried >= 30


def test_patched_keras_json_builds_with_real_keras(keras_oracle):
    from repair_engine.frontends import keras_json

    path = Path(__file__).parent / "fixtures" / "repair" / "keras_json_missing_channel.json"
    fr = keras_json.load(path.name, path.read_bytes())
    ff = fix_file(fr, [check(m) for m in fr.models], None)
    assert ff.repairs[0]["verified"] is True
    import keras

    model = keras.models.model_from_json(ff.new_text)
    assert tuple(model.output_shape) == (None, 2)
    with pytest.raises(Exception):
        keras.models.model_from_json(path.read_text())
