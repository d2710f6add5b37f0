"""Recurrent layers and the wrappers: SimpleRNN, LSTM, GRU, ConvLSTM1D/2D/3D,
Bidirectional, TimeDistributed.

Keras 3 builds these symbolically through `compute_output_shape` (the
recurrent loop never runs while building), so the preconditions are the
constructor checks, the input_spec rank, and the weight creation in build.
"""

from __future__ import annotations

from ..diagnostics import fmt_shape
from ..ir import Layer, is_unknown
from .base import (
    REGISTRY,
    Ctx,
    Example,
    Unknown,
    Violation,
    conv_output_length,
    dim_defined,
    register,
    weights_of,
)

# Recurrent kinds -> number of state tensors returned with return_state=True.
STATE_COUNT = {"SimpleRNN": 1, "GRU": 1, "LSTM": 2, "ConvLSTM1D": 2, "ConvLSTM2D": 2, "ConvLSTM3D": 2}
CONV_LSTM_RANK = {"ConvLSTM1D": 1, "ConvLSTM2D": 2, "ConvLSTM3D": 3}
RECURRENT_KINDS = tuple(STATE_COUNT)
# gates per cell: the kernel holds `units * gates` columns
GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}


def output_count(kind: str, args, inner: Layer | None = None) -> int:
    """How many tensors a call returns (frontends use it to unpack `out, h, c = LSTM(...)(x)`).

    LSTM/ConvLSTM with return_state: output + 2 states; GRU/SimpleRNN: output + 1.
    Bidirectional: 2 outputs when merge_mode=None, plus the forward and backward states.
    """
    if kind in STATE_COUNT:
        return 1 + STATE_COUNT[kind] if args.get("return_state") is True else 1
    if kind == "Bidirectional" and inner is not None:
        outs = 2 if "merge_mode" in args and args["merge_mode"] is None else 1
        if inner.kind in STATE_COUNT and inner.args.get("return_state") is True:
            outs += 2 * STATE_COUNT[inner.kind]
        return outs
    return 1


# ---- shared checks ------------------------------------------------------------------


def _int_arg(ctx: Ctx, name: str, minimum: int, default=None, required: bool = True) -> int:
    """An integer argument >= minimum. Keras 3 accepts bool (True == 1) but not floats."""
    value = ctx.required(name) if required else ctx.arg(name, default)
    if isinstance(value, bool):
        value = int(value)
    if not isinstance(value, int) or value < minimum:
        req = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        ctx.fail(
            "invalid_argument",
            f"`{name}` of {ctx.kind} must be {req}, received {name}={value!r}; "
            f"set {name} to {req} (e.g. {name}={max(minimum, 32) if minimum else 32})",
            expected=f"{name} >= {minimum}",
            actual=f"{name}={value!r}",
            argument=name,
            hint={"arg": name, "min": minimum},
        )
    return value


def _sequence_input(ctx: Ctx, rank: int, layout: str):
    """The input must be a sequence of `rank` dims; the most common real bug is an
    RNN fed the 2-D output of Dense/Flatten or of an RNN without return_sequences."""
    s = ctx.shape(0)
    if len(s) == rank:
        return s
    got = len(s)
    if got < rank:
        todo = (
            "add a Reshape((timesteps, features)) or RepeatVector(n) before it, or set "
            "return_sequences=True on the previous recurrent layer"
            if rank == 3
            else "add a Reshape that restores the time and spatial axes"
        )
    else:
        todo = (
            "collapse the extra axes with Reshape/TimeDistributed(Flatten()), or use a ConvLSTM layer"
            if rank == 3
            else "reshape the input to (batch, time, spatial..., channels)"
        )
    ctx.fail(
        "rank_mismatch",
        f"{ctx.kind} expects a {rank}-D input {layout} but receives {got}-D {fmt_shape(s)}; {todo}",
        expected=f"ndim={rank}",
        actual=f"ndim={got}",
        hint={"need_rank": (rank,), "got_rank": got, "input": 0},
    )


def _stateful_batch(ctx: Ctx, shape) -> None:
    if ctx.arg("stateful", False) and shape[0] is None:
        ctx.fail(
            "undefined_dim",
            f"{ctx.kind} with stateful=True needs a fixed batch size, but its input {fmt_shape(shape)} "
            "has batch size None; declare Input(batch_shape=(B, ...)) or set stateful=False",
            argument="stateful",
            expected="static batch size",
            actual=f"shape={fmt_shape(shape)}",
            hint={"arg": "stateful", "value": False},
        )


def _with_states(ctx: Ctx, output, state):
    if ctx.arg("return_state", False):
        return [output] + [state] * STATE_COUNT[ctx.kind]
    return output


