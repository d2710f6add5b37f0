"""Normalization layers: BatchNormalization, LayerNormalization,
GroupNormalization, UnitNormalization, RMSNormalization.

All keep the input shape. Ground truth: keras/src/layers/normalization/*.py of
Keras 3.15. What fails: the axis (type, range), the weights built from the
normalized axes (they must be defined: Keras refuses variables with None dims),
GroupNormalization's groups (must divide the channels).
"""

from __future__ import annotations

from typing import Any, NoReturn

from ..diagnostics import fmt_shape
from .base import (
    REGISTRY,
    SKIP,
    Ctx,
    Example,
    Unknown,
    defined_weights,
    input_spec_of,
    is_int,
    optional_arg,
    register,
    resolve_axis,
    weights_of,
)


def _axis_type_error(ctx: Ctx, axis: Any, expected: str) -> NoReturn:
    ctx.fail(
        "invalid_argument",
        f"`axis` of {ctx.kind} must be {expected}, received axis={axis!r}",
        expected=expected,
        actual=f"axis={axis!r}",
        argument="axis",
        hint={"arg": "axis", "value": -1},
    )


def bn_axis(ctx: Ctx) -> int:
    """BatchNormalization does `int(axis)`: floats truncate, numeric strings parse."""
    axis = ctx.arg("axis", -1)
    if isinstance(axis, (int, float)):
        try:
            return int(axis)
        except (ValueError, OverflowError):
            pass
    if isinstance(axis, str):
        try:
            return int(axis)
        except ValueError:
            pass
    _axis_type_error(ctx, axis, "a single integer (e.g. -1, or 1 for channels_first)")


def axis_list(ctx: Ctx, types_checked: bool = True) -> list:
    """LayerNormalization/UnitNormalization/RMSNormalization: an int or a list/tuple of ints."""
    axis = ctx.arg("axis", -1)
    if isinstance(axis, (list, tuple)):
        axes = list(axis)
    elif is_int(axis):
        axes = [axis]
    else:
        _axis_type_error(ctx, axis, "an integer or a list/tuple of integers")
    if types_checked and not all(is_int(a) for a in axes):
        _axis_type_error(ctx, axis, "an integer or a list/tuple of integers")
    return axes


def normalized_dims(ctx: Ctx, axes: list) -> tuple:
    """The dims of the weights built over `axes` (sorted, as Keras does), range checked."""
    s = ctx.input_shape
    for a in axes:
        resolve_axis(ctx, a, len(s))
    return tuple(s[a] for a in sorted(axes))


def _check_flags(ctx: Ctx) -> None:
    for name in ("momentum", "epsilon"):
        if ctx.kind == "BatchNormalization" and ctx.has(name):
            value = optional_arg(ctx, name)
            if value is SKIP:
                continue
            try:
                float(value)
            except (TypeError, ValueError):
                ctx.fail(
                    "invalid_argument",
                    f"`{name}` of BatchNormalization must be a number, received {name}={value!r}",
                    expected=f"{name}=<float>",
                    actual=f"{name}={value!r}",
                    argument=name,
                    hint={"arg": name, "value": 0.99 if name == "momentum" else 1e-3},
                )


def bn_renorm_clipping(ctx: Ctx) -> None:
    renorm = optional_arg(ctx, "renorm", False)
    if renorm is SKIP or not renorm:
        return
    clip = optional_arg(ctx, "renorm_clipping", None) or {}
    if not isinstance(clip, dict) or any(not isinstance(v, (int, float, type(None))) for v in clip.values()):
        return
    extra = sorted(set(clip) - {"rmax", "rmin", "dmax"})
    rmax, rmin, dmax = clip.get("rmax"), clip.get("rmin"), clip.get("dmax")
    problem = None
    if extra:
        problem = f"has unknown keys {extra} (allowed: rmax, rmin, dmax)"
    elif rmax is not None and rmin is not None and rmax < rmin:
        problem = f"has rmax={rmax} < rmin={rmin}"
    elif dmax is not None and dmax < 0:
        problem = f"has a negative dmax={dmax}"
    if problem:
        ctx.fail(
            "invalid_argument",
            f"`renorm_clipping` of BatchNormalization {problem}",
            expected="keys rmax >= rmin, dmax >= 0",
            actual=f"renorm_clipping={clip!r}",
            argument="renorm_clipping",
            hint={"arg": "renorm_clipping", "remove": True},
        )


