"""Core layers: Dense (reference unit), EinsumDense, Embedding, ReversibleEmbedding,
Identity, Masking.

Ground truth: keras/src/layers/core/*.py of Keras 3.15 (constructor validation,
build, compute_output_shape). Lambda and InputLayer are deliberately not
registered: an unknown kind must stay unknown.
"""

from __future__ import annotations

import re
from typing import Any, NoReturn

from ..diagnostics import fmt_shape
from .base import (
    Ctx,
    Example,
    defined_weights,
    input_spec_of,
    is_int,
    last_dim_defined,
    positive_count,
    register,
    weights_of,
)

# ---- shared helpers -------------------------------------------------------


# ---- input specs of built layers (shared layers) --------------------------
#
# After its first call a Keras layer checks every later call against the
# InputSpec its build() set (ndim / min_ndim / fixed axes), not against its
# weights: a shared LayerNormalization accepts any shape symbolically, a shared
# EinsumDense only needs the same rank. `input_spec(ctx)` gives that spec for
# the first call's input; `input_spec_violation` applies it to a later call.


# ---- Dense ----------------------------------------------------------------


@register("Dense")
def dense(ctx: Ctx):
    units = positive_count(ctx, "units", allow_bool=True)
    s = ctx.min_rank(2)
    last_dim_defined(ctx, s)
    return s[:-1] + (units,)


@weights_of("Dense")
def dense_weights(ctx: Ctx) -> list:
    s = ctx.input_shape
    units = int(ctx.arg("units"))
    w: list[tuple] = [(s[-1], units)]
    if ctx.arg("use_bias", True):
        w.append((units,))
    return w


@input_spec_of("Dense")
def dense_input_spec(ctx: Ctx) -> dict:
    return {"min_ndim": 2, "axes": {-1: ctx.input_shape[-1]}}


# ---- EinsumDense ----------------------------------------------------------


def _einsum_fail(ctx: Ctx, message: str, arg: str = "equation", **hint: Any) -> NoReturn:
    eq = ctx.arg("equation", None)
    ctx.fail(
        "invalid_argument",
        f"EinsumDense(equation={eq!r}): {message}",
        expected="a consistent equation / output_shape / bias_axes",
        actual=f"{arg}={ctx.arg(arg, None)!r}",
        argument=arg,
        hint={"arg": arg, **hint},
    )


