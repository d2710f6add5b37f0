"""Keras 1/2 names and arguments -> Keras 3, with a finding wherever Keras 3
would reject them (an error) or read them differently (a warning).

Which reading the IR holds (the checker must agree with real Keras 3):
- Positional arguments are read the Keras 3 way. `Convolution2D(64, 3, 3)` is
  accepted by Keras 3 as `Conv2D(64, kernel_size=3, strides=3)`, so the IR holds
  exactly that (strides=3) and a `legacy_api` warning says that Keras 1 meant a
  3x3 kernel and gives the modern spelling `Conv2D(64, (3, 3))`.
- Legacy keywords that Keras 3 rejects outright (`border_mode`, `nb_filter`,
  `subsample`, `init`, `dim_ordering`, `output_dim`, `batch_input_shape`, ...)
  have no Keras 3 reading other than an error, so the IR holds their intended
  meaning under the Keras 3 name (`padding`, `filters`, `strides`, ...), so that
  the shapes can still be checked, and an error (Keras 3 rejects the call)
  says what to write instead; its hint carries the modern spelling
  (`{"arg": "border_mode", "rename": "padding"}`) for the repair.
- A Keras 1 reading (`Conv2D(64, 3, 3)` meaning a 3x3 kernel) is assumed only
  when the call has no Keras 2/3 keyword and its values fit the Keras 1
  signature; a real Keras 3 argument is never renamed or dropped (every
  rename applies only to a keyword the Keras 3 class does not accept).
- What the Python call itself gets wrong, as Keras's constructor would say:
  too many positional arguments, a positional argument given again by
  keyword ("got multiple values"), `weights=` on a class whose Keras 3
  constructor takes none (errors, sub-code NNR205 / NNR202). `Layer.legacy` maps each normalized
  argument to its original spelling; `Layer.written_kind` keeps the class name
  as written.
- Input declarations keep their intent too (`input_dim` + `input_length` on an
  RNN, `Embedding(..., input_length=n)`): Keras 3 ignores or rejects them, the
  warning says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ...diagnostics import Diagnostic
from ...ir import UNKNOWN, ArgSource, Span, is_unknown
from ...semantics.signature_data import SIGNATURES as KERAS_SIGNATURES
from .signatures import ALIASES, SIGNATURES

UNKNOWN_KEYWORD = "NNR202"
POSITIONAL = "NNR205"

# Keras 1/2 classes gone from Keras 3: written -> (Keras 3 kind, extra args)
GONE_CLASSES: dict[str, str] = {
    "AtrousConvolution1D": "Conv1D",
    "AtrousConvolution2D": "Conv2D",
    "AtrousConv2D": "Conv2D",
    "Deconvolution2D": "Conv2DTranspose",
    "Deconvolution3D": "Conv3DTranspose",
    "CuDNNLSTM": "LSTM",
    "CuDNNGRU": "GRU",
}

_CONV = {
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "SeparableConv1D",
    "SeparableConv2D",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
    "LocallyConnected1D",
    "LocallyConnected2D",
}
_POOL = {
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "UpSampling2D",
    "UpSampling3D",
    "ZeroPadding2D",
    "ZeroPadding3D",
    "Cropping2D",
    "Cropping3D",
}
_RNN = {"LSTM", "GRU", "SimpleRNN", "ConvLSTM2D"}

# keyword renames valid for every layer kind: old -> new
_COMMON_RENAMES = {
    "init": "kernel_initializer",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint",
    "bias": "use_bias",
    "dim_ordering": "data_format",
}
_KIND_RENAMES: dict[str, dict[str, str]] = {
    "conv": {
        "nb_filter": "filters",
        "filter_length": "kernel_size",
        "border_mode": "padding",
        "subsample": "strides",
        "subsample_length": "strides",
        "atrous_rate": "dilation_rate",
    },
    "pool": {"pool_length": "pool_size", "stride": "strides", "border_mode": "padding"},
    "rnn": {
        "output_dim": "units",
        "inner_init": "recurrent_initializer",
        "inner_activation": "recurrent_activation",
        "U_regularizer": "recurrent_regularizer",
        "U_constraint": "recurrent_constraint",
        "dropout_W": "dropout",
        "dropout_U": "recurrent_dropout",
    },
    "Dense": {"output_dim": "units"},
    "Dropout": {"p": "rate"},
    "SpatialDropout1D": {"p": "rate"},
    "SpatialDropout2D": {"p": "rate"},
    "GaussianDropout": {"p": "rate"},
    "Embedding": {
        "init": "embeddings_initializer",
        "W_regularizer": "embeddings_regularizer",
        "W_constraint": "embeddings_constraint",
    },
    "LeakyReLU": {"alpha": "negative_slope"},
    "Reshape": {"dims": "target_shape"},
}
# Keras 1 keywords with no Keras 3 counterpart that do not change shapes: dropped
_DROPPED = {"consume_less", "forget_bias_init", "mode", "trainable_weights_", "input_dtype"}
# Old spellings Keras 3 itself still accepts (and maps): no finding, the IR holds the new name
_ACCEPTED_ALIASES = {("LeakyReLU", "alpha"): "negative_slope"}
# (kind, old keyword) pairs Keras 3 accepts: the repair's patch writer leaves them as written
_ACCEPTED_BY_KERAS3 = frozenset(_ACCEPTED_ALIASES)

_DIM_ORDERING = {"th": "channels_first", "tf": "channels_last", "default": "channels_last"}

INPUT_KEYS = ("input_shape", "batch_input_shape", "input_dim", "input_length", "batch_size")


@dataclass(frozen=True)
class Finding:
    """A source-level finding about one layer call."""

    message: str
    span: Span | None
    severity: str = "warning"
    kind: str = "legacy_api"
    code: str | None = None
    argument: str | None = None
    hint: Any = None
    # a message that quotes a value the frontend could not evaluate: `{value}` is
    # filled with the value's source text (never with UNKNOWN or a placeholder)
    template: str | None = None
    value_span: Span | None = None


def rejected(message: str, span: Span | None, old: str | None = None, new: str | None = None) -> Finding:
    """A Keras 1/2 spelling Keras 3 rejects: an error whose hint names the modern spelling."""
    hint: dict[str, Any] | None = None
    if old is not None:
        hint = {"arg": old, "legacy": True, **({"rename": new} if new else {"remove": True})}
    return Finding(message, span, severity="error", hint=hint)


def diagnostics(
    norm: Normalized, layer: str, call_span: Span | None, text_of: Callable[[Span | None], str | None] | None = None
) -> list[Diagnostic]:
    """The findings of one normalized call as diagnostics of layer `layer`
    (`text_of`: the source text at a span, for messages that quote it)."""
    return [
        Diagnostic(
            kind=f.kind,
            severity=f.severity,
            message=_message(f, text_of),
            span=f.span or call_span,
            layer=layer,
            layer_kind=norm.kind,
            hint=f.hint,
            subcode=f.code,
        )
        for f in norm.warnings
    ]


def _message(f: Finding, text_of: Callable[[Span | None], str | None] | None) -> str:
    text = text_of(f.value_span) if (f.template and text_of is not None) else None
    if f.template and text and "\n" not in text:
        return f.template.replace("{value}", text.strip())
    return f.message


def accepted(kind: str) -> frozenset:
    """Every keyword Keras 3's constructor of `kind` accepts (empty for a class Keras does not have)."""
    sig = KERAS_SIGNATURES.get(kind)
    return frozenset(sig["accepted"]) if sig is not None else frozenset()


