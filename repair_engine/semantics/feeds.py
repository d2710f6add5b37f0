"""What a model is fed (fit/evaluate/predict/...), and whether Keras 3 accepts it.

`check_feeds(model, result, recheck)`: `recheck` is the checker's `check` (passed in,
so that semantics do not import the checker).

Pure: IR records plus checks, no evaluator, no TensorFlow. The Python frontend
records one `Feed` per data call (Model.feeds); the checker runs `check_feeds`
after the layers, so a repair is verified against the data and the loss too.

Keras 3 rules matched here (keras/src/models/functional.py, layers/input_spec.py,
losses/loss.py, backend/tensorflow/nn.py):
- input spec of a functional model (allow_last_axis_squeeze): a trailing axis of
  size 1 is dropped from the data's and from the input's shape, then the
  overlapping axes (zip, batch axis excluded) must agree;
- `_adjust_input_rank`: equal ranks pass; data one axis longer whose last axis
  is 1 is squeezed; data one axis shorter is expanded when the input's last axis
  is 1; any other rank difference is an error;
- `squeeze_or_expand_to_same_rank(y_true, y_pred)` before every built-in loss,
  then: the crossentropies need the same shape (binary/categorical), or the target
  one axis shorter with equal leading axes (sparse); the element-wise losses
  broadcast target against output, the batch axis included.
Only a mismatch that holds for every value still unknown is reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from ..diagnostics import Diagnostic, Related, fmt_shape
from ..ir import Span

# method -> (takes targets, default batch size)
METHODS = {
    "fit": True,
    "fit (validation_data)": True,
    "evaluate": True,
    "train_on_batch": True,
    "test_on_batch": True,
    "fit_generator": True,
    "evaluate_generator": True,
    "predict": False,
    "predict_on_batch": False,
    "predict_generator": False,
}
_ON_BATCH = ("train_on_batch", "test_on_batch", "predict_on_batch")

SAME_SHAPE = {
    "binary_crossentropy",
    "categorical_crossentropy",
    "binary_focal_crossentropy",
    "categorical_focal_crossentropy",
}
SPARSE = {"sparse_categorical_crossentropy"}
ELEMENTWISE = {
    "mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "huber",
    "log_cosh",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "poisson",
    "kl_divergence",
    "cosine_similarity",
}
# every spelling Keras 3 accepts (losses.get names, aliases, classes)
LOSS_NAMES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "kld": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
    "logcosh": "log_cosh",
    "huber_loss": "huber",
    "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error",
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
    "Huber": "huber",
    "LogCosh": "log_cosh",
    "Hinge": "hinge",
    "SquaredHinge": "squared_hinge",
    "CategoricalHinge": "categorical_hinge",
    "Poisson": "poisson",
    "KLDivergence": "kl_divergence",
    "CosineSimilarity": "cosine_similarity",
    "BinaryCrossentropy": "binary_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "BinaryFocalCrossentropy": "binary_focal_crossentropy",
    "CategoricalFocalCrossentropy": "categorical_focal_crossentropy",
}
for _n in SAME_SHAPE | SPARSE | ELEMENTWISE:
    LOSS_NAMES[_n] = _n


def loss_name(written: Any) -> str | None:
    """The canonical built-in loss for a name, class or function path; None when custom/unknown."""
    if not isinstance(written, str):
        return None
    return LOSS_NAMES.get(written.rsplit(".", 1)[-1])


@dataclass(frozen=True)
class DataRef:
    """One array the model is fed.

    shape   with the sample axis first (dims None when unknown; None: unknown rank)
    role    "x", "y", "validation x", "validation y", "sample_weight"
    span    the argument at the call; origin: where the value was defined
    key     its position in a list, or its name in a dict (None: a single array)
    batched the first axis is one batch (a dataset/generator element), not all samples
    source  "array" | "generator" | "dataset"
    """

    shape: tuple | None
    role: str = "x"
    span: Span | None = None
    origin: Span | None = None
    name: str | None = None
    key: int | str | None = None
    batched: bool = False
    source: str = "array"
    rewrite: str | None = None  # set by a data-side repair: "batch_axis" | "reshape" (repair/data_moves.py)


@dataclass(frozen=True)
class LossSpec:
    name: str | None  # canonical built-in name, None when custom or unknown
    from_logits: bool | None = None
    span: Span | None = None
    written: str | None = None


@dataclass(frozen=True)
class MetricSpec:
    name: str  # canonical: a key of METRIC_RULES
    span: Span | None = None
    written: str | None = None


@dataclass(frozen=True)
class Feed:
    method: str
    call: Span | None
    xs: tuple = ()  # DataRef per input
    x_struct: str = "single"  # single | list | dict
    ys: tuple = ()
    y_struct: str = "single"
    loss: Any = None  # LossSpec | tuple (per output) | dict (output name -> LossSpec) | None
    batch_size: int | None = None
    validation_split: float | None = None
    metrics: tuple = ()  # MetricSpec per compile() metric whose shapes are checked


# ----------------------------------------------------------------- input rules


def rank_adjusted(want: tuple, got: tuple) -> tuple | None:
    """Keras 3 `_adjust_input_rank`: the data's shape as the model sees it, or None when rejected."""
    if len(got) == len(want):
        return got
    if len(got) == len(want) + 1 and got[-1] == 1:
        return got[:-1]
    if len(got) == len(want) - 1 and want[-1] == 1:
        return got + (1,)
    return None


