"""Attention layers: MultiHeadAttention, GroupQueryAttention (called positionally:
query, value[, key]) and Attention, AdditiveAttention (called with a list
[query, value] or [query, value, key]).

Keras 3 builds these symbolically through `compute_output_shape`; the
dot products never run while building. So Keras accepts, when building, some
inputs whose dims would clash at run time (e.g. Attention with query and key
of different feature sizes). Real Keras is the judge of the verdict, so those
are not errors here; `runtime_conflicts` lists them for callers that want to
warn.
"""

from __future__ import annotations

from ..diagnostics import fmt_shape
from .base import Ctx, Example, register

ATTENTION_KINDS = ("MultiHeadAttention", "GroupQueryAttention", "Attention", "AdditiveAttention")


def output_count(kind: str, call_args) -> int:
    """How many tensors a call returns: 2 with return_attention_scores=True."""
    if kind in ATTENTION_KINDS and call_args.get("return_attention_scores") is True:
        return 2
    return 1


# ---- shared checks ------------------------------------------------------------------


def _int_at_least(ctx: Ctx, name: str, minimum: int, allow_none: bool = False, required: bool = True, default=None):
    """Keras 3 `isinstance(v, int) and v > 0` (bool passes as an int)."""
    value = ctx.required(name) if required else ctx.arg(name, default)
    if value is None and allow_none:
        return None
    if not isinstance(value, int) or value < minimum:
        req = "a positive integer" + (" or None" if allow_none else "")
        ctx.fail(
            "invalid_argument",
            f"`{name}` of {ctx.kind} must be {req}, received {name}={value!r}",
            expected=f"{name} >= {minimum}",
            actual=f"{name}={value!r}",
            argument=name,
            hint={"arg": name, "min": minimum},
        )
    return int(value)


def _last_defined(ctx: Ctx, index: int, role: str):
    s = ctx.shape(index)
    if len(s) == 0 or s[-1] is None:
        ctx.fail(
            "undefined_dim",
            f"{ctx.kind} projects the `{role}` input from its last axis, which is undefined (None) in "
            f"{fmt_shape(s)}; give `{role}` a fixed feature size",
            expected=f"{role}.shape[-1] defined",
            actual=f"{role}.shape={fmt_shape(s)}",
            hint={"axis": -1, "input": index},
        )
    return s


def _positional_call(ctx: Ctx, names: str = "query, value[, key]"):
    if ctx.layer.list_input:
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} is called with separate tensors {ctx.kind}({names}), not with a list; "
            f"write layer({names}) instead of layer([{names}])",
            expected=f"layer({names})",
            actual="called with a list",
            hint={"call": "positional"},
        )
    if len(ctx.inputs) < 2:
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} needs at least a `query` and a `value` tensor, received {len(ctx.inputs)} input(s); "
            f"call it as layer({names}) (for self-attention pass the same tensor twice)",
            expected="2 or 3 inputs",
            actual=f"{len(ctx.inputs)} input(s)",
            hint={"min_inputs": 2, "got_inputs": len(ctx.inputs)},
        )


def _value_key_agree(ctx: Ctx, value, key) -> None:
    if tuple(value[1:-1]) != tuple(key[1:-1]):
        ctx.fail(
            "merge_shape_mismatch",
            f"{ctx.kind} needs `value` and `key` to agree on every axis but the last, received "
            f"value {fmt_shape(value)} and key {fmt_shape(key)}; give key the same batch and sequence axes "
            "as value (or omit key to use value)",
            expected=f"key.shape[1:-1] == {fmt_shape(tuple(value[1:-1]))}",
            actual=f"key.shape[1:-1] == {fmt_shape(tuple(key[1:-1]))}",
            hint={"inputs": (1, 2), "axes": "1:-1"},
        )


# ---- MultiHeadAttention -------------------------------------------------------------


def _mha_output_shape(ctx: Ctx):
    value = ctx.arg("output_shape", None)
    if not value:  # Keras treats every falsy value (None, 0, ()) as "same as query"
        return None
    if isinstance(value, int):
        value = (value,)
    if isinstance(value, str) or not isinstance(value, (tuple, list)):
        ctx.fail(
            "invalid_argument",
            f"`output_shape` of MultiHeadAttention must be an int or a tuple/list of ints, received "
            f"output_shape={value!r}",
            expected="int | tuple of ints",
            actual=f"output_shape={value!r}",
            argument="output_shape",
            hint={"arg": "output_shape"},
        )
    dims = tuple(value)
    for d in dims:
        if d is None or not isinstance(d, int) or d < 0:
            kind = "undefined_dim" if d is None else "invalid_argument"
            ctx.fail(
                kind,
                f"`output_shape` of MultiHeadAttention must hold non-negative integers, received "
                f"output_shape={value!r}",
                expected="integers >= 0",
                actual=f"output_shape={value!r}",
                argument="output_shape",
                hint={"arg": "output_shape"},
            )
    return tuple(int(d) for d in dims)


