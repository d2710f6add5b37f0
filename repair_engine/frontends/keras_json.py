"""Keras model configs (`model.to_json()`, the config inside .keras and .h5) -> IR.

Understands Keras 3 and Keras 2 / tf.keras (and the Keras 1 argument spellings):
- Sequential (a dict with "layers", or Keras 2.0's bare list of layers) and
  Functional ("Functional" / "Model"), nested models inside models (inlined,
  their ids prefixed with the nested model's name);
- inbound_nodes as Keras 3 writes them ({"args": [...keras tensors...],
  "kwargs": {...}}) and as Keras 2 does ([[name, node_index, tensor_index, kwargs], ...]);
- shared layers: one id per call, the same `Layer.instance`;
- the input from an InputLayer (batch_shape / batch_input_shape), from
  batch_input_shape / input_dim on the first layer, or from build_config.

Arguments are normalized to what `keras.layers.<Kind>(**args)` accepts in
Keras 3: names, trainability, dtype policies, initializers, regularizers and
constraints are dropped (they never change a shape); legacy names are mapped
and remembered in `Layer.legacy`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic
from ..ir import ArgSource, Edge, InputNode, Layer, Model, Span
from . import FileResult
from .lenient_json import JNode, JSONError
from .lenient_json import parse as lenient_parse

FORMAT = "keras_json"
# Positions are recovered with the (slower, pure Python) lenient reader only
# for files below this size; bigger ones point at line 1.
SPAN_LIMIT = 2_000_000
MAX_NESTING = 20  # nested models inside models

MODEL_CLASSES = {"Sequential", "Functional", "Model"}

LEGACY_CLASSES = {
    "Convolution1D": "Conv1D",
    "Convolution2D": "Conv2D",
    "Convolution3D": "Conv3D",
    "AtrousConvolution1D": "Conv1D",
    "AtrousConvolution2D": "Conv2D",
    "Deconvolution2D": "Conv2DTranspose",
    "Deconvolution3D": "Conv3DTranspose",
    "Convolution2DTranspose": "Conv2DTranspose",
    "SeparableConvolution1D": "SeparableConv1D",
    "SeparableConvolution2D": "SeparableConv2D",
    "DepthwiseConvolution2D": "DepthwiseConv2D",
    "CuDNNLSTM": "LSTM",
    "CuDNNGRU": "GRU",
    "Conv2DTranspose": "Conv2DTranspose",
}
for _d in ("1", "2", "3"):
    LEGACY_CLASSES.update(
        {
            f"MaxPool{_d}D": f"MaxPooling{_d}D",
            f"AvgPool{_d}D": f"AveragePooling{_d}D",
            f"GlobalMaxPool{_d}D": f"GlobalMaxPooling{_d}D",
            f"GlobalAvgPool{_d}D": f"GlobalAveragePooling{_d}D",
            f"Convolution{_d}DTranspose": f"Conv{_d}DTranspose",
        }
    )

# Config keys that never influence a shape (or that Keras 3 refuses).
_DROP = {
    "name",
    "trainable",
    "dtype",
    "batch_input_shape",
    "batch_shape",
    "input_shape",
    "activity_regularizer",
    "time_major",
    "input_length",
    "quantization_config",
    "build_config",
}
_DROP_SUFFIXES = ("_initializer", "_regularizer", "_constraint")
# Keras 1 names of arguments (all layers)
_LEGACY_ARGS = {
    "nb_filter": "filters",
    "border_mode": "padding",
    "subsample": "strides",
    "subsample_length": "strides",
    "filter_length": "kernel_size",
    "pool_length": "pool_size",
    "atrous_rate": "dilation_rate",
    "dim_ordering": "data_format",
    "init": None,
    "inner_init": None,
    "W_regularizer": None,
    "b_regularizer": None,
    "U_regularizer": None,
    "W_constraint": None,
    "b_constraint": None,
    "bias": "use_bias",
}
_MERGE = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"}
_UNITS_OUTPUT_DIM = {"Dense", "LSTM", "GRU", "SimpleRNN"}


class ConfigError(ValueError):
    """The config is not a model config we can read."""


_MODEL_CLASS_RE = re.compile(rb'"class_name"\s*:\s*"(?:Sequential|Functional|Model)"')


def sniff(path: str, data: bytes) -> bool:
    """A JSON document naming a Keras model class (other JSON with a class_name,
    e.g. an optimizer config, is not a model)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith((b"{", b"[")):
        return False
    sample = data[:200000]
    return _MODEL_CLASS_RE.search(sample) is not None


