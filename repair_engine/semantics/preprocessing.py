"""Preprocessing layers: Rescaling, Resizing, CenterCrop, RandomCrop, Normalization and
the shape-preserving augmentation layers (RandomFlip, RandomRotation, RandomZoom,
RandomContrast, RandomTranslation, RandomBrightness).

Keras 3 builds image layers through `compute_output_shape`: a rank-4 input is a
batch of images, any other rank is read as one unbatched image, so e.g.
Resizing on a (None, 28, 28) input (grayscale images without a channel axis)
resizes axes 0 and 1. These units mirror that, since real Keras is the judge.
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import fmt_shape
from ..ir import is_unknown
from .base import Ctx, Example, Unknown, register

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")


# ---- shared checks ------------------------------------------------------------------


def _size_arg(ctx: Ctx, name: str):
    """height/width: a non-negative int (None keeps the input's size; bool counts as int)."""
    value = ctx.required(name)
    if value is None:
        return None
    if not isinstance(value, int) or value < 0:
        ctx.fail(
            "invalid_argument",
            f"`{name}` of {ctx.kind} must be a non-negative integer number of pixels, received {name}={value!r}",
            expected=f"{name}: int >= 0",
            actual=f"{name}={value!r}",
            argument=name,
            hint={"arg": name, "min": 1, "type": "int"},
        )
    return int(value)


def _factor_outside(ctx: Ctx, name: str, value: Any, interval: str, lo: float, hi: float) -> None:
    """The failure of a factor that is neither a number nor a pair of numbers in `interval`."""
    ctx.fail(
        "invalid_argument",
        f"`{name}` of {ctx.kind} must be a number or a pair of numbers in {interval}, received {name}={value!r}",
        expected=f"{name} in {interval}",
        actual=f"{name}={value!r}",
        argument=name,
        hint={"arg": name, "min": lo, "max": hi},
    )


def _factor_range(ctx: Ctx, name: str, value: Any, lo: float, hi: float, lo_open: bool = False) -> None:
    """A number or a pair of numbers within [lo, hi] (or (lo, hi] when lo_open)."""
    interval = f"{'(' if lo_open else '['}{lo}, {hi}]"

    def bad():
        _factor_outside(ctx, name, value, interval, lo, hi)

    def in_range(x) -> bool:
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            return isinstance(x, bool)  # Keras compares bools as 0/1
        return (x > lo if lo_open else x >= lo) and x <= hi

    if isinstance(value, (tuple, list)):
        if len(value) != 2 or not all(in_range(x) for x in value):
            bad()
    elif not in_range(value):
        bad()


def _base_factor(ctx: Ctx, name: str, lo: float, hi: float, value: Any) -> None:
    """BaseImagePreprocessingLayer._set_factor: a pair only needs to overlap [lo, hi]."""
    interval = f"[{lo}, {hi}]"
    ok = True
    if isinstance(value, (tuple, list)):
        ok = len(value) == 2 and all(isinstance(x, (int, float)) for x in value)
        ok = ok and not (value[0] > hi or value[1] < lo)
    elif isinstance(value, (int, float)):
        ok = lo <= value <= hi
    else:
        ok = False
    if not ok:
        _factor_outside(ctx, name, value, interval, lo, hi)


def _choice_exact(ctx: Ctx, name: str, allowed: tuple, default: str, aliases: dict | None = None) -> str:
    """A case-sensitive string choice (fill_mode, interpolation of the affine layers);
    `aliases` are the deprecated spellings the constructor maps itself."""
    value = ctx.arg(name, default)
    if aliases and isinstance(value, str) and value in aliases:
        return aliases[value]
    if value not in allowed:
        ctx.fail(
            "invalid_argument",
            f"`{name}` of {ctx.kind} must be one of {', '.join(map(repr, allowed))}, received {name}={value!r}",
            expected=" | ".join(allowed),
            actual=f"{name}={value!r}",
            argument=name,
            hint={"arg": name, "choices": list(allowed)},
            code="NNR203",
        )
    return value


def _affine_fill_options(ctx: Ctx) -> None:
    """fill_mode and interpolation, as the affine-transform layers (rotation, zoom, translation) take them."""
    _choice_exact(ctx, "fill_mode", FILL_MODES, "reflect")
    _choice_exact(ctx, "interpolation", AFFINE_INTERPOLATIONS, "bilinear")


def _need_rank(ctx: Ctx, ranks: tuple, why: str):
    s = ctx.shape(0)
    if len(s) not in ranks:
        exp = " or ".join(f"{r}-D" for r in ranks)
        ctx.fail(
            "rank_mismatch",
            f"{ctx.kind} expects a {exp} image input {why} but receives {len(s)}-D {fmt_shape(s)}; "
            "give the images a channel axis, e.g. Input(shape=(height, width, channels)) or Reshape",
            expected="ndim=" + "|".join(map(str, ranks)),
            actual=f"ndim={len(s)}",
            hint={"need_rank": ranks, "got_rank": len(s), "input": 0},
        )
    return s


IMAGE_RANKS = "(height, width, channels) or (batch, height, width, channels)"


def _image_hw_axes(rank: int, data_format: str) -> tuple[int, int]:
    """The (height, width) axes: rank 4 is a batch of images, any other rank one unbatched image."""
    if rank == 4:
        return (2, 3) if data_format == "channels_first" else (1, 2)
    return (1, 2) if data_format == "channels_first" else (0, 1)


def _set_hw(shape, h_axis: int, w_axis: int, height, width):
    out = list(shape)
    out[h_axis] = height
    out[w_axis] = width
    return tuple(out)


# ---- shape-changing image layers ----------------------------------------------------


@register("Resizing")
def resizing(ctx: Ctx):
    height, width = _size_arg(ctx, "height"), _size_arg(ctx, "width")
    fmt = ctx.data_format()
    s = ctx.shape(0)
    axes = _image_hw_axes(len(s), fmt)
    if len(s) <= axes[1]:
        _need_rank(ctx, (3, 4), IMAGE_RANKS)
    return _set_hw(s, axes[0], axes[1], height, width)


@register("CenterCrop")
def center_crop(ctx: Ctx):
    height, width = _size_arg(ctx, "height"), _size_arg(ctx, "width")
    fmt = ctx.data_format()
    s = _need_rank(ctx, (3, 4), IMAGE_RANKS)
    axes = _image_hw_axes(len(s), fmt)
    return _set_hw(s, axes[0], axes[1], height, width)


@register("RandomCrop")
def random_crop(ctx: Ctx):
    height, width = _size_arg(ctx, "height"), _size_arg(ctx, "width")
    fmt = ctx.data_format()
    h_axis, w_axis = (-2, -1) if fmt == "channels_first" else (-3, -2)
    s = ctx.shape(0)
    if len(s) < -h_axis:
        _need_rank(ctx, (3, 4), IMAGE_RANKS)
    return _set_hw(s, h_axis, w_axis, height, width)


# ---- shape-preserving layers --------------------------------------------------------


@register("Rescaling")
def rescaling(ctx: Ctx):
    ctx.required("scale")
    return ctx.shape(0)


@register("RandomFlip")
def random_flip(ctx: Ctx):
    ctx.data_format()
    return ctx.shape(0)


@register("RandomRotation")
def random_rotation(ctx: Ctx):
    factor = ctx.required("factor")
    _base_factor(ctx, "factor", -1, 1, factor or 0.0)
    _affine_fill_options(ctx)
    ctx.data_format()
    return ctx.shape(0)


@register("RandomZoom")
def random_zoom(ctx: Ctx):
    _factor_range(ctx, "height_factor", ctx.required("height_factor"), -1.0, 1.0, lo_open=True)
    width = ctx.arg("width_factor", None)
    if width is not None:
        _factor_range(ctx, "width_factor", width, -1.0, 1.0, lo_open=True)
    _affine_fill_options(ctx)
    ctx.data_format()
    return ctx.shape(0)


@register("RandomTranslation")
def random_translation(ctx: Ctx):
    ctx.data_format()
    _factor_range(ctx, "height_factor", ctx.required("height_factor"), -1.0, 1.0)
    _factor_range(ctx, "width_factor", ctx.required("width_factor"), -1.0, 1.0)
    _affine_fill_options(ctx)
    return ctx.shape(0)


@register("RandomContrast")
def random_contrast(ctx: Ctx):
    ctx.data_format()
    _base_factor(ctx, "factor", 0, 1, ctx.required("factor"))
    return ctx.shape(0)


@register("RandomBrightness")
def random_brightness(ctx: Ctx):
    ctx.data_format()
    _base_factor(ctx, "factor", -1, 1, ctx.required("factor") or 0.0)
    value_range = ctx.arg("value_range", (0, 255))
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        ctx.fail(
            "invalid_argument",
            f"`value_range` of RandomBrightness must be a pair of numbers (low, high), received "
            f"value_range={value_range!r}",
            expected="value_range=(low, high)",
            actual=f"value_range={value_range!r}",
            argument="value_range",
            hint={"arg": "value_range", "len": 2},
        )
    return ctx.shape(0)


# ---- other shape-preserving image layers --------------------------------------------

_REQUIRED = object()
# kind -> (factor default, low, high) for layers validating `factor` with the base
# layer's rule (a number in [low, high], or a pair overlapping it).
FACTOR_RANGES = {
    "RandomHue": (_REQUIRED, 0, 1),
    "RandomSaturation": (_REQUIRED, -1, 1),
    "RandomSharpness": (_REQUIRED, 0, 1),
    "RandomInvert": (1.0, 0, 1),
    "RandomPosterization": (_REQUIRED, 1, 8),
    "RandomColorDegeneration": (_REQUIRED, -1, 1),
    "RandomGaussianBlur": (1.0, 0, 1),
    "RandomErasing": (1.0, 0, 1),
    "RandomPerspective": (1.0, 0, 1),
    "RandomElasticTransform": (1.0, 0, 1),
    "CutMix": (1.0, 0, 1),
}
# identity layers whose arguments are not modelled beyond data_format
PLAIN_IMAGE_LAYERS = (
    "RandomColorJitter", "RandomShear", "Solarization", "AutoContrast", "Equalization", "AugMix",
    "RandAugment", "MixUp", "ContrastLimitedAdaptiveHistogramEqualization",
)  # fmt: skip


# Constructor checks of the other arguments, as Keras 3.15 writes them:
# kind -> ((argument, default, rule), ...). Rules: "pair" a tuple/list of 2
# (value_range), "unit_each" a number or a pair, each in [0, 1] (the
# per-name _set_factor helpers), "unit_overlap" the base rule on [0, 1],
# "unit_number" a number in [0, 1], "odd" an odd number or a pair of them.
IMAGE_ARG_RULES: dict[str, tuple] = {
    "Solarization": (
        ("addition_factor", 0.0, "unit_each"),
        ("threshold_factor", 0.0, "unit_each"),
        ("value_range", (0, 255), "pair"),
    ),
    "Equalization": (("value_range", (0, 255), "pair"),),
    "AutoContrast": (("value_range", (0, 255), "pair"),),
    "RandomShear": (("x_factor", 0.0, "unit_each"), ("y_factor", 0.0, "unit_each")),
    "RandomPerspective": (("scale", 1.0, "unit_number"),),
    "RandomGaussianBlur": (("kernel_size", 3, "odd"), ("sigma", 1.0, "unit_overlap")),
    "RandomElasticTransform": (("scale", 1.0, "unit_overlap"),),
    "RandomErasing": (("scale", (0.02, 0.33), "unit_overlap"),),
    "RandomSaturation": (("value_range", (0, 255), "pair"),),
    "RandomColorDegeneration": (("value_range", (0, 255), "pair"),),
    "RandomPosterization": (("value_range", (0, 255), "pair"),),
    # AugMix and RandAugment build their sub-layers (RandomShear, Solarization, ...) in __init__
    "AugMix": (("value_range", (0, 255), "pair"), ("factor", 0.3, "unit_overlap")),
    "RandAugment": (("value_range", (0, 255), "pair"), ("factor", 0.5, "unit_overlap")),
}
# exact string choices of those layers (NotImplementedError otherwise)
IMAGE_CHOICES: dict[str, tuple] = {
    "RandomShear": (
        ("interpolation", ("nearest", "bilinear"), "bilinear"),
        ("fill_mode", ("reflect", "wrap", "constant", "nearest"), "reflect"),
    ),
    "RandomPerspective": (("interpolation", ("nearest", "bilinear"), "bilinear"),),
    "RandomElasticTransform": (("interpolation", ("nearest", "bilinear"), "bilinear"),),
    "AugMix": (("interpolation", ("nearest", "bilinear"), "bilinear"),),
    "RandAugment": (("interpolation", ("nearest", "bilinear"), "bilinear"),),
}


def _number(x: Any) -> bool:
    return isinstance(x, (int, float))  # bool included, as Keras's isinstance sees it


def _image_rule_holds(rule: str, value: Any) -> bool:
    pair = isinstance(value, (tuple, list))
    if rule == "pair":
        return pair and len(value) == 2
    if rule == "unit_number":
        return _number(value) and 0 <= value <= 1
    if rule == "unit_each":
        items = list(value) if pair else [value]
        return (not pair or len(value) == 2) and all(_number(x) and 0 <= x <= 1 for x in items)
    if rule == "unit_overlap":
        if pair:
            return len(value) == 2 and all(_number(x) for x in value) and not (value[0] > 1 or value[1] < 0)
        return _number(value) and 0 <= value <= 1
    if rule == "odd":
        items = list(value) if pair else [value]
        return (not pair or len(value) == 2) and all(_number(x) and x % 2 == 1 for x in items)
    raise ValueError(rule)


_RULE_TEXT = {
    "pair": "must be a pair of numbers (low, high)",
    "unit_number": "must be a number in [0, 1]",
    "unit_each": "must be a number or a pair of numbers in [0, 1]",
    "unit_overlap": "must be a number or a pair of numbers in [0, 1]",
    "odd": "must be an odd integer or a pair of odd integers",
}


def _image_args(ctx: Ctx) -> None:
    for name, default, rule in IMAGE_ARG_RULES.get(ctx.kind, ()):
        if ctx.has(name) and is_unknown(ctx.layer.args[name]):
            continue
        value = ctx.arg(name, default)
        if not _image_rule_holds(rule, value):
            ctx.fail(
                "invalid_argument",
                f"`{name}` of {ctx.kind} {_RULE_TEXT[rule]}, received {name}={value!r}",
                expected=f"{name}: {_RULE_TEXT[rule][5:]}",
                actual=f"{name}={value!r}",
                argument=name,
                hint={"arg": name, "value": default},
            )
    for name, allowed, default in IMAGE_CHOICES.get(ctx.kind, ()):
        if not (ctx.has(name) and is_unknown(ctx.layer.args[name])):
            _choice_exact(ctx, name, allowed, default)


@register(*FACTOR_RANGES, "RandomGrayscale", *PLAIN_IMAGE_LAYERS)
def image_identity(ctx: Ctx):
    ctx.data_format()
    _image_args(ctx)
    if ctx.kind in FACTOR_RANGES:
        default, lo, hi = FACTOR_RANGES[ctx.kind]
        factor = ctx.required("factor") if default is _REQUIRED else ctx.arg("factor", default)
        _base_factor(ctx, "factor", lo, hi, factor)
    elif ctx.kind == "RandomGrayscale":
        factor = ctx.arg("factor", 0.5)
        if not isinstance(factor, (int, float)) or not 0 <= factor <= 1:
            ctx.fail(
                "invalid_argument",
                f"`factor` of RandomGrayscale must be a number in [0, 1], received factor={factor!r}",
                expected="factor in [0, 1]",
                actual=f"factor={factor!r}",
                argument="factor",
                hint={"arg": "factor", "min": 0, "max": 1},
            )
    s = ctx.shape(0)
    if ctx.kind == "RandomColorDegeneration":
        s = _need_rank(ctx, (3, 4), "(height, width, 3) or (batch, height, width, 3)")
        channels = s[-3] if ctx.data_format() == "channels_first" else s[-1]
        if channels is not None and channels != 3:
            ctx.fail(
                "incompatible_shape",
                f"RandomColorDegeneration works on RGB images (3 channels) but receives {channels} channel(s) "
                f"in {fmt_shape(s)}; apply it to RGB inputs or drop it for grayscale images",
                expected="3 channels",
                actual=f"{channels} channels",
                hint={"channels": 3},
            )
    return s


# ---- categorical encoders (numeric inputs) --------------------------------------------

ENCODE_MODES = ("int", "one_hot", "multi_hot", "count")


def _mode(ctx: Ctx, allowed: tuple, default: str) -> str:
    return _choice_exact(ctx, "output_mode", allowed, default)


def _depth_arg(ctx: Ctx, name: str, minimum: int, needed_as_int: bool, value=None):
    """A bin/token count: a number >= minimum; it must be an int where it becomes an axis."""
    ok = isinstance(value, (int, float)) and value >= minimum and (isinstance(value, int) or not needed_as_int)
    if not ok:
        ctx.fail(
            "invalid_argument",
            f"`{name}` of {ctx.kind} must be an integer >= {minimum}, received {name}={value!r}",
            expected=f"{name}: int >= {minimum}",
            actual=f"{name}={value!r}",
            argument=name,
            hint={"arg": name, "min": minimum, "type": "int"},
        )
    return int(value) if isinstance(value, int) else value


def _encode_axis(shape, mode: str, depth):
    """Add the encoded axis of size depth: one_hot appends it (or replaces a last axis of 1),
    the other modes replace the last axis."""
    if mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            return tuple(shape[:-1]) + (depth,)
        return tuple(shape) + (depth,)
    return tuple(shape[:-1]) + (depth,)


def _sparse_with_int(ctx: Ctx, mode: str) -> None:
    if ctx.arg("sparse", False) and mode == "int":
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} can only return sparse=True outputs for output_mode 'one_hot', 'multi_hot' or 'count', "
            "not 'int'; drop sparse=True or change output_mode",
            expected="sparse=False with output_mode='int'",
            actual="sparse=True, output_mode='int'",
            argument="sparse",
            hint={"arg": "sparse", "value": False},
        )


