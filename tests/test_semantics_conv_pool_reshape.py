"""Convolution, pooling and reshaping semantics: property tests against real Keras,
plus checks of the diagnostics' messages and repair hints.

The hypothesis tests draw random layer arguments and input shapes (valid and
invalid ones) and require our verdict and output shape to equal what real Keras
3 gives when it builds the layer symbolically. They run a bounded number of
derandomized draws by default; set NNREPAIR_HYPOTHESIS_EXAMPLES=500 (and
NNREPAIR_HYPOTHESIS_RANDOM=1) to explore further.
"""

from __future__ import annotations

import os
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repair_engine.checker import check
from repair_engine.ir import sequential
from repair_engine.semantics import REGISTRY
from repair_engine.semantics.base import Example
from tests.example_models import example_model

N_EXAMPLES = int(os.environ.get("NNREPAIR_HYPOTHESIS_EXAMPLES", "40"))
PROPERTY = settings(
    max_examples=N_EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("NNREPAIR_HYPOTHESIS_RANDOM") != "1",
    suppress_health_check=list(HealthCheck),
    database=None,
)


WEIRD = st.sampled_from([0, -1, 2.5, "x", "same", None, True, False, (1,), [2, 2], (2, 2, 2), (), ((1, 1), (0, 2))])


@st.composite
def mutated(draw, case):
    """Sometimes replace or add one argument with an odd value, to exercise constructor checks."""
    kind, args, shape = draw(case)
    if draw(st.integers(0, 3)) == 0:
        args = dict(args)
        name = draw(st.sampled_from(sorted(args) + ["strides", "padding", "data_format", "keepdims", "size"]))
        args[name] = draw(WEIRD)
    return kind, args, shape


def _compare(oracle, kind: str, args: dict, shape: tuple) -> None:
    ex = Example(kind, args, shape)
    ours = check(example_model(ex))
    keras = oracle.build(example_model(ex))
    assert not keras.unsupported, keras.error
    errors = [f"{d.kind}: {d.message}" for d in ours.errors]
    case = f"{kind}({args}) <- {shape}"
    assert (not errors) == keras.ok, f"{case}: ours={errors or ours.shapes['layer']} keras={keras.error or keras.output_shapes}"
    if keras.ok:
        assert ours.shapes["layer"] == keras.output_shapes, case


# ---- strategies -------------------------------------------------------------

DIM = st.one_of(st.none(), st.integers(1, 12), st.just(0))
DATA_FORMAT = st.sampled_from([None, "channels_last", "channels_first"])


def _window(rank: int, lo: int, hi: int):
    return st.one_of(st.integers(lo, hi), st.tuples(*[st.integers(lo, hi)] * rank))


@st.composite
def input_shape(draw, rank: int, channels=st.one_of(st.integers(1, 6), st.none())):
    """Mostly (rank + 2)-D inputs, sometimes one axis more or less."""
    ndim = draw(st.sampled_from([rank + 2] * 6 + [rank + 1, rank + 3]))
    dims = [draw(DIM) for _ in range(max(ndim - 2, 0))]
    c = draw(channels)
    return tuple([None] + dims + [c]) if ndim >= 2 else (None,)


CONV_KINDS = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
              "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D",
              "Convolution2D", "Convolution3DTranspose", "SeparableConvolution1D"]


@st.composite
def conv_case(draw):
    kind = draw(st.sampled_from(CONV_KINDS))
    rank = int(re.search(r"(\d)D", kind).group(1))
    args = {"kernel_size": draw(_window(rank, 1, 5))}
    if not kind.startswith("Depthwise"):
        args["filters"] = draw(st.sampled_from([1, 2, 4, 6, 0]))
    if draw(st.booleans()):
        args["strides"] = draw(_window(rank, 1, 3))
    if draw(st.booleans()):
        args["dilation_rate"] = draw(_window(rank, 1, 3))
    args["padding"] = draw(st.sampled_from(["valid", "same", "causal", "SAME", "Valid"]))
    df = draw(DATA_FORMAT)
    if df:
        args["data_format"] = df
    if kind.startswith("Conv") and "Transpose" not in kind and draw(st.booleans()):  # groups
        args["groups"] = draw(st.integers(1, 3))
    if kind.startswith(("Depthwise", "Separable")) and draw(st.booleans()):
        args["depth_multiplier"] = draw(st.integers(0, 3))
    if "Transpose" in kind and draw(st.booleans()):
        args["output_padding"] = draw(_window(rank, 0, 2))
    return kind, args, draw(input_shape(rank))


