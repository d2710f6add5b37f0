"""Data shapes read from the code: NumPy, keras.datasets, tf.data, image generators,
sklearn and pandas, as the evaluator follows them (never run).

Arrays are `ArrayVal(shape)`; a dimension may be None here (rows of a CSV, the
classes of `to_categorical(y)` without `num_classes`): None is "some size", never a
guess. Datasets and generators are `Batches`: the element structure Keras sees in
one step (its first axis is the batch axis, as in Keras 3's tf.data adapter).
Every entry point returns NotImplemented when it does not know the call, so the
evaluator goes on with its own handling (and, in the end, UNKNOWN).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...ir import UNKNOWN, is_unknown
from ...semantics.feeds import METHODS, DataRef, Feed, LossSpec, MetricSpec, loss_name, metric_name
from . import data_numpy
from .data_numpy import broadcast
from .values import ArrayVal, FuncVal, Ref

NI = NotImplemented
MAX_ITER = 64  # iterating an array yields its rows; longer loops stay unknown


@dataclass(frozen=True)
class Batches:
    """A tf.data dataset or a Keras/legacy generator: what one step yields.

    x, y      ArrayVal (first axis = batch) or a tuple/dict of them; y None: no targets
    source    "dataset" | "generator"
    """

    x: Any
    y: Any = None
    source: str = "dataset"
    n: int | None = None  # samples per epoch when known


@dataclass(frozen=True)
class Obj:
    """A data-producing object: an ImageDataGenerator, a scaler, a DataFrame, a TF1 MNIST reader."""

    kind: str
    info: Any = None


# keras.datasets: loader -> ((x_train, y_train), (x_test, y_test)) shapes
DATASETS = {
    "mnist": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "fashion_mnist": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "cifar10": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
    "cifar100": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
    "boston_housing": (((404, 13), (404,)), ((102, 13), (102,))),
    "imdb": (((25000,), (25000,)), ((25000,), (25000,))),  # object arrays of word-index lists
    "reuters": (((8982,), (8982,)), ((2246,), (2246,))),
}
_CALIFORNIA = {"large": 20640, "small": 600}
_DTYPES = {"mnist": "uint8", "fashion_mnist": "uint8", "cifar10": "uint8", "cifar100": "uint8"}
_CHANNELS = {"rgb": 3, "grayscale": 1, "rgba": 4}
_SCALERS = {
    "StandardScaler",
    "MinMaxScaler",
    "MaxAbsScaler",
    "RobustScaler",
    "Normalizer",
    "QuantileTransformer",
    "PowerTransformer",
}


def _arr(shape, dtype=None) -> ArrayVal:
    return ArrayVal(tuple(shape))


_is_int = data_numpy.is_int


def _dims_ok(shape) -> bool:
    return isinstance(shape, (tuple, list)) and all(d is None or (_is_int(d) and d >= 0) for d in shape)


def _kw(kws) -> dict:
    return {k: v for k, v, _ in kws}


# ------------------------------------------------------------------ calls


def call_ref(ev, path: str, pos, kws, node):
    """A call of a library function the data comes from; NotImplemented when not ours."""
    vals = [v for v, _ in pos]
    kw = _kw(kws)
    last = path.rsplit(".", 1)[-1]
    if path.startswith("keras.losses."):
        return loss_object(path, pos, kws)
    if path.startswith("keras.metrics.") and last[:1].isupper():
        return metric_object(path, kws)
    if path.startswith("keras.datasets.") and last == "load_data":
        return _load_dataset(path.split(".")[2], vals, kw)
    if path.endswith("examples.tutorials.mnist.input_data.read_data_sets"):
        return Obj("tf1_mnist", bool(kw.get("one_hot", vals[1] if len(vals) > 1 else False)))
    if path in ("keras.utils.to_categorical", "keras.utils.np_utils.to_categorical"):
        return _to_categorical(vals, kw)
    if path in ("tensorflow.one_hot", "keras.ops.one_hot"):
        arr, n = (vals + [None, None])[:2]
        n = kw.get("depth", kw.get("num_classes", n))
        if isinstance(arr, ArrayVal) and _is_int(n):
            return ArrayVal(tuple(arr.shape) + (n,))
        return NI
    if path in ("numpy.random.RandomState", "numpy.random.default_rng", "numpy.random.Generator"):
        return Obj("rng", path != "numpy.random.RandomState")  # info: the Generator API
    if path.startswith("numpy."):
        return data_numpy.call(path[6:], vals, kw)
    if path.startswith("sklearn.preprocessing.") and last in _SCALERS:
        return Obj("scaler")
    if path == "keras.preprocessing.image.ImageDataGenerator" or path.endswith(".ImageDataGenerator"):
        return Obj("image_generator", kw.get("data_format"))
    if path.startswith("tensorflow.data.Dataset.") and last == "from_tensor_slices" and vals:
        return _slices(vals[0])
    if last in ("image_dataset_from_directory", "text_dataset_from_directory", "timeseries_dataset_from_array") and (
        path.startswith("keras.")
    ):
        return _keras_loader(last, vals, kw)
    if path in ("pandas.read_csv", "pandas.read_excel", "pandas.read_table", "pandas.read_json"):
        return Obj("frame", None)  # columns unknown
    if path == "pandas.DataFrame":
        return Obj("frame", None)
    return NI


# keras.datasets loaders' parameters (Keras 3.15), and those that change the sizes
_LOADER_PARAMS = {
    "mnist": ("path",),
    "fashion_mnist": (),
    "cifar10": (),
    "cifar100": ("label_mode",),
    "boston_housing": ("path", "test_split", "seed"),
    "california_housing": ("version", "path", "test_split", "seed"),
    "imdb": ("path", "num_words", "skip_top", "maxlen", "seed", "start_char", "oov_char", "index_from"),
    "reuters": (
        "path",
        "num_words",
        "skip_top",
        "maxlen",
        "test_split",
        "seed",
        "start_char",
        "oov_char",
        "index_from",
    ),
}
_TOTAL = {"boston_housing": 506, "reuters": 11228}


def _load_dataset(name: str, vals: list, kw: dict):
    """keras.datasets.<name>.load_data(...): ((x_train, y_train), (x_test, y_test)) with the sizes
    Keras computes (int(n * (1 - test_split)) training samples); unknown under `maxlen`
    (it drops long sequences) or any argument we cannot read."""
    params = _LOADER_PARAMS.get(name)
    b = data_numpy.bind(params, vals, kw) if params is not None else None
    if b is None or b.get("maxlen") is not None:
        return UNKNOWN
    if name == "cifar100" and b.get("label_mode", "fine") not in ("fine", "coarse"):
        return UNKNOWN
    split = b.get("test_split", 0.2)
    if not isinstance(split, float) or not 0.0 <= split <= 1.0:
        return UNKNOWN
    if name == "california_housing":
        total = _CALIFORNIA.get(b.get("version", "large"))
        if total is None:
            return UNKNOWN
        return _split(total, split, (8,))
    if name in _TOTAL:
        return _split(_TOTAL[name], split, (13,) if name == "boston_housing" else ())
    (xa, ya), (xb, yb) = DATASETS[name]
    return ((_arr(xa), _arr(ya)), (_arr(xb), _arr(yb)))


def _split(total: int, split: float, features: tuple):
    n = int(total * (1 - split))
    return (
        (_arr((n,) + features), _arr((n,))),
        (_arr((total - n,) + features), _arr((total - n,))),
    )


def _to_categorical(vals, kw):
    arr = vals[0] if vals else kw.get("x", kw.get("y"))
    n = vals[1] if len(vals) > 1 else kw.get("num_classes")
    if not isinstance(arr, ArrayVal) or not arr.shape:
        return NI
    if len(arr.shape) > 1 and arr.shape[-1] is None:
        return UNKNOWN  # a last axis of 1 would be dropped: the rank is not known
    base = arr.shape[:-1] if len(arr.shape) > 1 and arr.shape[-1] == 1 else arr.shape
    return ArrayVal(tuple(base) + ((n,) if _is_int(n) and n > 0 else (None,)))  # 0 counts the classes too


def _slices(v):
    """Dataset.from_tensor_slices: each element drops the first axis (unbatched)."""
    el = _map_struct(v, lambda a: ArrayVal(a.shape[1:]) if a.shape else None)
    if el is None:
        return NI
    n = _first_dim(v)
    if isinstance(el, tuple) and len(el) == 2:
        return Batches(el[0], el[1], "dataset", n)
    return Batches(el, None, "dataset", n)


def _map_struct(v, fn):
    if isinstance(v, ArrayVal):
        return fn(v)
    if isinstance(v, (tuple, list)) and v:
        items = [_map_struct(x, fn) for x in v]
        return None if any(i is None for i in items) else tuple(items)
    if isinstance(v, dict) and v:
        items2 = {k: _map_struct(x, fn) for k, x in v.items()}
        return None if any(i is None for i in items2.values()) else items2
    return None


def _first_dim(v):
    if isinstance(v, ArrayVal):
        return v.shape[0] if v.shape else None
    if isinstance(v, (tuple, list)) and v:
        return _first_dim(v[0])
    if isinstance(v, dict) and v:
        return _first_dim(next(iter(v.values())))
    return None


# keras.utils.*_dataset_from_* parameters (Keras 3.15, utils/*_dataset_utils.py)
_DIR_COMMON = ("labels", "label_mode", "class_names")
_LOADERS = {
    "image_dataset_from_directory": ("directory",)
    + _DIR_COMMON
    + ("color_mode", "batch_size", "image_size", "shuffle", "seed", "validation_split", "subset", "interpolation")
    + ("follow_links", "crop_to_aspect_ratio", "pad_to_aspect_ratio", "data_format", "format", "verbose"),
    "text_dataset_from_directory": ("directory",)
    + _DIR_COMMON
    + ("batch_size", "max_length", "shuffle", "seed", "validation_split", "subset", "follow_links", "format")
    + ("verbose",),
    "timeseries_dataset_from_array": ("data", "targets", "sequence_length", "sequence_stride", "sampling_rate")
    + ("batch_size", "shuffle", "seed", "start_index", "end_index", "format"),
}


def _keras_loader(name: str, vals, kw):
    """A Keras dataset loader: one batch's structure (the last batch may be smaller: size unknown)."""
    b = data_numpy.bind(_LOADERS[name], vals, kw)
    if b is None or b.get("format", "tf") != "tf" or b.get("subset") == "both":
        return NI  # "both" gives two datasets; other formats are not tf.data
    bs = b.get("batch_size", 128 if name.startswith("timeseries") else 32)
    if bs is not None and not _is_int(bs):
        return NI
    lead = () if bs is None else (None,)
    if name == "timeseries_dataset_from_array":
        return _timeseries(b, lead)
    if name == "text_dataset_from_directory":
        x = ArrayVal(lead)
    else:
        size = b.get("image_size", (256, 256))
        ch = _CHANNELS.get(b.get("color_mode", "rgb"))
        if not _size2(size) or ch is None or b.get("data_format") not in (None, "channels_last"):
            return NI
        x = ArrayVal(lead + tuple(size) + (ch,))
    if b.get("labels", "inferred") is None:
        return Batches(x, None, "dataset")  # images only
    label_mode = b.get("label_mode", "int")
    labels = {"int": lead, "binary": lead + (1,), "categorical": lead + (None,)}
    if label_mode is None:
        return Batches(x, None, "dataset")
    if label_mode not in labels:
        return NI
    return Batches(x, ArrayVal(labels[label_mode]), "dataset")