def _mha_attention_axes(ctx: Ctx, value_rank: int) -> None:
    axes = ctx.arg("attention_axes", None)
    if isinstance(axes, int):
        axes = (axes,)
    elif axes and not isinstance(axes, (list, tuple)):
        ctx.fail(
            "invalid_argument",
            f"`attention_axes` of MultiHeadAttention must be an int, list or tuple, received attention_axes={axes!r}",
            expected="int | tuple of ints",
            actual=f"attention_axes={axes!r}",
            argument="attention_axes",
            hint={"arg": "attention_axes"},
        )
    if not axes:
        return
    # The projected tensors have rank value_rank + 1 (heads axis added); Keras indexes
    # that rank with the normalized axes.
    rank = value_rank + 1
    for a in axes:
        ok = isinstance(a, int)
        if ok:
            norm = a if a >= 0 else (rank - 1) + a
            ok = -rank <= norm < rank
        if not ok:
            ctx.fail(
                "invalid_argument",
                f"`attention_axes` of MultiHeadAttention holds {a!r}, which is not a valid axis of the "
                f"projected {value_rank}-D value; use axes between 1 and {value_rank - 2} "
                "(the sequence axes, not the batch or feature axis)",
                expected=f"axes in 1..{max(1, value_rank - 2)}",
                actual=f"attention_axes={axes!r}",
                argument="attention_axes",
                hint={"arg": "attention_axes", "min": 1, "max": max(1, value_rank - 2)},
            )


def _mha_args(ctx: Ctx):
    _int_at_least(ctx, "num_heads", 1)
    _int_at_least(ctx, "key_dim", 1)
    _int_at_least(ctx, "value_dim", 1, allow_none=True, required=False)
    out_shape = _mha_output_shape(ctx)
    _sliding_window(ctx)
    _flash_dropout(ctx)
    return out_shape


def _sliding_window(ctx: Ctx) -> None:
    sw = ctx.arg("sliding_window", None)
    if sw is not None and (not isinstance(sw, int) or sw <= 0):
        ctx.fail(
            "invalid_argument",
            f"`sliding_window` of {ctx.kind} must be None or a positive integer, received sliding_window={sw!r}",
            expected="None | int > 0",
            actual=f"sliding_window={sw!r}",
            argument="sliding_window",
            hint={"arg": "sliding_window", "min": 1},
        )


def _flash_dropout(ctx: Ctx) -> None:
    dropout = ctx.arg("dropout", 0.0)
    if ctx.arg("flash_attention", None) and isinstance(dropout, (int, float)) and dropout > 0:
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} does not support dropout={dropout!r} with flash_attention=True; set dropout=0.0 "
            "or flash_attention=False",
            expected="dropout == 0 with flash_attention",
            actual=f"dropout={dropout!r}",
            argument="dropout",
            hint={"arg": "dropout", "value": 0.0},
        )


@register("MultiHeadAttention", arity=(2, 3))
def multi_head_attention(ctx: Ctx):
    out_shape = _mha_args(ctx)
    _positional_call(ctx)
    query, value = ctx.shape(0), ctx.shape(1)
    key = ctx.shape(2) if len(ctx.inputs) > 2 else value
    _value_key_agree(ctx, value, key)
    _last_defined(ctx, 0, "query")
    _last_defined(ctx, 2 if len(ctx.inputs) > 2 else 1, "key")
    _last_defined(ctx, 1, "value")
    _mha_attention_axes(ctx, len(value))
    out = tuple(query[:-1]) + out_shape if out_shape is not None else tuple(query)
    if ctx.layer.call_args.get("return_attention_scores"):
        length = query[1] if len(query) > 1 else None
        return [out, (query[0], ctx.arg("num_heads"), length, length)]
    return out


