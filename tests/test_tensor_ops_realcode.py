"""Real-code constructs (tests/fixtures/realcode): tensor operators and ops, Lambda,
custom layers, nested models, keras.applications. Real Keras executes each
fixture (our own code) in one subprocess; the static frontend + checker must
give the same verdict and the same output shapes, with every shape known, and
report each fault at the line marked `# error here`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.keras_runner import run_in_keras

from repair_engine.checker import check
from repair_engine.frontends import python_source

FIX = Path(__file__).parent / "fixtures" / "realcode"
NAMES = sorted(p.name for p in FIX.glob("*.py"))

@pytest.fixture(scope="module")
def keras_runs():
    return run_in_keras(FIX, NAMES, timeout=900)


def static(name: str):
    path = FIX / name
    result = python_source.load(str(path), path.read_bytes())
    models, errors = {}, []
    for m in result.models:
        res = check(m)
        errors += res.errors
        models[m.name] = res.output_shapes
    return models, errors


def application_bases(name: str) -> set:
    """Names bound to a keras.applications base: checked inside the models using them."""
    import ast

    from repair_engine.semantics.applications import TABLE

    out = set()
    for node in ast.walk(ast.parse((FIX / name).read_text())):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            f = node.value.func
            called = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if called in TABLE:
                out |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return out


def marked_lines(name: str) -> set:
    lines = (FIX / name).read_text().splitlines()
    return {i for i, l in enumerate(lines, 1) if l.rstrip().endswith("# error here")}


@pytest.mark.parametrize("name", NAMES)
def test_static_verdict_and_shapes_agree_with_keras(name, keras_runs):
    real = keras_runs[name]
    models, errors = static(name)
    assert bool(errors) == real["raises"], (name, real["error"], [d.message for d in errors])
    if errors:
        assert {d.span.line for d in errors} == marked_lines(name), [(d.span.line, d.message) for d in errors]
        return
    assert real["models"], f"{name}: Keras built no model"
    bases = application_bases(name)
    for var, shapes in real["models"].items():
        if var in bases and var not in models:
            continue
        assert var in models, f"{name}: static path missed model `{var}`"
        ours = [list(s) if s is not None else None for s in models[var]]
        assert ours == shapes, f"{name}: `{var}` static {ours} vs Keras {shapes}"


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("bug_")])
def test_every_bug_fixture_marks_its_line(name):
    assert marked_lines(name), f"{name} has no `# error here` marker"