def spec_conflict(want: tuple, got: tuple) -> int | None:
    """Keras 3 input_spec with allow_last_axis_squeeze (functional models): the
    first non-batch axis (of the squeezed shapes) whose fixed sizes differ."""
    w = want[:-1] if want and want[-1] == 1 else want
    g = got[:-1] if got and got[-1] == 1 else got
    for axis, (a, b) in enumerate(zip(w, g)):
        if axis and a is not None and b is not None and a != b:
            return axis
    return None


# layers whose weights or input spec fix the input's last axis
_LAST_AXIS_FIXED = {
    "Dense",
    "EinsumDense",
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "SeparableConv1D",
    "SeparableConv2D",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "LSTM",
    "GRU",
    "SimpleRNN",
    "Bidirectional",
    "BatchNormalization",
    "LayerNormalization",
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
}


# layers that keep their input's shape and have no weights on it: the next one decides
_PASSTHROUGH = {
    "Dropout",
    "Activation",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
    "Masking",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Softmax",
    "Identity",
}


def _first_layer(model, input_id: str):
    """The first layer reading the input (through shape-keeping, weightless layers)."""
    node = input_id
    for _ in range(len(model.layers)):
        layer = next((l for l in model.layers if any(e.node == node for e in l.inputs)), None)
        if layer is None or layer.kind not in _PASSTHROUGH:
            return layer
        node = layer.id
    return None


def input_problem(model, inp, got: tuple, recheck=None) -> str | None:
    """Why Keras 3 rejects per-sample data `got` (batch axis None) for input `inp`, or None."""
    want = tuple(inp.shape)
    if model.style == "functional":
        axis = spec_conflict(want, got)
        if axis is not None:
            return f"axis {axis} is {got[axis]} in the data but {want[axis]} in the input"
    adjusted = rank_adjusted(want, got)
    if adjusted is None:
        return (
            f"a {len(got)}-D array cannot feed a {len(want)}-D input (Keras 3 only adds or drops a last axis of size 1)"
        )
    first = _first_layer(model, inp.id)
    kind = first.kind if first is not None else None
    if kind == "TimeDistributed" and first.inner is not None:
        kind = first.inner.kind
    a, b = adjusted[-1], want[-1]
    if kind in _LAST_AXIS_FIXED and len(want) > 1 and a is not None and b is not None and a != b:
        return f"its last axis is {a} but the input's is {b}"
    if kind in ("Flatten", "Reshape"):
        pa, pb = _size(adjusted[1:]), _size(want[1:])
        if pa is not None and pb is not None and pa != pb:
            return f"it holds {pa} values per sample but the input {pb}"
    adjusted = (want[0],) + tuple(adjusted[1:])  # the declared batch axis stays
    if adjusted != want:
        return _recheck(model, inp, adjusted, recheck) if recheck is not None else None
    return None