# ---- SimpleRNN / LSTM / GRU ---------------------------------------------------------


@register("SimpleRNN", "LSTM", "GRU")
def rnn(ctx: Ctx):
    units = _int_arg(ctx, "units", 1)
    if ctx.kind in ("LSTM", "GRU"):
        cudnn = ctx.arg("use_cudnn", "auto")
        if cudnn not in ("auto", True, False):
            ctx.fail(
                "invalid_argument",
                f"`use_cudnn` of {ctx.kind} must be 'auto', True or False, received use_cudnn={cudnn!r}",
                expected="'auto' | True | False",
                actual=f"use_cudnn={cudnn!r}",
                argument="use_cudnn",
                hint={"arg": "use_cudnn", "choices": ["auto", True, False]},
            )
    s = _sequence_input(ctx, 3, "(batch, timesteps, features)")
    dim_defined(ctx, s, -1, "the features axis (last)")
    _stateful_batch(ctx, s)
    out = (s[0], s[1], units) if ctx.arg("return_sequences", False) else (s[0], units)
    return _with_states(ctx, out, (s[0], units))


@weights_of("SimpleRNN", "LSTM", "GRU")
def rnn_weights(ctx: Ctx) -> list:
    rnn(ctx)  # the preconditions hold before weights exist
    features = ctx.input_shape[-1]
    units = int(ctx.arg("units"))
    cols = units * GATES[ctx.kind]
    w: list[tuple] = [(features, cols), (units, cols)]
    if ctx.arg("use_bias", True):
        if ctx.kind == "GRU" and ctx.arg("reset_after", True):
            w.append((2, cols))  # separate input and recurrent biases
        else:
            w.append((cols,))
    return w


# ---- ConvLSTM1D/2D/3D ---------------------------------------------------------------


def _conv_lstm_args(ctx: Ctx):
    rank = CONV_LSTM_RANK[ctx.kind]
    filters = _int_arg(ctx, "filters", 0)  # Keras 3 accepts filters=0
    kernel = ctx.int_tuple("kernel_size", rank)
    strides = ctx.int_tuple("strides", rank, default=1)
    padding = ctx.arg("padding", "valid")
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        ctx.fail(
            "invalid_argument",
            f"`padding` of {ctx.kind} must be 'valid' or 'same', received padding={padding!r}",
            expected="valid | same",
            actual=f"padding={padding!r}",
            argument="padding",
            hint={"arg": "padding", "choices": ["valid", "same"]},
        )
    padding = padding.lower()
    data_format = ctx.data_format()
    dilation = ctx.int_tuple("dilation_rate", rank, default=1)
    if max(strides) > 1 and max(dilation) > 1:
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} cannot combine strides > 1 with dilation_rate > 1 (received strides={strides}, "
            f"dilation_rate={dilation}); set strides=1 or dilation_rate=1",
            expected="strides == 1 or dilation_rate == 1",
            actual=f"strides={strides}, dilation_rate={dilation}",
            argument="dilation_rate",
            hint={"arg": "dilation_rate", "value": 1},
        )
    return rank, filters, kernel, strides, padding, data_format, dilation