def load(path: str, data: bytes, positions: bool = True) -> FileResult:
    """`positions=False` for configs embedded in binary files (.keras, .h5),
    where a line/column inside the embedded JSON would mean nothing to the user."""
    result = FileResult(path=path, format=FORMAT)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        result.diagnostics.append(parse_error(path, f"the file is not UTF-8 text ({e.reason} at byte {e.start})"))
        return result
    result.text = text
    root: JNode | None = None
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as e:
        try:
            root = lenient_parse(text)
        except JSONError as le:
            result.diagnostics.append(parse_error(path, f"invalid JSON: {le.message}", le.line, le.col))
            return result
        obj = root.to_python()
        del e
    if not positions:
        root = None
    elif root is None and len(text) <= SPAN_LIMIT:
        try:
            root = lenient_parse(text)
        except JSONError:
            root = None
    return from_config(obj, path, result, root)


def from_config(obj: Any, path: str, result: FileResult, root: JNode | None = None) -> FileResult:
    """Add the model(s) described by a Keras config object to `result`."""
    try:
        model = read_model(obj, path, root)
    except ConfigError as e:
        result.diagnostics.append(parse_error(path, str(e)))
        return result
    except RecursionError:
        result.diagnostics.append(parse_error(path, "the model config is nested too deeply"))
        return result
    except (TypeError, AttributeError, KeyError, IndexError, ValueError) as e:
        # a value of an unexpected type somewhere: the file is malformed, not our bug
        result.diagnostics.append(parse_error(path, f"malformed model config ({type(e).__name__}: {str(e)[:200]})"))
        return result
    result.models.append(model)
    return result


def parse_error(path: str, message: str, line: int = 1, col: int = 1) -> Diagnostic:
    return Diagnostic(kind="parse_error", severity="error", message=message, span=Span(path, line, col))


# ---------------------------------------------------------------------------
# helpers over the parallel (value, JNode) trees


def _child(node: JNode | None, key: Any) -> JNode | None:
    if node is None:
        return None
    if node.kind == "object" and isinstance(key, str):
        return node.value.get(key)
    if node.kind == "array" and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def _shape(value: Any) -> tuple | None:
    def dim(d: Any) -> bool:
        return d is None or (isinstance(d, int) and not isinstance(d, bool))

    if isinstance(value, (list, tuple)) and all(dim(d) for d in value):
        return tuple(value)
    return None


@dataclass
class _Builder:
    path: str
    inputs: list = field(default_factory=list)
    layers: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    ids: set = field(default_factory=set)
    # id prefix of a nested model's call -> its instance prefix: two calls of one
    # nested model get distinct ids ("enc/", "enc_1/") but share layer instances
    inst_prefix: dict = field(default_factory=dict)

    def span(self, node: JNode | None) -> Span | None:
        if node is None:
            return Span(self.path, 1, 1)
        return Span(self.path, node.line, node.col, node.end_line, node.end_col)

    def unique(self, lid: str) -> str:
        base, k = lid, 1
        while lid in self.ids:
            lid = f"{base}_{k}"
            k += 1
        self.ids.add(lid)
        return lid

    def note(self, message: str, node: JNode | None, kind: str = "unsupported_construct", severity: str = "warning"):
        self.notes.append(Diagnostic(kind=kind, severity=severity, message=message, span=self.span(node)))