def _size(shape) -> int | None:
    if any(d is None for d in shape):
        return None
    return math.prod(shape)


def _recheck(model, inp, adjusted: tuple, check) -> str | None:
    """Run the layers on the data's shape: a layer that fails even when rebuilt for
    it fails in Keras too (there its weights are fixed by the declared shape)."""
    base = check(replace(model, feeds=()))
    if base.errors:
        return None
    new_inp = replace(inp, shape=adjusted)
    trial = replace(model, feeds=(), notes=(), inputs=tuple(new_inp if i.id == inp.id else i for i in model.inputs))
    res = check(trial)
    bad = next((d for d in res.errors), None)
    if bad is None:
        return None
    return f"the layers fail on it: {bad.message.split(';')[0]}"


# ---------------------------------------------------------------- target rules


def squeeze_or_expand(t: tuple, p: tuple) -> tuple:
    """Keras 3 squeeze_or_expand_to_same_rank(y_true, y_pred)."""
    if len(t) == len(p) + 1 and t[-1] == 1:
        if len(p) == 1:
            p = p + (1,)
        else:
            t = t[:-1]
    elif len(p) == len(t) + 1 and p[-1] == 1:
        if len(t) == 1:
            t = t + (1,)
        else:
            p = p[:-1]
    return t, p


def _broadcast_conflict(t: tuple, p: tuple) -> bool:
    for a, b in zip(reversed(t), reversed(p)):
        if a is not None and b is not None and a != b and a != 1 and b != 1:
            return True
    return False


def target_problem(loss: str, t: tuple, p: tuple) -> tuple[str, str] | None:
    """(kind, reason) when loss(y_true of shape t, y_pred of shape p) fails in Keras 3.
    Both shapes carry the real batch size (or None) on axis 0."""
    t, p = squeeze_or_expand(t, p)
    if loss in SAME_SHAPE:
        if len(t) != len(p):
            if _integer_labels(t, p) and loss == "categorical_crossentropy":
                return "data_label_encoding", "the targets are class indices but the loss wants one-hot targets"
            return "data_target_mismatch", f"'{loss}' needs targets of the output's rank ({len(p)}-D), got {len(t)}-D"
        for a, b in zip(t, p):
            if a is not None and b is not None and a != b:
                if loss == "categorical_crossentropy" and t[-1] == 1 and p[-1] != 1:
                    return "data_label_encoding", "the targets are class indices but the loss wants one-hot targets"
                return "data_target_mismatch", f"'{loss}' needs targets of the output's shape"
        return None
    if loss in SPARSE:
        if len(t) == len(p) and t and t[-1] == 1:
            t = t[:-1]
        if len(t) != len(p) - 1:
            if len(t) == len(p) and t[-1] is not None and t[-1] == p[-1]:
                return "data_label_encoding", "the targets are one-hot but the loss wants class indices"
            return "data_target_mismatch", f"'{loss}' needs targets one axis shorter than the output, got {len(t)}-D"
        for a, b in zip(t, p[:-1]):
            if a is not None and b is not None and a != b:
                return "data_target_mismatch", f"'{loss}' needs targets of the output's shape without its last axis"
        return None
    if loss in ELEMENTWISE and _broadcast_conflict(t, p):
        return "data_target_mismatch", f"'{loss}' cannot broadcast the targets against the output"
    return None


def _prod(shape) -> int | None:
    return None if any(d is None for d in shape) else math.prod(shape)