def _conv_lstm_step(ctx: Ctx, s, rank, filters, kernel, strides, padding, data_format, dilation):
    """Output shape of one step (without batch and time axes)."""
    spatial = s[3:] if data_format == "channels_first" else s[2:-1]
    channel_axis = 2 if data_format == "channels_first" else -1
    if None in spatial:
        ctx.fail(
            "undefined_dim",
            f"{ctx.kind} needs static spatial dimensions, but its input {fmt_shape(s)} has an undefined "
            "(None) spatial axis; give the input fixed spatial sizes",
            expected="spatial dims defined",
            actual=f"shape={fmt_shape(s)}",
            hint={"axes": "spatial"},
        )
    dim_defined(ctx, s, channel_axis, "the channels axis")
    out = []
    for i, length in enumerate(spatial):
        n = conv_output_length(length, kernel[i], padding, strides[i], dilation[i])
        if padding == "valid" and n is not None and n <= 0:
            ctx.fail(
                "non_positive_dim",
                f"{ctx.kind} with kernel_size={kernel}, strides={strides}, dilation_rate={dilation} and "
                f"padding='valid' on input {fmt_shape(s)} gives a spatial size of {n} on axis {i}; use a "
                "smaller kernel_size or padding='same', or a larger input",
                expected="output size > 0",
                actual=f"output size {n}",
                argument="kernel_size",
                hint={"arg": "kernel_size", "max": max(1, (length - 1) // dilation[i] + 1), "axis": i},
            )
        out.append(n)
    if data_format == "channels_first":
        return (filters,) + tuple(out)
    return tuple(out) + (filters,)


@register("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
def conv_lstm(ctx: Ctx):
    params = _conv_lstm_args(ctx)
    rank = params[0]
    channels_first = params[5] == "channels_first"
    layout = "(batch, time, channels, spatial...)" if channels_first else "(batch, time, spatial..., channels)"
    s = _sequence_input(ctx, rank + 3, layout)
    step = _conv_lstm_step(ctx, s, *params)
    _stateful_batch(ctx, s)
    out = (s[0], s[1]) + step if ctx.arg("return_sequences", False) else (s[0],) + step
    return _with_states(ctx, out, (s[0],) + step)


@weights_of("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
def conv_lstm_weights(ctx: Ctx) -> list:
    conv_lstm(ctx)  # the preconditions hold before weights exist
    rank, filters, kernel, *_ = _conv_lstm_args(ctx)
    s = ctx.input_shape
    channels = s[2] if ctx.data_format() == "channels_first" else s[-1]
    w = [kernel + (channels, filters * 4), kernel + (filters, filters * 4)]
    if ctx.arg("use_bias", True):
        w.append((filters * 4,))
    return w


# ---- wrappers -----------------------------------------------------------------------


def _inner(ctx: Ctx) -> Layer:
    inner = ctx.layer.inner
    if inner is None:
        inner = ctx.layer.args.get("layer")
    if not isinstance(inner, Layer):
        if inner is None or is_unknown(inner) or isinstance(inner, dict):
            raise Unknown(f"the layer wrapped by {ctx.kind}")
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} must wrap a Keras layer instance, received layer={inner!r}",
            expected="layer=<keras.layers.Layer>",
            actual=f"layer={inner!r}",
            argument="layer",
        )
    return inner


def _run_inner(ctx: Ctx, inner: Layer, shape, weights: bool = False):
    """Evaluate the wrapped layer's unit on `shape`; its failures are reported on the
    wrapper, naming the inner layer."""
    unit = REGISTRY.get(inner.kind)
    if unit is None:
        raise Unknown(f"{inner.kind} wrapped by {ctx.kind}")
    sub = Ctx(layer=inner, inputs=[shape])
    try:
        if weights:
            return unit.weights(sub) if unit.weights is not None else None
        return unit.output(sub)
    except Violation as v:
        hint = v.hint.as_dict() if v.hint is not None else {}
        hint.update({"wrapper": ctx.kind, "inner": inner.kind, "inner_arg": v.argument})
        raise Violation(
            v.kind,
            f"{ctx.kind}({inner.kind}): {v.message}",
            expected=v.expected,
            actual=v.actual,
            argument=None,
            hint=hint,
            code=v.code,
        ) from None


def _check_backward(ctx: Ctx, forward: Layer, backward: Layer) -> None:
    if backward.kind not in RECURRENT_KINDS:
        if backward.kind not in REGISTRY:
            raise Unknown(f"backward_layer {backward.kind}")
        ctx.fail(
            "invalid_argument",
            f"`backward_layer` of Bidirectional must be a recurrent layer, received {backward.kind}",
            expected="a recurrent layer",
            actual=f"backward_layer={backward.kind}",
            argument="backward_layer",
        )
    fwd_back = bool(forward.args.get("go_backwards", False))
    bwd_back = bool(backward.args.get("go_backwards", False))
    if is_unknown(forward.args.get("go_backwards")) or is_unknown(backward.args.get("go_backwards")):
        raise Unknown("go_backwards")
    if fwd_back == bwd_back:
        ctx.fail(
            "invalid_argument",
            f"Bidirectional's forward and backward layers must differ in go_backwards (both are {fwd_back}); "
            "set go_backwards=True on the backward layer only",
            expected="different go_backwards",
            actual=f"go_backwards={fwd_back} for both",
            argument="backward_layer",
            hint={"arg": "go_backwards", "value": not fwd_back, "layer": "backward_layer"},
        )
    for attr in ("stateful", "return_sequences", "return_state"):
        a, b = forward.args.get(attr, False), backward.args.get(attr, False)
        if is_unknown(a) or is_unknown(b):
            raise Unknown(attr)
        if bool(a) != bool(b):
            ctx.fail(
                "invalid_argument",
                f"Bidirectional's forward and backward layers must agree on {attr} "
                f"(forward {attr}={a}, backward {attr}={b}); set the same value on both",
                expected=f"same {attr}",
                actual=f"forward={a}, backward={b}",
                argument="backward_layer",
                hint={"arg": attr, "value": bool(a), "layer": "backward_layer"},
            )


@register("Bidirectional")
def bidirectional(ctx: Ctx):
    forward = _inner(ctx)
    merge_mode = ctx.arg("merge_mode", "concat")
    if merge_mode not in ("sum", "mul", "ave", "concat", None):
        ctx.fail(
            "invalid_argument",
            f"`merge_mode` of Bidirectional must be one of 'sum', 'mul', 'ave', 'concat' or None "
            f"(lower case), received merge_mode={merge_mode!r}",
            expected="sum | mul | ave | concat | None",
            actual=f"merge_mode={merge_mode!r}",
            argument="merge_mode",
            hint={"arg": "merge_mode", "choices": ["sum", "mul", "ave", "concat", None]},
        )
    if forward.kind not in RECURRENT_KINDS:
        if forward.kind not in REGISTRY:
            raise Unknown(f"{forward.kind} wrapped by Bidirectional")
        ctx.fail(
            "invalid_argument",
            f"Bidirectional wraps a recurrent layer (LSTM, GRU, SimpleRNN, ConvLSTM*), received "
            f"{forward.kind}; wrap a recurrent layer or remove the Bidirectional wrapper",
            expected="a recurrent layer",
            actual=f"layer={forward.kind}",
            argument="layer",
            hint={"arg": "layer", "choices": list(RECURRENT_KINDS)},
        )
    backward = ctx.layer.args.get("backward_layer")
    if is_unknown(backward):
        raise Unknown("backward_layer")
    if backward is not None and not isinstance(backward, Layer):
        ctx.fail(
            "invalid_argument",
            f"`backward_layer` of Bidirectional must be a Keras layer instance, received {backward!r}",
            expected="a recurrent layer",
            actual=f"backward_layer={backward!r}",
            argument="backward_layer",
        )
    if backward is None:
        if is_unknown(forward.args.get("go_backwards", False)):
            raise Unknown("go_backwards")
        if forward.args.get("go_backwards", False):
            ctx.fail(
                "invalid_argument",
                f"Bidirectional creates the backward copy of {forward.kind} with go_backwards=True, so the "
                f"wrapped layer must not set go_backwards=True itself; remove go_backwards from {forward.kind}",
                expected="go_backwards=False on the wrapped layer",
                actual="go_backwards=True",
                argument="layer",
                hint={"arg": "go_backwards", "value": False, "layer": "layer"},
            )
    else:
        _check_backward(ctx, forward, backward)

    shape = ctx.shape(0)
    out = _run_inner(ctx, forward, shape)
    if backward is not None:
        _run_inner(ctx, backward, shape)  # it is built on the same input
    states: list = []
    if isinstance(out, list):
        out, states = out[0], out[1:]
    if merge_mode == "concat":
        out = tuple(out[:-1]) + (out[-1] * 2,)
    outputs = [out, out] if merge_mode is None else [out]
    if states:
        return outputs + states + states
    return outputs if merge_mode is None else out


@weights_of("Bidirectional")
def bidirectional_weights(ctx: Ctx) -> list:
    bidirectional(ctx)  # the preconditions hold before weights exist
    forward = _inner(ctx)
    backward = ctx.layer.args.get("backward_layer") or forward
    fw = _run_inner(ctx, forward, ctx.input_shape, weights=True)
    bw = _run_inner(ctx, backward, ctx.input_shape, weights=True)
    if fw is None or bw is None:
        raise Unknown("weights of the wrapped layer")
    return list(fw) + list(bw)


def _time_distributed_child(ctx: Ctx):
    s = ctx.shape(0)
    if len(s) < 3:
        ctx.fail(
            "rank_mismatch",
            f"TimeDistributed expects an input of at least 3 dimensions (batch, time, ...) but receives "
            f"{len(s)}-D {fmt_shape(s)}; add a time axis (e.g. RepeatVector or Reshape) or remove the "
            "TimeDistributed wrapper",
            expected="min_ndim=3",
            actual=f"ndim={len(s)}",
            hint={"need_rank": (3, 4, 5), "got_rank": len(s), "input": 0},
        )
    return s, (s[0],) + tuple(s[2:])


@register("TimeDistributed")
def time_distributed(ctx: Ctx):
    inner = _inner(ctx)
    s, child = _time_distributed_child(ctx)
    out = _run_inner(ctx, inner, child)
    if isinstance(out, list):
        ctx.fail(
            "invalid_argument",
            f"TimeDistributed needs a single-output layer, but {inner.kind} returns {len(out)} tensors "
            "(e.g. return_state=True); set return_state=False on the wrapped layer",
            expected="one output",
            actual=f"{len(out)} outputs",
            argument="layer",
            hint={"arg": "return_state", "value": False, "layer": "layer"},
        )
    if out is None:
        raise Unknown(f"output of {inner.kind}")
    return (out[0], s[1]) + tuple(out[1:])


@weights_of("TimeDistributed")
def time_distributed_weights(ctx: Ctx) -> list:
    time_distributed(ctx)  # the preconditions hold before weights exist
    inner = _inner(ctx)
    _, child = _time_distributed_child(ctx)
    w = _run_inner(ctx, inner, child, weights=True)
    if w is None:
        raise Unknown(f"weights of {inner.kind}")
    return list(w)


# ---- examples -----------------------------------------------------------------------

EXAMPLES = [
    # SimpleRNN / LSTM / GRU
    Example("LSTM", {"units": 4}, (None, 10, 8), out=(None, 4)),
    Example("LSTM", {"units": 4, "return_sequences": True}, (None, 10, 8), out=(None, 10, 4)),
    Example(
        "LSTM",
        {"units": 4, "return_state": True},
        (None, 10, 8),
        out=[(None, 4), (None, 4), (None, 4)],
        note="return_state: [output, h, c]",
    ),
    Example(
        "LSTM",
        {"units": 4, "return_sequences": True, "return_state": True},
        (2, None, 8),
        out=[(2, None, 4), (2, 4), (2, 4)],
        note="timesteps may be undefined",
    ),
    Example(
        "LSTM",
        {"units": 4},
        (None, 64),
        error="rank_mismatch",
        note="the classic: LSTM after Dense/Flatten or after an RNN without return_sequences",
        code="NNR101",
        argument="",
    ),
    Example("LSTM", {"units": 4}, (None, 5, 6, 7), error="rank_mismatch", code="NNR101", argument=""),
    Example("LSTM", {"units": 0}, (None, 5, 6), error="invalid_argument", code="NNR201", argument="units"),
    Example("LSTM", {"units": -3}, (None, 5, 6), error="invalid_argument", code="NNR201", argument="units"),
    Example(
        "LSTM",
        {"units": 4.0},
        (None, 5, 6),
        error="invalid_argument",
        note="a float fails at build",
        code="NNR201",
        argument="units",
    ),
    Example("LSTM", {"units": 4}, (None, 5, None), error="undefined_dim", code="NNR105", argument=""),
    Example(
        "LSTM",
        {"units": 4, "use_cudnn": "yes"},
        (None, 5, 6),
        error="invalid_argument",
        code="NNR201",
        argument="use_cudnn",
    ),
    Example(
        "LSTM",
        {"units": 4, "stateful": True},
        (None, 5, 6),
        error="undefined_dim",
        code="NNR105",
        argument="stateful",
        fix={"stateful": False},
    ),
    Example("LSTM", {"units": 4, "stateful": True}, (3, 5, 6), out=(3, 4)),
    Example(
        "LSTM",
        {"units": 4, "go_backwards": True, "unroll": True},
        (None, None, 6),
        out=(None, 4),
        note="unroll is irrelevant when building symbolically",
    ),
    Example("LSTM", {"units": 4}, (None, 0, 6), out=(None, 4)),
    Example("LSTM", {"units": 3}, (None, 5, 6), weights=((6, 12), (3, 12), (12,)), out=(None, 3)),
    Example(
        "LSTM",
        {"units": 3},
        (None, 5, 6),
        weights=((6, 9), (3, 9), (9,)),
        error="weight_shape",
        code="NNR301",
        argument="weights",
    ),
    Example("GRU", {"units": 5}, (None, 7, 3), out=(None, 5)),
    Example("GRU", {"units": 5, "return_state": True}, (None, 7, 3), out=[(None, 5), (None, 5)]),
    Example(
        "GRU", {"units": 5, "return_sequences": True, "return_state": True}, (None, 7, 3), out=[(None, 7, 5), (None, 5)]
    ),
    Example("GRU", {"units": 5}, (None, 3), error="rank_mismatch", code="NNR101", argument=""),
    Example("GRU", {"units": 0}, (None, 7, 3), error="invalid_argument", code="NNR201", argument="units"),
    Example("GRU", {"units": 5}, (None, 7, None), error="undefined_dim", code="NNR105", argument=""),
    Example(
        "GRU",
        {"units": 2},
        (None, 7, 3),
        weights=((3, 6), (2, 6), (2, 6)),
        out=(None, 2),
        note="reset_after=True (default): bias of shape (2, 3*units)",
    ),
    Example("GRU", {"units": 2, "reset_after": False}, (None, 7, 3), weights=((3, 6), (2, 6), (6,)), out=(None, 2)),
    Example(
        "GRU",
        {"units": 2},
        (None, 7, 3),
        weights=((3, 6), (2, 6), (6,)),
        error="weight_shape",
        code="NNR301",
        argument="weights",
    ),
    Example(
        "GRU",
        {"units": 2, "use_cudnn": 1.5},
        (None, 7, 3),
        error="invalid_argument",
        code="NNR201",
        argument="use_cudnn",
    ),
    Example("SimpleRNN", {"units": 8}, (None, 4, 2), out=(None, 8)),
    Example("SimpleRNN", {"units": 8, "activation": "relu"}, (None, 4, 2), out=(None, 8)),
    Example(
        "SimpleRNN",
        {"units": 8, "activation": "Relu"},
        (None, 4, 2),
        error="invalid_argument",
        note="activation names are case-sensitive",
        code="NNR204",
        argument="activation",
        fix={"activation": "relu"},
    ),
    Example("LSTM", {"units": 4, "recurrent_activation": "hard_sigmoid"}, (None, 5, 6), out=(None, 4)),
    Example(
        "GRU",
        {"units": 4, "recurrent_activation": "sigmod"},
        (None, 5, 6),
        error="invalid_argument",
        code="NNR204",
        argument="recurrent_activation",
        fix={"recurrent_activation": "sigmoid"},
    ),
    Example(
        "ConvLSTM1D",
        {"filters": 2, "kernel_size": 3, "activation": "foo"},
        (None, 5, 10, 3),
        error="invalid_argument",
        code="NNR204",
        argument="activation",
    ),
    Example("SimpleRNN", {"units": 8, "return_sequences": True}, (1, 4, 2), out=(1, 4, 8)),
    Example("SimpleRNN", {"units": 8, "return_state": True}, (None, 4, 2), out=[(None, 8), (None, 8)]),
    Example("SimpleRNN", {"units": 8}, (None, 4), error="rank_mismatch", code="NNR101", argument=""),
    Example("SimpleRNN", {"units": 8}, (None, 3, 4, 2), error="rank_mismatch", code="NNR101", argument=""),
    Example("SimpleRNN", {"units": -1}, (None, 4, 2), error="invalid_argument", code="NNR201", argument="units"),
    Example(
        "SimpleRNN",
        {"units": 8, "stateful": True},
        (None, 4, 2),
        error="undefined_dim",
        code="NNR105",
        argument="stateful",
        fix={"stateful": False},
    ),
    Example("SimpleRNN", {"units": 3, "use_bias": False}, (None, 4, 2), weights=((2, 3), (3, 3)), out=(None, 3)),
    # ConvLSTM
    Example("ConvLSTM2D", {"filters": 4, "kernel_size": 3}, (None, 5, 10, 10, 3), out=(None, 8, 8, 4)),
    Example(
        "ConvLSTM2D",
        {"filters": 4, "kernel_size": 3, "return_sequences": True, "return_state": True},
        (None, 5, 10, 10, 3),
        out=[(None, 5, 8, 8, 4), (None, 8, 8, 4), (None, 8, 8, 4)],
    ),
    Example(
        "ConvLSTM2D",
        {"filters": 4, "kernel_size": 3, "data_format": "channels_first"},
        (None, 5, 3, 10, 10),
        out=(None, 4, 8, 8),
    ),
    Example(
        "ConvLSTM2D",
        {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
        (None, 5, 10, 11, 3),
        out=(None, 5, 6, 4),
    ),
    Example(
        "ConvLSTM2D", {"filters": 4, "kernel_size": 3, "dilation_rate": 2}, (None, 5, 10, 11, 3), out=(None, 6, 7, 4)
    ),
    Example(
        "ConvLSTM2D",
        {"filters": 4, "kernel_size": 3, "padding": "SAME"},
        (None, None, 10, 11, 3),
        out=(None, 10, 11, 4),
        note="padding is case-insensitive; time may be None",
    ),
    Example(
        "ConvLSTM2D",
        {"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
        (None, 5, 10, 11, 3),
        error="invalid_argument",
        code="NNR201",
        argument="dilation_rate",
        fix={"dilation_rate": 1},
    ),
    Example(
        "ConvLSTM2D",
        {"filters": 4, "kernel_size": 11},
        (None, 5, 10, 11, 3),
        error="non_positive_dim",
        code="NNR103",
        argument="kernel_size",
    ),
    Example(
        "ConvLSTM2D",
        {"filters": 4, "kernel_size": 3},
        (None, 10, 11, 3),
        error="rank_mismatch",
        code="NNR101",
        argument="",
    ),
    Example(
        "ConvLSTM2D",
        {"filters": 4, "kernel_size": 3},
        (None, 5, None, 11, 3),
        error="undefined_dim",
        code="NNR105",
        argument="",
    ),
    Example(
        "ConvLSTM2D",
        {"filters": 4, "kernel_size": 3},
        (None, 5, 10, 11, None),
        error="undefined_dim",
        code="NNR105",
        argument="",
    ),
    Example(
        "ConvLSTM2D",
        {"filters": -1, "kernel_size": 3},
        (None, 5, 10, 11, 3),
        error="invalid_argument",
        code="NNR201",
        argument="filters",
    ),
    Example(
        "ConvLSTM2D",
        {"filters": 4, "kernel_size": 0},
        (None, 5, 10, 11, 3),
        error="invalid_argument",
        code="NNR206",
        argument="kernel_size",
    ),
    Example(
        "ConvLSTM2D",
        {"filters": 4, "kernel_size": 3, "padding": "causal"},
        (None, 5, 10, 11, 3),
        error="invalid_argument",
        code="NNR201",
        argument="padding",
    ),
    Example(
        "ConvLSTM2D",
        {"filters": 4, "kernel_size": 3, "data_format": "nhwc"},
        (None, 5, 10, 11, 3),
        error="invalid_argument",
        code="NNR203",
        argument="data_format",
    ),
    Example(
        "ConvLSTM2D",
        {"filters": 4, "kernel_size": 3, "strides": 3},
        (None, 5, 1, 1, 2),
        error="non_positive_dim",
        code="NNR103",
        argument="kernel_size",
    ),
    Example(
        "ConvLSTM2D",
        {"filters": 2, "kernel_size": 3},
        (None, 5, 6, 6, 3),
        weights=((3, 3, 3, 8), (3, 3, 2, 8), (8,)),
        out=(None, 4, 4, 2),
    ),
    Example("ConvLSTM1D", {"filters": 4, "kernel_size": 3}, (None, 5, 10, 3), out=(None, 8, 4)),
    Example(
        "ConvLSTM1D",
        {"filters": 4, "kernel_size": 3, "return_state": True},
        (None, 5, 10, 3),
        out=[(None, 8, 4), (None, 8, 4), (None, 8, 4)],
    ),
    Example(
        "ConvLSTM1D", {"filters": 4, "kernel_size": 3}, (None, 10, 3), error="rank_mismatch", code="NNR101", argument=""
    ),
    Example("ConvLSTM3D", {"filters": 4, "kernel_size": 3}, (None, 5, 10, 10, 10, 3), out=(None, 8, 8, 8, 4)),
    Example(
        "ConvLSTM3D",
        {"filters": 4, "kernel_size": (3, 3)},
        (None, 5, 10, 10, 10, 3),
        error="invalid_argument",
        code="NNR208",
        argument="kernel_size",
    ),
    # Bidirectional
    Example("Bidirectional", {}, (None, 5, 6), inner=("LSTM", {"units": 3}), out=(None, 6)),
    Example(
        "Bidirectional", {}, (None, 5, 6), inner=("LSTM", {"units": 3, "return_sequences": True}), out=(None, 5, 6)
    ),
    Example("Bidirectional", {"merge_mode": "sum"}, (None, 5, 6), inner=("GRU", {"units": 3}), out=(None, 3)),
    Example(
        "Bidirectional",
        {"merge_mode": None},
        (None, 5, 6),
        inner=("LSTM", {"units": 3}),
        out=[(None, 3), (None, 3)],
        note="merge_mode=None: forward and backward outputs",
    ),
    Example(
        "Bidirectional",
        {},
        (None, 5, 6),
        inner=("LSTM", {"units": 3, "return_state": True}),
        out=[(None, 6), (None, 3), (None, 3), (None, 3), (None, 3)],
    ),
    Example(
        "Bidirectional",
        {"merge_mode": None},
        (None, 5, 6),
        inner=("GRU", {"units": 3, "return_state": True, "return_sequences": True}),
        out=[(None, 5, 3), (None, 5, 3), (None, 3), (None, 3)],
    ),
    Example(
        "Bidirectional",
        {},
        (None, 5, 6, 6, 2),
        inner=("ConvLSTM2D", {"filters": 3, "kernel_size": 3}),
        out=(None, 4, 4, 6),
    ),
    Example(
        "Bidirectional",
        {"merge_mode": "max"},
        (None, 5, 6),
        inner=("LSTM", {"units": 3}),
        error="invalid_argument",
        code="NNR201",
        argument="merge_mode",
    ),
    Example(
        "Bidirectional",
        {"merge_mode": "CONCAT"},
        (None, 5, 6),
        inner=("LSTM", {"units": 3}),
        error="invalid_argument",
        note="merge_mode is case-sensitive",
        code="NNR201",
        argument="merge_mode",
    ),
    Example(
        "Bidirectional", {}, (None, 5), inner=("LSTM", {"units": 3}), error="rank_mismatch", code="NNR101", argument=""
    ),
    Example(
        "Bidirectional",
        {},
        (None, 5, 6),
        inner=("Dense", {"units": 3}),
        error="invalid_argument",
        code="NNR201",
        argument="layer",
    ),
    Example(
        "Bidirectional",
        {},
        (None, 5, 6),
        inner=("LSTM", {"units": 3, "go_backwards": True}),
        error="invalid_argument",
        code="NNR201",
        argument="layer",
    ),
    Example(
        "Bidirectional",
        {},
        (None, 5, None),
        inner=("SimpleRNN", {"units": 3}),
        error="undefined_dim",
        code="NNR105",
        argument="",
    ),
    Example(
        "Bidirectional",
        {},
        (None, 5, 6),
        inner=("LSTM", {"units": 0}),
        error="invalid_argument",
        code="NNR201",
        argument="",
    ),
    Example(
        "Bidirectional",
        {},
        (None, 5, 6),
        inner=("SimpleRNN", {"units": 2}),
        weights=((6, 2), (2, 2), (2,), (6, 2), (2, 2), (2,)),
        out=(None, 4),
    ),
    # TimeDistributed
    Example("TimeDistributed", {}, (None, 5, 6), inner=("Dense", {"units": 3}), out=(None, 5, 3)),
    Example("TimeDistributed", {}, (2, None, 4, 6), inner=("Dense", {"units": 3}), out=(2, None, 4, 3)),
    Example(
        "TimeDistributed",
        {},
        (None, 5, 6, 7),
        inner=("LSTM", {"units": 3}),
        out=(None, 5, 3),
        note="an LSTM over each time step's (6, 7) sequence",
    ),
    Example(
        "TimeDistributed",
        {},
        (None, 5, 8, 3),
        inner=("SimpleRNN", {"units": 3, "return_sequences": True}),
        out=(None, 5, 8, 3),
    ),
    Example(
        "TimeDistributed",
        {},
        (None, 5),
        inner=("Dense", {"units": 3}),
        error="rank_mismatch",
        code="NNR101",
        argument="",
    ),
    Example(
        "TimeDistributed",
        {},
        (None, 5, 6),
        inner=("LSTM", {"units": 3}),
        error="rank_mismatch",
        note="the inner LSTM sees (None, 6)",
        code="NNR101",
        argument="",
    ),
    Example(
        "TimeDistributed",
        {},
        (None, 4, None),
        inner=("Dense", {"units": 3}),
        error="undefined_dim",
        code="NNR105",
        argument="",
    ),
    Example(
        "TimeDistributed",
        {},
        (None, 5, 6),
        inner=("Dense", {"units": 0}),
        error="invalid_argument",
        code="NNR206",
        argument="",
    ),
    Example(
        "TimeDistributed",
        {},
        (None, 5, 6, 7),
        inner=("LSTM", {"units": 3, "return_state": True}),
        error="invalid_argument",
        code="NNR201",
        argument="layer",
    ),
    Example(
        "TimeDistributed", {}, (None, 5, 6), inner=("Dense", {"units": 4}), weights=((6, 4), (4,)), out=(None, 5, 4)
    ),
    Example(
        "TimeDistributed",
        {},
        (None, 5, 8, 8, 1),
        inner=("Conv2D", {"filters": 3, "kernel_size": 3}),
        out=(None, 5, 6, 6, 3),
        note="a CNN applied to every frame",
    ),
    Example(
        "TimeDistributed",
        {},
        (None, 5, 8, 8),
        inner=("Conv2D", {"filters": 3, "kernel_size": 3}),
        error="rank_mismatch",
        note="frames without a channel axis",
        code="NNR101",
        argument="",
    ),
    Example(
        "TimeDistributed",
        {},
        (None, 5, 2, 2, 1),
        inner=("Conv2D", {"filters": 3, "kernel_size": 3}),
        error="non_positive_dim",
        code="NNR107",
        argument="",
    ),
    Example("TimeDistributed", {}, (None, 5, 8, 8, 3), inner=("MaxPooling2D", {}), out=(None, 5, 4, 4, 3)),
    Example("TimeDistributed", {}, (None, 5, 6, 7), inner=("Flatten", {}), out=(None, 5, 42)),
    Example("TimeDistributed", {}, (None, 5, 8, 8, 3), inner=("GlobalAveragePooling2D", {}), out=(None, 5, 3)),
]