def read_model(obj: Any, path: str, root: JNode | None = None) -> Model:
    """A Keras model config object (the parsed to_json() output) -> Model."""
    if isinstance(obj, list):  # Keras 2.0: a Sequential's bare layer list
        obj = {"class_name": "Sequential", "config": {"layers": obj}}
    if not isinstance(obj, dict):
        raise ConfigError("not a Keras model config (expected a JSON object with class_name and config)")
    cls = obj.get("class_name")
    cfg = obj.get("config")
    if cls not in MODEL_CLASSES:
        if cls is None and isinstance(obj.get("layers"), list):
            cls, cfg, root_cfg = "Sequential", obj, root
        else:
            raise ConfigError(f"not a Keras model config (class_name {cls!r})")
    else:
        root_cfg = _child(root, "config")
    if isinstance(cfg, list):
        cfg = {"layers": cfg}
        root_cfg = _child(root, "config")
    if not isinstance(cfg, dict):
        raise ConfigError("the model config has no 'config' object")
    b = _Builder(path)
    name = raw_name if isinstance(raw_name := cfg.get("name"), str) else "model"
    if cls == "Sequential":
        outs = _sequential(b, obj, cfg, root, root_cfg, prefix="", entry=None, depth=0)
        style = "sequential"
    else:
        outs = _functional(b, cfg, root_cfg, prefix="", entry=None, depth=0)
        style = "functional"
    return Model(
        name=name,
        inputs=tuple(b.inputs),
        layers=tuple(b.layers),
        outputs=tuple(outs),
        file=path,
        span=b.span(root),
        notes=tuple(b.notes),
        style=style,
    )


# ---------------------------------------------------------------------------
# Sequential


def _sequential(b: _Builder, obj: dict, cfg: dict, node, cfg_node, prefix: str, entry: list | None, depth: int) -> list:
    """Append a Sequential's layers; `entry` is the incoming edge list (None at top level)."""
    layers = cfg.get("layers")
    layers_node = _child(cfg_node, "layers")
    if not isinstance(layers, list):
        raise ConfigError("a Sequential config without a 'layers' list")
    prev: list | None = entry
    for i, entry_obj in enumerate(layers):
        lnode = _child(layers_node, i)
        if not isinstance(entry_obj, dict):
            b.note("a layer entry is not an object", lnode, kind="parse_error")
            continue
        cls = entry_obj.get("class_name")
        lcfg = raw_config if isinstance(raw_config := entry_obj.get("config"), dict) else {}
        if cls == "InputLayer":
            if prev is None:
                prev = [Edge(_input_node(b, prefix, lcfg, lnode, _child(lnode, "config")).id)]
            continue
        if cls in MODEL_CLASSES:  # a nested model declares its own input when first
            prev = _nested(b, entry_obj, lnode, prefix, prev, depth)
            continue
        if prev is None:
            inp = _implicit_input(b, prefix, obj, cfg, lcfg, lnode)
            prev = [Edge(inp.id)]
        layer = _make_layer(b, entry_obj, lnode, prefix, tuple(prev), instance=None)
        b.layers.append(layer)
        prev = [Edge(layer.id)]
    if prev is None:  # no layers at all
        inp = _implicit_input(b, prefix, obj, cfg, {}, None)
        prev = [Edge(inp.id)]
    return prev


def _input_node(b: _Builder, prefix: str, lcfg: dict, lnode, cfg_node, declared: str = "json") -> InputNode:
    shape = None
    key = None
    for k in ("batch_shape", "batch_input_shape"):
        if k in lcfg:
            shape, key = _shape(lcfg[k]), k
            break
    if shape is None and "shape" in lcfg and (per_sample := _shape(lcfg["shape"])) is not None:
        shape, key = (None,) + per_sample, "shape"
    name = raw_name if isinstance(raw_name := lcfg.get("name"), str) else "input"
    iid = b.unique(prefix + name)
    sspan = b.span(_child(cfg_node, key)) if key else b.span(lnode)
    inp = InputNode(
        id=iid,
        shape=shape,
        span=b.span(lnode),
        shape_span=sspan,
        shape_source=ArgSource(span=sspan, keyword=key),
        declared_as=declared if key != "batch_input_shape" else "batch_input_shape",
        dtype=raw_dtype if isinstance(raw_dtype := lcfg.get("dtype"), str) else None,
        name=name,
    )
    b.inputs.append(inp)
    return inp