def _timeseries(b: dict, lead: tuple):
    data, targets, length = b.get("data"), b.get("targets"), b.get("sequence_length")
    if not isinstance(data, ArrayVal) or not _is_int(length) or not data.shape:
        return NI
    x = ArrayVal(lead + (length,) + tuple(data.shape[1:]))
    if targets is None:
        return Batches(x, None, "dataset")
    if not isinstance(targets, ArrayVal) or not targets.shape:
        return NI
    return Batches(x, ArrayVal(lead + tuple(targets.shape[1:])), "dataset")


def _size2(size) -> bool:
    return isinstance(size, (tuple, list)) and len(size) == 2 and all(_is_int(d) for d in size)


# ---------------------------------------------------------------- methods


def call_method(ev, obj, name: str, pos, kws, node):
    vals = [v for v, _ in pos]
    kw = _kw(kws)
    if isinstance(obj, ArrayVal):
        return data_numpy.method(obj, name, vals, kw)
    if isinstance(obj, Batches):
        return _dataset_method(ev, obj, name, vals, kw, node)
    if isinstance(obj, Obj):
        return _obj_method(obj, name, vals, kw)
    return NI


def _dataset_method(ev, d: Batches, name, vals, kw, node):
    if name in ("shuffle", "prefetch", "repeat", "cache", "take", "skip", "with_options", "filter"):
        return Batches(d.x, d.y, d.source, None if name in ("take", "skip", "filter", "repeat") else d.n)
    if name == "batch" and d.source == "dataset":
        size = vals[0] if vals else kw.get("batch_size")
        if not _is_int(size):
            return NI
        drop = kw.get("drop_remainder", vals[1] if len(vals) > 1 else False)
        b = size if (drop is True or (d.n is not None and d.n >= size)) else None
        return Batches(_prepend(d.x, b), _prepend(d.y, b) if d.y is not None else None, d.source, d.n)
    if name == "unbatch":
        return NI
    if name == "map" and vals and isinstance(vals[0], FuncVal):
        args = [d.x] + ([d.y] if d.y is not None else [])
        try:
            out = ev.call_function(vals[0], [(a, None) for a in args], [], node)
        except RecursionError:
            return NI
        if isinstance(out, tuple) and len(out) == 2 and _all_arrays(out):
            return Batches(out[0], out[1], d.source, d.n)
        if _all_arrays(out):
            return Batches(out, None, d.source, d.n)
        return NI
    return NI