@dataclass
class Normalized:
    kind: str
    written_kind: str | None
    args: dict
    arg_sources: dict
    legacy: dict
    # findings about the call (legacy spellings, positional mistakes)
    warnings: list = field(default_factory=list)
    # input declaration: dict(shape, source, declared_as) or None
    input_decl: dict | None = None


def family(kind: str) -> str:
    if kind in _CONV:
        return "conv"
    if kind in _POOL:
        return "pool"
    if kind in _RNN:
        return "rnn"
    return kind


def normalize(written: str, positional: list, keywords: list, call_span: Span | None) -> Normalized:
    """positional: [(value, ArgSource)], keywords: [(name, value, ArgSource)]."""
    warnings: list = []
    kind = ALIASES.get(written, written)
    if written in GONE_CLASSES:
        kind = GONE_CLASSES[written]
        warnings.append(
            rejected(
                f"`{written}` is a Keras 1/2 class that Keras 3 does not have; use `keras.layers.{kind}`", call_span
            )
        )
    args: dict[str, Any] = {}
    sources: dict[str, ArgSource] = {}
    legacy: dict[str, str] = {}
    params = SIGNATURES.get(kind, ())
    keras3 = accepted(kind)

    # positional arguments: the Keras 3 reading
    for i, (value, src) in enumerate(positional):
        if i < len(params):
            args[params[i]] = value
            sources[params[i]] = src
        else:
            warnings.append(_positional_overflow(written, len(params), i, src.span or call_span))
    _duplicates(written, params[: len(positional)], keywords, warnings, call_span)
    if kind in _KERAS1_KERNEL_KINDS and len(positional) >= 3 and _keras1_call(positional, keywords):
        _keras1_kernel_warning(written, kind, positional, warnings, call_span)

    renames = _renames(kind)
    rows_cols: dict[str, tuple] = {}
    decl_items: dict[str, tuple] = {}
    for name, value, src in keywords:
        if name in INPUT_KEYS and name not in params:
            decl_items[name] = (value, src)
            continue
        if (kind, name) in _ACCEPTED_ALIASES:
            new = _ACCEPTED_ALIASES[(kind, name)]
            args[new], sources[new], legacy[new] = value, src, name
            continue
        if legacy.get(name) and (kind, legacy[name]) in _ACCEPTED_ALIASES:
            continue  # Keras pops the alias and lets it win (LeakyReLU(alpha=..., negative_slope=...))
        if name in keras3:
            args[name] = value  # a real Keras 3 argument is never read as legacy
            sources[name] = src
            continue
        if name in ("nb_row", "nb_col", "kernel_dim1", "kernel_dim2", "kernel_dim3") and family(kind) == "conv":
            rows_cols[name] = (value, src)
            continue
        if name in _DROPPED:
            warnings.append(
                rejected(
                    f"`{name}` is a Keras 1 argument of {written} that Keras 3 rejects; remove it",
                    src.span or call_span,
                    old=name,
                )
            )
            continue
        if name == "weights" and keras3:
            warnings.append(_weights_rejected(written, src.span or call_span))
            continue
        renamed = renames.get(name)
        if renamed is not None:
            new = renamed
            if new == "data_format" and isinstance(value, str):
                value = _DIM_ORDERING.get(value, value)
            args[new] = value
            sources[new] = src
            legacy[new] = name
            warnings.append(
                rejected(
                    f"`{name}` is a Keras 1/2 argument of {written}; Keras 3 rejects it "
                    f"(Unrecognized keyword argument). Write `{new}={_show(value)}`",
                    src.span or call_span,
                    old=name,
                    new=new,
                )
            )
            continue
        args[name] = value
        sources[name] = src
    if rows_cols:
        keys = [k for k in ("nb_row", "nb_col", "kernel_dim1", "kernel_dim2", "kernel_dim3") if k in rows_cols]
        ks = tuple(rows_cols[k][0] for k in keys)
        args["kernel_size"] = ks
        sources["kernel_size"] = rows_cols[keys[0]][1]
        legacy["kernel_size"] = "/".join(keys)
        warnings.append(
            rejected(
                f"`{'`, `'.join(keys)}` are Keras 1 arguments of {written}; Keras 3 rejects them. "
                f"Write `kernel_size={_show(ks)}`",
                rows_cols[keys[0]][1].span or call_span,
                old=keys[0],
                new="kernel_size",
            )
        )
    if kind == "Dot" and "dot_axes" in args:
        args["axes"] = args.pop("dot_axes")
    decl = _input_decl(written, kind, decl_items, warnings, call_span)
    return Normalized(
        kind=kind,
        written_kind=written if written != kind else None,
        args=args,
        arg_sources=sources,
        legacy=legacy,
        warnings=warnings,
        input_decl=decl,
    )