def einsum_analysis(ctx: Ctx, input_shape: tuple, notes: list | None = None) -> tuple[list, list | None, tuple]:
    """(kernel shape, bias shape or None, full output shape), as EinsumDense builds them.

    Mirrors keras' _analyze_einsum_string, including its quirks (prefix match of
    the equation, right-elided dims appended, left-elided dims inserted in
    reverse order), because real Keras is the judge.
    """
    equation = ctx.required("equation")
    partial = ctx.required("output_shape")
    bias_axes = ctx.arg("bias_axes", None)
    if not isinstance(equation, str):
        _einsum_fail(ctx, f"`equation` must be a string such as 'ab,bc->ac', received {equation!r}")
    if is_int(partial):
        out_tail = [partial]
    elif isinstance(partial, (list, tuple)):
        out_tail = list(partial)
    else:
        _einsum_fail(
            ctx,
            f"`output_shape` must be an integer or a tuple of dimensions, received output_shape={partial!r}",
            arg="output_shape",
        )
    if bias_axes is not None and not isinstance(bias_axes, str):
        _einsum_fail(
            ctx, f"`bias_axes` must be a string of output axis letters, received {bias_axes!r}", arg="bias_axes"
        )
    dotted = equation.replace("...", "0")
    left = False
    m = re.match("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", dotted)
    if not m:
        m = re.match("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", dotted)
        left = bool(m)
    if not m:
        m = re.match("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", dotted)
    if not m:
        _einsum_fail(
            ctx,
            "the equation must have the form '[X],[Y]->[Z]', '...[X],[Y]->...[Z]' or '[X]...,[Y]->[Z]...'; "
            "write the input, kernel and output axes as letters",
        )
    in_spec, w_spec, out_spec = m.group(1), m.group(2), m.group(3)
    rank = len(input_shape)
    elided = rank - len(in_spec)
    if notes is not None and elided > 0 and "..." not in equation:
        # Keras appends the extra input axes to the output shape, but einsum fails when the model runs.
        notes.append(
            (
                "rank_mismatch",
                f"EinsumDense(equation={equation!r}) names {len(in_spec)} input axes but receives a {rank}-D input "
                f"{fmt_shape(input_shape)}; Keras builds it, but the einsum fails when the model runs: use an "
                "ellipsis ('...') in the equation or reshape the input",
                {
                    "expected": f"ndim={len(in_spec)}",
                    "actual": f"ndim={rank}",
                    "hint": {"need_rank": (len(in_spec),), "got_rank": rank},
                },
            )
        )
    out = [input_shape[0]] + out_tail
    if elided > 0 and left:
        for i in range(1, elided):
            out.insert(1, input_shape[i])
    elif elided > 0:
        out.extend(input_shape[rank - elided :])
    if left:
        in_map = {d: i + elided - rank for i, d in enumerate(in_spec)}
        out_map = {d: i + elided for i, d in enumerate(out_spec)}
    else:
        in_map = {d: i for i, d in enumerate(in_spec)}
        out_map = {d: i for i, d in enumerate(out_spec)}

    def in_dim(d: str):
        i = in_map[d]
        if not -rank <= i < rank:
            ctx.fail(
                "rank_mismatch",
                f"EinsumDense(equation={equation!r}) names {len(in_spec)} input axes '{in_spec}' but receives a "
                f"{rank}-D input {fmt_shape(input_shape)}; change the equation's input part or the input rank",
                expected=f"ndim>={len(in_spec)}" if elided else f"ndim={len(in_spec)}",
                actual=f"ndim={rank}",
                hint={"need_rank": (len(in_spec),), "got_rank": rank},
            )
        return input_shape[i]

    def out_dim(d: str):
        i = out_map[d]
        if not -len(out) <= i < len(out):
            _einsum_fail(
                ctx,
                f"the output part '{out_spec}' has {len(out_spec)} axes but output_shape={partial!r} gives "
                f"{len(out) - 1} non-batch dims; give output_shape one entry per output axis after the batch",
                arg="output_shape",
                need_len=len(out_spec) - 1,
            )
        return out[i]

    for d in in_spec:
        x = in_dim(d)
        if d in out_map:
            o = out_dim(d)
            if o is not None and o != x:
                inserted = max(elided - 1, 0) if left else 0  # left-elided dims Keras put before the tail
                idx = out_map[d] - 1 - inserted
                fixed: Any = list(out_tail)
                if 0 <= idx < len(fixed):
                    fixed[idx] = x
                fixed = fixed[0] if is_int(partial) else tuple(fixed)
                _einsum_fail(
                    ctx,
                    f"axis '{d}' is shared by the input and the output, but the input has {x} there and "
                    f"output_shape={partial!r} asks for {o}; set that entry of output_shape to {x} (or None)",
                    arg="output_shape",
                    index=idx,
                    value=fixed,
                )
    for d in out_spec:
        if d not in in_spec and d not in w_spec:
            _einsum_fail(ctx, f"output axis '{d}' appears in neither the input '{in_spec}' nor the kernel '{w_spec}'")
    kernel = []
    for d in w_spec:
        if d in out_map:
            kernel.append(out_dim(d))
        elif d in in_map:
            kernel.append(in_dim(d))
        else:
            _einsum_fail(ctx, f"kernel axis '{d}' appears in neither the input '{in_spec}' nor the output '{out_spec}'")
    bias = None
    if bias_axes is not None:
        shift = elided if left else 0
        for c in bias_axes:
            if c not in out_spec:
                _einsum_fail(
                    ctx,
                    f"bias axis '{c}' is not an axis of the output '{out_spec}'; choose bias_axes among '{out_spec}'",
                    arg="bias_axes",
                    choices=list(out_spec),
                )
        if not bias_axes:
            _einsum_fail(ctx, "`bias_axes` is empty; pass None for no bias", arg="bias_axes")
        dims_by_axis = {c: out[i + shift] for i, c in enumerate(out_spec) if -len(out) <= i + shift < len(out)}
        first = min(out_spec.find(c) for c in bias_axes)
        bias = [dims_by_axis.get(c) if c in bias_axes else 1 for c in out_spec[first:]]
        if not left:
            bias.extend([1] * max(elided, 0))
    return kernel, bias, tuple(out)