def _all_arrays(v) -> bool:
    if isinstance(v, ArrayVal):
        return True
    if isinstance(v, (tuple, list)) and v:
        return all(_all_arrays(x) for x in v)
    if isinstance(v, dict) and v:
        return all(_all_arrays(x) for x in v.values())
    return False


def _prepend(v, b):
    return _map_struct(v, lambda a: ArrayVal((b,) + tuple(a.shape)))


def _obj_method(o: Obj, name, vals, kw):
    if o.kind == "rng":
        return data_numpy.random(name, vals, kw, generator=bool(o.info))
    if o.kind == "scaler" and name in ("fit_transform", "transform", "inverse_transform") and vals:
        return vals[0] if isinstance(vals[0], ArrayVal) else NI
    if o.kind == "image_generator":
        return _generator(o, name, vals, kw)
    if o.kind == "tf1_split" and name == "next_batch" and vals and _is_int(vals[0]):
        n = vals[0]
        return (ArrayVal((n, 784)), ArrayVal((n, 10) if o.info else (n,)))
    if o.kind == "frame" and name in ("to_numpy", "as_matrix"):
        return frame_array(o)
    if o.kind == "frame" and name in ("dropna", "copy", "fillna", "sample", "head", "tail"):
        return Obj("frame", o.info) if name in ("copy", "fillna") else Obj("frame", None)
    return NI


