"""Hostile input: the frontend always returns a clear result in bounded time."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repair_engine.checker import check
from repair_engine.frontends import python_source

HEADER = b"import keras\nfrom keras import layers\n"


def load(data: bytes, **kw):
    t0 = time.monotonic()
    result = python_source.load("h.py", data, **kw)
    elapsed = time.monotonic() - t0
    return result, elapsed


def kinds(result) -> list:
    return [d.kind for d in result.diagnostics]


def test_syntax_error_reports_line():
    result, _ = load(HEADER + b"model = keras.Sequential([\n    layers.Dense(2\n\nx = = 3\n")
    errs = [d for d in result.diagnostics if d.kind == "parse_error"]
    assert len(errs) == 1 and errs[0].severity == "error" and errs[0].code == "NNR403"
    assert errs[0].span.line >= 3 and str(errs[0].span.line) in errs[0].message
    assert result.models == []


def test_fifty_thousand_lines_is_fast():
    body = b"".join(b"x%d = %d\n" % (i, i) for i in range(50_000))
    data = HEADER + body + b"model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(x7)])\n"
    result, elapsed = load(data)
    assert elapsed < 20
    # either the model is read, or a clear limit diagnostic says why not
    assert result.models or "limit_exceeded" in kinds(result)


def test_deeply_nested_expression():
    data = HEADER + b"x = " + b"(" * 150 + b"1" + b")" * 150 + b"\n" + b"y = " + b"-" * 5000 + b"1\n"
    data += b"z = " + b"+".join([b"1"] * 20000) + b"\n"
    data += b"model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])\n"
    result, elapsed = load(data)
    assert elapsed < 20
    assert result.models or kinds(result)


def test_while_true_loop_terminates():
    data = HEADER + (b"model = keras.Sequential([keras.Input(shape=(4,))])\n"
                     b"while True:\n    model.add(layers.Dense(2))\n")
    result, elapsed = load(data)
    assert elapsed < 10
    m = result.models[0]
    res = check(m)
    assert res.valid  # the loop's additions are opaque, never guessed


def test_exponential_helper_recursion_is_bounded():
    data = HEADER + (b"def f(n):\n    return f(n - 1) + f(n - 1) if n > 0 else 1\n"
                     b"units = f(60)\n"
                     b"model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(units)])\n")
    result, elapsed = load(data)
    assert elapsed < 20
    assert result.models or "limit_exceeded" in kinds(result)


def test_huge_range_loop():
    data = HEADER + (b"inputs = keras.Input(shape=(8,))\nx = inputs\n"
                     b"for i in range(10**12):\n    x = layers.Dense(8)(x)\n"
                     b"model = keras.Model(inputs, x)\n"
                     b"big = [0] * 10**12\nz = 10 ** 10 ** 10\n")
    result, elapsed = load(data)
    assert elapsed < 10
    assert result.models and check(result.models[0]).valid


def test_runaway_arithmetic_and_strings_stay_small():
    data = HEADER + (b"x = 3\ns = 'ab'\nl = [1]\nfor i in range(200):\n    x = x * x\n    s = s + s\n    l = l + l\n"
                     b"model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])\n")
    result, elapsed = load(data)
    assert elapsed < 5 and len(result.models) == 1


def test_step_budget_gives_limit_diagnostic():
    data = HEADER + b"".join(b"a%d = [i for i in range(200)]\n" % i for i in range(200))
    result, _ = load(data, max_steps=5000)
    assert "limit_exceeded" in kinds(result)


def test_non_utf8_bytes():
    data = b"# -*- coding: latin-1 -*-\n" + HEADER + "# caf\xe9\n".encode("latin-1") + \
        b"model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])\n"
    result, _ = load(data)
    assert len(result.models) == 1 and "caf\u00e9" in result.text
    bad = HEADER + b"# \xff\xfe broken\nmodel = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])\n"
    result, _ = load(bad)
    assert len(result.models) == 1
    assert any(d.kind == "parse_error" and d.severity == "info" for d in result.diagnostics)


def test_null_bytes_and_garbage():
    for data in (b"\x00\x01\x02", b"import keras\x00\n", bytes(range(256)) * 10, b""):
        result, _ = load(data)
        assert result.models == []


_atoms = st.sampled_from([
    "keras.Input(shape=(4,))", "layers.Dense(3)", "layers.Conv2D(2, 3)", "x", "y", "model", "[x, y]",
    "layers.add([x, y])", "1", "(2, 3)", "None", "range(5)", "f(x)", "model.add(x)", "keras.Sequential()",
    "keras.Model(x, y)", "layers.Flatten()", "-1", "'same'", "lambda q: q",
    "x.shape[-1]", "layers.Dense(x.shape[-1])", "model.fit(x, y)", "np.zeros((3, 4))", "model.layers[0]",
    "model.compile(loss='categorical_crossentropy')", "keras.utils.to_categorical(y, 3)", "super()",
])
_stmt = st.one_of(
    st.builds(lambda a, b: f"{a} = {b}", st.sampled_from(["x", "y", "model", "n"]), _atoms),
    st.builds(lambda a, b: f"x = {a}({b})", _atoms, _atoms),
    st.builds(lambda a: f"for i in range(3):\n    x = {a}", _atoms),
    st.builds(lambda a: f"if n:\n    y = {a}\nelse:\n    y = x", _atoms),
    st.builds(lambda a: f"def f(q, r=2):\n    return {a}", _atoms),
    st.builds(lambda a: f"while x:\n    model.add({a})", _atoms),
    st.builds(lambda a: f"class C(keras.Model):\n    def call(self, q):\n        return {a}\nmodel = C()", _atoms),
    st.builds(lambda a: f"i = 0\nwhile i < 3:\n    x = {a}\n    i += 1", _atoms),
    st.text(alphabet="()[]{}=:,.+-*/ \nabxyz0123'\"", max_size=40),
)


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_stmt, max_size=12))
def test_fuzz_never_crashes(stmts):
    data = HEADER + b"import numpy as np\n" + "\n".join(stmts).encode("utf-8", "surrogatepass") + b"\n"
    result, elapsed = load(data, max_steps=20_000)
    assert elapsed < 2
    assert result.format == "python"
    for m in result.models:
        assert_ir_invariants(m)
        check(m)  # the IR is always checkable


def _plain(v) -> bool:
    from repair_engine.ir import UNKNOWN, Layer

    if v is UNKNOWN or v is None or isinstance(v, (int, float, str, bool, complex, bytes, Layer)):
        return True
    if isinstance(v, (list, tuple)):
        return all(_plain(x) for x in v)
    if isinstance(v, dict):
        return all(_plain(x) for x in v.values())
    return False


def assert_ir_invariants(m):
    ids = [i.id for i in m.inputs] + [l.id for l in m.layers]
    assert len(ids) == len(set(ids)), ids
    for inp in m.inputs:
        assert inp.shape is None or all(d is None or (isinstance(d, int) and not isinstance(d, bool))
                                        for d in inp.shape), inp.shape
    seen = {i.id for i in m.inputs}
    for layer in m.layers:
        assert all(_plain(v) for v in layer.args.values()), layer.args
        assert all(e.node in seen for e in layer.inputs), (layer.id, layer.inputs)
        seen.add(layer.id)
    assert all(e.node in seen for e in m.outputs)


def test_ir_invariants_on_fixtures():
    from pathlib import Path

    for f in sorted((Path(__file__).parent / "fixtures" / "python").glob("*.py")):
        for m in python_source.load(str(f), f.read_bytes()).models:
            assert_ir_invariants(m)


_FIXTURES = sorted((__import__("pathlib").Path(__file__).parent / "fixtures" / "python").glob("*.py"))


@settings(max_examples=60, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_FIXTURES), st.lists(st.integers(min_value=0, max_value=60), max_size=6),
       st.integers(min_value=0, max_value=4000))
def test_fuzz_mutilated_fixtures(path, dropped, cut):
    """Real model files with lines removed and a random truncation: a result, never a crash."""
    lines = path.read_text().split("\n")
    kept = [l for i, l in enumerate(lines) if i not in set(dropped)]
    data = "\n".join(kept)[:cut].encode()
    result, elapsed = load(data, max_steps=50_000)
    assert elapsed < 3
    for m in result.models:
        assert_ir_invariants(m)
        check(m)