@st.composite
def pooling_case(draw):
    family = draw(st.sampled_from(["window", "global", "adaptive"]))
    rank = draw(st.integers(1, 3))
    args = {}
    df = draw(DATA_FORMAT)
    if df:
        args["data_format"] = df
    if family == "window":
        kind = draw(st.sampled_from(["MaxPooling", "AveragePooling", "MaxPool", "AvgPool"])) + f"{rank}D"
        if "Av" in kind or draw(st.booleans()):
            args["pool_size"] = draw(_window(rank, 1, 5))
        if draw(st.booleans()):
            args["strides"] = draw(st.one_of(st.none(), _window(rank, 1, 3)))
        args["padding"] = draw(st.sampled_from(["valid", "same", "SAME"]))
    elif family == "global":
        kind = draw(st.sampled_from(["GlobalAveragePooling", "GlobalMaxPooling", "GlobalAvgPool", "GlobalMaxPool"]))
        kind += f"{rank}D"
        if draw(st.booleans()):
            args["keepdims"] = draw(st.booleans())
    else:
        kind = draw(st.sampled_from(["AdaptiveAveragePooling", "AdaptiveMaxPooling"])) + f"{rank}D"
        args["output_size"] = draw(_window(rank, 1, 6))
    return kind, args, draw(input_shape(rank))


@st.composite
def reshaping_case(draw):
    kind = draw(st.sampled_from(["Flatten", "Reshape", "Permute", "RepeatVector", "Cropping1D", "Cropping2D",
                                 "Cropping3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
                                 "UpSampling1D", "UpSampling2D", "UpSampling3D"]))
    if kind in ("Flatten", "Reshape", "Permute", "RepeatVector"):
        ndim = draw(st.integers(2, 5))
        shape = tuple([None] + [draw(st.one_of(st.integers(1, 8), st.none())) for _ in range(ndim - 1)])
        args: dict = {}
        if kind == "Flatten" and draw(st.booleans()):
            args["data_format"] = draw(DATA_FORMAT)
        elif kind == "Reshape":
            size = draw(st.sampled_from([2, 3, 4, 6, 8, 12, 24]))
            parts = draw(st.lists(st.sampled_from([1, 2, 3, 4, -1]), min_size=1, max_size=3))
            if draw(st.booleans()):
                parts = [size] + parts[1:]
            args["target_shape"] = tuple(parts)
        elif kind == "Permute":
            n = draw(st.integers(1, 4))
            perm = draw(st.permutations(list(range(1, n + 1))))
            if draw(st.integers(0, 5)) == 0:
                perm = [p - 1 for p in perm]  # a 0-based permutation: invalid
            args["dims"] = tuple(perm)
        else:
            args["n"] = draw(st.integers(0, 4))
        return kind, args, shape
    rank = int(kind[-2])
    args = {}
    if kind.startswith("Cropping"):
        args["cropping"] = draw(st.one_of(st.integers(0, 4), st.tuples(*[st.integers(0, 4)] * 2)))
    elif kind.startswith("ZeroPadding"):
        args["padding"] = draw(st.one_of(st.integers(-3, 2), st.tuples(*[st.integers(0, 2)] * 2)))
    else:
        args["size"] = draw(st.integers(1, 3) if rank == 1 else _window(rank, 1, 3))
    if rank > 1 or kind == "ZeroPadding1D":
        df = draw(DATA_FORMAT)
        if df:
            args["data_format"] = df
    return kind, args, draw(input_shape(rank, channels=st.integers(1, 4)))


# ---- property tests against real Keras ------------------------------------


@PROPERTY
@given(case=mutated(conv_case()))
def test_conv_matches_keras(keras_oracle, case):
    _compare(keras_oracle, *case)


@PROPERTY
@given(case=mutated(pooling_case()))
def test_pooling_matches_keras(keras_oracle, case):
    _compare(keras_oracle, *case)


@PROPERTY
@given(case=mutated(reshaping_case()))
def test_reshaping_matches_keras(keras_oracle, case):
    _compare(keras_oracle, *case)


# ---- aliases: every name keras.layers exports for these families ---------