_KERAS1_KERNEL_KINDS = ("Conv2D", "Conv3D", "Conv2DTranspose", "Conv3DTranspose", "SeparableConv2D")
# Keras 1's Convolution2D/3D keywords: a call with any other keyword is Keras 2/3 code
_KERAS1_CONV_KEYWORDS = frozenset(
    {
        "init",
        "activation",
        "weights",
        "border_mode",
        "subsample",
        "dim_ordering",
        "W_regularizer",
        "b_regularizer",
        "activity_regularizer",
        "W_constraint",
        "b_constraint",
        "bias",
        "name",
        "trainable",
        "depth_multiplier",
        "depthwise_regularizer",
        "pointwise_regularizer",
        "output_shape",
        "input_shape",
        "batch_input_shape",
        "input_dim",
    }
)


def _keras1_call(positional: list, keywords: list) -> bool:
    """True when `Conv2D(64, 3, 3, ...)` can be Keras 1 code: no Keras 2/3 keyword,
    and the values fit Keras 1's (nb_filter, nb_row, nb_col, init, activation, ...)."""
    if any(name not in _KERAS1_CONV_KEYWORDS for name, _, _ in keywords):
        return False
    fourth = positional[3][0] if len(positional) > 3 else None
    # Keras 3's fourth positional is `padding`; Keras 1's is `init`
    return not (isinstance(fourth, str) and fourth.lower() in ("same", "valid", "causal", "full"))


