"""SOCRATES-style JSON model specs (the ExAIS repair benchmark's format) -> IR.

    {"model": {"shape": "(1,224,224,3)", "layers": [{"type": "Conv2D", "nodes": "64",
               "kernel_size": "(3,3)", "padding": "true", "func": "relu"}, ...]}}

Reading rules (ExAIS' JsonModelParser):
- `model.shape` drops its first entry as the batch size.
- `type` "linear" is Dense; `func` is the activation; `nodes` is units/filters;
  `size` is the pool size (the target shape for Reshape, the size for UpSampling);
  `sizes` is ZeroPadding's padding; `padding` "true" is 'same', else 'valid'.
- `weights` / `bias` hold literal values ("" = not given); `weight_shape` gives
  the kernel's shape directly. They become `Layer.weights` (shapes).
- `name` / `inputs` give graph edges; a layer without `inputs` reads the previous one.
- a per-layer `input_shape` is an annotation (batch first), not used for shapes.
Values are strings; they are parsed here ("16" -> 16, "(2)" -> 2, "(3,3)" -> (3, 3)).
Several benchmark files are not strict JSON, hence the lenient reader.
"""

from __future__ import annotations

import re
from typing import Any

from ..diagnostics import Diagnostic
from ..ir import ArgSource, Edge, InputNode, Layer, Model, Span
from . import FileResult
from .lenient_json import JNode, JSONError, parse_with_warnings

FORMAT = "exais_spec"

# spec `type` (lower-cased) -> Keras 3 class name
_TYPES = {
    "linear": "Dense",
    "dense": "Dense",
    "flatten": "Flatten",
    "reshape": "Reshape",
    "dropout": "Dropout",
    "embedding": "Embedding",
    "lstm": "LSTM",
    "gru": "GRU",
    "simplernn": "SimpleRNN",
    "batchnormalization": "BatchNormalization",
    "layernormalization": "LayerNormalization",
    "leakyrelu": "LeakyReLU",
    "relu": "ReLU",
    "softmax": "Softmax",
    "elu": "ELU",
    "prelu": "PReLU",
    "activation": "Activation",
    "add": "Add",
    "subtract": "Subtract",
    "multiply": "Multiply",
    "average": "Average",
    "maximum": "Maximum",
    "minimum": "Minimum",
    "concatenate": "Concatenate",
    "dot": "Dot",
    "permute": "Permute",
    "repeatvector": "RepeatVector",
}
for _d in ("1", "2", "3"):
    _TYPES.update(
        {
            f"conv{_d}d": f"Conv{_d}D",
            f"conv{_d}dtranspose": f"Conv{_d}DTranspose",
            f"maxpool{_d}d": f"MaxPooling{_d}D",
            f"maxpooling{_d}d": f"MaxPooling{_d}D",
            f"avgpool{_d}d": f"AveragePooling{_d}D",
            f"averagepooling{_d}d": f"AveragePooling{_d}D",
            f"globalmaxpool{_d}d": f"GlobalMaxPooling{_d}D",
            f"globalmaxpooling{_d}d": f"GlobalMaxPooling{_d}D",
            f"globalaveragepooling{_d}d": f"GlobalAveragePooling{_d}D",
            f"globalavgpool{_d}d": f"GlobalAveragePooling{_d}D",
            f"zeropadding{_d}d": f"ZeroPadding{_d}D",
            f"cropping{_d}d": f"Cropping{_d}D",
            f"upsampling{_d}d": f"UpSampling{_d}D",
        }
    )
_TYPES.update({"separableconv2d": "SeparableConv2D", "depthwiseconv2d": "DepthwiseConv2D"})

_MERGE = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"}
_RNN = {"LSTM", "GRU", "SimpleRNN"}
_UNITS = {"Dense"} | _RNN
_WITH_ACTIVATION = {"Dense", "LSTM", "GRU", "SimpleRNN"}
# keys that describe the spec, not constructor arguments
_SPEC_KEYS = {"type", "name", "inputs", "weights", "bias", "weight_shape", "bias_shape", "input_shape"}