@register("BatchNormalization")
def batch_normalization(ctx: Ctx):
    axis = bn_axis(ctx)
    _check_flags(ctx)
    bn_renorm_clipping(ctx)
    s = ctx.input_shape
    resolve_axis(ctx, axis, len(s))
    # every BatchNormalization weight has shape (dim,): moving_mean always exists
    defined_weights(ctx, [(s[resolve_axis(ctx, axis, len(s))],)], ["moving_mean"], axis_hint=axis)
    return s


def bn_weight_names(ctx: Ctx) -> list:
    names = (["gamma"] if ctx.arg("scale", True) else []) + (["beta"] if ctx.arg("center", True) else [])
    names += ["moving_mean", "moving_variance"]
    if ctx.arg("renorm", False):
        names += ["moving_stddev", "renorm_mean", "renorm_stddev"]
    return names


@weights_of("BatchNormalization")
def batch_normalization_weights(ctx: Ctx) -> list:
    s = ctx.input_shape
    dim = (s[resolve_axis(ctx, bn_axis(ctx), len(s))],)
    return [dim] * len(bn_weight_names(ctx))


@input_spec_of("BatchNormalization")
def batch_normalization_input_spec(ctx: Ctx) -> dict:
    s = ctx.input_shape
    axis = bn_axis(ctx)
    return {"ndim": len(s), "axes": {axis: s[axis]}}


@register("LayerNormalization", "RMSNormalization")
def layer_normalization(ctx: Ctx):
    axes = axis_list(ctx, types_checked=ctx.kind == "LayerNormalization")
    if not all(is_int(a) for a in axes):
        _axis_type_error(ctx, ctx.arg("axis"), "an integer or a list/tuple of integers")
    s = ctx.input_shape
    dims = normalized_dims(ctx, axes)
    names = ["scale"] if ctx.kind == "RMSNormalization" else ["gamma", "beta"]
    defined_weights(ctx, [dims] * len(names), names, axis_hint=axes if len(axes) != 1 else axes[0])
    return s


@weights_of("LayerNormalization", "RMSNormalization")
def layer_normalization_weights(ctx: Ctx) -> list:
    dims = normalized_dims(ctx, axis_list(ctx))
    if ctx.kind == "RMSNormalization":
        return [dims]
    n = int(bool(ctx.arg("scale", True))) + int(bool(ctx.arg("center", True)))
    return [dims] * n


def group_count(ctx: Ctx) -> int:
    groups = optional_arg(ctx, "groups", 32)
    if groups is SKIP:
        return SKIP
    if not is_int(groups) or (groups <= 0 and groups != -1):
        ctx.fail(
            "invalid_argument",
            f"`groups` of GroupNormalization must be a positive integer (or -1 for instance normalization), "
            f"received groups={groups!r}",
            expected="groups > 0 or groups == -1",
            actual=f"groups={groups!r}",
            argument="groups",
            hint={"arg": "groups", "min": 1},
        )
    return int(groups)


def _divisors(n: int) -> list:
    return [d for d in range(1, n + 1) if n % d == 0]