def test_keras_aliases_are_registered(keras_oracle):
    import keras

    families = ("Conv", "Pool", "Flatten", "Reshape", "Permute", "RepeatVector", "Cropping", "ZeroPadding",
                "UpSampling", "Separable", "Depthwise")
    names = [n for n in dir(keras.layers) if n.startswith(families) or "Pool" in n]
    names = [n for n in names if not n.startswith("ConvLSTM")]
    missing = [n for n in names if n not in REGISTRY]
    assert names and not missing


# ---- diagnostics: messages and repair hints --------------------------------


def _one_error(kind: str, args: dict, shape: tuple):
    result = check(example_model(Example(kind, args, shape)))
    assert len(result.errors) == 1, [d.message for d in result.errors]
    return result.errors[0]


def test_pool_too_large_names_the_argument_and_the_fix():
    d = _one_error("MaxPooling1D", {"pool_size": 4}, (None, 3, 8))
    assert d.kind == "non_positive_dim" and d.argument == "pool_size"
    assert "MaxPooling1D" in d.message and "pool_size=4" in d.message and "3" in d.message
    assert "pool_size <= 3" in d.message and "padding='same'" in d.message
    assert d.hint.as_dict()["arg"] == "pool_size" and d.hint.as_dict()["max"] == 3 and d.hint.as_dict()["or"] == {"padding": "same"}


def test_kernel_too_large_hint_accounts_for_dilation():
    d = _one_error("Conv1D", {"filters": 2, "kernel_size": 4, "dilation_rate": 3}, (None, 9, 1))
    assert d.kind == "non_positive_dim" and d.hint.as_dict()["max"] == 3  # 3 * (3 - 1) + 1 = 7 <= 9 < 10
    fixed = check(example_model(Example("Conv1D", {"filters": 2, "kernel_size": 3, "dilation_rate": 3}, (None, 9, 1))))
    assert fixed.valid


def test_rank_mismatch_hint():
    d = _one_error("Conv2D", {"filters": 8, "kernel_size": 3}, (None, 28, 28))
    assert d.kind == "rank_mismatch"
    assert d.hint.as_dict()["need_rank"] == (4,) and d.hint.as_dict()["got_rank"] == 3
    assert "(batch, rows, cols, channels)" in d.message
    assert d.hint.as_dict()["suggest_shape"] == (None, 28, 28, 1) and "Input(shape=(28, 28, 1))" in d.message
    d = _one_error("MaxPooling1D", {}, (None, 8, 8, 3))
    assert "use MaxPooling2D" in d.message


def test_groups_hint_lists_valid_choices():
    d = _one_error("Conv2D", {"filters": 6, "kernel_size": 1, "groups": 4}, (None, 5, 5, 4))
    assert d.kind == "invalid_argument" and d.argument == "groups"
    assert 4 not in d.hint.as_dict()["choices"] and all(6 % g == 0 for g in d.hint.as_dict()["choices"])


def test_unknown_keyword_is_blamed_and_removable():
    d = _one_error("Conv2D", {"filters": 8, "kernel_size": 3, "border_mode": "same"}, (None, 8, 8, 3))
    assert d.argument == "border_mode" and d.hint.as_dict() == {"arg": "border_mode", "remove": True}


def test_transposed_output_padding_hint():
    d = _one_error("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "strides": (2, 3), "output_padding": 2},
                   (None, 4, 4, 1))
    assert d.argument == "output_padding" and d.hint.as_dict()["max"] == [1, 2]


def test_reshape_size_suggests_valid_targets():
    d = _one_error("Reshape", {"target_shape": (5, 5)}, (None, 8, 3))
    assert d.kind == "reshape_size" and d.hint.as_dict()["input_elements"] == 24 and d.hint.as_dict()["target_elements"] == 25
    assert "24" in d.message and "(5, 5)" in d.message
    for target in d.hint.as_dict()["suggest"]:
        fixed = check(example_model(Example("Reshape", {"target_shape": target}, (None, 8, 3))))
        assert fixed.valid, target


def test_huge_reshape_is_arithmetic_only():
    start = time.perf_counter()
    d = _one_error("Reshape", {"target_shape": (10**9, 10**9, 7)}, (None, 10**6, 10**6, 10**6, 3))
    assert d.kind == "reshape_size" and time.perf_counter() - start < 0.5
    ok = check(example_model(Example("Reshape", {"target_shape": (-1, 3)}, (None, 10**6, 10**6, 3))))
    assert ok.valid and ok.shapes["layer"] == [(None, 10**12, 3)]