# ImageDataGenerator's iterators (Keras 3.15, legacy/preprocessing/image.py)
_FLOWS = {
    "flow": ("x", "y", "batch_size", "shuffle", "sample_weight", "seed", "save_to_dir", "save_prefix")
    + ("save_format", "ignore_class_split", "subset"),
    "flow_from_directory": ("directory", "target_size", "color_mode", "classes", "class_mode", "batch_size")
    + ("shuffle", "seed", "save_to_dir", "save_prefix", "save_format", "follow_links", "subset", "interpolation")
    + ("keep_aspect_ratio",),
    "flow_from_dataframe": ("dataframe", "directory", "x_col", "y_col", "weight_col", "target_size", "color_mode")
    + ("classes", "class_mode", "batch_size", "shuffle", "seed", "save_to_dir", "save_prefix", "save_format")
    + ("subset", "interpolation", "validate_filenames"),
}
_LABELS = {"categorical": (None, None), "binary": (None,), "sparse": (None,)}


def _generator(gen: Obj, name, vals, kw):
    b = data_numpy.bind(_FLOWS[name], vals, kw) if name in _FLOWS else None
    bs = b.get("batch_size", 32) if b is not None else None
    if b is None or not _is_int(bs) or gen.info not in (None, "channels_last"):
        return NI  # channels_first generators put the channels before the image axes
    if name == "flow":
        return _flow(b, bs)
    size = b.get("target_size", (256, 256))
    ch = _CHANNELS.get(b.get("color_mode", "rgb"))
    if not _size2(size) or ch is None:
        return NI
    x = ArrayVal((None,) + tuple(size) + (ch,))
    mode = b.get("class_mode", "categorical")
    if mode in _LABELS:
        return Batches(x, ArrayVal(_LABELS[mode]), "generator")
    if mode == "input":
        return Batches(x, x, "generator")
    if mode is None:
        return Batches(x, None, "generator")
    return NI  # raw / multi_output: the dataframe's columns decide


