"""Checker behaviour independent of any one layer family (uses Dense, the reference unit)."""

from repair_engine.checker import check
from repair_engine.ir import Edge, InputNode, Layer, Model, Span, sequential


def dense(lid, units, *inputs, **kw):
    return Layer(id=lid, kind="Dense", args={"units": units}, inputs=tuple(Edge(i) for i in inputs), **kw)


def test_valid_chain_shapes():
    m = sequential((None, 8), [("Dense", {"units": 4}), ("Dense", {"units": 2})])
    r = check(m)
    assert r.valid and r.status == "valid"
    assert r.output_shapes == [(None, 2)]
    assert r.shapes["dense_0"] == [(None, 4)]


def test_one_root_cause_one_diagnostic():
    # the first Dense fails (units=0); the two after it depend on it only
    m = sequential((None, 8), [("Dense", {"units": 0}), ("Dense", {"units": 4}), ("Dense", {"units": 2})])
    r = check(m)
    assert [d.layer for d in r.errors] == ["dense_0"]
    assert r.output_shapes == [None]


def test_independent_branches_are_both_reported():
    inp = InputNode(id="x", shape=(None, 8))
    m = Model(
        name="m",
        inputs=(inp,),
        layers=(dense("a", 0, "x"), dense("b", -1, "x")),
        outputs=(Edge("a"), Edge("b")),
    )
    assert sorted(d.layer for d in check(m).errors) == ["a", "b"]


def test_unknown_layer_makes_the_rest_unknown_without_error():
    inp = InputNode(id="x", shape=(None, 8))
    custom = Layer(id="c", kind="MyCustomLayer", inputs=(Edge("x"),))
    m = Model(name="m", inputs=(inp,), layers=(custom, dense("d", 3, "c")), outputs=(Edge("d"),))
    r = check(m)
    assert r.valid
    assert r.output_shapes == [None]
    assert [d.kind for d in r.diagnostics] == ["unsupported_construct"]
    assert "c" in r.unchecked and "d" in r.unchecked


def test_argument_span_and_constant_origin_are_reported():
    from repair_engine.ir import ArgSource

    arg_span = Span("m.py", 5, 18, 5, 19)
    origin = Span("m.py", 2, 7, 2, 8)
    layer = Layer(
        id="d",
        kind="Dense",
        args={"units": 0},
        inputs=(Edge("x"),),
        span=Span("m.py", 5, 5, 5, 20),
        arg_sources={"units": ArgSource(span=arg_span, keyword=None, position=0, origin=origin, origin_name="n")},
    )
    m = Model(name="m", inputs=(InputNode(id="x", shape=(None, 4)),), layers=(layer,), outputs=(Edge("d"),))
    (d,) = check(m).errors
    assert d.span == arg_span
    assert d.code == "NNR206" and d.finding.family == "NNR201" and d.argument == "units"
    assert d.related[0].span == origin


def test_rank_error_relates_the_input_declaration():
    decl = Span("m.py", 3, 5, 3, 30)
    inp = InputNode(id="x", shape=(None,), span=decl, shape_span=decl)
    m = Model(
        name="m",
        inputs=(inp,),
        layers=(dense("d", 3, "x", span=Span("m.py", 4, 5, 4, 20)),),
        outputs=(Edge("d"),),
    )
    (d,) = check(m).errors
    assert d.kind == "rank_mismatch"
    assert d.span.line == 4
    assert d.related and d.related[0].span == decl


def test_shared_layer_with_incompatible_inputs():
    a = InputNode(id="a", shape=(None, 8))
    b = InputNode(id="b", shape=(None, 16))
    m = Model(
        name="m",
        inputs=(a, b),
        layers=(dense("d1", 4, "a", instance="shared"), dense("d2", 4, "b", instance="shared")),
        outputs=(Edge("d1"), Edge("d2")),
    )
    r = check(m)
    assert [(d.kind, d.layer) for d in r.errors] == [("incompatible_shape", "d2")]


def test_shared_layer_with_compatible_inputs_is_valid():
    a = InputNode(id="a", shape=(None, 8))
    b = InputNode(id="b", shape=(None, 3, 8))
    m = Model(
        name="m",
        inputs=(a, b),
        layers=(dense("d1", 4, "a", instance="s"), dense("d2", 4, "b", instance="s")),
        outputs=(Edge("d1"), Edge("d2")),
    )
    r = check(m)
    assert r.valid and r.output_shapes == [(None, 4), (None, 3, 4)]


def test_dangling_or_cyclic_reference_is_reported_not_crashing():
    inp = InputNode(id="x", shape=(None, 8))
    m = Model(
        name="m",
        inputs=(inp,),
        layers=(dense("a", 4, "b"), dense("b", 4, "a")),
        outputs=(Edge("b"),),
    )
    r = check(m)
    assert r.valid
    assert any(d.kind == "unsupported_construct" and d.layer == "a" for d in r.diagnostics)


def test_huge_model_is_bounded():
    from repair_engine import checker

    m = sequential((None, 4), [("Dense", {"units": 4})] * (checker.MAX_LAYERS + 1))
    r = check(m)
    assert r.valid
    assert [d.kind for d in r.diagnostics] == ["limit_exceeded"]