def test_cropping_hint_gives_the_largest_total_crop():
    d = _one_error("Cropping2D", {"cropping": ((2, 3), (0, 0))}, (None, 5, 8, 1))
    assert d.kind == "non_positive_dim" and d.hint.as_dict()["max_total"] == 4 and d.hint.as_dict()["axis"] == 1
    fixed = check(example_model(Example("Cropping2D", {"cropping": d.hint.as_dict()["value"]}, (None, 5, 8, 1))))
    assert d.hint.as_dict()["value"] == ((2, 2), (0, 0)) and fixed.valid and fixed.shapes["layer"] == [(None, 1, 8, 1)]


@pytest.mark.parametrize("kind,args,shape", [
    ("Conv1D", {"filters": 4.0, "kernel_size": 3}, (None, 9, 2)),
    ("Conv2D", {"filters": 4, "kernel_size": 3.0}, (None, 9, 9, 2)),
    ("Conv2DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 2}, (None, 5, 5, 1)),
    ("Reshape", {"target_shape": 24}, (None, 8, 3)),
    ("Reshape", {"target_shape": (5, -1)}, (None, 8, 3)),
    ("Permute", {"dims": (1, 0)}, (None, 8, 3)),
    ("Cropping1D", {"cropping": (5, 5)}, (None, 8, 3)),
    ("ZeroPadding2D", {"padding": -5}, (None, 8, 8, 3)),
    ("GlobalMaxPooling2D", {"keep_dims": True}, (None, 8, 8, 3)),
    ("AveragePooling1D", {}, (None, 8, 3)),
    ("MaxPooling2D", {"padding": "SAME"}, (None, 8, 8, 3)),
    ("Conv1D", {"filters": 4, "kernel_size": 3, "activation": "rlu"}, (None, 9, 2)),
])
def test_hint_edits_repair_the_layer(kind, args, shape):
    """Applying the edit a hint proposes (value/values/choices, else the `or`
    alternatives, else removal) gives a layer our semantics accept."""
    d = _one_error(kind, args, shape)
    h = d.hint.as_dict()
    candidates = []
    for v in ([h["value"]] if "value" in h else []) + list(h.get("values", [])) + list(h.get("choices", [])):
        candidates.append({**args, h["arg"]: v})
    if "or" in h:
        fixed = {**args, **h["or"]}
        if h.get("remove"):
            fixed.pop(h["arg"], None)
        candidates.append(fixed)
    if h.get("remove"):
        candidates.append({k: v for k, v in args.items() if k != h["arg"]})
    if "min" in h and isinstance(args.get(h["arg"]), int):
        candidates.append({**args, h["arg"]: h["min"]})
    assert candidates, h
    assert any(check(example_model(Example(kind, c, shape))).valid for c in candidates), (d.message, h)


def test_undefined_channels_for_weights():
    d = _one_error("Conv2D", {"filters": 8, "kernel_size": 3, "data_format": "channels_first"}, (None, None, 8, 8))
    assert d.kind == "undefined_dim" and d.hint.as_dict()["axis"] == 1


def test_unknown_argument_values_do_not_stop_the_analysis():
    from repair_engine.ir import UNKNOWN

    # an unresolved activation is cosmetic for shapes ...
    r = check(example_model(Example("Conv2D", {"filters": 4, "kernel_size": 3, "activation": UNKNOWN}, (None, 8, 8, 1))))
    assert r.valid and r.shapes["layer"] == [(None, 6, 6, 4)] and "layer" not in r.unchecked
    # ... an unresolved kernel size is not
    r = check(example_model(Example("Conv2D", {"filters": 4, "kernel_size": UNKNOWN}, (None, 8, 8, 1))))
    assert r.valid and r.shapes["layer"] == [None] and "layer" in r.unchecked


def test_typical_cnn_chain():
    model = sequential(
        (None, 28, 28, 1),
        [
            ("Conv2D", {"filters": 32, "kernel_size": 3, "activation": "relu"}),
            ("MaxPooling2D", {"pool_size": 2}),
            ("Conv2D", {"filters": 64, "kernel_size": 3, "activation": "relu"}),
            ("MaxPooling2D", {"pool_size": 2}),
            ("Flatten", {}),
            ("Dense", {"units": 10}),
        ],
    )
    result = check(model)
    assert result.valid and result.output_shapes == [(None, 10)]
    assert result.shapes["flatten_4"] == [(None, 1600)]


@pytest.mark.parametrize("kind,args,shape,weights", [
    ("Conv2D", {"filters": 6, "kernel_size": (3, 2), "groups": 3}, (None, 8, 8, 3), [(3, 2, 1, 6), (6,)]),
    ("Conv1DTranspose", {"filters": 4, "kernel_size": 3, "use_bias": False}, (None, 8, 2), [(3, 4, 2)]),
    ("DepthwiseConv1D", {"kernel_size": 3, "depth_multiplier": 2}, (None, 8, 5), [(3, 5, 2), (10,)]),
    ("SeparableConv1D", {"filters": 7, "kernel_size": 3, "data_format": "channels_first"}, (None, 5, 8),
     [(3, 5, 1), (1, 5, 7), (7,)]),
])
def test_weight_shapes_match_keras_get_weights(keras_oracle, kind, args, shape, weights):
    from repair_engine.checker import expected_weights

    layer = example_model(Example(kind, args, shape)).layers[0]
    assert expected_weights(layer, [shape]) == weights
    keras = keras_oracle._load()
    obj = getattr(keras.layers, kind)(**args)
    obj.build(shape)
    assert [tuple(w.shape) for w in obj.get_weights()] == weights


def test_channels_first_mixup_suggests_channels_last():
    d = _one_error("Conv2D", {"filters": 8, "kernel_size": 3, "data_format": "channels_first"}, (None, 28, 28, 1))
    assert d.hint.as_dict()["or"] == {"padding": "same", "data_format": "channels_last"}
    assert "data_format='channels_last'" in d.message
    fixed = check(example_model(Example("Conv2D", {"filters": 8, "kernel_size": 3}, (None, 28, 28, 1))))
    assert fixed.valid
    # a channels_last layer is not told to switch layouts
    d = _one_error("MaxPooling1D", {"pool_size": 4}, (None, 3, 8))
    assert "data_format" not in d.hint.as_dict()["or"]


def test_missing_required_argument_hint_gives_a_value():
    d = _one_error("AveragePooling2D", {}, (None, 8, 8, 1))
    assert d.hint.as_dict() == {"arg": "pool_size", "missing": True, "value": (2, 2)}
    fixed = check(example_model(Example("AveragePooling2D", {"pool_size": d.hint.as_dict()["value"]}, (None, 8, 8, 1))))
    assert fixed.valid and fixed.shapes["layer"] == [(None, 4, 4, 1)]


def test_misspelt_identifier_suggests_the_closest_name():
    d = _one_error("Conv1D", {"filters": 2, "kernel_size": 3, "activation": "rlu"}, (None, 9, 1))
    assert d.hint.as_dict()["choices"][0] == "relu" and "did you mean 'relu'" in d.message
    d = _one_error("Conv1D", {"filters": 2, "kernel_size": 3, "kernel_initializer": "he"}, (None, 9, 1))
    assert set(d.hint.as_dict()["choices"]) == {"he_normal", "he_uniform"}
    # names the frontend resolved from code references (tf.nn.relu -> "relu") pass
    ok = check(example_model(Example("Conv1D", {"filters": 2, "kernel_size": 3, "activation": "relu"}, (None, 9, 1))))
    assert ok.valid


@pytest.mark.parametrize("target,shape", [((5, 5), (None, 8, 3)), ((5, -1), (None, 8, 3)), ((7, 7, 3), (None, 28, 28, 1)),
                                          ((0, -1), (None, 4, 6)), ((10**6, 10**6 + 1), (None, 10**6, 10**6))])
def test_every_reshape_suggestion_is_valid(target, shape):
    d = _one_error("Reshape", {"target_shape": target}, shape)
    assert d.hint.as_dict()["suggest"]
    for cand in d.hint.as_dict()["suggest"]:
        assert check(example_model(Example("Reshape", {"target_shape": cand}, shape))).valid, cand


def _shared_conv_model(channels_a: int, channels_b: int):
    from repair_engine.ir import Edge, InputNode, Layer, Model

    args = {"filters": 4, "kernel_size": 3}
    return Model(
        name="shared",
        inputs=(InputNode("a", (None, 8, 8, channels_a)), InputNode("b", (None, 8, 8, channels_b))),
        layers=(
            Layer("conv_a", "Conv2D", args, (Edge("a"),), instance="conv"),
            Layer("conv_b", "Conv2D", args, (Edge("b"),), instance="conv"),
        ),
        outputs=(Edge("conv_a"), Edge("conv_b")),
    )


@pytest.mark.parametrize("channels_b,ok", [(3, True), (5, False)])
def test_shared_conv_needs_the_same_channels(keras_oracle, channels_b, ok):
    model = _shared_conv_model(3, channels_b)
    ours = check(model)
    assert ours.valid == ok, [d.message for d in ours.errors]
    if not ok:
        assert [d.kind for d in ours.errors] == ["incompatible_shape"]
    assert keras_oracle.build(model).ok == ok


# ---- robustness: odd argument values never crash the checker --------------

MY_KINDS = sorted(k for k, u in REGISTRY.items()
                  if u.output.__module__.rsplit(".", 1)[-1] in ("conv", "pooling", "reshaping"))
ODD_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 12), st.sampled_from([10**12, -(10**12)]),
              st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["same", "valid", "causal", "x", ""])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple),
                            st.dictionaries(st.sampled_from(["a", "class_name"]), inner, max_size=2)),
    max_leaves=8,
)
ARG_NAMES = ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups",
             "depth_multiplier", "output_padding", "use_bias", "activation", "pool_size", "keepdims",
             "output_size", "target_shape", "dims", "n", "cropping", "size", "interpolation", "trainable", "name"]