def _flow(b: dict, bs: int):
    x, y = b.get("x"), b.get("y")
    if not isinstance(x, ArrayVal) or not x.shape:
        return NI
    n = x.shape[0]
    first = min(bs, n) if n is not None and b.get("subset") is None else None
    ya = ArrayVal((first,) + tuple(y.shape[1:])) if isinstance(y, ArrayVal) and y.shape else None
    if y is not None and ya is None:
        return NI
    return Batches(ArrayVal((first,) + tuple(x.shape[1:])), ya, "generator")


def attribute(base, attr: str):
    """Attributes of our data objects; NotImplemented when not ours."""
    if isinstance(base, ArrayVal) and None in base.shape:
        if attr == "shape":
            return tuple(UNKNOWN if d is None else d for d in base.shape)
        if attr == "ndim":
            return len(base.shape)
        if attr == "T":
            return ArrayVal(tuple(reversed(base.shape)))
        return NI
    if isinstance(base, Obj):
        if base.kind == "tf1_mnist" and attr in ("train", "test", "validation"):
            return Obj("tf1_split", base.info)
        if base.kind == "frame" and attr == "values":
            return frame_array(base)
        if base.kind == "frame" and attr == "shape":
            return (UNKNOWN, base.info if base.info is not None else UNKNOWN)
        if base.kind == "frame":
            return UNKNOWN
        if base.kind in ("scaler", "image_generator", "tf1_mnist", "tf1_split", "rng"):
            from .values import BoundMethod

            return BoundMethod(base, attr)
    if isinstance(base, Batches):
        from .values import BoundMethod

        return BoundMethod(base, attr)
    return NI


def frame_array(o: Obj):
    """DataFrame.values: rows unknown; columns known after df[[...]] with a literal list."""
    return ArrayVal((None, o.info)) if _is_int(o.info) else UNKNOWN


def subscript(base, key):
    """x[None], x[:, 0], x[..., np.newaxis], df[['a', 'b']]; NotImplemented when not ours."""
    if isinstance(base, Obj) and base.kind == "frame":
        if isinstance(key, list) and key and all(isinstance(k, str) for k in key):
            return Obj("frame", len(key))
        if isinstance(key, str):
            return Obj("frame", 1) if False else UNKNOWN  # a Series: rows unknown, use .values
        return UNKNOWN
    if not isinstance(base, ArrayVal):
        return NI
    if isinstance(base, ArrayVal) and isinstance(key, ArrayVal):
        return NI  # integer-array indexing: the evaluator's own rule
    key = _newaxis(key)
    items = list(key) if isinstance(key, tuple) else [key]
    if not isinstance(key, tuple) and not (key is None or key is Ellipsis):
        if None not in base.shape:
            return NI  # plain int / slice on a known shape: the evaluator's own rule
    return index(base, items)


def _newaxis(key):
    """np.newaxis is None."""
    if isinstance(key, tuple):
        return tuple(_newaxis(k) for k in key)
    return None if isinstance(key, Ref) and key.path == "numpy.newaxis" else key


def index(a: ArrayVal, items: list):
    """Basic NumPy indexing: ints drop an axis, slices keep it, None adds one, ... fills."""
    if any(not (_is_int(i) or isinstance(i, slice) or i is None or i is Ellipsis) for i in items):
        return UNKNOWN
    if sum(1 for i in items if i is Ellipsis) > 1:
        return UNKNOWN
    used = sum(1 for i in items if i is not None and i is not Ellipsis)
    if used > len(a.shape):
        return UNKNOWN
    if Ellipsis in items:
        k = items.index(Ellipsis)
        items = items[:k] + [slice(None)] * (len(a.shape) - used) + items[k + 1 :]
    else:
        items = items + [slice(None)] * (len(a.shape) - used)
    out: list = []
    axis = 0
    for i in items:
        if i is None:
            out.append(1)
            continue
        d = a.shape[axis]
        axis += 1
        if _is_int(i):
            if d is not None and not -d <= i < d:
                return UNKNOWN
            continue
        if d is None:
            out.append(None if i != slice(None) else None)
            continue
        out.append(len(range(*i.indices(d))))
    return ArrayVal(tuple(out))