def _sparse_acc(t: tuple, p: tuple) -> str | None:
    # sparse_categorical_accuracy: equal(y_true (last 1 squeezed at equal rank), argmax(y_pred))
    if len(t) == len(p) and t and t[-1] == 1:
        t = t[:-1]
    if _broadcast_conflict(t, p[:-1]):
        return "the targets must be class indices (the output's shape without its last axis)"
    return None


def _categorical_acc(t: tuple, p: tuple) -> str | None:
    # categorical_accuracy: equal(argmax(y_true), argmax(y_pred))
    ta = t[:-1]
    if len(ta) == len(p):
        if ta[-1] is not None and ta[-1] != 1:
            return "the targets have one axis too many"
        ta = ta[:-1]
    if _broadcast_conflict(ta, p[:-1]):
        return "the targets must be one-hot (the output's shape)"
    return None


def _top_k(t: tuple, p: tuple) -> str | None:
    # top_k_categorical_accuracy: in_top_k(argmax(y_true) flattened, y_pred as (-1, classes))
    if len(t) < 2:
        return "the targets must be one-hot (the output's shape), not class indices"
    a, b = _prod(t[:-1]), _prod(p[:-1])
    if a is not None and b is not None and a != b:
        return "the targets must be one-hot (the output's shape)"
    return None


def _sparse_top_k(t: tuple, p: tuple) -> str | None:
    # sparse_top_k_categorical_accuracy: in_top_k(y_true flattened, y_pred as (-1, classes))
    a, b = _prod(t), _prod(p[:-1])
    if a is not None and b is not None and a != b:
        return "the targets must be class indices (the output's shape without its last axis)"
    return None


def _confusion(t: tuple, p: tuple) -> str | None:
    # AUC, Precision, Recall, ...: thresholds over y_true and y_pred flattened alike
    t, p = squeeze_or_expand(t, p)
    a, b = _prod(t[1:]), _prod(p[1:])
    if a is not None and b is not None and a != b:
        return "the targets must hold one value per output value"
    return None


# metrics that constrain the targets' shape (Keras 3.15 metrics/*.py); "accuracy" adapts, never fails
METRIC_RULES = {
    "sparse_categorical_accuracy": _sparse_acc,
    "categorical_accuracy": _categorical_acc,
    "top_k_categorical_accuracy": _top_k,
    "sparse_top_k_categorical_accuracy": _sparse_top_k,
    "auc": _confusion,
    "precision": _confusion,
    "recall": _confusion,
    "precision_at_recall": _confusion,
    "recall_at_precision": _confusion,
    "sensitivity_at_specificity": _confusion,
    "specificity_at_sensitivity": _confusion,
    "true_positives": _confusion,
    "false_positives": _confusion,
    "true_negatives": _confusion,
    "false_negatives": _confusion,
}
METRIC_NAMES = {
    "SparseCategoricalAccuracy": "sparse_categorical_accuracy",
    "CategoricalAccuracy": "categorical_accuracy",
    "TopKCategoricalAccuracy": "top_k_categorical_accuracy",
    "SparseTopKCategoricalAccuracy": "sparse_top_k_categorical_accuracy",
    "AUC": "auc",
    "Precision": "precision",
    "Recall": "recall",
    "PrecisionAtRecall": "precision_at_recall",
    "RecallAtPrecision": "recall_at_precision",
    "SensitivityAtSpecificity": "sensitivity_at_specificity",
    "SpecificityAtSensitivity": "specificity_at_sensitivity",
    "TruePositives": "true_positives",
    "FalsePositives": "false_positives",
    "TrueNegatives": "true_negatives",
    "FalseNegatives": "false_negatives",
}
for _n in ("sparse_categorical_accuracy", "categorical_accuracy", "top_k_categorical_accuracy"):
    METRIC_NAMES[_n] = _n