@register("CategoryEncoding")
def category_encoding(ctx: Ctx):
    mode = ctx.arg("output_mode", "multi_hot")
    if mode == "binary":  # deprecated spelling
        mode = "multi_hot"
    else:
        mode = _mode(ctx, ("count", "one_hot", "multi_hot"), "multi_hot")
    n = _depth_arg(ctx, "num_tokens", 1, True, ctx.arg("num_tokens", None))
    return _encode_axis(ctx.min_rank(1), mode, n)


@register("Hashing")
def hashing(ctx: Ctx):
    mode = ctx.arg("output_mode", "int")
    n = _depth_arg(ctx, "num_bins", 1, mode != "int", ctx.required("num_bins"))
    dtype = ctx.arg("dtype", None)
    if mode == "int" and dtype is not None and dtype not in ("int32", "int64"):
        ctx.fail(
            "invalid_argument",
            f"Hashing with output_mode='int' returns integers, so `dtype` must be 'int32' or 'int64', received "
            f"dtype={dtype!r}",
            expected="int32 | int64",
            actual=f"dtype={dtype!r}",
            argument="dtype",
            hint={"arg": "dtype", "choices": ["int32", "int64"]},
        )
    mode = _mode(ctx, ENCODE_MODES, "int")
    _sparse_with_int(ctx, mode)
    salt = ctx.arg("salt", None)
    if salt is not None and not (isinstance(salt, int) or (isinstance(salt, (tuple, list)) and len(salt) == 2)):
        ctx.fail(
            "invalid_argument",
            f"`salt` of Hashing must be an integer or a pair of integers, received salt={salt!r}",
            expected="int | (int, int)",
            actual=f"salt={salt!r}",
            argument="salt",
            hint={"arg": "salt"},
        )
    s = ctx.shape(0)
    if mode == "int":
        return tuple(s)
    return tuple(s[:-1]) + (n,)