@register("GroupQueryAttention", arity=(2, 3))
def group_query_attention(ctx: Ctx):
    for name in ("head_dim", "num_query_heads", "num_key_value_heads"):
        _int_at_least(ctx, name, 1)
    q_heads, kv_heads = ctx.arg("num_query_heads"), ctx.arg("num_key_value_heads")
    if q_heads % kv_heads:
        ctx.fail(
            "invalid_argument",
            f"`num_query_heads` ({q_heads}) of GroupQueryAttention must be divisible by "
            f"`num_key_value_heads` ({kv_heads}); pick num_key_value_heads among the divisors of {q_heads}",
            expected="num_query_heads % num_key_value_heads == 0",
            actual=f"{q_heads} % {kv_heads} = {q_heads % kv_heads}",
            argument="num_key_value_heads",
            hint={"arg": "num_key_value_heads", "divides": q_heads},
        )
    _sliding_window(ctx)
    _flash_dropout(ctx)
    _positional_call(ctx)
    roles = ("query", "value", "key")
    for i in range(min(len(ctx.inputs), 3)):
        ctx.input_rank(3, f"`{roles[i]}` (batch, sequence, features)", index=i)
    query, value = ctx.shape(0), ctx.shape(1)
    key = ctx.shape(2) if len(ctx.inputs) > 2 else value
    _last_defined(ctx, 0, "query")
    _last_defined(ctx, 2 if len(ctx.inputs) > 2 else 1, "key")
    _last_defined(ctx, 1, "value")
    if query[-1] != value[-1]:
        ctx.fail(
            "merge_shape_mismatch",
            f"GroupQueryAttention needs `query` and `value` to have the same feature size, received "
            f"query {fmt_shape(query)} and value {fmt_shape(value)}; project one of them (e.g. with Dense) "
            "to the other's size",
            expected=f"value.shape[-1] == {query[-1]}",
            actual=f"value.shape[-1] == {value[-1]}",
            hint={"inputs": (0, 1), "axis": -1, "value": query[-1]},
        )
    _value_key_agree(ctx, value, key)
    if ctx.layer.call_args.get("return_attention_scores"):
        return [tuple(query), (query[0], q_heads, query[1], key[1])]
    return tuple(query)


# ---- Attention / AdditiveAttention --------------------------------------------------


@register("Attention", "AdditiveAttention", arity=(2, 3))
def dot_attention(ctx: Ctx):
    score_mode = ctx.arg("score_mode", "dot")
    if score_mode not in ("dot", "concat"):
        ctx.fail(
            "invalid_argument",
            f"`score_mode` of {ctx.kind} must be 'dot' or 'concat' (lower case), received score_mode={score_mode!r}",
            expected="dot | concat",
            actual=f"score_mode={score_mode!r}",
            argument="score_mode",
            hint={"arg": "score_mode", "choices": ["dot", "concat"]},
        )
    if not ctx.layer.list_input:
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} must be called on a list [query, value] or [query, value, key], not on separate "
            "tensors; write layer([query, value])",
            expected="layer([query, value])",
            actual="called with separate tensors",
            hint={"call": "list"},
        )
    if not 2 <= len(ctx.inputs) <= 3:
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} takes a list of 2 or 3 tensors [query, value(, key)], received {len(ctx.inputs)}; "
            "for self-attention pass [x, x]",
            expected="2 or 3 inputs",
            actual=f"{len(ctx.inputs)} input(s)",
            hint={"min_inputs": 2, "max_inputs": 3, "got_inputs": len(ctx.inputs)},
        )
    for i in range(len(ctx.inputs)):
        ctx.min_rank(1, index=i)
    query, value = ctx.shape(0), ctx.shape(1)
    key = ctx.shape(2) if len(ctx.inputs) > 2 else value
    if ctx.kind == "AdditiveAttention" and ctx.arg("use_scale", True):
        _last_defined(ctx, 0, "query")  # the scale vector has the query's feature size
    out = tuple(query[:-1]) + (value[-1],)
    for conflict in runtime_conflicts(ctx.kind, [query, value, key]):
        # Keras builds this model, so it is not an error; it fails when run
        ctx.warn(
            "merge_shape_mismatch",
            f"{ctx.kind}: {conflict}; Keras builds the model but the attention fails when it runs",
            expected="query features == key features, value length == key length",
            actual=conflict,
        )
    if ctx.layer.call_args.get("return_attention_scores"):
        return [out, tuple(query[:-1]) + (key[-2] if len(key) > 1 else None,)]
    return out


def runtime_conflicts(kind: str, shapes: list) -> list[str]:
    """Dims that Keras accepts when building but that clash when the attention runs:
    query·key needs equal feature sizes and value/key need the same sequence length."""
    if kind not in ("Attention", "AdditiveAttention") or len(shapes) < 2 or any(s is None for s in shapes):
        return []
    query, value = shapes[0], shapes[1]
    key = shapes[2] if len(shapes) > 2 else value
    out = []
    if query[-1] is not None and key[-1] is not None and query[-1] != key[-1]:
        out.append(f"query features {query[-1]} != key features {key[-1]}")
    if len(value) > 1 and len(key) > 1 and None not in (value[-2], key[-2]) and value[-2] != key[-2]:
        out.append(f"value length {value[-2]} != key length {key[-2]}")
    return out