METRIC_NAMES["sparse_top_k_categorical_accuracy"] = "sparse_top_k_categorical_accuracy"
METRIC_NAMES.update(auc="auc", precision="precision", recall="recall")


def metric_name(written: Any) -> str | None:
    """The canonical shape-checked metric for a name, class or function path; None otherwise."""
    if not isinstance(written, str):
        return None
    return METRIC_NAMES.get(written.rsplit(".", 1)[-1])


def metric_problem(metric: str, t: tuple, p: tuple) -> str | None:
    """Why Keras 3's `metric` fails on y_true of shape t and y_pred of shape p (batch axis included)."""
    rule = METRIC_RULES.get(metric)
    return rule(tuple(t), tuple(p)) if rule is not None and len(p) >= 1 else None


def _integer_labels(t: tuple, p: tuple) -> bool:
    """Class indices: one axis short of the output, the other axes equal (not one-hot of unknown width)."""
    if len(t) != len(p) - 1 or p[-1] is None or p[-1] <= 1 or (t and t[-1] is None and len(t) > 1):
        return False
    return all(a is None or b is None or a == b for a, b in zip(t[1:], p[1:-1]))


# -------------------------------------------------------------------- checks


def check_feeds(model, result, recheck=None) -> list:
    """Diagnostics for every recorded feed of `model` (after its layers were checked)."""
    out: list = []
    seen: set = set()
    for index, feed in enumerate(getattr(model, "feeds", ())):
        if not isinstance(feed, Feed):
            continue  # a partial record (tests, other frontends): nothing to check
        for d in _feed_diagnostics(model, result, feed, recheck):
            if d.hint is not None:
                d = replace(d, hint=replace(d.hint, feed=index))
            key = (d.kind, d.span, d.message)
            if key not in seen:
                seen.add(key)
                out.append(d)
    return out


def _feed_diagnostics(model, result, feed: Feed, recheck) -> list:
    out = _input_diagnostics(model, feed, recheck)
    if not out:
        out = _count_diagnostics(feed)
    if not out and METHODS.get(feed.method) and not result.errors:
        out = _target_diagnostics(model, result, feed)
    return out


def pair_inputs(model, feed: Feed) -> list:
    """(InputNode, DataRef) pairs by position or by name; unmatched ones are left out."""
    xs = [x for x in feed.xs if x.role == "x"]
    inputs = list(model.inputs)
    if feed.x_struct == "dict":
        by_name = {i.name: i for i in inputs if i.name}
        return [(by_name[x.key], x) for x in xs if x.key in by_name]
    if len(xs) == len(inputs):
        return list(zip(inputs, xs))
    return []


def _input_diagnostics(model, feed: Feed, recheck=None) -> list:
    out = []
    xs = [x for x in feed.xs if x.role == "x"]
    if feed.x_struct == "list" and len(xs) != len(model.inputs) and len(model.inputs) >= 1:
        out.append(
            _diag(
                "data_shape_mismatch",
                feed,
                xs[0] if xs else None,
                f"{_called(feed)} receives {len(xs)} input arrays but the model has {len(model.inputs)} input(s)",
                None,
                model.inputs[0],
                expected=f"{len(model.inputs)} inputs",
                actual=f"{len(xs)} arrays",
            )
        )
        return out
    for inp, x in pair_inputs(model, feed):
        if inp.shape is None or x.shape is None or not x.shape:
            continue
        if inp.declared_as == "data" and x.span is not None and inp.shape_span == x.span:
            continue
        got = (None,) + tuple(x.shape[1:])
        why = input_problem(model, inp, got, recheck)
        if why is None:
            continue
        where = inp.shape_span or inp.span
        name = f" `{x.name}`" if x.name else ""
        out.append(
            _diag(
                "data_shape_mismatch",
                feed,
                x,
                f"{_called(feed)} receives{name} data of shape {fmt_shape(tuple(x.shape))}, but the model's input "
                f"is {fmt_shape(tuple(inp.shape))}: {why}; make the data's per-sample shape "
                f"{fmt_shape(tuple(inp.shape)[1:])} or change the declared input shape",
                where,
                inp,
                expected=fmt_shape(tuple(inp.shape)),
                actual=fmt_shape(got),
                hint={"input": inp.id, "data": got, "ref": feed.xs.index(x)},
            )
        )
    return out