def test_unknown_input_shape_checks_arguments_only():
    m = sequential(None, [("Dense", {"units": 0})])
    r = check(m)
    assert [d.kind for d in r.errors] == ["invalid_argument"]
    m2 = sequential(None, [("Dense", {"units": 3})])
    r2 = check(m2)
    assert r2.valid and r2.output_shapes == [None]


def test_unknown_argument_value_is_not_an_error():
    from repair_engine.ir import UNKNOWN

    m = sequential((None, 4), [("Dense", {"units": UNKNOWN}), ("Dense", {"units": 2})])
    r = check(m)
    assert r.valid
    assert r.output_shapes == [None]


def test_partially_given_weights_compare_the_given_entries_only():
    m = sequential((None, 5), [("Dense", {"units": 3})])
    ok = m.replace_layer("dense_0", m.layers[0].__class__(**{**m.layers[0].__dict__, "weights": (None, (3,))}))
    assert check(ok).valid
    bad = m.replace_layer("dense_0", m.layers[0].__class__(**{**m.layers[0].__dict__, "weights": (None, (4,))}))
    assert [d.kind for d in check(bad).errors] == ["weight_shape"]


def test_runtime_conflict_is_a_warning_not_an_error():
    q = InputNode(id="q", shape=(None, 5, 8))
    v = InputNode(id="v", shape=(None, 7, 6))
    att = Layer(id="att", kind="Attention", inputs=(Edge("q"), Edge("v")), list_input=True)
    r = check(Model(name="m", inputs=(q, v), layers=(att,), outputs=(Edge("att"),)))
    assert r.valid and r.output_shapes == [(None, 5, 6)]
    assert [(d.severity, d.kind) for d in r.diagnostics] == [("warning", "merge_shape_mismatch")]


SHARED_CASES = [
    ("Dense", {"units": 4}, (None, 8), (None, 16)),
    ("Dense", {"units": 4}, (None, 8), (None, 3, 8)),
    ("LayerNormalization", {}, (None, 8), (None, 16)),
    ("BatchNormalization", {}, (None, 8), (None, 16)),
    ("BatchNormalization", {}, (None, 8), (None, 3, 8)),
    ("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 4}, (None, 8), (None, 16)),
    ("Conv1D", {"filters": 2, "kernel_size": 3}, (None, 10, 4), (None, 12, 4)),
    ("Conv1D", {"filters": 2, "kernel_size": 3}, (None, 10, 4), (None, 10, 5)),
    ("LSTM", {"units": 3}, (None, 5, 4), (None, 7, 4)),
    ("LSTM", {"units": 3}, (None, 5, 4), (None, 5, 6)),
]


def test_shared_layers_agree_with_keras(keras_oracle):
    for kind, args, s1, s2 in SHARED_CASES:
        a, b = InputNode(id="a", shape=s1), InputNode(id="b", shape=s2)
        layers = (
            Layer(id="l1", kind=kind, args=args, inputs=(Edge("a"),), instance="s"),
            Layer(id="l2", kind=kind, args=args, inputs=(Edge("b"),), instance="s"),
        )
        m = Model(name="m", inputs=(a, b), layers=layers, outputs=(Edge("l1"), Edge("l2")))
        keras_res = keras_oracle.build(m)
        ours = check(m)
        assert ours.valid == keras_res.ok, (kind, s1, s2, keras_res.error, [d.message for d in ours.errors])
        if keras_res.ok:
            assert ours.output_shapes == keras_res.output_shapes, (kind, s1, s2)


def test_shared_weighted_layers_of_every_kind_agree_with_keras(keras_oracle):
    """Every kind with weights and a valid single-input example, called a second time on
    an input whose last axis differs: same verdict as Keras."""
    from repair_engine.semantics import REGISTRY, all_examples

    seen = set()
    for _, ex in all_examples():
        unit = REGISTRY.get(ex.kind)
        if unit is None or unit.weights is None or ex.error or ex.inner or ex.kind in seen:
            continue
        if len(ex.input_list) != 1 or ex.called_with_list or ex.input_list[0][-1] is None:
            continue
        s1 = tuple(ex.input_list[0])
        s2 = s1[:-1] + (s1[-1] + 1,)
        a, b = InputNode(id="a", shape=s1), InputNode(id="b", shape=s2)
        layers = (
            Layer(id="l1", kind=ex.kind, args=ex.args, inputs=(Edge("a"),), instance="s"),
            Layer(id="l2", kind=ex.kind, args=ex.args, inputs=(Edge("b"),), instance="s"),
        )
        m = Model(name="m", inputs=(a, b), layers=layers, outputs=(Edge("l1"), Edge("l2")))
        keras_res = keras_oracle.build(m)
        if keras_res.unsupported:
            continue
        seen.add(ex.kind)
        ours = check(m)
        assert ours.valid == keras_res.ok, (ex.kind, s1, s2, keras_res.error, [d.message for d in ours.errors])
    assert len(seen) >= 20