def _implicit_input(b: _Builder, prefix: str, obj: dict, cfg: dict, first_cfg: dict, lnode) -> InputNode:
    """The input of a Sequential without InputLayer: the first layer's
    batch_input_shape / input_dim, else the model's build shape, else unknown."""
    cfg_node = _child(lnode, "config")
    for k in ("batch_input_shape", "batch_shape"):
        if _shape(first_cfg.get(k)) is not None:
            return _input_node(b, prefix, {k: first_cfg[k], "name": "input"}, lnode, cfg_node, "batch_input_shape")
    if isinstance(first_cfg.get("input_dim"), int) and first_cfg.get("input_dim") and "output_dim" not in first_cfg:
        inp = InputNode(
            id=b.unique(prefix + "input"),
            shape=(None, first_cfg["input_dim"]),
            span=b.span(lnode),
            shape_span=b.span(_child(cfg_node, "input_dim")),
            declared_as="input_dim",
        )
        b.inputs.append(inp)
        return inp
    for build in (
        cfg.get("build_input_shape"),
        (obj.get("build_config") or {}).get("input_shape") if isinstance(obj.get("build_config"), dict) else None,
    ):
        if _shape(build) is not None:
            inp = InputNode(id=b.unique(prefix + "input"), shape=_shape(build), span=b.span(lnode), declared_as="build")
            b.inputs.append(inp)
            return inp
    inp = InputNode(id=b.unique(prefix + "input"), shape=None, span=b.span(lnode), declared_as="json")
    b.inputs.append(inp)
    return inp


def _nested(b: _Builder, entry_obj: dict, lnode, prefix: str, incoming: list | None, depth: int) -> list:
    if depth >= MAX_NESTING:
        raise ConfigError(f"models nested more than {MAX_NESTING} deep")
    cfg = entry_obj.get("config")
    if isinstance(cfg, list):
        cfg = {"layers": cfg}
    if not isinstance(cfg, dict):
        raise ConfigError("a nested model without a config")
    name = raw_name if isinstance(raw_name := cfg.get("name"), str) else "model"
    sub = b.unique(prefix + name) + "/"
    b.inst_prefix[sub] = b.inst_prefix.get(prefix, prefix) + name + "/"
    cfg_node = _child(lnode, "config")
    if entry_obj.get("class_name") == "Sequential":
        return _sequential(b, entry_obj, cfg, lnode, cfg_node, sub, incoming, depth + 1)
    return _functional(b, cfg, cfg_node, sub, incoming, depth + 1)


# ---------------------------------------------------------------------------
# Functional


def _refs(value: Any) -> list:
    """Keras 3: the keras tensors' histories inside a call's args."""
    out: list = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if v.get("class_name") == "__keras_tensor__":
                hist = (v.get("config") or {}).get("keras_history")
                if isinstance(hist, list) and len(hist) >= 3:
                    out.append((hist[0], hist[1], hist[2]))
            else:
                stack.extend(reversed(list(v.values())))
        elif isinstance(v, list):
            stack.extend(reversed(v))
    return out


def _is_tensor(x: Any) -> bool:
    return isinstance(x, dict) and x.get("class_name") == "__keras_tensor__"