# ---- examples -----------------------------------------------------------------------


def _mha(args, inputs, **kw):
    return Example("MultiHeadAttention", args, inputs, list_call=False, **kw)


EXAMPLES = [
    _mha({"num_heads": 2, "key_dim": 4}, [(None, 5, 8), (None, 7, 6)], out=(None, 5, 8)),
    _mha(
        {"num_heads": 2, "key_dim": 4},
        [(None, 5, 8), (None, 7, 6), (None, 7, 3)],
        out=(None, 5, 8),
        note="key may have its own feature size",
    ),
    _mha({"num_heads": 2, "key_dim": 4}, [(None, 5, 8), (None, 5, 8)], out=(None, 5, 8), note="self-attention"),
    _mha({"num_heads": 2, "key_dim": 4, "output_shape": 10}, [(None, 5, 8), (None, 7, 6)], out=(None, 5, 10)),
    _mha({"num_heads": 2, "key_dim": 4, "output_shape": (2, 5)}, [(None, 5, 8), (None, 7, 6)], out=(None, 5, 2, 5)),
    _mha(
        {"num_heads": 2, "key_dim": 4, "output_shape": 0},
        [(None, 5, 8), (None, 7, 6)],
        out=(None, 5, 8),
        note="a falsy output_shape means the query's feature size",
    ),
    _mha({"num_heads": 2, "key_dim": 4, "value_dim": 3}, [(None, None, 8), (None, None, 6)], out=(None, None, 8)),
    _mha(
        {"num_heads": 2, "key_dim": 4, "attention_axes": (1, 2)},
        [(None, 5, 6, 8), (None, 7, 3, 6)],
        out=(None, 5, 6, 8),
    ),
    _mha({"num_heads": 2, "key_dim": 4}, [(None, 5, 6, 8), (None, 4, 3, 6)], out=(None, 5, 6, 8)),
    _mha({"num_heads": 2, "key_dim": 4}, [(None, 8), (None, 6)], out=(None, 8)),
    _mha(
        {"num_heads": 2, "key_dim": 4},
        [(None, 5, 8), (None, 7, 6), (None, 6, 3)],
        error="merge_shape_mismatch",
        note="value and key must share every axis but the last",
        code="NNR102",
        argument="",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 4},
        [(None, 5, 8), (None, 7, 6), (None, 7)],
        error="merge_shape_mismatch",
        code="NNR102",
        argument="",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 4},
        [(None, 5, None), (None, 7, 6)],
        error="undefined_dim",
        code="NNR105",
        argument="",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 4},
        [(None, 5, 8), (None, 7, None)],
        error="undefined_dim",
        code="NNR105",
        argument="",
    ),
    _mha(
        {"num_heads": 0, "key_dim": 4},
        [(None, 5, 8), (None, 7, 6)],
        error="invalid_argument",
        code="NNR201",
        argument="num_heads",
    ),
    _mha(
        {"num_heads": 2.0, "key_dim": 4},
        [(None, 5, 8), (None, 7, 6)],
        error="invalid_argument",
        code="NNR201",
        argument="num_heads",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 0},
        [(None, 5, 8), (None, 7, 6)],
        error="invalid_argument",
        code="NNR201",
        argument="key_dim",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 4, "value_dim": -1},
        [(None, 5, 8), (None, 7, 6)],
        error="invalid_argument",
        code="NNR201",
        argument="value_dim",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 4, "output_shape": -3},
        [(None, 5, 8), (None, 7, 6)],
        error="invalid_argument",
        code="NNR201",
        argument="output_shape",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 4, "output_shape": 2.0},
        [(None, 5, 8), (None, 7, 6)],
        error="invalid_argument",
        code="NNR201",
        argument="output_shape",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 4, "attention_axes": "1"},
        [(None, 5, 8), (None, 7, 6)],
        error="invalid_argument",
        code="NNR201",
        argument="attention_axes",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 4, "attention_axes": 5},
        [(None, 5, 6, 8), (None, 5, 3, 6)],
        error="invalid_argument",
        code="NNR201",
        argument="attention_axes",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 4, "sliding_window": 0},
        [(None, 5, 8), (None, 7, 6)],
        error="invalid_argument",
        code="NNR201",
        argument="sliding_window",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 4},
        [(None, 5, 8)],
        error="invalid_argument",
        note="value is required",
        code="NNR201",
        argument="",
    ),
    Example(
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 4},
        [(None, 5, 8), (None, 7, 6)],
        list_call=True,
        error="invalid_argument",
        note="MHA takes separate tensors, not a list",
        code="NNR201",
        argument="",
    ),
    Example(
        "GroupQueryAttention",
        {"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2},
        [(None, 5, 8), (None, 7, 8)],
        list_call=False,
        out=(None, 5, 8),
    ),
    Example(
        "GroupQueryAttention",
        {"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2},
        [(None, 5, 8), (None, 7, 8), (None, 7, 3)],
        list_call=False,
        out=(None, 5, 8),
    ),
    Example(
        "GroupQueryAttention",
        {"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 3},
        [(None, 5, 8), (None, 7, 8)],
        list_call=False,
        error="invalid_argument",
        code="NNR201",
        argument="num_key_value_heads",
    ),
    Example(
        "GroupQueryAttention",
        {"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2},
        [(None, 5, 8), (None, 7, 6)],
        list_call=False,
        error="merge_shape_mismatch",
        code="NNR102",
        argument="",
    ),
    Example(
        "GroupQueryAttention",
        {"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2},
        [(None, 5, 8), (None, 7, 8), (None, 6, 3)],
        list_call=False,
        error="merge_shape_mismatch",
        code="NNR102",
        argument="",
    ),
    Example(
        "GroupQueryAttention",
        {"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2},
        [(None, 8), (None, 8)],
        list_call=False,
        error="rank_mismatch",
        code="NNR101",
        argument="",
    ),
    # Attention / AdditiveAttention
    Example("Attention", {}, [(None, 5, 8), (None, 7, 8)], out=(None, 5, 8)),
    Example(
        "Attention",
        {"use_scale": True, "score_mode": "concat"},
        [(None, 5, 8), (None, 7, 8), (None, 7, 8)],
        out=(None, 5, 8),
    ),
    Example(
        "Attention",
        {},
        [(None, 5, 8), (None, 7, 6), (None, 7, 8)],
        out=(None, 5, 6),
        note="output takes value's feature size",
    ),
    Example("Attention", {}, [(None, 8), (None, 8)], out=(None, 8)),
    Example("Attention", {}, [(None, 5, None), (None, 7, 8)], out=(None, 5, 8)),
    Example(
        "Attention",
        {},
        [(None, 5, 8), (None, 7, 6)],
        out=(None, 5, 6),
        note="Keras builds this; the dot product would fail at run time (see runtime_conflicts)",
    ),
    Example(
        "Attention",
        {"score_mode": "add"},
        [(None, 5, 8), (None, 7, 8)],
        error="invalid_argument",
        code="NNR201",
        argument="score_mode",
    ),
    Example(
        "Attention",
        {"score_mode": "DOT"},
        [(None, 5, 8), (None, 7, 8)],
        error="invalid_argument",
        code="NNR201",
        argument="score_mode",
    ),
    Example("Attention", {}, [(None, 5, 8)], error="invalid_argument", code="NNR201", argument=""),
    Example("Attention", {}, [(None, 5, 8)] * 4, error="invalid_argument", code="NNR201", argument=""),
    Example(
        "Attention",
        {},
        [(None, 5, 8), (None, 7, 8)],
        list_call=False,
        error="invalid_argument",
        code="NNR201",
        argument="",
    ),
    Example("AdditiveAttention", {}, [(None, 5, 8), (None, 7, 8)], out=(None, 5, 8)),
    Example("AdditiveAttention", {}, [(None, 5, 6, 8), (None, 7, 8)], out=(None, 5, 6, 8)),
    Example("AdditiveAttention", {"use_scale": False}, [(None, 5, None), (None, 7, 8)], out=(None, 5, 8)),
    Example(
        "AdditiveAttention",
        {},
        [(None, 5, None), (None, 7, 8)],
        error="undefined_dim",
        note="use_scale=True builds a scale of the query's feature size",
        code="NNR105",
        argument="",
    ),
    Example("AdditiveAttention", {}, [(None, 5, 8)], error="invalid_argument", code="NNR201", argument=""),
    Example(
        "AdditiveAttention",
        {"score_mode": "cos"},
        [(None, 5, 8), (None, 7, 8)],
        error="invalid_argument",
        code="NNR201",
        argument="score_mode",
    ),
    Example(
        "AdditiveAttention",
        {},
        [(None, 5, 8), (None, 7, 8)],
        list_call=False,
        error="invalid_argument",
        code="NNR201",
        argument="",
    ),
]