@register("Discretization")
def discretization(ctx: Ctx):
    mode = ctx.arg("output_mode", "int")
    _sparse_with_int(ctx, mode)
    mode = _mode(ctx, ENCODE_MODES, "int")
    bounds, num_bins = ctx.arg("bin_boundaries", None), ctx.arg("num_bins", None)
    if num_bins is not None:
        num_bins = _depth_arg(ctx, "num_bins", 0, mode != "int", num_bins)
    if (num_bins is None) == (bounds is None):
        both = num_bins is not None
        ctx.fail(
            "invalid_argument",
            "Discretization takes exactly one of `num_bins` and `bin_boundaries`, "
            + ("received both; drop one of them" if both else "received neither; set one of them"),
            expected="num_bins xor bin_boundaries",
            actual="both" if both else "neither",
            argument="num_bins",
            hint={"arg": "num_bins"},
        )
    if bounds is not None and not isinstance(bounds, (list, tuple)):
        raise Unknown("bin_boundaries of Discretization")  # e.g. an array built at run time
    depth = len(bounds) + 1 if bounds is not None else num_bins
    s = ctx.shape(0)
    if mode == "int":
        return tuple(s)
    if mode == "one_hot":
        return _encode_axis(s, mode, depth)
    if len(s) >= 2:
        return (s[0],) + tuple(s[2:]) + (depth,)
    return (depth,)


# ---- lookup and text layers ----------------------------------------------------------

LOOKUP_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
OOV_TOKEN = {"StringLookup": "[UNK]", "IntegerLookup": -1}
OOV_METHODS = ("floormod", "farmhash")


def _max_tokens(ctx: Ctx):
    max_tokens = ctx.arg("max_tokens", None)
    if max_tokens is not None and (not isinstance(max_tokens, (int, float)) or max_tokens <= 1):
        ctx.fail(
            "invalid_argument",
            f"`max_tokens` of {ctx.kind} must be None or greater than 1, received max_tokens={max_tokens!r}",
            expected="max_tokens > 1",
            actual=f"max_tokens={max_tokens!r}",
            argument="max_tokens",
            hint={"arg": "max_tokens", "min": 2},
        )
    if ctx.arg("pad_to_max_tokens", False) and max_tokens is None:
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} with pad_to_max_tokens=True needs `max_tokens`; set max_tokens or drop pad_to_max_tokens",
            expected="max_tokens set",
            actual="max_tokens=None",
            argument="pad_to_max_tokens",
            hint={"arg": "max_tokens"},
        )
    return max_tokens


def _lookup_depth(ctx: Ctx, max_tokens, oov: int):
    """Size of the encoded axis. Without an explicit vocabulary it is only known after
    adapt(), which static analysis cannot see, so it is Unknown (never a guess)."""
    if ctx.arg("pad_to_max_tokens", False):
        return max_tokens
    vocab = ctx.arg("vocabulary", None)
    if not isinstance(vocab, (list, tuple)) or ctx.arg("mask_token", None) is not None:
        raise Unknown(f"vocabulary size of {ctx.kind}")
    if OOV_TOKEN.get(ctx.kind, "[UNK]") in vocab:
        raise Unknown(f"vocabulary size of {ctx.kind}")
    return len(vocab) + oov