def _count_diagnostics(feed: Feed) -> list:
    arrays = [d for d in feed.xs + feed.ys if not d.batched and d.shape and d.role in ("x", "y", "sample_weight")]
    counts = {d.shape[0] for d in arrays if d.shape[0] is not None}
    if len(counts) <= 1:
        return []
    first = arrays[0]
    odd = next(d for d in arrays if d.shape[0] is not None and d.shape[0] != first.shape[0])
    return [
        _diag(
            "data_sample_count",
            feed,
            odd,
            f"{_called(feed)} receives {first.shape[0]} samples in {_label(first)} but {odd.shape[0]} in "
            f"{_label(odd)}; every array must hold the same number of samples (a single sample needs a batch "
            "axis: x[None])",
            first.span,
            None,
            expected=str(first.shape[0]),
            actual=str(odd.shape[0]),
            hint={"counts": tuple(d.shape[0] for d in feed.xs + feed.ys if d.shape)},
        )
    ]


def _called(feed: Feed) -> str:
    if feed.method == "fit (validation_data)":
        return "fit(validation_data=...)"
    return f"{feed.method}()"


def _label(d: DataRef) -> str:
    name = f"`{d.name}`" if d.name else d.role
    return name if d.key is None else f"{name} ({d.role}[{d.key!r}])"


def _batch(feed: Feed, d: DataRef) -> int | None:
    """The size of the first batch Keras runs (it fails there first)."""
    if not d.shape or d.shape[0] is None:
        return None
    if d.batched or feed.method in _ON_BATCH:
        return d.shape[0]
    n = d.shape[0]
    if feed.validation_split and d.role == "y":
        n = int(math.ceil(n * (1.0 - feed.validation_split)))
    return min(feed.batch_size or 32, n) if n > 0 else None


def output_loss(feed: Feed, index: int, name: str | None) -> LossSpec | None:
    loss = feed.loss
    if isinstance(loss, LossSpec):
        return loss
    if isinstance(loss, tuple) and index < len(loss):
        return loss[index]
    if isinstance(loss, dict) and name in loss:
        return loss[name]
    return None


def _output_layer(model, index: int):
    if index >= len(model.outputs):
        return None
    nid = model.outputs[index].node
    return next((l for l in model.layers if l.id == nid), None)


def _output_name(layer) -> str | None:
    if layer is None:
        return None
    n = layer.args.get("name")
    return n if isinstance(n, str) else layer.id


def pair_targets(model, feed: Feed) -> list:
    """(output index, DataRef) pairs."""
    ys = [y for y in feed.ys if y.role == "y"]
    n = len(model.outputs)
    if feed.y_struct == "dict":
        names = {_output_name(_output_layer(model, i)): i for i in range(n)}
        return [(names[y.key], y) for y in ys if y.key in names]
    if len(ys) == n:
        return list(enumerate(ys))
    return []