def _parse_call(node: Any) -> tuple[list, bool, dict]:
    """One inbound node -> (refs [(layer, node_index, tensor_index)], list_input, call kwargs)."""
    if isinstance(node, dict):  # Keras 3
        args = node.get("args") or []
        kwargs = node.get("kwargs") or {}
        refs: list = []
        list_input = False
        for a in args:
            if isinstance(a, list) and any(_is_tensor(x) for x in a):
                list_input = True
            refs.extend(_refs(a))
        call_args: dict = {}
        kwargs = kwargs if isinstance(kwargs, dict) else {}
        # tensors passed by keyword (attention's value=/key=) follow the positional
        # ones as extra input edges, as the Python frontend orders them
        for k in ("query", "value", "key"):
            if k in kwargs:
                refs.extend(_refs(kwargs[k]))
        for k, v in kwargs.items():
            if k in ("mask", "training", "query", "value", "key") or v is None:
                continue
            if not _refs(v) and not isinstance(v, (dict, list)):
                call_args[k] = v
        return refs, list_input, call_args
    if isinstance(node, list):  # Keras 2: [[name, node_index, tensor_index, kwargs], ...]
        if len(node) >= 3 and isinstance(node[0], str):  # tf.keras' flat form for one tensor
            node = [node]
        refs = []
        call_args = {}
        for t in node:
            if isinstance(t, list) and len(t) >= 3 and isinstance(t[0], str):
                refs.append((t[0], t[1], t[2]))
                kw = t[3] if len(t) > 3 and isinstance(t[3], dict) else {}
                for k in ("value", "key"):
                    v = kw.get(k)
                    if isinstance(v, list) and len(v) >= 3 and isinstance(v[0], str):
                        refs.append((v[0], v[1], v[2]))
                for k, v in kw.items():
                    if k not in ("value", "key", "mask", "training", "name") and isinstance(v, (bool, int, float, str)):
                        call_args[k] = v
        return refs, len(node) > 1, call_args
    return [], False, {}


def _io_list(value: Any) -> list:
    """input_layers/output_layers: ["n", 0, 0] (Keras 3, single) or [["n", 0, 0], ...]."""
    if isinstance(value, list) and len(value) >= 3 and isinstance(value[0], str):
        return [tuple(value[:3])]
    if isinstance(value, dict):  # Keras 3 may write a dict of named inputs
        return [tuple(v[:3]) for v in value.values() if isinstance(v, list) and len(v) >= 3]
    out: list = []
    if not isinstance(value, list):
        return out
    for v in value:
        if isinstance(v, list) and len(v) >= 3 and isinstance(v[0], str):
            out.append(tuple(v[:3]))
    return out