def _unique_vocabulary(ctx: Ctx) -> None:
    vocab = ctx.arg("vocabulary", None)
    if not isinstance(vocab, (list, tuple)):
        return
    seen, repeated = set(), []
    for term in vocab:
        try:
            if term in seen and term not in repeated:
                repeated.append(term)
            seen.add(term)
        except TypeError:  # unhashable: not a plain vocabulary, leave it to Keras
            return
    if repeated:
        ctx.fail(
            "invalid_argument",
            f"`vocabulary` of {ctx.kind} repeats the term(s) {repeated!r}; every term must appear once",
            expected="unique terms",
            actual=f"repeated: {repeated!r}",
            argument="vocabulary",
            hint={"arg": "vocabulary", "repeated": repeated},
        )


# deprecated output_mode spellings IndexLookup and TextVectorization map themselves
LOOKUP_MODE_ALIASES = {"binary": "multi_hot", "tf-idf": "tf_idf"}


def _lookup_mode(ctx: Ctx, allowed: tuple) -> str:
    return _choice_exact(ctx, "output_mode", allowed, "int", LOOKUP_MODE_ALIASES)


def _tf_idf_weights(ctx: Ctx, mode: str) -> None:
    idf = ctx.arg("idf_weights", None)
    if idf is not None and mode != "tf_idf":
        ctx.fail(
            "invalid_argument",
            f"`idf_weights` of {ctx.kind} is only used with output_mode='tf_idf' (received "
            f"output_mode={mode!r}); drop idf_weights or set output_mode='tf_idf'",
            expected="output_mode='tf_idf'",
            actual=f"output_mode={mode!r}",
            argument="idf_weights",
            hint={"arg": "output_mode", "value": "tf_idf"},
        )
    if mode == "tf_idf" and ctx.arg("vocabulary", None) is not None and idf is None:
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} with output_mode='tf_idf' and a `vocabulary` also needs `idf_weights`",
            expected="idf_weights set",
            actual="idf_weights=None",
            argument="idf_weights",
            hint={"arg": "idf_weights"},
        )


@register("StringLookup", "IntegerLookup")
def lookup(ctx: Ctx):
    max_tokens = _max_tokens(ctx)
    oov = ctx.arg("num_oov_indices", 1)
    if not isinstance(oov, (int, float)) or oov < 0:
        ctx.fail(
            "invalid_argument",
            f"`num_oov_indices` of {ctx.kind} must be >= 0, received num_oov_indices={oov!r}",
            expected="num_oov_indices >= 0",
            actual=f"num_oov_indices={oov!r}",
            argument="num_oov_indices",
            hint={"arg": "num_oov_indices", "min": 0},
        )
    if not is_unknown(ctx.layer.args.get("oov_method")):  # validate_string_arg, exact strings
        _choice_exact(ctx, "oov_method", OOV_METHODS, "floormod")
    mode = _lookup_mode(ctx, LOOKUP_MODES)
    if ctx.arg("invert", False) and mode != "int":
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} with invert=True maps indices back to tokens, so output_mode must be 'int', received "
            f"output_mode={mode!r}",
            expected="output_mode='int'",
            actual=f"output_mode={mode!r}",
            argument="output_mode",
            hint={"arg": "output_mode", "value": "int"},
        )
    _sparse_with_int(ctx, mode)
    _tf_idf_weights(ctx, mode)
    _unique_vocabulary(ctx)
    s = ctx.shape(0)
    if mode == "int":
        return tuple(s)
    return _encode_axis(s, mode, _lookup_depth(ctx, max_tokens, int(oov)))


# argument_validation.validate_string_arg: exact strings, None, or a callable
TEXT_CHOICES = (
    ("standardize", ("lower_and_strip_punctuation", "lower", "strip_punctuation"), "lower_and_strip_punctuation"),
    ("split", ("whitespace", "character"), "whitespace"),
)


def _text_choices(ctx: Ctx) -> None:
    for name, allowed, default in TEXT_CHOICES:
        value = ctx.layer.args.get(name, default)
        if value is not None and not is_unknown(value):
            _choice_exact(ctx, name, allowed, default)


@register("TextVectorization")
def text_vectorization(ctx: Ctx):
    _text_choices(ctx)
    mode = _lookup_mode(ctx, LOOKUP_MODES)
    _sparse_with_int(ctx, mode)
    if ctx.arg("ragged", False) and mode != "int":
        ctx.fail(
            "invalid_argument",
            f"`ragged` of TextVectorization must not be true when output_mode is not 'int', received "
            f"output_mode={mode!r}; drop ragged=True",
            expected="ragged=False",
            actual="ragged=True",
            argument="ragged",
            hint={"arg": "ragged", "value": False},
        )
    length = ctx.arg("output_sequence_length", None)
    if mode != "int" and length is not None:
        ctx.fail(
            "invalid_argument",
            f"`output_sequence_length` of TextVectorization only applies to output_mode='int', received "
            f"output_mode={mode!r}; drop output_sequence_length",
            expected="output_sequence_length=None",
            actual=f"output_sequence_length={length!r}",
            argument="output_sequence_length",
            hint={"arg": "output_sequence_length", "value": None},
        )
    if mode == "int" and length is not None and (not isinstance(length, int) or length < 0):
        ctx.fail(
            "invalid_argument",
            f"`output_sequence_length` of TextVectorization must be a non-negative integer, received "
            f"output_sequence_length={length!r}",
            expected="int >= 0",
            actual=f"output_sequence_length={length!r}",
            argument="output_sequence_length",
            hint={"arg": "output_sequence_length", "min": 1},
        )
    max_tokens = _max_tokens(ctx)
    _tf_idf_weights(ctx, mode)
    _unique_vocabulary(ctx)
    s = ctx.min_rank(1)
    if mode == "int":
        return (s[0], length)
    shape = (
        tuple(s) + (None,)
        if ctx.arg("split", "whitespace") is not None
        else (tuple(s) + (1,) if len(s) <= 1 else tuple(s))
    )
    return _encode_axis(shape, mode, _lookup_depth(ctx, max_tokens, 1))


# ---- Normalization ------------------------------------------------------------------


def _nested_shape(value: Any) -> tuple:
    """np.shape of a nested list of numbers (regular nesting assumed)."""
    shape: list[int] = []
    while isinstance(value, (list, tuple)):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)


def _normalization_axes(ctx: Ctx) -> tuple:
    axis = ctx.arg("axis", -1)
    if axis is None:
        return ()
    if isinstance(axis, int):
        return (int(axis),)
    if isinstance(axis, (tuple, list)) and all(isinstance(a, int) for a in axis):
        return tuple(int(a) for a in axis)
    ctx.fail(
        "invalid_argument",
        f"`axis` of Normalization must be an int, a tuple of ints or None, received axis={axis!r}",
        expected="int | tuple of ints | None",
        actual=f"axis={axis!r}",
        argument="axis",
        hint={"arg": "axis"},
    )


