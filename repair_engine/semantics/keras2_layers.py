"""Layers only Keras 2 (tf-keras 2.21) has: LocallyConnected1D/2D, ThresholdedReLU, RandomHeight,
RandomWidth, DenseFeatures.

Their units sit in KERAS2_UNITS, not in REGISTRY: the checker finds them under the keras2
target only. Under keras3 the kinds are unknown, and the Python frontend reports the call
with "Keras 3 has no <kind>" (what `keras.layers.<kind>` raises) whatever its arguments
(keras2.keras3_normalize). The rules follow tf-keras 2.21 (tf_keras/src/layers/locally_connected/,
activation/thresholded_relu.py, preprocessing/image_preprocessing.py). EXAMPLES are built
with tf-keras by tests/test_keras2_layers.py. The keyword check is the keras2 target's
(keras2.check_layer, against tf-keras's signatures), not Keras 3's check_known_args.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import Ctx, Example, LayerUnit, Output, Unknown, conv_output_length

# kind -> what to write on Keras 3 instead
KERAS3_REPLACEMENT = {
    "LocallyConnected1D": "Conv1D (shared weights), or keep the repository on Keras 2 (tf-keras)",
    "LocallyConnected2D": "Conv2D (shared weights), or keep the repository on Keras 2 (tf-keras)",
    "ThresholdedReLU": "keras.layers.ReLU(threshold=theta)",
    "RandomHeight": "keras.layers.RandomZoom(height_factor=..., width_factor=0.0) (keeps the height) or Resizing",
    "RandomWidth": "keras.layers.RandomZoom(height_factor=0.0, width_factor=...) (keeps the width) or Resizing",
    "DenseFeatures": "Keras preprocessing layers (keras.utils.FeatureSpace); feature columns are gone",
}


def keras3_missing_message(kind: str) -> str:
    return (
        f"{kind} is a Keras 2 layer: Keras 3 has no keras.layers.{kind} (AttributeError); "
        f"use {KERAS3_REPLACEMENT[kind]}"
    )


# kind -> unit: consulted by the checker under the keras2 target only (keras2.unit_of), never
# put in REGISTRY, so under keras3 these kinds stay unknown (the frontend reports the call)
KERAS2_UNITS: dict[str, LayerUnit] = {}


def register(*kinds: str):
    def deco(fn: Callable[[Ctx], Output]):
        for k in kinds:
            KERAS2_UNITS[k] = LayerUnit(kinds=kinds, output=fn)
        return fn

    return deco


def _literal(ctx: Ctx, name: str, default):
    value = ctx.arg(name, default)  # raises Unknown for an unknown value
    return value


@register("ThresholdedReLU")
def thresholded_relu(ctx: Ctx):
    theta = _literal(ctx, "theta", 1.0)
    if theta is None or isinstance(theta, bool) or not isinstance(theta, (int, float)) or theta < 0:
        ctx.fail(
            "invalid_argument",
            f"`theta` of ThresholdedReLU must be a number >= 0, received theta={theta!r}",
            expected="theta >= 0",
            actual=f"theta={theta!r}",
            argument="theta",
            hint={"arg": "theta", "min": 0},
        )
    return ctx.input_shape


def _random_resize(ctx: Ctx, axis_from_end: int):
    factor = ctx.required("factor")
    if isinstance(factor, (tuple, list)) and len(factor) == 2:
        lower, upper = factor
    else:
        lower, upper = (
            (-factor, factor) if isinstance(factor, (int, float)) and not isinstance(factor, bool) else (None, None)
        )
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lower, upper)):
        raise Unknown(f"factor of {ctx.kind}")  # not modelled: left unchecked
    if upper < lower or lower < -1.0 or upper < -1.0:
        ctx.fail(
            "invalid_argument",
            f"`factor` of {ctx.kind} must give a range (lower, upper) with -1 <= lower <= upper, "
            f"received factor={factor!r} (a single number f means (-f, f))",
            expected="-1 <= lower <= upper",
            actual=f"factor={factor!r}",
            argument="factor",
        )
    s = ctx.input_shape
    if len(s) != 4:
        raise Unknown(f"input rank of {ctx.kind}")  # unbatched / other ranks: not modelled
    out = list(s)
    out[len(s) - axis_from_end] = None  # the resized axis: random per call
    return tuple(out)


@register("RandomHeight")
def random_height(ctx: Ctx):
    return _random_resize(ctx, 3)


@register("RandomWidth")
def random_width(ctx: Ctx):
    return _random_resize(ctx, 2)


def _locally_connected(ctx: Ctx, rank: int):
    filters = ctx.required("filters")
    if not isinstance(filters, int) or isinstance(filters, bool) or filters < 0:  # tf-keras builds filters=0
        ctx.fail(
            "invalid_argument",
            f"`filters` of {ctx.kind} must be an integer >= 0, received filters={filters!r}",
            expected="filters >= 0",
            actual=f"filters={filters!r}",
            argument="filters",
            hint={"arg": "filters", "min": 1},
        )
    kernel = ctx.int_tuple("kernel_size", rank)
    strides = ctx.int_tuple("strides", rank, default=1)  # 0 divides by zero in tf-keras
    padding = ctx.choice("padding", ("valid", "same"), default="valid")
    implementation = ctx.arg("implementation", 1)
    if padding != "valid" and implementation == 1:
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} supports only padding='valid' with implementation=1 (received padding={padding!r}); "
            "use padding='valid', or implementation=2 or 3",
            expected="padding='valid'",
            actual=f"padding={padding!r}",
            argument="padding",
            hint={"arg": "padding", "value": "valid"},
        )
    data_format = ctx.data_format()
    s = ctx.input_rank(rank + 2)
    channels, spatial = (s[1], s[2:]) if data_format == "channels_first" else (s[-1], s[1:-1])
    if channels is None or None in spatial:
        ctx.fail(
            "undefined_dim",
            f"{ctx.kind} needs every axis of its input defined (it holds one kernel per position); received {s}",
            expected="defined spatial and channel axes",
            actual=str(s),
        )
    out = [conv_output_length(n, k, padding, st) for n, k, st in zip(spatial, kernel, strides)]
    if any(o is not None and o <= 0 for o in out):
        ctx.fail(
            "non_positive_dim",
            f"{ctx.kind}: kernel_size={kernel} with strides={strides} leaves no output position on input {s}",
            expected="output length > 0",
            actual=f"output {tuple(out)}",
            argument="kernel_size",
        )
    if data_format == "channels_first":
        return (s[0], filters, *out)
    return (s[0], *out, filters)


@register("LocallyConnected1D")
def locally_connected_1d(ctx: Ctx):
    return _locally_connected(ctx, 1)


@register("LocallyConnected2D")
def locally_connected_2d(ctx: Ctx):
    return _locally_connected(ctx, 2)


@register("DenseFeatures")
def dense_features(ctx: Ctx):
    # its input is a dict of features and its width the feature columns' sum: not modelled
    raise Unknown("DenseFeatures reads feature columns")


KERAS2_ONLY_KINDS = tuple(KERAS3_REPLACEMENT)

# built with tf-keras 2.21 by tests/test_keras2_layers.py (under keras2)
EXAMPLES = [
    Example("ThresholdedReLU", {"theta": 0.5}, (None, 4, 3), out=(None, 4, 3)),
    Example("ThresholdedReLU", {}, (None, 5), out=(None, 5)),
    Example("ThresholdedReLU", {"theta": -1.0}, (None, 5), error="invalid_argument"),
    Example("RandomHeight", {"factor": 0.2}, (None, 8, 8, 3), out=(None, None, 8, 3)),
    Example("RandomWidth", {"factor": (0.1, 0.3)}, (None, 8, 8, 3), out=(None, 8, None, 3)),
    Example("RandomHeight", {"factor": (0.3, 0.1)}, (None, 8, 8, 3), error="invalid_argument"),
    Example("RandomWidth", {"factor": -2.0}, (None, 8, 8, 3), error="invalid_argument"),
    Example("LocallyConnected1D", {"filters": 4, "kernel_size": 3}, (None, 8, 3), out=(None, 6, 4)),
    Example("LocallyConnected1D", {"filters": 4, "kernel_size": 3, "strides": 2}, (None, 9, 3), out=(None, 4, 4)),
    Example(
        "LocallyConnected1D",
        {"filters": 4, "kernel_size": 3, "data_format": "channels_first"},
        (None, 3, 8),
        out=(None, 4, 6),
    ),
    Example("LocallyConnected1D", {"filters": 4, "kernel_size": 3}, (None, None, 3), error="undefined_dim"),
    Example("LocallyConnected1D", {"filters": 4, "kernel_size": 9}, (None, 8, 3), error="non_positive_dim"),
    Example("LocallyConnected1D", {"filters": 4, "kernel_size": 3}, (None, 8, 3, 2), error="rank_mismatch"),
    Example(
        "LocallyConnected1D",
        {"filters": 4, "kernel_size": 3, "padding": "same"},
        (None, 8, 3),
        error="invalid_argument",
    ),
    Example(
        "LocallyConnected1D",
        {"filters": 4, "kernel_size": 3, "padding": "same", "implementation": 2},
        (None, 8, 3),
        out=(None, 8, 4),
    ),
    Example("LocallyConnected2D", {"filters": 2, "kernel_size": 3}, (None, 8, 7, 3), out=(None, 6, 5, 2)),
    Example(
        "LocallyConnected2D", {"filters": 2, "kernel_size": (2, 3), "strides": 2}, (None, 8, 7, 3), out=(None, 4, 3, 2)
    ),
    Example("LocallyConnected2D", {"filters": 2, "kernel_size": 3}, (None, 8, None, 3), error="undefined_dim"),
    Example("LocallyConnected2D", {"filters": 2, "kernel_size": 3}, (None, 8, 3), error="rank_mismatch"),
    Example("LocallyConnected2D", {"filters": 0, "kernel_size": 3}, (None, 8, 8, 3), out=(None, 6, 6, 0)),
    Example("LocallyConnected2D", {"filters": -1, "kernel_size": 3}, (None, 8, 8, 3), error="invalid_argument"),
    Example("LocallyConnected1D", {"filters": 2.0, "kernel_size": 3}, (None, 8, 3), error="invalid_argument"),
    Example(
        "LocallyConnected1D", {"filters": 2, "kernel_size": 3, "strides": 0}, (None, 8, 3), error="invalid_argument"
    ),
    Example("ThresholdedReLU", {"theta": None}, (None, 5), error="invalid_argument"),
]