# Keras needs Embedding sizes; the benchmark leaves some out. Neither value
# changes the rank of anything, so placeholders keep the rest checkable.
_EMBEDDING_PLACEHOLDER = {"input_dim": 1000, "output_dim": 32}

_TUPLE_RE = re.compile(r"^\(\s*(.*?)\s*,?\s*\)$", re.S)


_SNIFF_RE = re.compile(r'^\s*\{\s*"model"\s*:\s*\{')


def sniff(path: str, data: bytes) -> bool:
    """A JSON object whose first key is "model" holding "layers" (and no Keras class_name)."""
    head = data[:4096].decode("utf-8", "replace").lstrip("\ufeff")
    if not _SNIFF_RE.match(head):
        return False
    sample = data[:200000]
    return b'"layers"' in sample and b'"class_name"' not in sample


def parse_value(text: Any) -> Any:
    """A spec value string -> Python value ("" -> None = not given)."""
    if not isinstance(text, str):
        return text
    s = text.strip()
    if s == "":
        return None
    low = s.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    m = _TUPLE_RE.match(s)
    if m:
        inner = m.group(1)
        if inner == "":
            return ()
        parts = [parse_value(p) for p in inner.split(",") if p.strip() != ""]
        return tuple(parts)
    if s.startswith("["):
        try:
            node, _ = parse_with_warnings(s)
            return node.to_python()
        except JSONError:
            return s
    try:
        return int(s)
    except ValueError:
        pass
    try:
        return float(s)
    except ValueError:
        return s


def literal_shape(value: Any) -> tuple | None:
    """Shape of a nested-list literal: [[1, 2], [3, 4]] -> (2, 2); ragged -> None."""
    if not isinstance(value, (list, tuple)):
        return ()
    if not value:
        return (0,)
    subs = [literal_shape(v) for v in value]
    first = subs[0]
    if first is None or any(s != first for s in subs):
        return None
    return (len(value),) + first


def _span(path: str, node: JNode) -> Span:
    return Span(path, node.line, node.col, node.end_line, node.end_col)


def _as_int_or_tuple(v: Any) -> Any:
    if isinstance(v, tuple) and len(v) == 1:
        return v[0]
    return v


def _layer_args(kind: str, raw: dict) -> tuple[dict, dict]:
    """(args, legacy) from the spec's parsed layer fields."""
    args: dict[str, Any] = {}
    legacy: dict[str, str] = {}
    for key, value in raw.items():
        if key in _SPEC_KEYS:
            continue
        if key == "nodes":
            name = "units" if kind in _UNITS else "filters"
            args[name] = value
            legacy[name] = "nodes"
        elif key == "func":
            if value is not None:
                args["activation"] = value
                legacy["activation"] = "func"
        elif key == "padding":
            if kind.startswith("ZeroPadding") or kind.startswith("Cropping"):
                args["padding"] = value
            else:
                args["padding"] = "same" if value is True or value == "same" else "valid"
        elif key == "size":
            if kind == "Reshape":
                args["target_shape"] = value if isinstance(value, tuple) else (value,)
                legacy["target_shape"] = "size"
            elif kind.startswith("UpSampling"):
                args["size"] = _as_int_or_tuple(value)
            else:
                args["pool_size"] = _as_int_or_tuple(value)
                legacy["pool_size"] = "size"
        elif key == "sizes":
            name = "cropping" if kind.startswith("Cropping") else "padding"
            args[name] = _as_int_or_tuple(value)
            legacy[name] = "sizes"
        elif key == "alpha" and kind == "LeakyReLU":
            args["negative_slope"] = value
            legacy["negative_slope"] = "alpha"
        elif key in ("kernel_size", "strides", "dilation_rate"):
            args[key] = _as_int_or_tuple(value)
        elif value is not None:
            args[key] = value
    if kind == "Embedding":
        for k, v in _EMBEDDING_PLACEHOLDER.items():
            args.setdefault(k, v)
    return args, legacy