@register("Normalization")
def normalization(ctx: Ctx):
    axes = _normalization_axes(ctx)
    mean, variance = ctx.arg("mean", None), ctx.arg("variance", None)
    if (mean is None) != (variance is None):
        missing = "variance" if variance is None else "mean"
        ctx.fail(
            "invalid_argument",
            f"Normalization needs both `mean` and `variance` when one is given; `{missing}` is missing",
            expected="mean and variance",
            actual=f"{missing} missing",
            argument=missing,
            hint={"arg": missing},
        )
    mean_shape = None
    if mean is not None:
        mean_shape, var_shape = _nested_shape(mean), _nested_shape(variance)
        if mean_shape != var_shape:
            ctx.fail(
                "invalid_argument",
                f"`mean` and `variance` of Normalization must have the same shape, received {mean_shape} "
                f"and {var_shape}",
                expected=f"variance shape {mean_shape}",
                actual=f"variance shape {var_shape}",
                argument="variance",
                hint={"arg": "variance", "shape": mean_shape},
            )
        if len(mean_shape) > len(axes):
            ctx.fail(
                "invalid_argument",
                f"`mean` of Normalization has rank {len(mean_shape)}, more than the {len(axes)} kept axis/axes "
                f"axis={axes}; give one value per kept axis entry (shape {tuple('d' + str(a) for a in axes)})",
                expected=f"rank <= {len(axes)}",
                actual=f"mean shape {mean_shape}",
                argument="mean",
                hint={"arg": "mean", "max_rank": len(axes)},
            )
    s = ctx.shape(0)
    ndim = len(s)
    if any(a < -ndim or a >= ndim for a in axes):
        ctx.fail(
            "invalid_argument",
            f"`axis` of Normalization must lie in [-{ndim}, {ndim}) for the {ndim}-D input {fmt_shape(s)}, "
            f"received axis={ctx.arg('axis', -1)!r}; use -1 for the features axis",
            expected=f"axis in [-{ndim}, {ndim})",
            actual=f"axis={ctx.arg('axis', -1)!r}",
            argument="axis",
            hint={"arg": "axis", "min": -ndim, "max": ndim - 1},
        )
    keep = sorted(a % ndim for a in axes)
    if len(set(keep)) != len(keep):
        ctx.fail(
            "invalid_argument",
            f"`axis` of Normalization names the same axis twice ({ctx.arg('axis', -1)!r} on a {ndim}-D input)",
            expected="distinct axes",
            actual=f"axis={ctx.arg('axis', -1)!r}",
            argument="axis",
            hint={"arg": "axis"},
        )
    for d in keep:
        if s[d] is None:
            ctx.fail(
                "undefined_dim",
                f"Normalization keeps axis {d} of its input {fmt_shape(s)}, which is undefined (None); give that "
                "axis a fixed size or normalize over another axis (axis=-1 for features)",
                expected=f"axis {d} defined",
                actual=f"shape={fmt_shape(s)}",
                hint={"axis": d},
            )
    if mean_shape:
        for i in range(1, len(mean_shape) + 1):
            want, got = s[keep[-i]], mean_shape[-i]
            if got not in (1, want):
                ctx.fail(
                    "incompatible_shape",
                    f"`mean`/`variance` of Normalization have shape {mean_shape}, which does not broadcast to "
                    f"the kept axis {keep[-i]} of size {want} of the input {fmt_shape(s)}; give {want} values",
                    expected=f"{want} values",
                    actual=f"{got} values",
                    argument="mean",
                    hint={"arg": "mean", "len": want},
                )
    return s


# ---- examples -----------------------------------------------------------------------

IMG = (None, 8, 10, 3)
IMG_CF = (None, 3, 8, 10)

# ---- HashedCrossing ------------------------------------------------------------

CROSSING_MODES = ("int", "one_hot")


@register("HashedCrossing", arity=(2, 2))
def hashed_crossing(ctx: Ctx):
    """keras/src/layers/preprocessing/hashed_crossing.py (Keras 3.15).

    The constructor checks `output_mode` (exact strings) and nothing about
    `num_bins`. A symbolic call runs compute_output_shape: a list of exactly two
    inputs whose LAST axes agree. call() is stricter (shape (), (batch,) or
    (batch, 1), equal shapes) but only runs with data: a warning."""
    ctx.required("num_bins")
    mode = _choice_exact(ctx, "output_mode", CROSSING_MODES, "int")
    n = len(ctx.inputs)
    if not ctx.layer.list_input or n != 2:
        ctx.fail(
            "invalid_argument",
            f"HashedCrossing crosses two features: call it on a list of exactly two tensors, "
            f"HashedCrossing(...)([a, b]); received {n} input(s)" + ("" if ctx.layer.list_input else " not in a list"),
            expected="a list of 2 tensors",
            actual=f"{n} inputs",
            hint={"inputs": n, "need_inputs": 2},
        )
    a, b = ctx.shapes()
    if a[-1] != b[-1]:
        ctx.fail(
            "merge_shape_mismatch",
            f"HashedCrossing needs two inputs of identical shape, received {fmt_shape(a)} and {fmt_shape(b)}",
            expected=f"last axes equal ({a[-1]})",
            actual=f"{fmt_shape(a)} vs {fmt_shape(b)}",
            hint={"axis": -1, "dims": [a[-1], b[-1]], "input": 1},
        )
    if len(a) > 2 or (len(a) == 2 and a[-1] != 1) or tuple(a) != tuple(b):
        ctx.warn(
            "incompatible_shape",
            f"HashedCrossing builds on {fmt_shape(a)} and {fmt_shape(b)}, but it fails when it runs: its inputs "
            "must have the same shape (batch,) or (batch, 1)",
            expected="(batch,) or (batch, 1), equal",
            actual=f"{fmt_shape(a)}, {fmt_shape(b)}",
        )
    if mode == "int":
        return tuple(a)
    bins = ctx.arg("num_bins")
    if not isinstance(bins, int) or isinstance(bins, bool):
        raise Unknown("num_bins of HashedCrossing")  # an output axis Keras sizes from it
    return tuple(a) + (bins,) if a[-1] != 1 else tuple(a[:-1]) + (bins,)