def _target_diagnostics(model, result, feed: Feed) -> list:
    out = []
    for index, y in pair_targets(model, feed):
        if index >= len(result.output_shapes) or result.output_shapes[index] is None or y.shape is None:
            continue
        layer = _output_layer(model, index)
        spec = output_loss(feed, index, _output_name(layer))
        if spec is None or spec.name is None:
            continue
        b = _batch(feed, y)
        pred = tuple(result.output_shapes[index])
        t = (b,) + tuple(y.shape[1:])
        p = (b,) + pred[1:]
        found = target_problem(spec.name, t, p)
        if found is None:
            out.extend(_metric_diagnostics(model, feed, y, layer, pred, t, p))
            continue
        kind, why = found
        name = f" `{y.name}`" if y.name else ""
        out.append(
            Diagnostic(
                kind=kind,
                severity="error",
                span=_where(feed, y),
                layer=layer.id if layer is not None else None,
                layer_kind=layer.kind if layer is not None else None,
                message=f"{_called(feed)} targets{name} have shape {fmt_shape(tuple(y.shape))} but the model output "
                f"is {fmt_shape(pred)}; {why} (loss '{spec.written or spec.name}'): change the output layer "
                "(units, a missing Flatten, its activation), the loss, or the targets",
                expected=fmt_shape(pred),
                actual=fmt_shape((None,) + tuple(y.shape[1:])),
                related=_related(y, layer, pred, spec),
                hint={
                    "output": index,
                    "target": (None,) + tuple(y.shape[1:]),
                    "loss": spec.name,
                    "pred": pred,
                    "ref_y": feed.ys.index(y),
                },
            )
        )
    return out


def _metric_diagnostics(model, feed: Feed, y: DataRef, layer, pred, t: tuple, p: tuple) -> list:
    """compile(metrics=[...]) of a single-output model: the metrics that fail on these targets."""
    if len(model.outputs) != 1:
        return []
    out: list = []
    if y.shape is None:
        return out
    for spec in feed.metrics:
        why = metric_problem(spec.name, t, p)
        if why is None:
            continue
        name = f" `{y.name}`" if y.name else ""
        rel = [r for r in _related(y, layer, pred, LossSpec(None)) if r is not None]
        if spec.span is not None:
            rel.append(Related(spec.span, f"the metric '{spec.written or spec.name}' is chosen here"))
        out.append(
            Diagnostic(
                kind="data_target_mismatch",
                severity="error",
                span=_where(feed, y),
                layer=layer.id if layer is not None else None,
                layer_kind=layer.kind if layer is not None else None,
                message=f"{_called(feed)} targets{name} have shape {fmt_shape(tuple(y.shape))} and the model output "
                f"is {fmt_shape(pred)}; the metric '{spec.written or spec.name}' fails on them: {why}. Change the "
                "metric (e.g. 'accuracy'), the output layer, or the targets",
                expected=fmt_shape(pred),
                actual=fmt_shape((None,) + tuple(y.shape[1:])),
                related=tuple(rel),
                hint={"metric": spec.name, "target": (None,) + tuple(y.shape[1:]), "pred": pred},
            )
        )
    return out


def _where(feed: Feed, d: DataRef | None) -> Span | None:
    if d is not None and d.span is not None:
        return d.span
    return feed.call


def _related(d: DataRef, layer, pred, spec: LossSpec) -> tuple:
    rel = []
    if d.origin is not None and d.origin != d.span:
        rel.append(Related(d.origin, f"the {d.role} data{' `' + d.name + '`' if d.name else ''} is defined here"))
    if layer is not None and layer.span is not None:
        rel.append(Related(layer.span, f"the model output {fmt_shape(pred)} comes from {layer.kind} {layer.id}"))
    if spec.span is not None:
        rel.append(Related(spec.span, f"the loss '{spec.written or spec.name}' is chosen here"))
    return tuple(rel)


def _diag(kind, feed: Feed, d, message, where, inp, expected=None, actual=None, hint=None) -> Diagnostic:
    rel = []
    if d is not None and d.origin is not None and d.origin != d.span:
        rel.append(Related(d.origin, f"the data{' `' + d.name + '`' if d.name else ''} is defined here"))
    if where is not None and inp is not None:
        rel.append(Related(where, f"the input shape {fmt_shape(tuple(inp.shape))} is declared here"))
    elif where is not None:
        rel.append(Related(where, "the other array is passed here"))
    return Diagnostic(
        kind=kind,
        severity="error",
        span=_where(feed, d),
        message=message,
        expected=expected,
        actual=actual,
        related=tuple(rel),
        hint=hint,
    )