@register("GroupNormalization")
def group_normalization(ctx: Ctx):
    groups = group_count(ctx)
    axis = ctx.arg("axis", -1)
    if not is_int(axis):
        _axis_type_error(ctx, axis, "a single integer")
    s = ctx.input_shape
    resolve_axis(ctx, axis, len(s))
    dim = s[axis]
    if dim is None:
        ctx.fail(
            "undefined_dim",
            f"GroupNormalization splits axis {axis} of its input into groups, but that axis is undefined (None) "
            f"in {fmt_shape(s)}; give the input a fixed number of channels",
            expected=f"axis {axis} defined",
            actual=f"shape={fmt_shape(s)}",
            hint={"axis": axis},
        )
    if groups is SKIP:
        return s
    if groups == -1:
        groups = dim
    if dim < groups or dim % groups:
        near = [d for d in _divisors(dim) if d <= groups] if dim > 0 else []
        best = near[-1] if near else None
        why = "cannot be more than" if dim < groups else "must divide"
        fix = f"; use groups={best}" if best else ""
        ctx.fail(
            "invalid_argument",
            f"`groups` of GroupNormalization {why} the number of channels: groups={groups}, axis {axis} has "
            f"{dim} channels{fix} (a divisor of {dim})",
            expected=f"groups divides {dim}",
            actual=f"groups={groups}",
            argument="groups",
            hint={
                "arg": "groups",
                "channels": dim,
                "values": _divisors(dim) if dim > 0 else [],
                **({"value": best, "suggest": best} if best else {}),
            },
        )
    return s


@weights_of("GroupNormalization")
def group_normalization_weights(ctx: Ctx) -> list:
    s = ctx.input_shape
    dim = (s[ctx.arg("axis", -1)],)
    n = int(bool(ctx.arg("scale", True))) + int(bool(ctx.arg("center", True)))
    return [dim] * n


@input_spec_of("GroupNormalization")
def group_normalization_input_spec(ctx: Ctx) -> dict:
    s = ctx.input_shape
    axis = ctx.arg("axis", -1)
    return {"ndim": len(s), "axes": {axis: s[axis]}}


@register("UnitNormalization")
def unit_normalization(ctx: Ctx):
    axes = axis_list(ctx, types_checked=False)
    s = ctx.input_shape
    for a in axes:
        if not is_int(a):
            _axis_type_error(ctx, ctx.arg("axis"), "an integer or a list/tuple of integers")
        resolve_axis(ctx, a, len(s))
    return s


# Layers that have a `kernel` (or `embeddings`) attribute, which SpectralNormalization
# normalizes; every other modelled layer is refused by its build().
KERNEL_KINDS = frozenset(
    {
        "Dense",
        "EinsumDense",
        "Embedding",
        "ReversibleEmbedding",
        "Conv1D",
        "Conv2D",
        "Conv3D",
        "Conv1DTranspose",
        "Conv2DTranspose",
        "Conv3DTranspose",
        "DepthwiseConv1D",
        "DepthwiseConv2D",
    }
)


@register("SpectralNormalization")
def spectral_normalization(ctx: Ctx):
    iterations = optional_arg(ctx, "power_iterations", 1)
    if iterations is not SKIP and not isinstance(iterations, (int, float)) or iterations <= 0:
        ctx.fail(
            "invalid_argument",
            f"`power_iterations` of SpectralNormalization must be greater than zero, "
            f"received power_iterations={iterations!r}",
            expected="power_iterations > 0",
            actual=f"power_iterations={iterations!r}",
            argument="power_iterations",
            hint={"arg": "power_iterations", "min": 1},
        )
    inner = ctx.layer.inner
    if inner is None:
        raise Unknown("the layer wrapped by SpectralNormalization")
    unit = REGISTRY.get(inner.kind)
    if unit is None:
        raise Unknown(f"wrapped layer kind {inner.kind}")
    out = unit.output(Ctx(layer=inner, inputs=list(ctx.inputs)))
    if inner.kind not in KERNEL_KINDS:
        ctx.fail(
            "invalid_argument",
            f"SpectralNormalization normalizes a layer's kernel, but the wrapped {inner.kind} has no `kernel` "
            "(nor `embeddings`); wrap a Dense, Conv or Embedding layer instead, or remove the wrapper",
            expected="a layer with a kernel",
            actual=f"layer={inner.kind}",
            argument="layer",
            hint={"arg": "layer", "choices": sorted(KERNEL_KINDS)},
        )
    return out


@input_spec_of("SpectralNormalization")
def spectral_normalization_input_spec(ctx: Ctx) -> dict:
    return {"min_ndim": 1, "axes": {-1: ctx.input_shape[-1]}}


