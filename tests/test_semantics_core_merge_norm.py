"""Random differential tests: merge and normalization semantics vs real Keras 3.

Hypothesis draws shapes and arguments (correlated, so that valid and invalid
cases both occur), builds a one-layer model, and requires our checker and real
Keras to agree on the verdict and, when valid, on the output shape. Bounded:
a fixed number of derandomized examples per test (NNR_HYPOTHESIS_EXAMPLES
raises it for a deeper local run).
"""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repair_engine.checker import check
from repair_engine.semantics.base import Example
from tests.example_models import example_model

N = int(os.environ.get("NNR_HYPOTHESIS_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=N,
    deadline=None,
    derandomize=os.environ.get("NNR_HYPOTHESIS_RANDOM") != "1",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

DIM = st.sampled_from([None, 1, 2, 3, 4])
BATCH = st.sampled_from([None, None, None, 2, 3])


@st.composite
def related_shapes(draw, n_min=1, n_max=3):
    """A base shape and variants of it: same, a dim changed, a rank dropped or added."""
    rank = draw(st.integers(1, 4))
    base = [draw(BATCH)] + [draw(DIM) for _ in range(rank - 1)]
    shapes = []
    for _ in range(draw(st.integers(n_min, n_max))):
        s = list(base)
        move = draw(st.sampled_from(["same", "same", "dim", "drop", "add", "batch"]))
        if move == "dim" and len(s) > 1:
            s[draw(st.integers(1, len(s) - 1))] = draw(DIM)
        elif move == "drop" and len(s) > 1:
            del s[draw(st.integers(1, len(s) - 1))]
        elif move == "add":
            s.insert(draw(st.integers(1, len(s))), draw(DIM))
        elif move == "batch":
            s[0] = draw(BATCH)
        shapes.append(tuple(s))
    return shapes


def _agree(oracle, ex: Example) -> None:
    model = example_model(ex)
    ours = check(model)
    keras = oracle.build(model)
    assert not keras.unsupported, keras.error
    note = f"{ex.kind}({ex.args}) on {ex.inputs}: ours={[d.message for d in ours.errors]} keras={keras.error}"
    assert ours.valid == keras.ok, note
    if keras.ok:
        assert ours.output_shapes == keras.output_shapes, note
    else:
        # a rejected model is reported once, with a contract kind
        assert len(ours.errors) == 1, note
        assert ours.errors[0].kind in (
            "merge_shape_mismatch", "invalid_argument", "rank_mismatch", "undefined_dim", "incompatible_shape"
        ), note


@SETTINGS
@given(
    kind=st.sampled_from(["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]),
    shapes=related_shapes(),
)
def test_elementwise_merges_agree_with_keras(keras_oracle, kind, shapes):
    _agree(keras_oracle, Example(kind, {}, list(shapes)))


@SETTINGS
@given(shapes=related_shapes(), axis=st.integers(-4, 4))
def test_concatenate_agrees_with_keras(keras_oracle, shapes, axis):
    _agree(keras_oracle, Example("Concatenate", {"axis": axis}, list(shapes)))


@SETTINGS
@given(
    shapes=related_shapes(n_min=2, n_max=2),
    axes=st.one_of(st.integers(-3, 3), st.tuples(st.integers(-3, 3), st.integers(-3, 3))),
)
def test_dot_agrees_with_keras(keras_oracle, shapes, axes):
    _agree(keras_oracle, Example("Dot", {"axes": axes}, list(shapes)))


@SETTINGS
@given(
    kind=st.sampled_from(["BatchNormalization", "LayerNormalization", "UnitNormalization", "RMSNormalization"]),
    shape=related_shapes(n_min=1, n_max=1),
    axis=st.one_of(st.integers(-5, 4), st.lists(st.integers(-4, 3), min_size=1, max_size=2)),
)
def test_normalization_agrees_with_keras(keras_oracle, kind, shape, axis):
    if kind == "BatchNormalization" and isinstance(axis, list):
        axis = axis[0]
    _agree(keras_oracle, Example(kind, {"axis": axis}, shape[0]))


@SETTINGS
@given(
    shape=related_shapes(n_min=1, n_max=1),
    groups=st.sampled_from([-1, 0, 1, 2, 3, 4, 6, 32]),
    axis=st.integers(-4, 3),
    channels=st.sampled_from([None, 1, 2, 4, 6, 12, 64]),
)
def test_group_normalization_agrees_with_keras(keras_oracle, shape, groups, axis, channels):
    s = list(shape[0])
    if len(s) > 1:
        s[-1] = channels
    _agree(keras_oracle, Example("GroupNormalization", {"groups": groups, "axis": axis}, tuple(s)))


# ---- unit tests of the diagnostics themselves (no Keras needed) ------------


def _only_error(ex: Example):
    errors = check(example_model(ex)).errors
    assert len(errors) == 1, [d.message for d in errors]
    return errors[0]


def test_merge_mismatch_hint_names_axis_and_dims():
    d = _only_error(Example("Add", {}, [(None, 32), (None, 64)]))
    assert d.kind == "merge_shape_mismatch"
    assert d.hint.as_dict() == {"axis": -1, "dims": [32, 64], "input": 1, "by_input": [32, 64]}
    assert "32" in d.message and "64" in d.message and "Add" in d.message


def test_merge_mismatch_hint_points_at_the_odd_input_whatever_the_ranks():
    d = _only_error(Example("Multiply", {}, [(None, 4, 8), (None, 8), (None, 5, 1, 7)]))
    assert d.hint.as_dict()["axis"] == -1 and d.hint.as_dict()["dims"] == [8, 7] and d.hint.as_dict()["input"] == 2
    assert d.hint.as_dict()["by_input"] == [8, 8, 7]
    d = _only_error(Example("Add", {}, [(None, 3), (None, 2, 5)]))
    assert d.hint.as_dict()["dims"] == [3, 5] and d.hint.as_dict()["input"] == 1


def test_concatenate_mismatch_hint_names_the_non_axis_dim():
    d = _only_error(Example("Concatenate", {"axis": -1}, [(None, 5, 3), (None, 7, 3)]))
    assert d.kind == "merge_shape_mismatch"
    assert d.hint.as_dict()["axis"] == 1 and d.hint.as_dict()["dims"] == [5, 7] and d.hint.as_dict()["concat_axis"] == -1
    assert d.hint.as_dict()["by_input"] == [5, 7]
    d = _only_error(Example("Concatenate", {"axis": 1}, [(None, 5, 3), (None, 7)]))
    assert d.hint.as_dict()["ranks"] == [3, 2]


def test_dot_mismatch_hint_names_both_axes():
    d = _only_error(Example("Dot", {"axes": (1, 2)}, [(None, 3, 5), (None, 10, 4)]))
    assert d.kind == "merge_shape_mismatch"
    assert d.hint.as_dict()["axis"] == [1, 2] and d.hint.as_dict()["dims"] == [3, 4]


def test_group_normalization_suggests_a_divisor():
    d = _only_error(Example("GroupNormalization", {"groups": 4}, (None, 30)))
    assert d.argument == "groups" and d.hint.as_dict()["suggest"] == 3 and 30 % d.hint.as_dict()["suggest"] == 0


def test_activation_typo_suggests_the_name():
    d = _only_error(Example("Dense", {"units": 3, "activation": "Relu"}, (None, 5)))
    assert d.argument == "activation" and d.hint.as_dict()["suggest"] == "relu"
    assert "'Relu'" in d.message


def test_unknown_values_and_kinds_stay_unknown():
    from repair_engine.ir import UNKNOWN

    res = check(example_model(Example("Concatenate", {"axis": UNKNOWN}, [(None, 3), (None, 4)])))
    assert res.valid and res.shapes["layer"] == [None]
    res = check(example_model(Example("Lambda", {}, (None, 3))))
    assert res.valid and "layer" in res.unchecked
    res = check(example_model(Example("ThresholdedReLU", {}, (None, 3))))
    assert "layer" in res.unchecked


def test_weight_functions_match_declared_kinds():
    from repair_engine.semantics import REGISTRY

    for kind in ("Dense", "EinsumDense", "Embedding", "PReLU", "BatchNormalization", "LayerNormalization",
                 "GroupNormalization", "RMSNormalization"):
        assert REGISTRY[kind].weights is not None, kind
    assert REGISTRY["Subtract"].arity == (2, 2) and REGISTRY["Dot"].arity == (2, 2)
    assert REGISTRY["Add"].arity == (1, None) and REGISTRY["Concatenate"].arity == (1, None)


@pytest.mark.parametrize(
    "ex",
    [
        Example("BatchNormalization", {"axis": 1}, (None, 3, 8, 8), weights=((3,),) * 4),
        Example("EinsumDense", {"equation": "abc,cde->abde", "output_shape": (None, 2, 4), "bias_axes": "de"},
                (None, 7, 5), weights=((5, 2, 4), (2, 4))),
    ],
)
def test_weight_shapes_agree_with_keras_weights(keras_oracle, ex):
    """Our weight function equals the shapes of layer.weights after a real build."""
    from repair_engine.checker import expected_weights
    from repair_engine.oracle import make_layer

    import keras

    model = example_model(ex)
    layer = model.layers[0]
    obj = make_layer(layer)
    obj(keras.Input(batch_shape=ex.inputs))
    assert expected_weights(layer, [ex.inputs]) == [tuple(w.shape) for w in obj.weights]


@st.composite
def einsum_case(draw):
    """A well-formed EinsumDense setup (batch axis, contracted, kept and new axes), then maybe one mutation."""
    dims = st.sampled_from([2, 3, 4])
    in_letters = draw(st.permutations("bcd"))[: draw(st.integers(1, 3))]
    contracted = [c for c in in_letters if draw(st.booleans())] or [in_letters[-1]]
    kept = [c for c in in_letters if c not in contracted]
    new = draw(st.permutations("xy"))[: draw(st.integers(0, 2))]
    in_spec, w_spec, out_spec = "a" + "".join(in_letters), "".join(contracted + new), "a" + "".join(kept + new)
    mode = draw(st.sampled_from(["plain", "plain", "left", "right"]))
    extra = draw(st.integers(0, 2)) if mode != "plain" else 0
    in_dims = {c: draw(dims) for c in in_letters}
    out_dims = {c: draw(st.sampled_from([in_dims[c], None])) for c in kept}
    out_dims.update({c: draw(dims) for c in new})
    output_shape = [out_dims[c] for c in out_spec[1:]]
    bias_axes = draw(st.one_of(st.none(), st.sampled_from([c for c in out_spec[1:]] or ["a"])))
    shape = [None] + [in_dims[c] for c in in_letters]
    if mode == "left":
        in_spec, out_spec = in_spec[1:], out_spec[1:]
        shape = [None] + [draw(dims) for _ in range(extra)] + shape[1:]
        output_shape = output_shape  # Keras fills the elided axes itself
    elif mode == "right":
        shape = shape + [draw(dims) for _ in range(extra)]
    equation = {
        "plain": f"{in_spec},{w_spec}->{out_spec}",
        "left": f"...{in_spec},{w_spec}->...{out_spec}",
        "right": f"{in_spec}...,{w_spec}->{out_spec}...",
    }[mode]
    mutation = draw(st.sampled_from(["none", "none", "none", "dim", "rank", "letter", "outlen", "undefined"]))
    if mutation == "dim" and output_shape:
        output_shape[draw(st.integers(0, len(output_shape) - 1))] = draw(st.sampled_from([None, 1, 5]))
    elif mutation == "rank":
        shape = shape[:-1] if len(shape) > 1 and draw(st.booleans()) else shape + [draw(dims)]
    elif mutation == "letter":
        equation = equation.replace(draw(st.sampled_from(sorted(set(w_spec)))), "q", 1)
    elif mutation == "outlen":
        output_shape = output_shape[:-1] if output_shape and draw(st.booleans()) else output_shape + [3]
    elif mutation == "undefined" and len(shape) > 1:
        shape[draw(st.integers(1, len(shape) - 1))] = None
    if len(output_shape) == 1 and output_shape[0] is not None and draw(st.booleans()):
        output_shape = output_shape[0]
    else:
        output_shape = tuple(output_shape)
    return equation, output_shape, bias_axes, tuple(shape)


@SETTINGS
@given(case=einsum_case())
def test_einsum_dense_agrees_with_keras(keras_oracle, case):
    equation, output_shape, bias_axes, shape = case
    args = {"equation": equation, "output_shape": output_shape}
    if bias_axes is not None:
        args["bias_axes"] = bias_axes
    _agree(keras_oracle, Example("EinsumDense", args, shape))


@SETTINGS
@given(
    shape=related_shapes(n_min=1, n_max=1),
    shared=st.one_of(st.none(), st.integers(-3, 4), st.lists(st.integers(-3, 4), min_size=1, max_size=2)),
)
def test_prelu_agrees_with_keras(keras_oracle, shape, shared):
    args = {} if shared is None else {"shared_axes": shared}
    _agree(keras_oracle, Example("PReLU", args, shape[0]))


@pytest.mark.parametrize(
    "kind,args,shape",
    [
        ("Dense", {"units": 5, "activation": "UNK", "kernel_initializer": "UNK"}, (None, 5)),
        ("Dropout", {"rate": "UNK", "noise_shape": "UNK"}, (None, 5)),
        ("SpatialDropout2D", {"rate": "UNK", "data_format": "UNK"}, (None, 4, 4, 3)),
        ("LeakyReLU", {"negative_slope": "UNK"}, (None, 5)),
        ("ReLU", {"max_value": "UNK"}, (None, 5)),
        ("BatchNormalization", {"momentum": "UNK", "renorm": "UNK"}, (None, 5)),
        ("GroupNormalization", {"groups": "UNK"}, (None, 6)),
        ("ActivityRegularization", {"l1": "UNK"}, (None, 5)),
    ],
)
def test_unresolved_shape_free_args_keep_the_shape(kind, args, shape):
    """An argument the frontend could not resolve that does not change the output
    shape leaves its own check undecided but keeps the shape known."""
    from repair_engine.ir import UNKNOWN

    args = {k: UNKNOWN if v == "UNK" else v for k, v in args.items()}
    res = check(example_model(Example(kind, args, shape)))
    assert res.valid and res.shapes["layer"] == [shape] and "layer" not in res.unchecked


VALUES = st.sampled_from([-1, -0.5, 0, 0.3, 1, 1.5, 7, None, "a", True, float("nan"), float("inf")])
ARG_OF = {
    "ReLU": ("max_value", "negative_slope", "threshold"),
    "LeakyReLU": ("negative_slope", "alpha"),
    "Dropout": ("rate",),
    "AlphaDropout": ("rate",),
    "GaussianDropout": ("rate",),
    "GaussianNoise": ("stddev",),
    "SpatialDropout1D": ("rate",),
    "ActivityRegularization": ("l1", "l2"),
    "GroupNormalization": ("groups",),
    "Embedding": ("input_dim", "output_dim"),
    "Dense": ("units",),
}


@SETTINGS
@given(kind=st.sampled_from(sorted(ARG_OF)), data=st.data())
def test_constructor_checks_agree_with_keras(keras_oracle, kind, data):
    names = ARG_OF[kind]
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    args = {n: data.draw(VALUES) for n in chosen}
    if kind in ("Dropout", "AlphaDropout", "GaussianDropout", "SpatialDropout1D") and "rate" not in args:
        args["rate"] = 0.5
    if kind == "Embedding":
        args.setdefault("input_dim", 10)
        args.setdefault("output_dim", 4)
    if kind == "Dense":
        args.setdefault("units", 3)
    shape = (None, 4, 6) if kind == "SpatialDropout1D" else (None, 6)
    _agree(keras_oracle, Example(kind, args, shape))


# ---- shared layers: the InputSpec a built layer keeps -----------------------

SHARED_KINDS = [
    ("Dense", {"units": 3}),
    ("EinsumDense", {"equation": "...b,bc->...c", "output_shape": 3}),
    ("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 3}),
    ("BatchNormalization", {}),
    ("BatchNormalization", {"axis": 1}),
    ("LayerNormalization", {}),
    ("RMSNormalization", {}),
    ("GroupNormalization", {"groups": 1}),
    ("PReLU", {}),
    ("PReLU", {"shared_axes": [1]}),
    ("Embedding", {"input_dim": 10, "output_dim": 3}),
    ("Dropout", {"rate": 0.1}),
    ("SpatialDropout1D", {"rate": 0.1}),
]


def shared_model(kind, args, first, second):
    from repair_engine.ir import Edge, InputNode, Layer, Model

    ins = (InputNode("a", first), InputNode("b", second))
    l1 = Layer("l1", kind, args, (Edge("a"),), instance="L")
    l2 = Layer("l2", kind, args, (Edge("b"),), instance="L")
    return Model("m", ins, (l1, l2), (Edge("l1"), Edge("l2")))


@SETTINGS
@given(
    case=st.sampled_from(SHARED_KINDS),
    first=st.lists(st.sampled_from([2, 3, 4]), min_size=1, max_size=3),
    second=st.lists(st.sampled_from([None, 2, 3, 4]), min_size=1, max_size=3),
)
def test_input_spec_of_a_shared_layer_agrees_with_keras(keras_oracle, case, first, second):
    """`input_spec_violation(spec(first call), second input)` is Keras' verdict on the second call."""
    from repair_engine.semantics import REGISTRY
    from repair_engine.semantics.base import Ctx
    from repair_engine.semantics.base import input_spec_violation
    from repair_engine.ir import Layer

    kind, args = case
    first, second = (None, *first), (None, *second)
    layer = Layer("l1", kind, args)
    first_ok = oracle_one_call_ok(keras_oracle, kind, args, first)
    second_alone_ok = oracle_one_call_ok(keras_oracle, kind, args, second)
    if not (first_ok and second_alone_ok):
        return  # only the shared-call rule is under test here
    res = keras_oracle.build(shared_model(kind, args, first, second))
    spec_fn = getattr(REGISTRY[kind], "input_spec", None)
    reason = input_spec_violation(spec_fn(Ctx(layer=layer, inputs=[first])), second) if spec_fn else None
    assert (reason is None) == res.ok, (kind, args, first, second, reason, res.error)


def oracle_one_call_ok(oracle, kind, args, shape) -> bool:
    return oracle.build(example_model(Example(kind, args, shape))).ok


@pytest.mark.parametrize(
    "args,shape,fixed",
    [
        ({"equation": "abc,cd->abd", "output_shape": (8, 4)}, (None, 7, 5), (7, 4)),
        ({"equation": "...bc,cd->...bd", "output_shape": (8, 4)}, (None, 6, 7, 5), (7, 4)),
    ],
)
def test_einsum_output_shape_hint_is_a_valid_repair(keras_oracle, args, shape, fixed):
    d = _only_error(Example("EinsumDense", args, shape))
    assert d.argument == "output_shape" and d.hint.as_dict()["value"] == fixed
    repaired = Example("EinsumDense", {**args, "output_shape": d.hint.as_dict()["value"]}, shape)
    assert check(example_model(repaired)).valid
    assert keras_oracle.build(example_model(repaired)).ok


@pytest.mark.parametrize(
    "ex,arg,value",
    [
        (Example("Dense", {"units": 3.0}, (None, 5)), "units", 3),
        (Example("Dense", {"units": 3, "activation": "Relu"}, (None, 5)), "activation", "relu"),
        (Example("Dense", {"units": 3, "kernel_initializer": "glorot"}, (None, 5)), "kernel_initializer",
         "glorot_uniform"),
        (Example("Dropout", {"rate": 50}, (None, 5)), "rate", 0.5),
        (Example("GroupNormalization", {"groups": 4}, (None, 30)), "groups", 3),
        (Example("BatchNormalization", {"axis": [1]}, (None, 3, 4)), "axis", -1),
    ],
)
def test_hint_value_repairs_the_layer(keras_oracle, ex, arg, value):
    """The hint's `value` (what the repair search tries first) makes Keras accept the layer."""
    d = _only_error(ex)
    assert d.hint.as_dict()["arg"] == arg and d.hint.as_dict()["value"] == value
    repaired = Example(ex.kind, {**ex.args, arg: value}, ex.inputs)
    assert check(example_model(repaired)).valid
    assert keras_oracle.build(example_model(repaired)).ok


def test_unknown_keyword_hint_offers_the_rename():
    d = _only_error(Example("Dense", {"units": 3, "activaton": "relu"}, (None, 5)))
    assert d.hint.as_dict() == {"arg": "activaton", "remove": True, "rename": "activation", "or": {"activation": "relu"}}


DOTTED = [{"activation": "tf.nn.crelu"}, {"kernel_initializer": "tf.keras.initializers.he_normal"}]


@pytest.mark.parametrize("args", DOTTED)
def test_dotted_strings_are_not_keras_names(args):
    """keras.*.get does not import module paths: a dotted string is rejected (the Python
    frontend turns a code reference such as tf.nn.relu into its name or UNKNOWN)."""
    res = check(example_model(Example("Dense", {"units": 3, **args}, (None, 5))))
    assert [d.code for d in res.errors] == ["NNR204"]


@pytest.mark.parametrize("args", DOTTED)
def test_dotted_strings_are_rejected_by_keras(args, keras_oracle):
    assert not keras_oracle.build(example_model(Example("Dense", {"units": 3, **args}, (None, 5)))).ok


@pytest.mark.parametrize("shape", [(None, 7, 4), (None, 7, 9)])
def test_reversible_embedding_reverse_call_agrees_with_keras(keras_oracle, shape):
    """reverse=True maps the last axis to input_dim (Keras checks nothing symbolically)."""
    from repair_engine.ir import Edge, InputNode, Layer, Model

    layer = Layer("layer", "ReversibleEmbedding", {"input_dim": 10, "output_dim": 4}, (Edge("in0"),),
                  call_args={"reverse": True})
    model = Model("m", (InputNode("in0", shape),), (layer,), (Edge("layer"),))
    res = keras_oracle.build(model)
    ours = check(model)
    assert res.ok and ours.valid
    assert ours.output_shapes == res.output_shapes == [shape[:-1] + (10,)]


def test_input_count_is_judged_even_when_shapes_are_unknown():
    from repair_engine.ir import Edge, InputNode, Layer, Model

    ins = tuple(InputNode(f"in{i}", None if i == 0 else (None, 3)) for i in range(3))
    for kind, args in (("Subtract", {}), ("Dot", {"axes": 1})):
        layer = Layer("layer", kind, args, tuple(Edge(i.id) for i in ins), list_input=True)
        res = check(Model("m", ins, (layer,), (Edge("layer"),)))
        assert [d.kind for d in res.errors] == ["invalid_argument"], kind
        assert res.errors[0].hint.as_dict() == {"inputs": 3, "need_inputs": 2}
    layer = Layer("layer", "Add", {}, tuple(Edge(i.id) for i in ins), list_input=True)
    res = check(Model("m", ins, (layer,), (Edge("layer"),)))
    assert res.valid and res.shapes["layer"] == [None]


@pytest.mark.parametrize(
    "ex,kind",
    [
        (Example("Softmax", {"axis": 5}, (None, 5)), "invalid_argument"),
        (Example("Dot", {"axes": 0}, [(None, 3), (None, 3)]), "invalid_argument"),
        (Example("Dot", {"axes": 1}, [(4, 3), (5, 3)]), "merge_shape_mismatch"),
        (Example("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 4}, (None, 5, 6)), "rank_mismatch"),
        (Example("Concatenate", {"axis": 2}, [(None, 3, None), (None, 3)]), "merge_shape_mismatch"),
    ],
)
def test_built_but_fails_at_run_time_is_a_warning(keras_oracle, ex, kind):
    """Keras builds these (the verdict stays valid) but they fail when the model runs."""
    res = check(example_model(ex))
    assert res.valid and keras_oracle.build(example_model(ex)).ok
    assert [(d.kind, d.severity) for d in res.diagnostics] == [(kind, "warning")]


def test_no_warning_for_sound_layers():
    for ex in (Example("Softmax", {"axis": [1, 2]}, (None, 5, 3)), Example("Dot", {"axes": 1}, [(4, 3), (4, 3)]),
               Example("EinsumDense", {"equation": "...b,bc->...c", "output_shape": 4}, (None, 5, 6)),
               Example("Concatenate", {"axis": 1}, [(None, 3), (None, 4)])):
        assert check(example_model(ex)).diagnostics == [], ex