def _bias_shape(kind: str, args: dict) -> tuple | None:
    if kind == "Dense" and isinstance(args.get("units"), int):
        return (args["units"],)
    if kind.startswith("Conv") and isinstance(args.get("filters"), int):
        return (args["filters"],)
    return None


def _weights(kind: str, args: dict, raw: dict) -> tuple[tuple | None, str | None]:
    """Supplied weight shapes in get_weights() order, and the key to blame."""
    kernel = None
    key = None
    if isinstance(raw.get("weight_shape"), tuple):
        kernel, key = raw["weight_shape"], "weight_shape"
    elif raw.get("weights") is not None:
        kernel, key = literal_shape(raw["weights"]), "weights"
    bias = None
    if isinstance(raw.get("bias_shape"), tuple):
        bias = raw["bias_shape"]
    elif raw.get("bias") is not None:
        bias = literal_shape(raw["bias"])
        key = key or "bias"
    if kernel is None and bias is None:
        return None, None
    if kind == "Embedding":
        return ((kernel,) if kernel is not None else None), key
    if args.get("use_bias", True) is False:
        return ((kernel,) if kernel is not None else None), key
    if bias is None:
        # the spec gives the kernel only: the bias is taken as the right one
        bias = _bias_shape(kind, args)
    # an unknown kernel (bias given alone) stays None: "not supplied"
    return (kernel, bias), key


def load(path: str, data: bytes) -> FileResult:
    try:
        return _load(path, data)
    except (TypeError, AttributeError, KeyError, IndexError, ValueError) as e:
        # a value of an unexpected type somewhere: the file is malformed, not our bug
        result = FileResult(path=path, format=FORMAT)
        result.diagnostics.append(_parse_error(path, f"malformed spec ({type(e).__name__}: {str(e)[:200]})", 1, 1))
        return result


def _load(path: str, data: bytes) -> FileResult:
    result = FileResult(path=path, format=FORMAT)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        why = f"the file is not UTF-8 text ({e.reason} at byte {e.start})"
        result.diagnostics.append(_parse_error(path, why, 1, 1))
        return result
    result.text = text
    try:
        root, warnings = parse_with_warnings(text)
    except JSONError as e:
        result.diagnostics.append(_parse_error(path, f"cannot read the spec: {e.message}", e.line, e.col))
        return result
    model_node = root.get("model")
    if model_node is None or model_node.kind != "object":
        result.diagnostics.append(_parse_error(path, 'no "model" object in the spec', root.line, root.col))
        return result
    layers_node = model_node.get("layers")
    if layers_node is None or layers_node.kind != "array":
        result.diagnostics.append(
            _parse_error(path, 'the spec\'s model has no "layers" list', model_node.line, model_node.col)
        )
        return result
    notes: list[Diagnostic] = []
    for msg, line, col in warnings[:20]:
        notes.append(
            Diagnostic(
                kind="parse_error",
                severity="info",
                message=f"not strict JSON: {msg} (tolerated)",
                span=Span(path, line, col),
            )
        )
    shape_node = model_node.get("shape")
    if shape_node is None and layers_node.value and layers_node.value[0].kind == "object":
        # no model.shape: the first layer's input_shape annotation (batch first) declares it
        shape_node = layers_node.value[0].get("input_shape")
    shape = None
    if shape_node is not None:
        value = parse_value(shape_node.value)
        if isinstance(value, tuple) and value and all(isinstance(d, int) or d is None for d in value):
            shape = (None,) + tuple(value[1:])
        else:
            notes.append(
                Diagnostic(
                    kind="parse_error",
                    severity="warning",
                    message=f"cannot read model.shape {shape_node.value!r}",
                    span=_span(path, shape_node),
                )
            )
    inp_span = _span(path, shape_node) if shape_node is not None else _span(path, model_node)
    inp = InputNode(
        id="input",
        shape=shape,
        span=inp_span,
        shape_span=inp_span,
        shape_source=ArgSource(span=inp_span, keyword="shape"),
        declared_as="spec",
    )
    layers: list[Layer] = []
    ids: set[str] = {inp.id}
    prev = inp.id
    for i, lnode in enumerate(layers_node.value):
        if lnode.kind != "object":
            notes.append(
                Diagnostic(
                    kind="parse_error",
                    severity="warning",
                    message="a layer entry is not an object",
                    span=_span(path, lnode),
                )
            )
            continue
        layer = _layer(path, lnode, i, prev, ids, notes)
        if layer is None:
            continue
        layers.append(layer)
        ids.add(layer.id)
        prev = layer.id
    if not layers:
        result.diagnostics.append(
            Diagnostic(
                kind="unsupported_construct",
                severity="warning",
                message="the spec has no layers",
                span=_span(path, layers_node),
            )
        )
    name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    result.models.append(
        Model(
            name=name,
            inputs=(inp,),
            layers=tuple(layers),
            outputs=(Edge(prev),),
            file=path,
            span=_span(path, model_node),
            notes=tuple(notes),
            style="spec",
        )
    )
    return result