EXAMPLES = [
    # BatchNormalization
    Example("BatchNormalization", {}, (None, 5), out=(None, 5), weights=((5,),) * 4),
    Example("BatchNormalization", {}, (None, 8, 8, 3), out=(None, 8, 8, 3)),
    Example(
        "BatchNormalization",
        {"axis": 1},
        (None, 3, 8, 8),
        out=(None, 3, 8, 8),
        weights=((3,),) * 4,
        note="channels_first",
    ),
    Example("BatchNormalization", {"axis": -3}, (None, 3, 8, 8), out=(None, 3, 8, 8)),
    Example("BatchNormalization", {"axis": 0}, (4, 3), out=(4, 3), note="a known batch size can be normalized"),
    Example("BatchNormalization", {"axis": 1.7}, (None, 3, 8, 8), out=(None, 3, 8, 8), note="int(axis)"),
    Example("BatchNormalization", {"axis": "1"}, (None, 3, 8, 8), out=(None, 3, 8, 8), note="int(axis)"),
    Example("BatchNormalization", {"center": False}, (None, 3), out=(None, 3), weights=((3,),) * 3),
    Example("BatchNormalization", {"renorm": True}, (None, 3), out=(None, 3), weights=((3,),) * 7),
    Example("BatchNormalization", {}, (None,), error="undefined_dim", code="NNR105", argument=""),
    Example("BatchNormalization", {}, (None, 8, None), error="undefined_dim", code="NNR105", argument=""),
    Example("BatchNormalization", {"axis": 0}, (None, 3), error="undefined_dim", code="NNR105", argument=""),
    Example(
        "BatchNormalization",
        {"axis": -4},
        (None, 3, 8, 8),
        error="undefined_dim",
        note="-4 is the batch axis",
        code="NNR105",
        argument="",
    ),
    Example(
        "BatchNormalization", {"axis": 4}, (None, 3, 8, 8), error="invalid_argument", code="NNR207", argument="axis"
    ),
    Example(
        "BatchNormalization", {"axis": -5}, (None, 3, 8, 8), error="invalid_argument", code="NNR207", argument="axis"
    ),
    Example(
        "BatchNormalization",
        {"axis": [1]},
        (None, 3, 8, 8),
        error="invalid_argument",
        code="NNR201",
        argument="axis",
        fix={"axis": -1},
    ),
    Example(
        "BatchNormalization",
        {"axis": "x"},
        (None, 3, 8, 8),
        error="invalid_argument",
        code="NNR201",
        argument="axis",
        fix={"axis": -1},
    ),
    Example(
        "BatchNormalization",
        {"momentum": "a"},
        (None, 3),
        error="invalid_argument",
        code="NNR201",
        argument="momentum",
        fix={"momentum": 0.99},
    ),
    Example("BatchNormalization", {"moving_variance_initializer": "one"}, (None, 3), out=(None, 3)),
    Example(
        "BatchNormalization",
        {"gamma_initializer": "onez"},
        (None, 3),
        error="invalid_argument",
        code="NNR204",
        argument="gamma_initializer",
        fix={"gamma_initializer": "one"},
    ),
    Example("LayerNormalization", {"beta_regularizer": "l1l2"}, (None, 3), out=(None, 3)),
    Example(
        "LayerNormalization",
        {"gamma_constraint": "unitnorm"},
        (None, 3),
        error="invalid_argument",
        code="NNR204",
        argument="gamma_constraint",
        fix={"gamma_constraint": "UnitNorm"},
    ),
    Example("GroupNormalization", {"groups": 2, "gamma_initializer": "Ones"}, (None, 4), out=(None, 4)),
    Example(
        "BatchNormalization",
        {"renorm": True, "renorm_clipping": {"foo": 1}},
        (None, 3),
        error="invalid_argument",
        code="NNR201",
        argument="renorm_clipping",
    ),
    Example(
        "BatchNormalization",
        {"renorm": True, "renorm_clipping": {"rmax": 1, "rmin": 2}},
        (None, 3),
        error="invalid_argument",
        code="NNR201",
        argument="renorm_clipping",
    ),
    Example(
        "BatchNormalization",
        {},
        (None, 5),
        weights=((4,),) * 4,
        error="weight_shape",
        code="NNR301",
        argument="weights",
    ),
    Example(
        "BatchNormalization",
        {"axis": 1},
        (None, 3, 8, 8),
        weights=((8,),) * 4,
        error="weight_shape",
        code="NNR301",
        argument="weights",
    ),
    # LayerNormalization
    Example("LayerNormalization", {}, (None, 5), out=(None, 5), weights=((5,), (5,))),
    Example("LayerNormalization", {"axis": [1, 2]}, (None, 3, 4), out=(None, 3, 4), weights=((3, 4), (3, 4))),
    Example(
        "LayerNormalization",
        {"axis": [2, 1]},
        (None, 3, 4),
        out=(None, 3, 4),
        weights=((3, 4), (3, 4)),
        note="axes are sorted",
    ),
    Example(
        "LayerNormalization",
        {"axis": [1, -1]},
        (None, 3, 4),
        out=(None, 3, 4),
        weights=((4, 3), (4, 3)),
        note="sorted([1, -1]) == [-1, 1]",
    ),
    Example("LayerNormalization", {"axis": 0}, (2, 3, 4), out=(2, 3, 4)),
    Example("LayerNormalization", {"axis": []}, (None, 3, 4), out=(None, 3, 4), weights=((), ())),
    Example("LayerNormalization", {"axis": -1}, (None, None, 4), out=(None, None, 4)),
    Example("LayerNormalization", {"scale": False}, (None, 5), out=(None, 5), weights=((5,),)),
    Example("LayerNormalization", {}, (None,), error="undefined_dim", code="NNR105", argument=""),
    Example("LayerNormalization", {}, (None, None), error="undefined_dim", code="NNR105", argument=""),
    Example("LayerNormalization", {"axis": 0}, (None, 3, 4), error="undefined_dim", code="NNR105", argument=""),
    Example(
        "LayerNormalization", {"axis": [1, 3]}, (None, 3, 4), error="invalid_argument", code="NNR207", argument="axis"
    ),
    Example(
        "LayerNormalization",
        {"axis": "a"},
        (None, 3, 4),
        error="invalid_argument",
        code="NNR201",
        argument="axis",
        fix={"axis": -1},
    ),
    Example(
        "LayerNormalization",
        {"axis": [1, 2]},
        (None, 3, 4),
        weights=((4,), (4,)),
        error="weight_shape",
        code="NNR301",
        argument="weights",
    ),
    # RMSNormalization
    Example("RMSNormalization", {}, (None, 5), out=(None, 5), weights=((5,),)),
    Example("RMSNormalization", {"axis": [1, 2]}, (None, 5, 4), out=(None, 5, 4), weights=((5, 4),)),
    Example("RMSNormalization", {}, (None, None), error="undefined_dim", code="NNR105", argument=""),
    Example("RMSNormalization", {"axis": 3}, (None, 5, 4), error="invalid_argument", code="NNR207", argument="axis"),
    # GroupNormalization
    Example("GroupNormalization", {}, (None, 64), out=(None, 64), weights=((64,), (64,))),
    Example("GroupNormalization", {"groups": 4}, (None, 8, 8, 12), out=(None, 8, 8, 12)),
    Example(
        "GroupNormalization", {"groups": -1}, (None, 8, 8, 12), out=(None, 8, 8, 12), note="-1: one group per channel"
    ),
    Example("GroupNormalization", {"groups": 3, "axis": 1}, (None, 6, 8, 5), out=(None, 6, 8, 5), weights=((6,), (6,))),
    Example("GroupNormalization", {"groups": 2, "axis": 0}, (4, 2), out=(4, 2)),
    Example("GroupNormalization", {"groups": True}, (None, 5), out=(None, 5), note="bool passes isinstance(int)"),
    Example(
        "GroupNormalization",
        {},
        (None, 30),
        error="invalid_argument",
        note="32 groups > 30 channels",
        code="NNR201",
        argument="groups",
        fix={"groups": 30},
    ),
    Example(
        "GroupNormalization",
        {"groups": 4},
        (None, 30),
        error="invalid_argument",
        note="4 does not divide 30",
        code="NNR201",
        argument="groups",
        fix={"groups": 3},
    ),
    Example(
        "GroupNormalization",
        {"groups": 0},
        (None, 8, 8, 12),
        error="invalid_argument",
        code="NNR201",
        argument="groups",
    ),
    Example(
        "GroupNormalization",
        {"groups": -2},
        (None, 8, 8, 12),
        error="invalid_argument",
        code="NNR201",
        argument="groups",
    ),
    Example(
        "GroupNormalization",
        {"groups": 2.0},
        (None, 8, 8, 12),
        error="invalid_argument",
        code="NNR201",
        argument="groups",
    ),
    Example("GroupNormalization", {"groups": 4}, (None, 8, 8, None), error="undefined_dim", code="NNR105", argument=""),
    Example("GroupNormalization", {"groups": 2}, (None,), error="undefined_dim", code="NNR105", argument=""),
    Example(
        "GroupNormalization", {"groups": 2, "axis": 0}, (None, 2), error="undefined_dim", code="NNR105", argument=""
    ),
    Example(
        "GroupNormalization",
        {"groups": 4, "axis": 5},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR207",
        argument="axis",
    ),
    Example(
        "GroupNormalization",
        {"groups": 4, "axis": [1]},
        (None, 8, 8, 3),
        error="invalid_argument",
        code="NNR201",
        argument="axis",
    ),
    Example(
        "GroupNormalization",
        {"groups": 4},
        (None, 8),
        weights=((4,), (4,)),
        error="weight_shape",
        code="NNR301",
        argument="weights",
    ),
    # UnitNormalization
    Example("UnitNormalization", {}, (None, 5), out=(None, 5)),
    Example("UnitNormalization", {"axis": [1, 2]}, (None, 5, 4), out=(None, 5, 4)),
    Example("UnitNormalization", {"axis": 0}, (None, 5), out=(None, 5), note="no weights: a None axis is fine"),
    Example("UnitNormalization", {}, (None, None), out=(None, None)),
    Example("UnitNormalization", {"axis": [1, 2]}, (None, 5), error="invalid_argument", code="NNR207", argument="axis"),
    Example("UnitNormalization", {"axis": -3}, (None, 5), error="invalid_argument", code="NNR207", argument="axis"),
    Example(
        "UnitNormalization",
        {"axis": "x"},
        (None, 5),
        error="invalid_argument",
        code="NNR201",
        argument="axis",
        fix={"axis": -1},
    ),
    Example(
        "BatchNormalization",
        {"mode": 0},
        (None, 5),
        error="invalid_argument",
        note="Keras 1 `mode`",
        code="NNR202",
        argument="mode",
    ),
    Example("LayerNormalization", {"rms_scaling": False}, (None, 5), out=(None, 5)),
    # SpectralNormalization (a wrapper: the output is the wrapped layer's)
    Example("SpectralNormalization", {}, (None, 5), inner=("Dense", {"units": 3}), out=(None, 3)),
    Example(
        "SpectralNormalization",
        {"power_iterations": 2},
        (None, 5),
        inner=("Embedding", {"input_dim": 10, "output_dim": 4}),
        out=(None, 5, 4),
    ),
    Example(
        "SpectralNormalization",
        {"power_iterations": 0},
        (None, 5),
        inner=("Dense", {"units": 3}),
        error="invalid_argument",
        code="NNR201",
        argument="power_iterations",
    ),
    Example(
        "SpectralNormalization",
        {},
        (None, 5),
        inner=("Dropout", {"rate": 0.5}),
        error="invalid_argument",
        code="NNR201",
        argument="layer",
    ),
    Example(
        "SpectralNormalization",
        {},
        (None, 5),
        inner=("BatchNormalization", {}),
        error="invalid_argument",
        code="NNR201",
        argument="layer",
    ),
    Example(
        "SpectralNormalization",
        {},
        (None, None),
        inner=("Dense", {"units": 3}),
        error="undefined_dim",
        code="NNR105",
        argument="",
    ),
]
