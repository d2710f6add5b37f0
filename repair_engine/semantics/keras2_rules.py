"""Checks Keras 2 (tf-keras 2.21) makes and Keras 3 does not: run before the Keras 3 unit under keras2.

Each rule reads a layer's literal arguments and its input shapes and returns the
Violation tf-keras raises, or None. A rule never guesses: an unknown argument or
shape makes it pass (the Keras 3 unit then decides, or leaves the layer unchecked).
Every rule was checked against tf-keras (tests/test_keras2_rules.py builds each
rule's examples with it).
"""

from __future__ import annotations

from collections.abc import Callable

from ..ir import Layer, is_unknown
from .base import Violation

KERAS2 = "Keras 2 (tf-keras)"
Rule = Callable[[Layer, list], "Violation | None"]


def _literal(layer: Layer, name: str, default=None):
    value = layer.args.get(name, default)
    return None if is_unknown(value) else value


def _ints(value, n: int) -> tuple | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value,) * n
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    return None


_CONV_RANK = {
    **dict.fromkeys(("Conv1D", "Conv1DTranspose", "SeparableConv1D", "DepthwiseConv1D"), 1),
    **dict.fromkeys(("Conv2D", "Conv2DTranspose", "SeparableConv2D", "DepthwiseConv2D"), 2),
    **dict.fromkeys(("Conv3D", "Conv3DTranspose"), 3),
}