def _renames(kind: str) -> dict:
    """Keras 1/2 keyword -> Keras 3 keyword, only for keywords Keras 3's `kind` does not accept."""
    renames = dict(_COMMON_RENAMES)
    renames.update(_KIND_RENAMES.get(family(kind), {}))
    renames.update(_KIND_RENAMES.get(kind, {}))
    if kind == "Embedding":
        renames["init"] = "embeddings_initializer"
    keras3 = accepted(kind)
    return {old: new for old, new in renames.items() if old not in keras3 and (not keras3 or new in keras3)}


def _positional_overflow(written: str, n_params: int, i: int, span: Span | None) -> Finding:
    return Finding(
        f"{written} takes at most {n_params} positional arguments in Keras 3; argument {i + 1} is rejected "
        "(TypeError: too many positional arguments); pass it by keyword or remove it",
        span,
        severity="error",
        kind="invalid_argument",
        code=POSITIONAL,
        hint={"position": i, "remove": True},
    )


def _duplicates(written: str, taken: tuple, keywords: list, warnings: list, call_span: Span | None) -> None:
    """`Dense(4, units=8)`: Python raises 'got multiple values for argument'."""
    for name, _, src in keywords:
        if name in taken:
            warnings.append(
                Finding(
                    f"{written} gets `{name}` twice, positionally and by keyword (TypeError: got multiple values "
                    f"for argument '{name}'); keep one",
                    src.span or call_span,
                    severity="error",
                    kind="invalid_argument",
                    code=POSITIONAL,
                    argument=name,
                    hint={"arg": name, "remove": True},
                )
            )


def _weights_rejected(written: str, span: Span | None) -> Finding:
    return Finding(
        f"{written} does not take `weights=` in Keras 3 (Unrecognized keyword argument); build the layer, then "
        "call `layer.set_weights(...)`",
        span,
        severity="error",
        kind="invalid_argument",
        code=UNKNOWN_KEYWORD,
        argument="weights",
        hint={"arg": "weights", "remove": True},
    )


def _keras1_kernel_warning(written, kind, positional, warnings, call_span):
    ks = [v for v, _ in positional[1:3]]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in ks):
        return
    src = positional[2][1]
    modern = "Conv2D" if kind == "Conv2D" else kind
    warnings.append(
        Finding(
            f"`{written}({_show(positional[0][0])}, {ks[0]}, {ks[1]}, ...)` is the Keras 1 way to ask for a "
            f"{ks[0]}x{ks[1]} kernel, but Keras 3 reads the third positional argument as strides={ks[1]}. "
            f"For a {ks[0]}x{ks[1]} kernel write `{modern}({_show(positional[0][0])}, ({ks[0]}, {ks[1]}))`",
            src.span or call_span,
        )
    )


def _input_decl(written, kind, items, warnings, call_span) -> dict | None:
    decl = _input_decl_raw(written, kind, items, warnings, call_span)
    if decl is not None and isinstance(decl["shape"], tuple) and any(d is UNKNOWN for d in decl["shape"]):
        decl["shape"] = UNKNOWN  # a partly known shape is not a shape: None would mean an undefined dim
    return decl