def _layer(path: str, lnode: JNode, i: int, prev: str, ids: set, notes: list) -> Layer | None:
    tnode = lnode.get("type")
    span = _span(path, lnode)
    if tnode is None or not isinstance(tnode.value, str):
        notes.append(Diagnostic(kind="parse_error", severity="warning", message='a layer has no "type"', span=span))
        return None
    written = tnode.value
    kind = _TYPES.get(written.lower().replace("_", ""), written)
    raw = {k: parse_value(v.value) if v.kind == "string" else v.to_python() for k, v in lnode.value.items()}
    args, legacy = _layer_args(kind, raw)
    sources: dict[str, ArgSource] = {}
    for key, vnode in lnode.value.items():
        if key in _SPEC_KEYS and key not in ("weights", "weight_shape", "bias"):
            continue
        target = {"nodes": "units" if kind in _UNITS else "filters", "func": "activation"}.get(key, key)
        if key == "size":
            target = "target_shape" if kind == "Reshape" else ("size" if kind.startswith("UpSampling") else "pool_size")
        if key == "sizes":
            target = "cropping" if kind.startswith("Cropping") else "padding"
        if key == "alpha" and kind == "LeakyReLU":
            target = "negative_slope"
        sources[target] = ArgSource(span=_span(path, vnode), keyword=key)
    if kind == "Embedding" and not ("input_dim" in raw and "output_dim" in raw):
        notes.append(
            Diagnostic(
                kind="unsupported_construct",
                severity="info",
                span=span,
                layer=None,
                message=f"{written} gives no input_dim/output_dim; assumed input_dim={args['input_dim']}, "
                f"output_dim={args['output_dim']} (neither changes a rank)",
            )
        )
    weights, wkey = _weights(kind, args, raw)
    if weights is not None and wkey is not None:
        sources["weights"] = ArgSource(span=_span(path, lnode.value[wkey]), keyword=wkey)
    if any(w is None for w in (weights or ())):
        notes.append(
            Diagnostic(
                kind="unsupported_construct",
                severity="info",
                message=f"{written} gives some weights but not the kernel; only the given ones are checked",
                span=span,
            )
        )
    lid = raw_name if isinstance(raw_name := raw.get("name"), str) and raw_name else f"{kind.lower()}_{i}"
    if lid in ids:
        lid = f"{lid}_{i}"
    inputs_val = lnode.get("inputs")
    if inputs_val is not None and inputs_val.kind == "array":
        names = [n.value for n in inputs_val.value if isinstance(n.value, str)]
        edges = tuple(Edge(n) for n in names)
    elif inputs_val is not None and isinstance(inputs_val.value, str):
        edges = (Edge(inputs_val.value),)
    else:
        edges = (Edge(prev),)
    return Layer(
        id=lid,
        kind=kind,
        args=args,
        inputs=edges,
        span=span,
        arg_sources=sources,
        instance=lid,
        weights=weights,
        list_input=kind in _MERGE,
        legacy=legacy,
        written_kind=written if written != kind else None,
    )


def _parse_error(path: str, message: str, line: int, col: int) -> Diagnostic:
    return Diagnostic(kind="parse_error", severity="error", message=message, span=Span(path, line, col))