def strided_dilation(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras convolutions reject strides > 1 together with dilation_rate > 1 (Keras 3 accepts it)."""
    n = _CONV_RANK[layer.kind]
    strides = _ints(_literal(layer, "strides", 1), n)
    dilation = _ints(_literal(layer, "dilation_rate", 1), n)
    if strides is None or dilation is None or not (max(strides) > 1 and max(dilation) > 1):
        return None
    return Violation(
        "invalid_argument",
        f"{layer.kind}: {KERAS2} does not support strides > 1 together with dilation_rate > 1 "
        f"(received strides={strides}, dilation_rate={dilation}); use strides=1 or dilation_rate=1",
        expected="strides == 1 or dilation_rate == 1",
        actual=f"strides={strides}, dilation_rate={dilation}",
        argument="dilation_rate",
        hint={"arg": "dilation_rate", "value": 1},
    )


def dot_batch_axis(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras's Dot cannot contract the batch axis (axes=0)."""
    axes = _ints(_literal(layer, "axes"), 2)
    if axes is None or 0 not in axes:
        return None
    return Violation(
        "invalid_argument",
        f"Dot: {KERAS2} cannot take the dot product along the batch axis (received axes={_literal(layer, 'axes')!r}); "
        "count axes from 1, or use -1 for the last axis",
        expected="axes >= 1 or negative",
        actual=f"axes={_literal(layer, 'axes')!r}",
        argument="axes",
    )


def negative_padding(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras's ZeroPadding layers reject negative padding (Keras 3 crops with it)."""
    pad = _literal(layer, "padding", 1)
    flat = list(_flatten(pad))
    if not flat or not all(isinstance(v, int) and not isinstance(v, bool) for v in flat) or min(flat) >= 0:
        return None
    return Violation(
        "invalid_argument",
        f"{layer.kind}: `padding` must be >= 0 in {KERAS2} (received padding={pad!r}); "
        "to remove rows or columns use a Cropping layer",
        expected="padding >= 0",
        actual=f"padding={pad!r}",
        argument="padding",
    )


def _flatten(value):
    if isinstance(value, (tuple, list)):
        for v in value:
            yield from _flatten(v)
    else:
        yield value


def factor_bounds(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras reads a single negative factor as the range (-f, f), whose upper bound is below
    its lower bound: RandomTranslation and RandomRotation reject it."""
    names = ("height_factor", "width_factor") if layer.kind == "RandomTranslation" else ("factor",)
    for name in names:
        value = _literal(layer, name)
        lower, upper = _bounds(value)
        if lower is None or upper is None or lower <= upper:
            continue
        return Violation(
            "invalid_argument",
            f"{layer.kind}: `{name}` has its upper bound below its lower bound in {KERAS2} (received {name}={value!r}; "
            "a single number f means the range (-f, f)); use a positive number or a (lower, upper) pair",
            expected="lower <= upper",
            actual=f"{name}={value!r}",
            argument=name,
        )
    return None


def _bounds(value) -> tuple:
    if isinstance(value, bool):
        return None, None
    if isinstance(value, (int, float)):
        return -value, value
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
        return value[0], value[1]
    return None, None


def unrolled_unknown_time(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras can unroll a recurrent layer only over a defined number of time steps."""
    if _literal(layer, "unroll", False) is not True or not inputs or inputs[0] is None or len(inputs[0]) != 3:
        return None
    if inputs[0][1] is not None:
        return None
    return Violation(
        "undefined_dim",
        f"{layer.kind}(unroll=True) needs a defined number of time steps in {KERAS2}; the input has shape "
        f"{inputs[0]}; give the Input a fixed sequence length, or use unroll=False",
        expected="a defined time axis",
        actual=str(inputs[0]),
        argument="unroll",
        hint={"arg": "unroll", "value": False},
    )


def bool_units(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras turns `units` into a tensor dimension, which refuses a bool (Keras 3 reads True as 1)."""
    value = _literal(layer, "units")
    if not isinstance(value, bool):
        return None
    return Violation(
        "invalid_argument",
        f"Dense: `units` must be an integer in {KERAS2}, received units={value!r}",
        expected="a positive integer",
        actual=f"units={value!r}",
        argument="units",
    )


def float_axis(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras's BatchNormalization takes only integer axes (Keras 3 casts 1.7 or '1')."""
    value = _literal(layer, "axis", -1)
    items = value if isinstance(value, (tuple, list)) else [value]
    if all(isinstance(v, int) and not isinstance(v, bool) for v in items) or any(is_unknown(v) for v in items):
        return None
    return Violation(
        "invalid_argument",
        f"{layer.kind}: `axis` must be an integer or a list of integers in {KERAS2}, received axis={value!r}",
        expected="int or list of ints",
        actual=f"axis={value!r}",
        argument="axis",
    )


# preprocessing layers whose non-"int" outputs tf-keras encodes with a rank limit; default mode
_ENCODING_DEFAULT = {
    "CategoryEncoding": "multi_hot",
    "Discretization": "int",
    "Hashing": "int",
    "StringLookup": "int",
    "IntegerLookup": "int",
}


def encoded_rank(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras encodes one_hot / multi_hot / count / tf_idf outputs of rank 2 at most: a one_hot input
    whose last axis is not 1 gains an axis first (preprocessing_utils.encode_categorical_inputs)."""
    mode = _literal(layer, "output_mode", _ENCODING_DEFAULT[layer.kind])
    if not isinstance(mode, str) or mode == "int" or not inputs or inputs[0] is None:
        return None
    rank = max(len(inputs[0]), 1)
    if mode == "one_hot" and inputs[0][-1] != 1:
        if inputs[0][-1] is None:
            return None  # the last axis may be 1
        rank += 1
    if rank <= 2:
        return None
    return Violation(
        "rank_mismatch",
        f"{layer.kind}(output_mode={mode!r}): {KERAS2} encodes outputs of rank 2 at most; the input {inputs[0]} "
        f"would give rank {rank}; feed one value per sample (shape (batch, 1)) or reshape first",
        expected="output rank <= 2",
        actual=f"input {inputs[0]}",
    )


def text_vectorization_rank(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras's TextVectorization splits each string into tokens: with a non-"int" output, the
    input must hold one string per sample, or the encoded output exceeds rank 2."""
    mode = _literal(layer, "output_mode", "int")
    split = _literal(layer, "split", "whitespace")
    if not isinstance(mode, str) or mode == "int" or split is None or not inputs or inputs[0] is None:
        return None
    s = inputs[0]
    if len(s) == 1 or (len(s) == 2 and s[1] in (1, None)):
        return None
    return Violation(
        "rank_mismatch",
        f"TextVectorization(output_mode={mode!r}): {KERAS2} needs one string per sample (shape (batch,) or "
        f"(batch, 1)) to encode the tokens; received {s}",
        expected="(batch,) or (batch, 1)",
        actual=str(s),
    )


def einsum_rank(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras's EinsumDense needs an input of exactly the equation's rank when it elides no axes."""
    eq = _literal(layer, "equation")
    if not isinstance(eq, str) or "->" not in eq or "..." in eq or not inputs or inputs[0] is None:
        return None
    spec = eq.replace(" ", "").split("->")[0].split(",")[0]
    if len(spec) == len(inputs[0]):
        return None
    return Violation(
        "rank_mismatch",
        f"EinsumDense: the equation {eq!r} reads an input of rank {len(spec)}, received {inputs[0]} "
        f"(rank {len(inputs[0])}) in {KERAS2}; write the equation for this rank, or use '...' for leading axes",
        expected=f"ndim={len(spec)}",
        actual=f"ndim={len(inputs[0])}",
    )


def softmax_axis(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras's Softmax fails on an axis the input does not have (Keras 3 builds it)."""
    axis = _literal(layer, "axis", -1)
    if not inputs or inputs[0] is None:
        return None
    rank = len(inputs[0])
    axes = axis if isinstance(axis, (tuple, list)) else [axis]
    bad = [a for a in axes if isinstance(a, int) and not isinstance(a, bool) and not -rank <= a < rank]
    if not bad:
        return None
    return Violation(
        "invalid_argument",
        f"Softmax: axis {bad[0]} is out of range for an input of rank {rank} {inputs[0]} in {KERAS2}; "
        f"use an axis in [-{rank}, {rank - 1}], e.g. -1",
        expected=f"axis in [-{rank}, {rank - 1}]",
        actual=f"axis={axis!r}",
        argument="axis",
        hint={"arg": "axis", "value": -1},
    )


def exact_data_format(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras's SpatialDropout2D/3D compare data_format as written (Keras 3 lowercases it)."""
    value = _literal(layer, "data_format")
    if not isinstance(value, str) or value in ("channels_last", "channels_first"):
        return None
    return Violation(
        "invalid_argument",
        f'{layer.kind}: `data_format` must be "channels_last" or "channels_first" in {KERAS2}, '
        f"received data_format={value!r}; write it in lower case",
        expected="channels_last | channels_first",
        actual=f"data_format={value!r}",
        argument="data_format",
        hint={"arg": "data_format", "value": value.lower()},
    )


def reshape_none(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras's Reshape refuses None in target_shape (Keras 3 reads it as an undefined axis)."""
    target = _literal(layer, "target_shape")
    if not isinstance(target, (tuple, list)) or None not in target:
        return None
    return Violation(
        "invalid_argument",
        f"Reshape: {KERAS2} does not take None in target_shape (received {tuple(target)!r}); "
        "use -1 for the one axis to infer",
        expected="ints, at most one -1",
        actual=f"target_shape={tuple(target)!r}",
        argument="target_shape",
    )


def convlstm_channels(layer: Layer, inputs: list) -> Violation | None:
    """tf-keras's ConvLSTM layers need a defined channel axis."""
    if not inputs or inputs[0] is None or len(inputs[0]) < 4:
        return None
    fmt = _literal(layer, "data_format")
    channels = inputs[0][2] if fmt == "channels_first" else inputs[0][-1]
    if channels is not None:
        return None
    return Violation(
        "undefined_dim",
        f"{layer.kind}: the channel axis of the input {inputs[0]} must be defined in {KERAS2}",
        expected="a defined channel axis",
        actual=str(inputs[0]),
    )


RULES: dict[str, tuple[Rule, ...]] = {
    **{k: (strided_dilation,) for k in _CONV_RANK},
    "Dot": (dot_batch_axis,),
    **{k: (negative_padding,) for k in ("ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D")},
    "RandomTranslation": (factor_bounds,),
    "RandomRotation": (factor_bounds,),
    **{k: (unrolled_unknown_time,) for k in ("LSTM", "GRU", "SimpleRNN")},
    "Dense": (bool_units,),
    "BatchNormalization": (float_axis,),
    **{k: (encoded_rank,) for k in _ENCODING_DEFAULT},
    "TextVectorization": (text_vectorization_rank,),
    "EinsumDense": (einsum_rank,),
    "Softmax": (softmax_axis,),
    "Reshape": (reshape_none,),
    **{k: (convlstm_channels,) for k in ("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")},
    "SpatialDropout2D": (exact_data_format,),
    "SpatialDropout3D": (exact_data_format,),
}


def stricter(layer: Layer, inputs: list) -> Violation | None:
    """The first Keras 2-only check `layer` fails, or None."""
    for rule in RULES.get(layer.kind, ()):
        v = rule(layer, inputs)
        if v is not None:
            return v
    return None