def _functional(b: _Builder, cfg: dict, cfg_node, prefix: str, entry: list | None, depth: int) -> list:
    layers = cfg.get("layers")
    layers_node = _child(cfg_node, "layers")
    if not isinstance(layers, list):
        raise ConfigError("a functional model config without a 'layers' list")
    by_name: dict[str, tuple[dict, Any]] = {}
    for i, e in enumerate(layers):
        if isinstance(e, dict):
            lname = e.get("name") or (e.get("config") or {}).get("name")
            if isinstance(lname, str):
                by_name[lname] = (e, _child(layers_node, i))
    input_refs = _io_list(cfg.get("input_layers"))
    output_refs = _io_list(cfg.get("output_layers"))
    # produced[(layer name, node index)] -> list of output edges
    produced: dict[tuple, list] = {}
    for k, (lname, _, _) in enumerate(input_refs):
        if entry is not None:
            if k < len(entry):
                produced[(lname, 0)] = [entry[k]]
            continue
        e, lnode = by_name.get(lname, ({}, None))
        lcfg = raw_config if isinstance(raw_config := e.get("config"), dict) else {}
        inp = _input_node(b, prefix, lcfg, lnode, _child(lnode, "config"))
        produced[(lname, 0)] = [Edge(inp.id)]
    # every call of every layer, resolved in dependency order (Kahn)
    calls = []  # (layer name, node index, entry, lnode, refs, list_input, call_args)
    for lname, (e, lnode) in by_name.items():
        if e.get("class_name") == "InputLayer":
            if (lname, 0) not in produced:  # an input not listed in input_layers
                lcfg = raw_config if isinstance(raw_config := e.get("config"), dict) else {}
                inp = _input_node(b, prefix, lcfg, lnode, _child(lnode, "config"))
                produced[(lname, 0)] = [Edge(inp.id)]
            continue
        nodes = e.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            continue
        for ni, n in enumerate(nodes):
            refs, list_input, call_args = _parse_call(n)
            calls.append((lname, ni, e, lnode, refs, list_input, call_args))
    waiting: dict[tuple, list] = {}
    missing = [0] * len(calls)
    ready: list[int] = []
    for ci, c in enumerate(calls):
        deps = {(r[0], r[1]) for r in c[4]}
        deps = {d for d in deps if d not in produced}
        missing[ci] = len(deps)
        for d in deps:
            waiting.setdefault(d, []).append(ci)
        if not deps:
            ready.append(ci)
    done = 0
    while ready:
        ready.sort(reverse=True)  # keep the config's order where possible
        ci = ready.pop()
        lname, ni, e, lnode, refs, list_input, call_args = calls[ci]
        ins = tuple(_edge(produced, r) for r in refs)
        cargs = dict(call_args)
        if e.get("class_name") in MODEL_CLASSES:
            outs = _nested(b, e, lnode, prefix, list(ins), depth)
        else:
            inst = b.inst_prefix.get(prefix, prefix) + lname
            layer = _make_layer(b, e, lnode, prefix, ins, instance=inst, call_index=ni, list_input=list_input)
            if cargs:
                from dataclasses import replace

                layer = replace(layer, call_args=cargs)
            b.layers.append(layer)
            outs = [Edge(layer.id, k) for k in range(_n_outputs(e))]
        produced[(lname, ni)] = outs
        done += 1
        for w in waiting.pop((lname, ni), []):
            missing[w] -= 1
            if missing[w] == 0:
                ready.append(w)
    if done < len(calls):
        stuck = sorted({c[0] for ci, c in enumerate(calls) if missing[ci] > 0})
        shown = ", ".join(stuck[:8]) + (" ..." if len(stuck) > 8 else "")
        first = by_name.get(stuck[0], ({}, None))[1] if stuck else None
        b.note(
            f"{len(stuck)} layer(s) ({shown}) read tensors that are never produced: the graph has a cycle "
            "or refers to layers that do not exist; they are not checked",
            first,
            kind="parse_error",
            severity="error",
        )
    outs = []
    for lname, ni, ti in output_refs:
        outs.append(_edge(produced, (lname, ni, ti)))
    if not outs and b.layers:
        outs = [Edge(b.layers[-1].id)]
    return outs


def _edge(produced: dict, ref: tuple) -> Edge:
    lname, ni, ti = ref
    outs = produced.get((lname, ni))
    if outs is None:
        return Edge(str(lname))  # dangling: the checker reports it
    if isinstance(ti, int) and 0 <= ti < len(outs):
        return outs[ti]
    if len(outs) == 1:
        return outs[0] if not isinstance(ti, int) or ti == 0 else Edge(outs[0].node, ti)
    return outs[0]


def _n_outputs(e: dict) -> int:
    cfg = e.get("config") or {}
    if e.get("class_name") in ("LSTM", "GRU", "SimpleRNN", "CuDNNLSTM", "CuDNNGRU") and cfg.get("return_state"):
        return 3 if "LSTM" in e["class_name"] else 2
    return 1


# ---------------------------------------------------------------------------
# one layer