@register("EinsumDense")
def einsum_dense(ctx: Ctx):
    ctx.required("equation")
    ctx.required("output_shape")
    s = ctx.input_shape
    notes: list = []
    kernel, bias, out = einsum_analysis(ctx, s, notes)
    defined_weights(ctx, [kernel] + ([bias] if bias is not None else []), ["kernel", "bias"])
    for kind, message, extra in notes:  # only once the layer is known to build
        ctx.warn(kind, message, **extra)
    return out


@weights_of("EinsumDense")
def einsum_dense_weights(ctx: Ctx) -> list:
    kernel, bias, _ = einsum_analysis(ctx, ctx.input_shape)
    return [tuple(kernel)] + ([tuple(bias)] if bias is not None else [])


@input_spec_of("EinsumDense")
def einsum_dense_input_spec(ctx: Ctx) -> dict:
    return {"ndim": len(ctx.input_shape)}


# ---- Embedding ------------------------------------------------------------


@register("Embedding", "ReversibleEmbedding")
def embedding(ctx: Ctx):
    positive_count(ctx, "input_dim", allow_bool=False)
    output_dim = positive_count(ctx, "output_dim", allow_bool=False)
    # `input_length` (Keras 2) is popped with a deprecation warning and ignored.
    s = ctx.input_shape
    if ctx.kind == "ReversibleEmbedding" and ctx.layer.call_args.get("reverse", False) is True:
        return s[:-1] + (int(ctx.arg("input_dim")),)
    return s + (output_dim,)


@weights_of("Embedding", "ReversibleEmbedding")
def embedding_weights(ctx: Ctx) -> list:
    n, d = ctx.arg("input_dim"), ctx.arg("output_dim")
    w = [(n, d)]
    if ctx.kind == "ReversibleEmbedding" and not ctx.arg("tie_weights", True):
        w.append((d, n))
    return w


# ---- Identity, Masking ----------------------------------------------------


@register("Identity", "Masking")
def identity(ctx: Ctx):
    return ctx.input_shape


