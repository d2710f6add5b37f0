"""The abstract values the evaluator computes with (besides plain constants)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from ...ir import Span


class Budget(Exception):
    """The evaluation step budget is exhausted."""


@dataclass(frozen=True)
class Binding:
    """A name's value plus where a constant value was defined."""

    value: Any
    origin: Span | None = None
    name: str | None = None


@dataclass(frozen=True)
class Ref:
    """A module, class or function from an import (canonical dotted path)."""

    path: str


@dataclass(frozen=True)
class Tensor:
    """A symbolic tensor: output `index` of graph node `node`."""

    node: str
    graph: int  # id() of the Graph it lives in
    index: int = 0


@dataclass(frozen=True)
class ArrayVal:
    """A NumPy array whose shape is known (np.zeros((3, 4)), ...)."""

    shape: tuple


@dataclass
class LayerObj:
    """A constructed Keras layer (not yet called)."""

    kind: str
    written_kind: str | None
    args: dict
    arg_sources: dict
    legacy: dict
    span: Span | None
    name: str
    inner: LayerObj | None = None
    input_decl: InputDecl | None = None
    custom: bool = False
    # Keras 1 `Merge([model_a, model_b], mode=...)`: the branch models it merges
    branches: list | None = None


@dataclass
class InputDecl:
    shape: Any  # IR shape with batch, UNKNOWN, or None
    span: Span | None
    shape_span: Span | None
    shape_source: Any
    declared_as: str
    dtype: str | None = None
    name: str | None = None
    symbols: Any = None  # as InputNode.symbols: the names of the dims that are not constants


@dataclass
class ModelObj:
    """A model under construction. style: sequential | functional | subclassed."""

    style: str
    span: Span | None
    keras_name: str | None = None
    bound_name: str | None = None
    # sequential: entries are LayerObj | ModelObj | InputDecl | Opaque
    entries: list = field(default_factory=list)
    input_decl: InputDecl | None = None
    # functional: inputs/outputs as evaluated (Tensor structures), graph they live in
    inputs: Any = None
    outputs: Any = None
    graph: Any = None
    # subclassed: the instance
    instance: Any = None
    consumed: bool = False
    notes: list = field(default_factory=list)
    serial: int = 0
    # fit/predict/evaluate calls with statically known input data: (method, ArrayVal, ArgSource, call span)
    data_calls: list = field(default_factory=list)
    # fit/evaluate calls with statically known targets, and the compile() loss when a string
    label_calls: list = field(default_factory=list)
    loss: str | None = None
    # semantics.feeds.Feed records of fit/evaluate/predict calls, and the compile() loss/metrics
    feeds: list = field(default_factory=list)
    loss_spec: Any = None
    metrics: Any = None


@dataclass
class Opaque:
    """Something the evaluator could not follow, standing where a layer/tensor is."""

    what: str
    span: Span | None


@dataclass
class FuncVal:
    node: Any  # ast.FunctionDef | ast.Lambda
    env: Any  # defining scope
    owner: Any = None  # bound instance for methods


@dataclass
class ClassVal:
    node: ast.ClassDef
    env: Any
    bases: list
    kind: str  # "model" | "layer" | "other"
    attrs: dict = field(default_factory=dict)  # class-body constants: name -> Binding

    def attr(self, name: str) -> Binding | None:
        if name in self.attrs:
            return self.attrs[name]
        for base in self.bases:
            if isinstance(base, ClassVal):
                b = base.attr(name)
                if b is not None:
                    return b
        return None

    def method(self, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        for stmt in self.node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
                return stmt
        for base in self.bases:
            if isinstance(base, ClassVal):
                m = base.method(name)
                if m is not None:
                    return m
        return None


@dataclass
class InstanceVal:
    cls: ClassVal
    attrs: dict = field(default_factory=dict)  # name -> Binding
    model: ModelObj | None = None  # for keras.Model subclasses
    layer: LayerObj | None = None  # for custom keras Layer subclasses


@dataclass
class BoundMethod:
    obj: Any
    name: str


def snake(name: str) -> str:
    """Keras' automatic layer naming: Conv2D -> conv2d, BatchNormalization -> batch_normalization."""
    s = re.sub(r"\W+", "", name)
    s = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", s)
    s = re.sub("([a-z])([A-Z])", r"\1_\2", s).lower()
    return s or "layer"