def _input_decl_raw(written, kind, items, warnings, call_span) -> dict | None:
    """The input shape a first layer declares (batch axis included), or None."""
    if not items:
        return None
    batch = None
    if "batch_size" in items:
        b, src = items["batch_size"]
        batch = b if isinstance(b, int) or b is None else UNKNOWN
        warnings.append(
            rejected(
                "`batch_size` on a layer is Keras 2; Keras 3 rejects it. Declare "
                "`keras.Input(shape=..., batch_size=...)` instead",
                src.span or call_span,
                old="batch_size",
            )
        )
    if "batch_input_shape" in items:
        value, src = items["batch_input_shape"]
        finding = rejected(
            "`batch_input_shape` is Keras 1/2; Keras 3 rejects it. Use `keras.Input(batch_shape={value})` as the first layer",
            src.span or call_span,
            old="batch_input_shape",
            new="keras.Input(batch_shape=...)",
        )
        if is_unknown(value):
            # not evaluated: quote the value as written (the evaluator gives the
            # text), or say it without a value; never UNKNOWN, never a placeholder
            finding = replace(
                finding,
                message="`batch_input_shape` is Keras 1/2; Keras 3 rejects it. Declare that shape as the "
                "`batch_shape` of a `keras.Input` placed before the first layer",
                template=finding.message,
                value_span=src.span,
            )
        else:
            finding = replace(finding, message=finding.message.replace("{value}", _show(value)))
        warnings.append(finding)
        return {
            "shape": _as_shape(value, with_batch=False),
            "source": src,
            "declared_as": "batch_input_shape",
            "key": "batch_input_shape",
        }
    if "input_shape" in items:
        value, src = items["input_shape"]
        shape = _as_shape(value, with_batch=True, batch=batch)
        return {"shape": shape, "source": src, "declared_as": "input_shape", "key": "input_shape"}
    length = items.get("input_length")
    if "input_dim" in items:
        value, src = items["input_dim"]
        if length is not None:
            lv, lsrc = length
            warnings.append(
                rejected(
                    f"`input_length` is Keras 1/2; Keras 3 rejects it on {written}. Write "
                    f"`keras.Input(shape=({_show(lv)}, {_show(value)}))`",
                    lsrc.span or call_span,
                    old="input_length",
                    new="keras.Input(shape=...)",
                )
            )
            return {
                "shape": (batch, _dim(lv), _dim(value)),
                "source": src,
                "declared_as": "input_dim",
                "key": "input_dim",
            }
        return {"shape": (batch, _dim(value)), "source": src, "declared_as": "input_dim", "key": "input_dim"}
    if length is not None:
        lv, lsrc = length
        if kind == "Embedding":
            warnings.append(
                Finding(
                    f"`input_length` is deprecated and ignored by Keras 3's Embedding; declare the input with "
                    f"`keras.Input(shape=({_show(lv)},))`",
                    lsrc.span or call_span,
                )
            )
            return {"shape": (batch, _dim(lv)), "source": lsrc, "declared_as": "input_length", "key": "input_length"}
        warnings.append(
            rejected(
                f"`input_length` is Keras 1/2; Keras 3 rejects it on {written}", lsrc.span or call_span, "input_length"
            )
        )
    return None


def _dim(v):
    if v is None or (isinstance(v, int) and not isinstance(v, bool)):
        return v
    return UNKNOWN


def _as_shape(value, with_batch: bool, batch=None):
    """A written shape value -> IR shape with batch axis, UNKNOWN when not a literal shape."""
    if isinstance(value, int) and not isinstance(value, bool) and with_batch:
        return (batch, value)  # Keras accepts input_shape=10 as (10,)
    if not isinstance(value, (tuple, list)):
        return UNKNOWN
    dims = tuple(_dim(v) for v in value)
    if any(d is UNKNOWN for d in dims):
        return UNKNOWN
    return ((batch,) + dims) if with_batch else dims


def _show(value) -> str:
    if value is UNKNOWN:
        return "..."
    return repr(value)