def binop(left, right):
    """Arithmetic on arrays: NumPy broadcasting; NotImplemented unless an array is involved."""
    if not isinstance(left, ArrayVal) and not isinstance(right, ArrayVal):
        return NI
    if isinstance(left, (int, float)) and not isinstance(left, bool):
        return right
    if isinstance(right, (int, float)) and not isinstance(right, bool):
        return left
    if isinstance(left, ArrayVal) and isinstance(right, ArrayVal):
        return broadcast(left.shape, right.shape)
    return UNKNOWN


def iterate(v) -> list | None:
    """`for row in X`: the rows of an array with a small known first axis."""
    if isinstance(v, ArrayVal) and v.shape and _is_int(v.shape[0]) and 0 < v.shape[0] <= MAX_ITER:
        return [ArrayVal(v.shape[1:])] * v.shape[0]
    return None


# ------------------------------------------------------------- the feed


def record_compile(m, pos, kws, node, ev):
    """compile(optimizer, loss, loss_weights, metrics): the loss per output, with from_logits
    when given, and the metrics whose shapes are checked."""
    loss = pos[1] if len(pos) > 1 else next(((v, s) for k, v, s in kws if k == "loss"), (None, None))
    m.loss_spec = _loss(loss[0], loss[1], ev)
    metrics = pos[3] if len(pos) > 3 else next(((v, s) for k, v, s in kws if k == "metrics"), (None, None))
    weighted = next((v for k, v, _ in kws if k == "weighted_metrics"), None)
    m.metrics = _metrics(ev, metrics[0], node, "metrics", 3) + _metrics(ev, weighted, node, "weighted_metrics", None)


def _metrics(ev, value, node, keyword: str, position: int | None) -> tuple:
    """MetricSpec per metric of a list literal we can name (its element's span, for a repair)."""
    if not isinstance(value, (list, tuple)):
        return ()
    import ast

    arg = next((k.value for k in getattr(node, "keywords", []) if k.arg == keyword), None)
    args = getattr(node, "args", [])
    if arg is None and position is not None and len(args) > position:
        arg = args[position]
    elts = arg.elts if isinstance(arg, (ast.List, ast.Tuple)) and len(arg.elts) == len(value) else None
    out = []
    for i, v in enumerate(value):
        written = v if isinstance(v, str) else v.path if isinstance(v, Ref) else None
        if isinstance(v, Obj) and v.kind == "metric":
            written = v.info
        name = metric_name(written)
        if name is not None and isinstance(written, str):
            span = ev.span(elts[i]) if elts is not None and isinstance(v, str) else None
            out.append(MetricSpec(name, span, written.rsplit(".", 1)[-1]))
    return tuple(out)


def metric_object(path: str, kws):
    """keras.metrics.AUC(...) -> a metric we can name; unknown when an argument changes its shape rule."""
    if metric_name(path) is None or "from_sorted_ids" in _kw(kws):
        return NI
    return Obj("metric", path)


def _loss(value, src, ev):
    span = src.span if src is not None else None
    if isinstance(value, str):
        return LossSpec(loss_name(value), None, span, value)
    if isinstance(value, Obj) and value.kind == "loss":
        name, logits = value.info
        return LossSpec(loss_name(name), logits, span, name.rsplit(".", 1)[-1])

    if isinstance(value, Ref):
        return LossSpec(loss_name(value.path), None, span, value.path.rsplit(".", 1)[-1])
    if isinstance(value, (list, tuple)):
        return tuple(_loss(v, None, ev) if v is not None else None for v in value)
    if isinstance(value, dict):
        return {k: _loss(v, None, ev) for k, v in value.items()}
    return None


def loss_object(path: str, pos, kws):
    """keras.losses.CategoricalCrossentropy(from_logits=True) -> a loss we can name."""
    if not path.startswith("keras.losses.") or loss_name(path) is None or not path.rsplit(".", 1)[-1][:1].isupper():
        return NI
    logits = _kw(kws).get("from_logits")
    return Obj("loss", (path, logits if isinstance(logits, bool) else None))