ODD_SHAPE = st.one_of(
    st.none(),
    st.lists(st.one_of(st.none(), st.integers(0, 9), st.just(10**9)), min_size=0, max_size=6).map(
        lambda dims: tuple([None] + dims)),
)


@settings(max_examples=int(os.environ.get("NNREPAIR_FUZZ_EXAMPLES", "300")), deadline=None,
          derandomize=os.environ.get("NNREPAIR_HYPOTHESIS_RANDOM") != "1", database=None)
@given(kind=st.sampled_from(MY_KINDS), args=st.dictionaries(st.sampled_from(ARG_NAMES), ODD_VALUE, max_size=5),
       shape=ODD_SHAPE)
def test_odd_arguments_never_crash(kind, args, shape):
    from repair_engine.ir import Edge, InputNode, Layer, Model

    model = Model(name="m", inputs=(InputNode("in", shape),),
                  layers=(Layer("layer", kind, args, (Edge("in"),)),), outputs=(Edge("layer"),))
    start = time.perf_counter()
    result = check(model)  # must not raise
    assert time.perf_counter() - start < 1.0
    for d in result.errors:
        assert d.message and d.kind in ("invalid_argument", "rank_mismatch", "non_positive_dim", "reshape_size",
                                        "undefined_dim", "limit_exceeded")