def _make_layer(
    b: _Builder,
    e: dict,
    lnode,
    prefix: str,
    inputs: tuple,
    instance: str | None,
    call_index: int = 0,
    list_input: bool = False,
) -> Layer:
    written = raw_class_name if isinstance(raw_class_name := e.get("class_name"), str) else "Unknown"
    cfg = raw_config if isinstance(raw_config := e.get("config"), dict) else {}
    cfg_node = _child(lnode, "config")
    kind, args, legacy, sources = convert_layer(written, cfg, cfg_node, b)
    name = cfg.get("name") or e.get("name") or kind.lower()
    base = prefix + str(name)
    lid = b.unique(base if call_index == 0 else f"{base}@{call_index}")
    if instance is None and prefix in b.inst_prefix:
        instance = b.inst_prefix[prefix] + str(name)
    inner = None
    if isinstance(cfg.get("layer"), dict):
        inner = _make_layer(b, cfg["layer"], _child(cfg_node, "layer"), prefix + f"{name}/", (), None)
        b.ids.discard(inner.id)
    if isinstance(cfg.get("backward_layer"), dict):
        args["backward_layer"] = _make_layer(
            b, cfg["backward_layer"], _child(cfg_node, "backward_layer"), prefix + f"{name}/", (), None
        )
    return Layer(
        id=lid,
        kind=kind,
        args=args,
        inputs=inputs,
        span=b.span(lnode),
        arg_sources=sources,
        instance=instance or lid,
        inner=inner,
        list_input=list_input or (kind in _MERGE and len(inputs) > 1),
        legacy=legacy,
        written_kind=written if written != kind else None,
    )


def _activation(value: Any) -> Any:
    if isinstance(value, dict):  # a serialized function/object
        inner = value.get("config")
        if isinstance(inner, str):
            return inner
        if isinstance(value.get("class_name"), str):
            return value["class_name"]
    return value


def convert_layer(written: str, cfg: dict, cfg_node=None, b: _Builder | None = None) -> tuple:
    """(kind, args, legacy, arg_sources) for one serialized layer."""
    kind = LEGACY_CLASSES.get(written, written)
    args: dict[str, Any] = {}
    legacy: dict[str, str] = {}
    sources: dict[str, ArgSource] = {}
    path = b.path if b else "<memory>"

    def src(key: str) -> ArgSource:
        n = _child(cfg_node, key)
        span = Span(path, n.line, n.col, n.end_line, n.end_col) if n is not None else None
        return ArgSource(span=span, keyword=key)

    for key, value in cfg.items():
        if key in _DROP or key.endswith(_DROP_SUFFIXES) or key in ("layer", "backward_layer"):
            continue
        if key == "input_dim" and kind != "Embedding":
            continue
        target = key
        if key in _LEGACY_ARGS:
            target = _LEGACY_ARGS[key]
            if target is None:
                continue
            legacy[target] = key
        if key == "output_dim" and kind in _UNITS_OUTPUT_DIM:
            target = "units"
            legacy["units"] = key
        if key == "p" and kind in ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"):
            target = "rate"
            legacy["rate"] = key
        if key == "alpha" and kind == "LeakyReLU":
            target = "negative_slope"
            legacy["negative_slope"] = key
        if key in ("nb_row", "nb_col", "kernel_dim1", "kernel_dim2", "kernel_dim3"):
            continue
        if key == "activation":
            value = _activation(value)
        if target == "data_format" and value in ("th", "tf"):
            value = "channels_first" if value == "th" else "channels_last"
        if target == "padding" and key == "border_mode":
            value = value
        args[target] = _tuples(value)
        sources[target] = src(key)
    # Keras 1 kernel dimensions
    dims = [cfg[k] for k in ("kernel_dim1", "kernel_dim2", "kernel_dim3") if k in cfg] or [
        cfg[k] for k in ("nb_row", "nb_col") if k in cfg
    ]
    if dims and "kernel_size" not in args:
        args["kernel_size"] = tuple(dims)
        legacy["kernel_size"] = "nb_row" if "nb_row" in cfg else "kernel_dim1"
        sources["kernel_size"] = src("nb_row" if "nb_row" in cfg else "kernel_dim1")
    if kind == "BatchNormalization" and isinstance(args.get("axis"), tuple) and len(args["axis"]) == 1:
        args["axis"] = args["axis"][0]  # tf.keras writes [3]; Keras 3 wants an int
    return kind, args, legacy, sources