def record_feed(ev, m, name: str, pos, kws, node) -> None:
    """One fit/evaluate/predict/... call as a semantics.feeds.Feed on the model."""
    if name not in METHODS:
        return
    kw = {k: (v, s) for k, v, s in kws}
    x = pos[0] if pos else kw.get("x", kw.get("generator", (None, None)))
    y = pos[1] if len(pos) > 1 else kw.get("y", (None, None))
    call = ev.span(node)
    xs: tuple = ()
    ys: tuple = ()
    x_struct = y_struct = "single"
    if isinstance(x[0], Batches):
        xs, x_struct = _refs(x[0].x, "x", x[1], True, x[0].source)
        if isinstance(x[0].x, ArrayVal) and x[0].x.shape:
            m.data_calls.append((name, x[0].x, x[1], call))  # an unbuilt model is built from it
        if x[0].y is not None:
            ys, y_struct = _refs(x[0].y, "y", x[1], True, x[0].source)
    else:
        xs, x_struct = _refs(x[0], "x", x[1], False, "array", _elements(ev, node, 0, "x"))
        if METHODS[name]:
            ys, y_struct = _refs(y[0], "y", y[1], False, "array")
    if not xs and not ys:
        return
    bs = kw.get("batch_size", (None, None))[0]
    vs = kw.get("validation_split", (None, None))[0]
    sw = kw.get("sample_weight", (None, None))
    if isinstance(sw[0], ArrayVal) and not isinstance(x[0], Batches):
        ys = ys + (DataRef(tuple(sw[0].shape), "sample_weight", sw[1].span if sw[1] else None),)
    val = kw.get("validation_data", (None, None))
    if isinstance(val[0], tuple) and len(val[0]) >= 2 and name == "fit":
        vx, vx_struct = _refs(val[0][0], "x", val[1], False, "validation")
        vy, vy_struct = _refs(val[0][1], "y", val[1], False, "validation")
        if vx or vy:
            _add_feed(
                m,
                Feed(
                    method="fit (validation_data)",
                    call=call,
                    xs=vx,
                    x_struct=vx_struct,
                    ys=vy,
                    y_struct=vy_struct,
                    loss=m.loss_spec,
                    batch_size=bs if _is_int(bs) else None,
                    metrics=m.metrics or (),
                ),
            )
    _add_feed(
        m,
        Feed(
            method=name,
            call=call,
            xs=xs,
            x_struct=x_struct,
            ys=ys,
            y_struct=y_struct,
            loss=m.loss_spec,
            batch_size=bs if _is_int(bs) else None,
            validation_split=vs if isinstance(vs, float) else None,
            metrics=m.metrics or (),
        ),
    )


def _add_feed(m, feed: Feed) -> None:
    """One feed per call and data: a call in a loop is recorded once, not once per iteration."""
    if feed not in m.feeds:
        m.feeds.append(feed)


def _elements(ev, node, position: int, keyword: str) -> list:
    """The spans of the elements of a list/tuple literal argument (`predict([a, b])`)."""
    import ast

    args = getattr(node, "args", [])
    arg = args[position] if len(args) > position else None
    if arg is None:
        arg = next((k.value for k in getattr(node, "keywords", []) if k.arg == keyword), None)
    if isinstance(arg, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in arg.elts):
        return [ev.span(e) for e in arg.elts]
    return []


def _refs(value, role, src, batched, source, elements=()):
    span = src.span if src is not None else None
    origin = getattr(src, "origin", None)
    oname = getattr(src, "origin_name", None)
    if isinstance(value, ArrayVal):
        return (DataRef(tuple(value.shape), role, span, origin, oname, None, batched, source),), "single"
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, ArrayVal) for v in value):
        spans = list(elements) if len(elements) == len(value) else [span] * len(value)
        refs = tuple(
            DataRef(tuple(v.shape), role, spans[i], None, None, i, batched, source) for i, v in enumerate(value)
        )
        return refs, "list"
    if isinstance(value, dict) and value and all(isinstance(v, ArrayVal) for v in value.values()):
        refs = tuple(DataRef(tuple(v.shape), role, span, None, None, k, batched, source) for k, v in value.items())
        return refs, "dict"
    if (
        isinstance(value, (list, tuple))
        and value
        and not is_unknown(value)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        kind = "list" if source == "array" else source  # a Python list: no ndarray methods
        return (DataRef((len(value),), role, span, origin, oname, None, batched, kind),), "single"
    return (), "single"