@PROPERTY
@given(case=conv_case(), use_bias=st.booleans())
def test_conv_weight_shapes_match_keras(keras_oracle, case, use_bias):
    """@weights_of gives the shapes of get_weights() for every valid convolution."""
    from repair_engine.checker import expected_weights

    kind, args, shape = case
    args = {**args, "use_bias": use_bias}
    model = example_model(Example(kind, args, shape))
    if not check(model).valid:
        return
    ours = expected_weights(model.layers[0], [shape])
    keras = keras_oracle._load()
    layer = getattr(keras.layers, kind)(**args)
    layer(keras.Input(batch_shape=shape))
    assert ours == [tuple(w.shape) for w in layer.get_weights()], (kind, args, shape)


@pytest.mark.skipif(not hasattr(__import__("repair_engine.semantics.base", fromlist=["Ctx"]).Ctx, "warn"),
                    reason="Ctx.warn (non-fatal findings) not available")
@pytest.mark.parametrize("kind,args,shape,argument", [
    ("UpSampling2D", {"interpolation": "foo"}, (None, 4, 4, 3), "interpolation"),
    ("ZeroPadding2D", {"padding": -1}, (None, 8, 8, 3), "padding"),
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 3, "padding": (1,)}, (None, None, 3), "padding"),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "dilation_rate": 2}, (None, 5, 5, 3), "dilation_rate"),
    ("AdaptiveAveragePooling2D", {"output_size": 4}, (None, 8, 3), None),
])
def test_built_but_failing_at_run_time_is_a_warning(kind, args, shape, argument):
    """Keras builds these (valid verdict) but they fail or misbehave when run."""
    result = check(example_model(Example(kind, args, shape)))
    assert result.valid
    warnings = [d for d in result.diagnostics if d.severity == "warning" and d.layer == "layer"]
    assert len(warnings) == 1 and warnings[0].argument == argument, [d.message for d in result.diagnostics]