EXAMPLES = [
    # HashedCrossing
    Example("HashedCrossing", {"num_bins": 5}, [(None, 1), (None, 1)], out=(None, 1)),
    Example("HashedCrossing", {"num_bins": 5}, [(None,), (None,)], out=(None,)),
    Example("HashedCrossing", {"num_bins": 5, "output_mode": "one_hot"}, [(None, 1), (None, 1)], out=(None, 5)),
    Example(
        "HashedCrossing",
        {"num_bins": 5, "output_mode": "one_hot"},
        [(None, 3), (None, 3)],
        out=(None, 3, 5),
        note="builds (compute_output_shape); fails when run (a warning)",
    ),
    Example(
        "HashedCrossing",
        {"num_bins": 5, "output_mode": "multi_hot"},
        [(None, 1), (None, 1)],
        error="invalid_argument",
        code="NNR203",
        argument="output_mode",
    ),
    Example(
        "HashedCrossing",
        {"num_bins": 5},
        [(None, 1), (None, 2)],
        error="merge_shape_mismatch",
        code="NNR102",
        argument="",
    ),
    Example(
        "HashedCrossing",
        {"num_bins": 5},
        [(None, 1), (None, 1), (None, 1)],
        error="invalid_argument",
        code="NNR201",
        argument="",
    ),
    Example("HashedCrossing", {}, [(None, 1), (None, 1)], error="invalid_argument", code="NNR209", argument="num_bins"),
    Example("Rescaling", {"scale": 1 / 255.0}, IMG, out=IMG),
    Example("Rescaling", {"scale": 2.0, "offset": -1.0}, (None, 10), out=(None, 10)),
    Example("Rescaling", {}, IMG, error="invalid_argument", note="scale is required", code="NNR209", argument="scale"),
    # Resizing
    Example("Resizing", {"height": 4, "width": 5}, IMG, out=(None, 4, 5, 3)),
    Example("Resizing", {"height": 4, "width": 5}, (8, 10, 3), out=(4, 5, 3), note="rank 3 is one unbatched image"),
    Example("Resizing", {"height": 4, "width": 5, "data_format": "channels_first"}, IMG_CF, out=(None, 3, 4, 5)),
    Example("Resizing", {"height": 4, "width": 5, "data_format": "channels_first"}, (3, 8, 10), out=(3, 4, 5)),
    Example("Resizing", {"height": 4, "width": 5}, (None, None, None, 3), out=(None, 4, 5, 3)),
    Example(
        "Resizing",
        {"height": 4, "width": 5},
        (None, 28, 28),
        out=(4, 5, 28),
        note="a (None, 28, 28) batch without channel axis is read as one image",
    ),
    Example("Resizing", {"height": 0, "width": 5}, IMG, out=(None, 0, 5, 3)),
    Example("Resizing", {"height": -1, "width": 5}, IMG, error="invalid_argument", code="NNR201", argument="height"),
    Example("Resizing", {"height": 4.0, "width": 5}, IMG, error="invalid_argument", code="NNR201", argument="height"),
    Example(
        "Resizing",
        {"height": 4, "width": 5, "data_format": "nchw"},
        IMG,
        error="invalid_argument",
        code="NNR203",
        argument="data_format",
    ),
    Example("Resizing", {"height": 4, "width": 5}, (None,), error="rank_mismatch", code="NNR101", argument=""),
    Example(
        "Resizing",
        {"height": 4, "width": 5, "data_format": "channels_first"},
        (None, 10),
        error="rank_mismatch",
        code="NNR101",
        argument="",
    ),
    Example("Resizing", {"width": 5}, IMG, error="invalid_argument", code="NNR209", argument="height"),
    # CenterCrop / RandomCrop
    Example("CenterCrop", {"height": 4, "width": 5}, IMG, out=(None, 4, 5, 3)),
    Example("CenterCrop", {"height": 4, "width": 5}, (8, 10, 3), out=(4, 5, 3)),
    Example("CenterCrop", {"height": 4, "width": 5, "data_format": "channels_first"}, IMG_CF, out=(None, 3, 4, 5)),
    Example("CenterCrop", {"height": 20, "width": 5}, IMG, out=(None, 20, 5, 3), note="larger crops pad"),
    Example("CenterCrop", {"height": 4, "width": 5}, (None, 10), error="rank_mismatch", code="NNR101", argument=""),
    Example(
        "CenterCrop", {"height": 4, "width": 5}, (None, 5, 8, 10, 3), error="rank_mismatch", code="NNR101", argument=""
    ),
    Example("CenterCrop", {"height": -1, "width": 5}, IMG, error="invalid_argument", code="NNR201", argument="height"),
    Example("CenterCrop", {"height": 4, "width": 2.5}, IMG, error="invalid_argument", code="NNR201", argument="width"),
    Example("RandomCrop", {"height": 4, "width": 5}, IMG, out=(None, 4, 5, 3)),
    Example("RandomCrop", {"height": 4, "width": 5, "data_format": "channels_first"}, IMG_CF, out=(None, 3, 4, 5)),
    Example("RandomCrop", {"height": 4, "width": 5}, (None, 5, 8, 10, 3), out=(None, 5, 4, 5, 3)),
    Example("RandomCrop", {"height": 4, "width": 5}, (None, 10), error="rank_mismatch", code="NNR101", argument=""),
    Example("RandomCrop", {"height": 0, "width": -5}, IMG, error="invalid_argument", code="NNR201", argument="width"),
    # augmentation
    Example("RandomFlip", {}, IMG, out=IMG),
    Example("RandomFlip", {"mode": "horizontal", "data_format": "channels_first"}, IMG_CF, out=IMG_CF),
    Example("RandomFlip", {"data_format": "foo"}, IMG, error="invalid_argument", code="NNR203", argument="data_format"),
    Example("RandomRotation", {"factor": 0.1}, IMG, out=IMG),
    Example("RandomRotation", {"factor": (-0.2, 0.3), "fill_mode": "constant"}, (8, 10, 3), out=(8, 10, 3)),
    Example("RandomRotation", {"factor": 2.0}, IMG, error="invalid_argument", code="NNR201", argument="factor"),
    Example(
        "RandomRotation", {"factor": (0.1, 0.2, 0.3)}, IMG, error="invalid_argument", code="NNR201", argument="factor"
    ),
    Example(
        "RandomRotation",
        {"factor": 0.1, "fill_mode": "mirror"},
        IMG,
        error="invalid_argument",
        code="NNR203",
        argument="fill_mode",
    ),
    Example(
        "RandomRotation",
        {"factor": 0.1, "interpolation": "bicubic"},
        IMG,
        error="invalid_argument",
        code="NNR203",
        argument="interpolation",
    ),
    Example("RandomZoom", {"height_factor": 0.2}, IMG, out=IMG),
    Example("RandomZoom", {"height_factor": (-0.2, 0.3), "width_factor": 1.0}, IMG, out=IMG),
    Example(
        "RandomZoom",
        {"height_factor": -1.0},
        IMG,
        error="invalid_argument",
        note="zoom range is (-1, 1]",
        code="NNR201",
        argument="height_factor",
    ),
    Example(
        "RandomZoom",
        {"height_factor": 0.1, "width_factor": 1.5},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="width_factor",
    ),
    Example(
        "RandomZoom",
        {"height_factor": 0.1, "interpolation": "area"},
        IMG,
        error="invalid_argument",
        code="NNR203",
        argument="interpolation",
    ),
    Example("RandomTranslation", {"height_factor": 0.1, "width_factor": 0.1}, IMG, out=IMG),
    Example("RandomTranslation", {"height_factor": -1.0, "width_factor": (0.1, 0.2)}, IMG, out=IMG),
    Example(
        "RandomTranslation",
        {"height_factor": 0.1, "width_factor": 1.5},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="width_factor",
    ),
    Example(
        "RandomTranslation",
        {"height_factor": 0.1},
        IMG,
        error="invalid_argument",
        note="width_factor required",
        code="NNR209",
        argument="width_factor",
    ),
    Example(
        "RandomTranslation",
        {"height_factor": 0.1, "width_factor": 0.1, "fill_mode": "foo"},
        IMG,
        error="invalid_argument",
        code="NNR203",
        argument="fill_mode",
    ),
    Example("RandomContrast", {"factor": 0.2}, IMG, out=IMG),
    Example("RandomContrast", {"factor": (0.1, 0.3), "value_range": (0, 1)}, (8, 10, 3), out=(8, 10, 3)),
    Example("RandomContrast", {"factor": 1.5}, IMG, error="invalid_argument", code="NNR201", argument="factor"),
    Example("RandomContrast", {"factor": -0.1}, IMG, error="invalid_argument", code="NNR201", argument="factor"),
    Example("RandomBrightness", {"factor": 0.2}, IMG, out=IMG),
    Example("RandomBrightness", {"factor": (-0.2, 0.3), "value_range": (0, 1)}, IMG, out=IMG),
    Example("RandomBrightness", {"factor": 1.5}, IMG, error="invalid_argument", code="NNR201", argument="factor"),
    Example(
        "RandomBrightness",
        {"factor": 0.1, "value_range": 5},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="value_range",
    ),
    # other image layers
    Example("RandomHue", {"factor": 0.2}, IMG, out=IMG),
    Example("RandomHue", {"factor": -0.5}, IMG, error="invalid_argument", code="NNR201", argument="factor"),
    Example(
        "RandomHue", {}, IMG, error="invalid_argument", note="factor is required", code="NNR209", argument="factor"
    ),
    Example("RandomSaturation", {"factor": (-0.5, 0.5)}, IMG, out=IMG),
    Example("RandomSaturation", {"factor": 1.5}, IMG, error="invalid_argument", code="NNR201", argument="factor"),
    Example("RandomSharpness", {"factor": 0.3}, (8, 10, 3), out=(8, 10, 3)),
    Example("RandomInvert", {}, IMG, out=IMG),
    Example("RandomPosterization", {"factor": 4}, IMG, out=IMG),
    Example(
        "RandomPosterization",
        {"factor": 0.5},
        IMG,
        error="invalid_argument",
        note="bits in [1, 8]",
        code="NNR201",
        argument="factor",
    ),
    Example("RandomColorDegeneration", {"factor": 0.2}, IMG, out=IMG),
    Example(
        "RandomColorDegeneration",
        {"factor": 0.2},
        (None, 8, 10, 1),
        error="incompatible_shape",
        code="NNR106",
        argument="",
    ),
    Example("RandomColorDegeneration", {"factor": 0.2}, (None, 10), error="rank_mismatch", code="NNR101", argument=""),
    Example("RandomGaussianBlur", {}, IMG, out=IMG),
    Example("RandomErasing", {}, IMG, out=IMG),
    Example("RandomErasing", {"factor": 2.0}, IMG, error="invalid_argument", code="NNR201", argument="factor"),
    Example("RandomPerspective", {"data_format": "channels_first"}, IMG_CF, out=IMG_CF),
    Example("RandomElasticTransform", {}, IMG, out=IMG),
    Example("CutMix", {"factor": (0.2, 0.9)}, IMG, out=IMG),
    Example("RandomGrayscale", {}, IMG, out=IMG),
    Example("RandomGrayscale", {"factor": (0.2, 0.4)}, IMG, error="invalid_argument", code="NNR201", argument="factor"),
    Example(
        "RandomGrayscale", {"data_format": "nhwc"}, IMG, error="invalid_argument", code="NNR203", argument="data_format"
    ),
    Example("RandomColorJitter", {}, IMG, out=IMG),
    Example("RandomShear", {"x_factor": 0.2}, IMG, out=IMG),
    Example("Solarization", {}, IMG, out=IMG),
    Example("AutoContrast", {}, (None, 10), out=(None, 10)),
    Example("Equalization", {}, IMG, out=IMG),
    # constructor checks of the image layers' other arguments (open-world fidelity)
    Example(
        "Solarization",
        {"value_range": 2},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="value_range",
        fix={"value_range": (0, 255)},
    ),
    Example("Solarization", {"addition_factor": (0.1, 0.5), "value_range": [0, 1]}, IMG, out=IMG),
    Example(
        "Solarization",
        {"threshold_factor": 1.5},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="threshold_factor",
        fix={"threshold_factor": 0.0},
    ),
    Example(
        "Equalization",
        {"value_range": (0, 1, 2)},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="value_range",
        fix={"value_range": (0, 255)},
    ),
    Example(
        "AutoContrast",
        {"value_range": "0-255"},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="value_range",
        fix={"value_range": (0, 255)},
    ),
    Example(
        "RandomShear",
        {"x_factor": "0.5"},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="x_factor",
        fix={"x_factor": 0.0},
    ),
    Example("RandomShear", {"y_factor": (0.1, 0.3), "fill_mode": "nearest"}, IMG, out=IMG),
    Example(
        "RandomShear",
        {"interpolation": "bicubic"},
        IMG,
        error="invalid_argument",
        code="NNR203",
        argument="interpolation",
    ),
    Example(
        "RandomPerspective",
        {"scale": 1.5},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="scale",
        fix={"scale": 1.0},
    ),
    Example("RandomPerspective", {"scale": 0.5, "interpolation": "nearest"}, IMG, out=IMG),
    Example(
        "RandomGaussianBlur",
        {"kernel_size": 4},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="kernel_size",
        fix={"kernel_size": 3},
    ),
    Example("RandomGaussianBlur", {"kernel_size": (3, 5), "sigma": (0.2, 0.8)}, IMG, out=IMG),
    Example(
        "RandomGaussianBlur",
        {"sigma": "0.5"},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="sigma",
        fix={"sigma": 1.0},
    ),
    Example("AugMix", {}, IMG, out=IMG),
    Example("RandAugment", {}, IMG, out=IMG),
    Example("MixUp", {}, IMG, out=IMG),
    Example("ContrastLimitedAdaptiveHistogramEqualization", {}, IMG, out=IMG),
    # one invalid call per kind: out-of-range factors, misspelled keywords
    Example("RandomSharpness", {"factor": 1.5}, IMG, error="invalid_argument", code="NNR201", argument="factor"),
    Example("RandomInvert", {"factor": -0.5}, IMG, error="invalid_argument", code="NNR201", argument="factor"),
    Example("RandomElasticTransform", {"factor": 2.0}, IMG, error="invalid_argument", code="NNR201", argument="factor"),
    Example("CutMix", {"factor": "0.5"}, IMG, error="invalid_argument", code="NNR201", argument="factor"),
    Example(
        "RandomColorJitter",
        {"brightnes_factor": 0.2},
        IMG,
        error="invalid_argument",
        code="NNR202",
        argument="brightnes_factor",
    ),
    Example("AugMix", {"num_chain": 2}, IMG, error="invalid_argument", code="NNR202", argument="num_chain"),
    Example("RandAugment", {"num_op": 2}, IMG, error="invalid_argument", code="NNR202", argument="num_op"),
    Example("MixUp", {"alpah": 0.2}, IMG, error="invalid_argument", code="NNR202", argument="alpah"),
    Example(
        "ContrastLimitedAdaptiveHistogramEqualization",
        {"clip_limt": 4},
        IMG,
        error="invalid_argument",
        code="NNR202",
        argument="clip_limt",
    ),
    Example(
        "RandAugment",
        {"interpolation": "bicubic"},
        IMG,
        error="invalid_argument",
        code="NNR203",
        argument="interpolation",
    ),
    Example(
        "RandomSaturation",
        {"factor": 0.5, "value_range": 2},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="value_range",
        fix={"value_range": (0, 255)},
    ),
    Example(
        "RandomErasing",
        {"scale": "0.5"},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="scale",
        fix={"scale": (0.02, 0.33)},
    ),
    Example(
        "TextVectorization", {"split": "space"}, (None, 1), error="invalid_argument", code="NNR203", argument="split"
    ),
    Example(
        "TextVectorization",
        {"max_tokens": 10, "sparse": True},
        (None, 1),
        error="invalid_argument",
        code="NNR201",
        argument="sparse",
        fix={"sparse": False},
    ),
    # categorical encoders
    Example("CategoryEncoding", {"num_tokens": 5}, (None, 4), out=(None, 5)),
    Example("CategoryEncoding", {"num_tokens": 5, "output_mode": "one_hot"}, (None, 1), out=(None, 5)),
    Example("CategoryEncoding", {"num_tokens": 5, "output_mode": "one_hot"}, (None, 4), out=(None, 4, 5)),
    Example("CategoryEncoding", {"num_tokens": 5, "output_mode": "binary"}, (None, 3, 4), out=(None, 3, 5)),
    Example("CategoryEncoding", {"num_tokens": 5, "output_mode": "count"}, (None,), out=(5,)),
    Example(
        "CategoryEncoding",
        {},
        (None, 4),
        error="invalid_argument",
        note="num_tokens is required",
        code="NNR201",
        argument="num_tokens",
    ),
    Example(
        "CategoryEncoding", {"num_tokens": 0}, (None, 4), error="invalid_argument", code="NNR201", argument="num_tokens"
    ),
    Example(
        "CategoryEncoding",
        {"num_tokens": 3.5},
        (None, 4),
        error="invalid_argument",
        code="NNR201",
        argument="num_tokens",
    ),
    Example(
        "CategoryEncoding",
        {"num_tokens": 5, "output_mode": "tf_idf"},
        (None, 4),
        error="invalid_argument",
        code="NNR203",
        argument="output_mode",
    ),
    Example("Hashing", {"num_bins": 5}, (None, 4), out=(None, 4)),
    Example("Hashing", {"num_bins": 5, "output_mode": "one_hot", "salt": (1, 2)}, (None, 4, 1), out=(None, 4, 5)),
    Example("Hashing", {"num_bins": 0}, (None, 4), error="invalid_argument", code="NNR201", argument="num_bins"),
    Example(
        "Hashing",
        {"num_bins": 5, "sparse": True},
        (None, 4),
        error="invalid_argument",
        code="NNR201",
        argument="sparse",
        fix={"sparse": False},
    ),
    Example(
        "Hashing",
        {"num_bins": 5, "salt": [1, 2, 3]},
        (None, 4),
        error="invalid_argument",
        code="NNR201",
        argument="salt",
    ),
    Example(
        "Hashing",
        {"num_bins": 5, "dtype": "float32"},
        (None, 4),
        error="invalid_argument",
        code="NNR201",
        argument="dtype",
    ),
    Example("Discretization", {"bin_boundaries": [0.0, 1.0]}, (None, 4), out=(None, 4)),
    Example("Discretization", {"bin_boundaries": [0.0, 1.0], "output_mode": "one_hot"}, (None, 4), out=(None, 4, 3)),
    Example("Discretization", {"num_bins": 4, "output_mode": "count"}, (None, 3, 4), out=(None, 4, 4)),
    Example("Discretization", {}, (None, 4), error="invalid_argument", code="NNR201", argument="num_bins"),
    Example(
        "Discretization",
        {"num_bins": 3, "bin_boundaries": [1.0]},
        (None, 4),
        error="invalid_argument",
        code="NNR201",
        argument="num_bins",
    ),
    Example(
        "Discretization", {"num_bins": -1}, (None, 4), error="invalid_argument", code="NNR201", argument="num_bins"
    ),
    Example(
        "Discretization",
        {"num_bins": 3, "output_mode": "foo"},
        (None, 4),
        error="invalid_argument",
        code="NNR203",
        argument="output_mode",
    ),
    # lookup and text layers (Keras builds them symbolically on any dtype)
    Example("StringLookup", {}, (None, 3), out=(None, 3)),
    Example("StringLookup", {"vocabulary": ["a", "b", "c"], "output_mode": "one_hot"}, (None, 1), out=(None, 4)),
    Example("StringLookup", {"vocabulary": ["a", "b", "c"], "output_mode": "one_hot"}, (None, 3), out=(None, 3, 4)),
    Example(
        "StringLookup",
        {"vocabulary": ["a", "b"], "num_oov_indices": 0, "output_mode": "count"},
        (None, 3),
        out=(None, 2),
    ),
    Example(
        "StringLookup", {"max_tokens": 10, "pad_to_max_tokens": True, "output_mode": "multi_hot"}, (None,), out=(10,)
    ),
    Example(
        "StringLookup", {"max_tokens": 1}, (None, 3), error="invalid_argument", code="NNR201", argument="max_tokens"
    ),
    Example(
        "StringLookup",
        {"pad_to_max_tokens": True},
        (None, 3),
        error="invalid_argument",
        code="NNR201",
        argument="pad_to_max_tokens",
    ),
    Example(
        "StringLookup",
        {"invert": True, "output_mode": "count"},
        (None, 3),
        error="invalid_argument",
        code="NNR201",
        argument="output_mode",
        fix={"output_mode": "int"},
    ),
    Example(
        "StringLookup",
        {"vocabulary": ["a"], "output_mode": "tf_idf"},
        (None, 3),
        error="invalid_argument",
        code="NNR201",
        argument="idf_weights",
    ),
    Example(
        "StringLookup",
        {"output_mode": "foo"},
        (None, 3),
        error="invalid_argument",
        code="NNR203",
        argument="output_mode",
    ),
    Example("IntegerLookup", {"vocabulary": [1, 2, 3], "output_mode": "multi_hot"}, (None, 3), out=(None, 4)),
    Example(
        "IntegerLookup",
        {"num_oov_indices": -1},
        (None, 3),
        error="invalid_argument",
        code="NNR201",
        argument="num_oov_indices",
    ),
    Example(
        "IntegerLookup",
        {"vocabulary": [1, 2, 3], "output_mode": "multi_hot", "oov_method": 3},
        (None, 3),
        error="invalid_argument",
        note="oov_method is one of the exact strings 'floormod', 'farmhash'",
        code="NNR203",
        argument="oov_method",
    ),
    Example("IntegerLookup", {"vocabulary": [1, 2, 3], "oov_method": "farmhash"}, (None, 3), out=(None, 3)),
    Example(
        "IntegerLookup",
        {"vocabulary": [2, 2, 3]},
        (None, 3),
        error="invalid_argument",
        code="NNR201",
        argument="vocabulary",
    ),
    Example(
        "TextVectorization",
        {"vocabulary": ["a", "b", "a"]},
        (None, 1),
        error="invalid_argument",
        code="NNR201",
        argument="vocabulary",
    ),
    Example(
        "IntegerLookup",
        {"sparse": True},
        (None, 3),
        error="invalid_argument",
        code="NNR201",
        argument="sparse",
        fix={"sparse": False},
    ),
    Example("TextVectorization", {"max_tokens": 100, "output_sequence_length": 10}, (None,), out=(None, 10)),
    Example("TextVectorization", {"max_tokens": 100}, (None, 1), out=(None, None)),
    Example("TextVectorization", {"output_mode": "binary", "vocabulary": ["a", "b"]}, (None, 1), out=(None, 1, 3)),
    Example("TextVectorization", {"output_mode": "count", "vocabulary": ["a", "b"]}, (None, 1), out=(None, 1, 3)),
    Example(
        "TextVectorization",
        {"output_mode": "multi_hot", "vocabulary": ["a", "b"], "split": None},
        (None,),
        out=(None, 3),
    ),
    Example(
        "TextVectorization",
        {"output_mode": "count", "output_sequence_length": 3},
        (None, 1),
        error="invalid_argument",
        code="NNR201",
        argument="output_sequence_length",
        fix={"output_sequence_length": None},
    ),
    Example(
        "TextVectorization",
        {"max_tokens": 1},
        (None, 1),
        error="invalid_argument",
        code="NNR201",
        argument="max_tokens",
    ),
    Example(
        "TextVectorization",
        {"output_mode": "foo"},
        (None, 1),
        error="invalid_argument",
        code="NNR203",
        argument="output_mode",
    ),
    # Normalization
    Example("Normalization", {}, IMG, out=IMG),
    Example("Normalization", {"mean": 0.5, "variance": 2.0}, (None, 10), out=(None, 10)),
    Example("Normalization", {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 1.0, 1.0]}, IMG, out=IMG),
    Example("Normalization", {"axis": (1, 3), "mean": [[0.0] * 3] * 8, "variance": [[1.0] * 3] * 8}, IMG, out=IMG),
    Example("Normalization", {"axis": None}, (None, None), out=(None, None)),
    Example("Normalization", {}, (None, 8, 10, None), error="undefined_dim", code="NNR105", argument=""),
    Example(
        "Normalization",
        {"axis": 0},
        IMG,
        error="undefined_dim",
        note="axis 0 is the (None) batch axis",
        code="NNR105",
        argument="",
    ),
    Example("Normalization", {"axis": 4}, IMG, error="invalid_argument", code="NNR201", argument="axis"),
    Example(
        "Normalization",
        {"mean": 1.0},
        IMG,
        error="invalid_argument",
        note="variance missing",
        code="NNR201",
        argument="variance",
    ),
    Example(
        "Normalization",
        {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 2.0]},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="variance",
    ),
    Example(
        "Normalization",
        {"mean": [[1.0, 2.0, 3.0]], "variance": [[1.0, 2.0, 3.0]]},
        IMG,
        error="invalid_argument",
        code="NNR201",
        argument="mean",
    ),
    Example(
        "Normalization",
        {"mean": [1.0, 2.0], "variance": [1.0, 2.0]},
        IMG,
        error="incompatible_shape",
        note="2 means for 3 channels",
        code="NNR106",
        argument="mean",
    ),
    Example(
        "Normalization",
        {"axis": (-1, 3)},
        IMG,
        error="invalid_argument",
        note="the same axis twice",
        code="NNR201",
        argument="axis",
    ),
]