EXAMPLES = [
    # Dense
    Example("Dense", {"units": 3}, (None, 5), out=(None, 3)),
    Example("Dense", {"units": 3}, (None, 4, 5), out=(None, 4, 3), note="applies to the last axis"),
    Example("Dense", {"units": 3}, (None, None, 5), out=(None, None, 3), note="only the last axis must be known"),
    Example("Dense", {"units": 3}, (None, 0), out=(None, 3), note="a zero-size axis builds a (0, 3) kernel"),
    Example("Dense", {"units": True}, (None, 5), out=(None, 1), note="Keras' isinstance(units, int) lets bool in"),
    Example("Dense", {"units": 3, "activation": "relu"}, (None, 5), out=(None, 3)),
    Example("Dense", {"units": 3, "activation": None}, (None, 5), out=(None, 3)),
    Example("Dense", {"units": 3}, (None,), error="rank_mismatch", note="needs min_ndim=2", code="NNR101", argument=""),
    Example("Dense", {"units": 0}, (None, 5), error="invalid_argument", code="NNR206", argument="units"),
    Example("Dense", {"units": -2}, (None, 5), error="invalid_argument", code="NNR206", argument="units"),
    Example(
        "Dense",
        {"units": 3.0},
        (None, 5),
        error="invalid_argument",
        note="Keras 3 wants an int",
        code="NNR206",
        argument="units",
        fix={"units": 3},
    ),
    Example(
        "Dense", {"units": "3"}, (None, 5), error="invalid_argument", code="NNR206", argument="units", fix={"units": 3}
    ),
    Example(
        "Dense",
        {"units": 3, "activation": "Relu"},
        (None, 5),
        error="invalid_argument",
        note="activation names are case-sensitive",
        code="NNR204",
        argument="activation",
        fix={"activation": "relu"},
    ),
    Example(
        "Dense",
        {"units": 3, "activation": "leakyrelu"},
        (None, 5),
        error="invalid_argument",
        code="NNR204",
        argument="activation",
        fix={"activation": "leaky_relu"},
    ),
    Example(
        "Dense",
        {
            "units": 3,
            "kernel_initializer": "he_normal",
            "bias_initializer": "Zeros",
            "kernel_regularizer": "l2",
            "kernel_constraint": "max_norm",
        },
        (None, 5),
        out=(None, 3),
    ),
    Example(
        "Dense",
        {"units": 3, "kernel_initializer": "glorot"},
        (None, 5),
        error="invalid_argument",
        code="NNR204",
        argument="kernel_initializer",
        fix={"kernel_initializer": "glorot_uniform"},
    ),
    Example(
        "Dense",
        {"units": 3, "kernel_initializer": "Initializer"},
        (None, 5),
        error="invalid_argument",
        note="the abstract base class fails when called",
        code="NNR204",
        argument="kernel_initializer",
        fix={"kernel_initializer": "glorot_uniform"},
    ),
    Example(
        "Dense",
        {"units": 3, "kernel_regularizer": "l3"},
        (None, 5),
        error="invalid_argument",
        code="NNR204",
        argument="kernel_regularizer",
    ),
    Example(
        "Dense",
        {"units": 3, "bias_constraint": "nonneg"},
        (None, 5),
        error="invalid_argument",
        code="NNR204",
        argument="bias_constraint",
        fix={"bias_constraint": "NonNeg"},
    ),
    Example("Dense", {"units": 3, "activity_regularizer": "L1"}, (None, 5), out=(None, 3)),
    Example(
        "Dense",
        {"units": 3, "activaton": "relu"},
        (None, 5),
        error="invalid_argument",
        note="a typo in a keyword is an unrecognized keyword argument",
        code="NNR202",
        argument="activaton",
    ),
    Example(
        "Dense",
        {"units": 3, "input_length": 5},
        (None, 5),
        error="invalid_argument",
        code="NNR202",
        argument="input_length",
    ),
    Example(
        "Dense", {"units": 3, "trainable": 1}, (None, 5), error="invalid_argument", code="NNR203", argument="trainable"
    ),
    Example("Dense", {"units": 3, "name": "a/b"}, (None, 5), error="invalid_argument", code="NNR201", argument="name"),
    Example("Dense", {"units": 3, "name": "fc", "trainable": False, "dtype": "float32"}, (None, 5), out=(None, 3)),
    Example("Dense", {"units": 3}, (None, None), error="undefined_dim", code="NNR105", argument=""),
    Example("Dense", {"units": 3}, (None, 5, None), error="undefined_dim", code="NNR105", argument=""),
    Example("Dense", {"units": 3}, (None, 5), weights=((5, 3), (3,)), out=(None, 3)),
    Example("Dense", {"units": 3, "use_bias": False}, (None, 5), weights=((5, 3),), out=(None, 3)),
    Example(
        "Dense",
        {"units": 3},
        (None, 5),
        weights=((4, 3), (3,)),
        error="weight_shape",
        code="NNR301",
        argument="weights",
    ),
    Example(
        "Dense",
        {"units": 3},
        (None, 5),
        weights=((5, 3),),
        error="weight_shape",
        note="bias missing",
        code="NNR301",
        argument="weights",
    ),
    # EinsumDense
    Example("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 4}, (None, 5), out=(None, 4)),
    Example(
        "EinsumDense",
        {"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"},
        (None, 5),
        out=(None, 4),
        weights=((5, 4), (4,)),
    ),
    Example("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 0}, (None, 5), out=(None, 0)),
    Example(
        "EinsumDense",
        {"equation": "abc,cd->abd", "output_shape": (None, 4)},
        (None, 7, 5),
        out=(None, None, 4),
        note="None in output_shape stays None",
    ),
    Example("EinsumDense", {"equation": "abc,cd->abd", "output_shape": (7, 4)}, (None, 7, 5), out=(None, 7, 4)),
    Example(
        "EinsumDense",
        {"equation": "...b,bc->...c", "output_shape": 4, "bias_axes": "c"},
        (None, 7, 5),
        out=(None, 7, 4),
    ),
    Example(
        "EinsumDense",
        {"equation": "...c,cd->...d", "output_shape": (4,)},
        (None, 6, 7, 8, 5),
        out=(None, 8, 7, 6, 4),
        note="Keras inserts left-elided dims in reverse order",
    ),
    Example(
        "EinsumDense",
        {"equation": "ab...,bc->ac...", "output_shape": 4, "bias_axes": "c"},
        (None, 7, 5),
        out=(None, 4, 5),
        weights=((7, 4), (4, 1)),
    ),
    Example(
        "EinsumDense",
        {"equation": "abc,cde->abde", "output_shape": (None, 2, 4), "bias_axes": "de"},
        (None, 7, 5),
        out=(None, None, 2, 4),
        weights=((5, 2, 4), (2, 4)),
    ),
    Example(
        "EinsumDense",
        {"equation": "ab,bc->ac", "output_shape": (4,)},
        (None, 5, 6),
        out=(None, 4, 6),
        note="extra input axes are appended to the output (prefix match)",
    ),
    Example(
        "EinsumDense",
        {"equation": "abc,cd->abd", "output_shape": (8, 4)},
        (None, 7, 5),
        error="invalid_argument",
        note="shared axis b: 7 vs 8",
        code="NNR201",
        argument="output_shape",
        fix={"output_shape": (7, 4)},
    ),
    Example(
        "EinsumDense",
        {"equation": "abc,cd->abd", "output_shape": (4,)},
        (None, 7, 5),
        error="invalid_argument",
        note="output_shape too short: b is compared with 4",
        code="NNR201",
        argument="output_shape",
    ),
    Example(
        "EinsumDense",
        {"equation": "ab,bc->ad", "output_shape": 4},
        (None, 5),
        error="invalid_argument",
        code="NNR201",
        argument="equation",
    ),
    Example(
        "EinsumDense",
        {"equation": "ab,bcz->ac", "output_shape": 4},
        (None, 5),
        error="invalid_argument",
        code="NNR201",
        argument="equation",
    ),
    Example(
        "EinsumDense",
        {"equation": "ab->ac", "output_shape": 4},
        (None, 5),
        error="invalid_argument",
        code="NNR201",
        argument="equation",
    ),
    Example(
        "EinsumDense",
        {"equation": 5, "output_shape": 4},
        (None, 5),
        error="invalid_argument",
        code="NNR201",
        argument="equation",
    ),
    Example(
        "EinsumDense",
        {"equation": "ab,bc->ac", "output_shape": -2},
        (None, 5),
        error="invalid_argument",
        code="NNR201",
        argument="",
    ),
    Example(
        "EinsumDense",
        {"equation": "ab,bc->ac", "output_shape": 2.0},
        (None, 5),
        error="invalid_argument",
        code="NNR201",
        argument="output_shape",
    ),
    Example(
        "EinsumDense",
        {"equation": "abc,cde->abde", "output_shape": (None, 2, 4), "bias_axes": "x"},
        (None, 7, 5),
        error="invalid_argument",
        code="NNR201",
        argument="bias_axes",
    ),
    Example(
        "EinsumDense",
        {"equation": "ab,bc->ac", "output_shape": 4, "activation": "nope"},
        (None, 5),
        error="invalid_argument",
        code="NNR204",
        argument="activation",
    ),
    Example(
        "EinsumDense",
        {"equation": "abc,cd->abd", "output_shape": (None, 4)},
        (None, 7),
        error="rank_mismatch",
        code="NNR101",
        argument="",
    ),
    Example(
        "EinsumDense",
        {"equation": "ab,bc->ac", "output_shape": (4,)},
        (None, None),
        error="undefined_dim",
        code="NNR105",
        argument="",
    ),
    Example(
        "EinsumDense",
        {"equation": "abc,cd->abd", "output_shape": (None, 4), "bias_axes": "b"},
        (None, 7, 5),
        error="undefined_dim",
        note="bias over an axis left None in output_shape",
        code="NNR105",
        argument="",
    ),
    Example(
        "EinsumDense",
        {"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"},
        (None, 5),
        weights=((5, 4),),
        error="weight_shape",
        code="NNR301",
        argument="weights",
    ),
    # Embedding
    Example("Embedding", {"input_dim": 10, "output_dim": 4}, (None, 5), out=(None, 5, 4)),
    Example("Embedding", {"input_dim": 10, "output_dim": 4}, (None,), out=(None, 4)),
    Example("Embedding", {"input_dim": 10, "output_dim": 4}, (None, None), out=(None, None, 4)),
    Example(
        "Embedding",
        {"input_dim": 10, "output_dim": 4, "input_length": 7},
        (None, 5),
        out=(None, 5, 4),
        note="input_length is deprecated and ignored by Keras 3",
    ),
    Example("Embedding", {"input_dim": 10, "output_dim": 4}, (None, 5), weights=((10, 4),), out=(None, 5, 4)),
    Example(
        "Embedding",
        {"input_dim": 10, "output_dim": 4},
        (None, 5),
        weights=((11, 4),),
        error="weight_shape",
        code="NNR301",
        argument="weights",
    ),
    Example(
        "Embedding",
        {"input_dim": 0, "output_dim": 4},
        (None, 5),
        error="invalid_argument",
        code="NNR206",
        argument="input_dim",
    ),
    Example(
        "Embedding",
        {"input_dim": 10, "output_dim": -1},
        (None, 5),
        error="invalid_argument",
        code="NNR206",
        argument="output_dim",
    ),
    Example(
        "Embedding",
        {"input_dim": True, "output_dim": 4},
        (None, 5),
        error="invalid_argument",
        note="Embedding refuses bool explicitly",
        code="NNR206",
        argument="input_dim",
    ),
    Example(
        "Embedding",
        {"input_dim": 10.0, "output_dim": 4},
        (None, 5),
        error="invalid_argument",
        code="NNR206",
        argument="input_dim",
        fix={"input_dim": 10},
    ),
    Example(
        "Embedding",
        {"input_dim": 10, "output_dim": 4, "embeddings_initializer": "uniformm"},
        (None, 5),
        error="invalid_argument",
        code="NNR204",
        argument="embeddings_initializer",
        fix={"embeddings_initializer": "uniform"},
    ),
    Example("ReversibleEmbedding", {"input_dim": 10, "output_dim": 4}, (None, 5), out=(None, 5, 4)),
    Example(
        "ReversibleEmbedding",
        {"input_dim": 10, "output_dim": 4, "tie_weights": False},
        (None, 5),
        weights=((10, 4), (4, 10)),
        out=(None, 5, 4),
    ),
    Example(
        "ReversibleEmbedding",
        {"input_dim": 0, "output_dim": 4},
        (None, 5),
        error="invalid_argument",
        code="NNR206",
        argument="input_dim",
    ),
    # Identity, Masking
    Example("Identity", {}, (None, 5), out=(None, 5)),
    Example("Identity", {}, (None,), out=(None,)),
    Example("Masking", {}, (None, 5), out=(None, 5)),
    Example("Masking", {"mask_value": -1.0}, (None, 3, 5), out=(None, 3, 5)),
    Example("Masking", {"mask": 0.0}, (None, 3, 5), error="invalid_argument", code="NNR202", argument="mask"),
    Example("Identity", {"units": 3}, (None, 5), error="invalid_argument", code="NNR202", argument="units"),
]
