"""The intermediate representation: a small immutable layer graph with source spans.

Every frontend (Python source, Keras JSON, .keras, .h5, ExAIS specs) produces
`Model` objects; everything after the frontends (semantics, checker, repair,
patch) reads only this module's types.

Conventions
- A `Shape` is a tuple of `int | None` and always includes the batch axis
  (Keras' `output_shape` convention). `None` as a whole shape means "unknown
  rank" (the value could not be determined statically).
- Layer arguments use Keras 3 names (`filters`, `kernel_size`, `units`, ...).
  Values are plain Python values (int, float, str, bool, None, tuples, lists,
  dicts) or `UNKNOWN` when the frontend could not resolve them.
- Spans are 1-based lines and 1-based columns; `end_col` is exclusive
  (points just after the last character), like the contract's JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

Dim = int | None
Shape = tuple[Dim, ...]


class _Unknown:
    """Marker for a value the frontend could not determine statically."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self):
        return (_Unknown, ())


UNKNOWN: Any = _Unknown()


def is_unknown(value: Any) -> bool:
    """True when `value` is UNKNOWN or a container holding UNKNOWN somewhere."""
    if value is UNKNOWN:
        return True
    if isinstance(value, (tuple, list)):
        return any(is_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    return False


@dataclass(frozen=True)
class Span:
    file: str
    line: int
    col: int = 1
    end_line: int | None = None
    end_col: int | None = None

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "end_line": self.end_line if self.end_line is not None else self.line,
            "end_col": self.end_col if self.end_col is not None else self.col,
        }


@dataclass(frozen=True)
class ArgSource:
    """Where one argument of a layer call came from in the source.

    span      the argument's value expression at the call site
    keyword   the keyword as written (legacy spelling kept, e.g. "nb_filter"),
              or None when passed positionally
    position  index among positional arguments, when positional
    origin    the definition of the named constant the value came from
              (e.g. `num_classes = 10`), when it came through a name
    """

    span: Span | None = None
    keyword: str | None = None
    position: int | None = None
    origin: Span | None = None
    origin_name: str | None = None


@dataclass(frozen=True)
class Edge:
    """A reference to one output of a node (index > 0 for multi-output layers,
    e.g. an LSTM with return_state=True)."""

    node: str
    index: int = 0


@dataclass(frozen=True)
class InputNode:
    """A model input: `keras.Input(shape=...)`, `input_shape=` on the first
    layer, `batch_input_shape=`, a JSON InputLayer, ...

    `shape` includes the batch axis: Input(shape=(28, 28)) -> (None, 28, 28).
    `shape` is None when the input shape is unknown (e.g. a Sequential model
    without input_shape that is never built).
    """

    id: str
    shape: Shape | None
    span: Span | None = None
    # span of the shape expression itself (what a repair edits)
    shape_span: Span | None = None
    shape_source: ArgSource | None = None
    # how the shape was declared: "Input", "input_shape", "batch_input_shape",
    # "input_dim", "build", "json", "spec"
    declared_as: str = "Input"
    dtype: str | None = None
    name: str | None = None
    # symbolic dimensions (semantics/dims.py): a tuple as long as `shape` naming
    # each dimension that is an unknown int (None for the others), or, when
    # `shape` is None, the name of a shape whose rank is unknown too
    symbols: tuple[str | None, ...] | str | None = None


@dataclass(frozen=True)
class Layer:
    """One call of a layer in the graph.

    id        unique within the model (the Keras name when known)
    kind      Keras 3 class name ("Conv2D", "Dense", ...); legacy class names
              are already mapped ("Convolution2D" -> "Conv2D")
    args      normalized constructor arguments (Keras 3 names); omitted
              arguments are absent (semantics apply Keras defaults)
    inputs    edges feeding this call, in call order
    call_args extra call-time keyword values that matter for shapes
              (e.g. MultiHeadAttention's `key`, `mask` is ignored)
    instance  identity of the layer object; several calls of one shared layer
              have different ids but the same instance
    inner     the wrapped layer for wrappers (TimeDistributed, Bidirectional)
    weights   shapes of explicitly supplied weights, in Keras' get_weights()
              order (e.g. [kernel, bias]); None when not supplied
    list_input True when called with a list/tuple of tensors (merge layers)
    """

    id: str
    kind: str
    args: Mapping[str, Any] = field(default_factory=dict)
    inputs: tuple[Edge, ...] = ()
    span: Span | None = None
    arg_sources: Mapping[str, ArgSource] = field(default_factory=dict)
    call_args: Mapping[str, Any] = field(default_factory=dict)
    instance: str | None = None
    inner: Layer | None = None
    weights: tuple[Shape, ...] | None = None
    list_input: bool = False
    # legacy spellings seen: normalized arg name -> original spelling
    legacy: Mapping[str, str] = field(default_factory=dict)
    # the original class name as written, when it differs from `kind`
    written_kind: str | None = None

    @property
    def instance_id(self) -> str:
        return self.instance or self.id

    def with_args(self, **changes: Any) -> Layer:
        args = dict(self.args)
        args.update(changes)
        return replace(self, args=args)

    def without_arg(self, name: str) -> Layer:
        args = dict(self.args)
        args.pop(name, None)
        return replace(self, args=args)


Node = InputNode | Layer


@dataclass(frozen=True)
class Model:
    """A model: inputs, layers in topological order, outputs.

    `name` is the Python variable (or the Keras model name for files);
    `span` points at the model construction (Sequential(...)/Model(...)).
    `notes` holds frontend findings that are not layer semantics
    (unsupported constructs, legacy APIs), as Diagnostic objects.
    """

    name: str
    inputs: tuple[InputNode, ...]
    layers: tuple[Layer, ...]
    outputs: tuple[Edge, ...]
    file: str = "<memory>"
    span: Span | None = None
    notes: tuple[Any, ...] = ()
    # "sequential" | "functional" | "subclassed" | "spec" | "json"
    style: str = "functional"
    # what fit/evaluate/predict feed it (semantics/feeds.Feed), checked with the layers
    feeds: tuple[Any, ...] = ()

    def node(self, node_id: str) -> Node:
        for inp in self.inputs:
            if inp.id == node_id:
                return inp
        for layer in self.layers:
            if layer.id == node_id:
                return layer
        raise KeyError(node_id)

    def layer(self, layer_id: str) -> Layer:
        """The layer `layer_id` (KeyError for an input or an unknown id)."""
        for layer in self.layers:
            if layer.id == layer_id:
                return layer
        raise KeyError(layer_id)

    def layer_index(self, layer_id: str) -> int:
        for i, layer in enumerate(self.layers):
            if layer.id == layer_id:
                return i
        raise KeyError(layer_id)

    def replace_layer(self, layer_id: str, new_layer: Layer) -> Model:
        layers = tuple(new_layer if l.id == layer_id else l for l in self.layers)
        return replace(self, layers=layers)


def sequential(
    input_shape: Shape | None,
    layers: list[tuple[str, dict]],
    name: str = "model",
    file: str = "<memory>",
) -> Model:
    """Build a Sequential-style chain quickly (tests, generators, specs).

    `input_shape` includes the batch axis.
    """
    inp = InputNode(id="input", shape=tuple(input_shape) if input_shape is not None else None)
    built: list[Layer] = []
    prev = inp.id
    for i, (kind, args) in enumerate(layers):
        lid = f"{kind.lower()}_{i}"
        built.append(Layer(id=lid, kind=kind, args=dict(args), inputs=(Edge(prev),)))
        prev = lid
    return Model(name=name, inputs=(inp,), layers=tuple(built), outputs=(Edge(prev),), file=file, style="sequential")
