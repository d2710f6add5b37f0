"""What the evaluator's parts share: budgets, operator tables, control-flow
signals, the environment and the graph of layer calls, and small pure helpers
(evaluator.py assembles the parts; see its docstring)."""

from __future__ import annotations

import ast
import math
import operator
from typing import TYPE_CHECKING, Any

from ...ir import UNKNOWN, InputNode, Layer, is_unknown
from ...semantics import attention, recurrent
from . import budgets, builtin_calls
from .imports import canonical, is_keras, is_layer_class_name
from .signatures import MERGE_FUNCTIONS
from .values import (
    ArrayVal,
    Binding,
    BoundMethod,
    ClassVal,
    FuncVal,
    InstanceVal,
    LayerObj,
    ModelObj,
    Ref,
    Tensor,
)

MAX_STEPS = budgets.MAX_STEPS
MAX_SECONDS = budgets.MAX_SECONDS  # wall-clock safety net per file; the step budget decides
MAX_CALL_DEPTH = 12
MAX_EXPR_DEPTH = 150
MAX_LOOP = 256
MAX_SEQ = 10_000
_MAX_INT = 10**30

# arguments whose value decides shapes: an unknown one is worth a note
SHAPE_ARGS = {
    "units",
    "filters",
    "kernel_size",
    "strides",
    "pool_size",
    "padding",
    "target_shape",
    "dims",
    "axis",
    "output_dim",
    "input_dim",
    "size",
    "cropping",
    "return_sequences",
    "data_format",
    "dilation_rate",
    "n",
    "num_heads",
    "key_dim",
    "depth_multiplier",
    "output_size",
    "axes",
    "return_state",
}

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitOr: operator.or_,
    ast.BitAnd: operator.and_,
    ast.BitXor: operator.xor,
}
_CMPOPS = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}
_PLAIN = (int, float, str, bool, type(None), complex, bytes)
_MUTATORS = builtin_calls.MUTATORS


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Env:
    """One scope. Module scope has parent None; function scopes chain to the
    defining scope (closures)."""

    def __init__(self, parent: Env | None = None) -> None:
        self.vars: dict[str, Binding] = {}
        self.parent = parent
        self.stars: list[str] = []
        self.redirect: dict[str, Env] = {}  # `global`/`nonlocal` names -> the scope they live in

    def target(self, name: str) -> Env:
        return self.redirect.get(name, self)

    def lookup(self, name: str) -> Binding | None:
        env: Env | None = self
        while env is not None:
            b = env.vars.get(name)
            if b is not None:
                return b
            env = env.parent
        return None

    def module(self) -> Env:
        env = self
        while env.parent is not None:
            env = env.parent
        return env


class Graph:
    """Nodes created by layer calls, in creation (= topological) order."""

    def __init__(self) -> None:
        self.nodes: dict[str, Any] = {}
        self.calls: dict[str, int] = {}
        self.shapes: dict[str, list] = {}  # node id -> output shapes (None = unknown), filled on demand

    def shape_of(self, node_id: str, index: int = 0):
        """The static shape of a node's output, as Keras' symbolic `x.shape` gives
        it (computed with the layer semantics), or None when unknown."""
        from ...semantics.run import input_shapes_of, run_layer

        if node_id not in self.shapes:
            for nid, n in list(self.nodes.items()):
                if nid in self.shapes:
                    continue
                if isinstance(n, InputNode):
                    self.shapes[nid] = [n.shape]
                else:
                    try:
                        outs, violation, evaluated = run_layer(n, input_shapes_of(n, self.shapes))
                    except Exception:  # a semantics bug must not stop extraction
                        outs, violation, evaluated = [None], None, False
                    self.shapes[nid] = outs if (evaluated and violation is None) else [None] * max(len(outs), 1)
                if nid == node_id:
                    break
        outs = self.shapes.get(node_id) or []
        return outs[index] if index < len(outs) else None

    def fresh_id(self, base: str) -> str:
        if base not in self.nodes:
            return base
        k = self.calls.get("#" + base, 0)
        while True:
            k += 1
            cand = f"{base}_call{k}"
            if cand not in self.nodes:
                self.calls["#" + base] = k
                return cand


def _is_tensor_like(v) -> bool:
    if isinstance(v, Tensor):
        return True
    if isinstance(v, (list, tuple)):
        return any(_is_tensor_like(x) for x in v)
    if isinstance(v, dict):
        return any(_is_tensor_like(x) for x in v.values())
    return False


def _flat_tensors(v) -> list:
    if isinstance(v, Tensor):
        return [v]
    if isinstance(v, (list, tuple)):
        out = []
        for x in v:
            out.extend(_flat_tensors(x))
        return out
    if isinstance(v, dict):
        # Keras flattens dict structures in sorted key order (model.outputs)
        out = []
        for _, x in sorted(v.items(), key=lambda kv: str(kv[0])):
            out.extend(_flat_tensors(x))
        return out
    return []


def _const_equal(a, b) -> bool:
    if a is b:
        return True
    if isinstance(a, Ref) and isinstance(b, Ref):
        return a == b  # the same module or class imported in both branches (`if`/`try` imports)
    if isinstance(a, _PLAIN + (tuple, list)) and type(a) is type(b):
        try:
            return bool(a == b) and not is_unknown(a)
        except Exception:
            return False
    return False


# keras.datasets loaders with fixed shapes: ((x_train, y_train), (x_test, y_test))
_DATASETS = {
    "keras.datasets.mnist.load_data": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "keras.datasets.fashion_mnist.load_data": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "keras.datasets.cifar10.load_data": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
    "keras.datasets.cifar100.load_data": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
    "keras.datasets.boston_housing.load_data": (((404, 13), (404,)), ((102, 13), (102,))),
}
# functions returning a tensor's static shape (tf.shape gives a tensor, whose entries are these sizes)
_SHAPE_FUNCTIONS = {
    "keras.backend.int_shape",
    "keras.ops.shape",
    "keras.ops.core.shape",
    "keras.backend.shape",
    "tensorflow.shape",
    "keras.ops.ndim",
    "keras.backend.ndim",
    "tensorflow.rank",
}
_KERAS1_MODES = {
    "sum": "Add",
    "concat": "Concatenate",
    "mul": "Multiply",
    "ave": "Average",
    "max": "Maximum",
    "dot": "Dot",
    "cos": "Dot",
}
_LIST_KINDS = {
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Dot",
    "Attention",
    "AdditiveAttention",
}
_OPNAMES = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.MatMult: "@", ast.Pow: "**"}
_BUILTINS = {
    "range",
    "len",
    "int",
    "float",
    "str",
    "bool",
    "abs",
    "round",
    "tuple",
    "list",
    "sorted",
    "reversed",
    "sum",
    "min",
    "max",
    "enumerate",
    "zip",
    "dict",
    "print",
    "super",
}


def _ev_unknown(node, env):
    return UNKNOWN


def _wants_sources(func) -> bool:
    if isinstance(func, (FuncVal, ClassVal, LayerObj, ModelObj, InstanceVal)):
        return True
    if isinstance(func, Ref):
        return is_keras(func.path)
    if isinstance(func, BoundMethod):
        return isinstance(func.obj, (ModelObj, InstanceVal))
    return False


_ASSIGNED_CACHE: dict = {}


def output_count(layer: Layer) -> int:
    """How many tensors one call returns (the semantics decide: return_state,
    Bidirectional merge_mode=None, return_attention_scores). An unknown flag
    counts as 1: unpacking still works (see assign)."""
    return max(
        recurrent.output_count(layer.kind, layer.args, layer.inner), attention.output_count(layer.kind, layer.call_args)
    )


def _shape_of_name(node) -> ast.Name | None:
    """`X.shape`, `X[0].shape`, `X.shape[1:]`: the name X whose shape is read, else None."""
    seen_shape = False
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        if isinstance(node, ast.Attribute):
            if node.attr != "shape" or seen_shape:
                return None
            seen_shape = True
        node = node.value
    return node if seen_shape and isinstance(node, ast.Name) else None


def _comparable(v) -> bool:
    if v is UNKNOWN:
        return False
    if isinstance(v, _PLAIN):
        return True
    if isinstance(v, (tuple, list)):
        return not is_unknown(v) and all(_comparable(x) for x in v)
    return False


def _plain(v):
    """An argument value as the IR stores it: plain Python or UNKNOWN."""
    if isinstance(v, _PLAIN):
        return v
    if isinstance(v, (tuple, list)):
        out = [_plain(x) for x in v]
        return tuple(out) if isinstance(v, tuple) else out
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, Ref):
        # activations passed as functions: the Keras name when Keras knows one, else
        # UNKNOWN (any callable is a valid activation; a made-up name would be a false error)
        return _ACTIVATION_FUNCTIONS.get(v.path, UNKNOWN)
    return UNKNOWN


def _nested_shape(v) -> tuple | None:
    """Shape of a regular nested list/tuple of numbers, or None."""
    if isinstance(v, (int, float, bool)) and not is_unknown(v):
        return ()
    if not isinstance(v, (list, tuple)) or not v or len(v) > MAX_SEQ:
        return None if not isinstance(v, (list, tuple)) else ((0,) if not v else None)
    inner = _nested_shape(v[0])
    if inner is None:
        return None
    for x in v[1:]:
        if _nested_shape(x) != inner:
            return None
    return (len(v),) + inner


# activation functions whose name Keras 3 also accepts as a string
# keras.activations.ALL_OBJECTS_DICT (Keras 3.15) plus its aliases: names `activation=` accepts
KERAS_ACTIVATIONS = (
    "relu",
    "leaky_relu",
    "relu6",
    "softmax",
    "celu",
    "elu",
    "selu",
    "softplus",
    "softsign",
    "squareplus",
    "soft_shrink",
    "sparse_plus",
    "silu",
    "gelu",
    "glu",
    "tanh",
    "tanh_shrink",
    "threshold",
    "sigmoid",
    "sparse_sigmoid",
    "exponential",
    "hard_sigmoid",
    "hard_silu",
    "hard_tanh",
    "hard_shrink",
    "linear",
    "mish",
    "log_softmax",
    "log_sigmoid",
    "sparsemax",
    "swish",
    "hard_swish",
)
# TensorFlow functions that compute the same thing as a Keras activation -> its name.
# Not listed (tf.nn.crelu doubles the last axis, tf.math.exp, ...): UNKNOWN, never a guess.
TF_ACTIVATIONS = {
    "tensorflow.nn.relu": "relu",
    "tensorflow.nn.relu6": "relu6",
    "tensorflow.nn.leaky_relu": "leaky_relu",
    "tensorflow.nn.elu": "elu",
    "tensorflow.nn.selu": "selu",
    "tensorflow.nn.gelu": "gelu",
    "tensorflow.nn.silu": "silu",
    "tensorflow.nn.swish": "swish",
    "tensorflow.nn.softmax": "softmax",
    "tensorflow.nn.log_softmax": "log_softmax",
    "tensorflow.nn.sigmoid": "sigmoid",
    "tensorflow.nn.tanh": "tanh",
    "tensorflow.nn.softplus": "softplus",
    "tensorflow.nn.softsign": "softsign",
    "tensorflow.math.sigmoid": "sigmoid",
    "tensorflow.math.tanh": "tanh",
    "tensorflow.math.softplus": "softplus",
    "tensorflow.math.softsign": "softsign",
    "tensorflow.math.log_sigmoid": "log_sigmoid",
    "tensorflow.sigmoid": "sigmoid",
    "tensorflow.tanh": "tanh",
    "tensorflow.math.exp": "exponential",
    "tensorflow.exp": "exponential",
}
_ACTIVATION_FUNCTIONS = {**{f"keras.activations.{n}": n for n in KERAS_ACTIVATIONS}, **TF_ACTIVATIONS}


def _np_reshape(arr: ArrayVal, shape):
    if isinstance(shape, int):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(isinstance(d, int) for d in shape):
        return UNKNOWN
    total = math.prod(arr.shape)
    if list(shape).count(-1) == 1:
        rest = math.prod(d for d in shape if d != -1)
        if rest == 0 or total % rest:
            return UNKNOWN
        shape = tuple(total // rest if d == -1 else d for d in shape)
    if math.prod(shape) != total:
        return UNKNOWN
    return ArrayVal(tuple(shape))


def _custom_kind(name: str) -> str:
    """A user Layer subclass: keep its class name as the kind, unless it shadows
    a Keras class name (then Keras semantics would be applied by mistake)."""
    return f"{name} (custom layer)" if is_layer_class_name(name) else name


def _fragment_guess(name: str) -> str | None:
    """A name never bound in a code fragment: read it as the Keras object it names."""
    if name in ("Sequential", "Model", "Input"):
        return canonical("keras." + name)
    if name in ("layers", "models", "keras", "backend"):
        return "keras" if name == "keras" else "keras." + name
    if name == "tf":
        return "tensorflow"
    if name == "K":
        return "keras.backend"
    if name == "np":
        return "numpy"
    if is_layer_class_name(name) or name in MERGE_FUNCTIONS or name == "merge":
        return "keras.layers." + name
    return None


def _bound_names(tree: ast.AST) -> set:
    out: set = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.alias):
            out.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            out.add(node.arg)
    return out


def _assigned_names(stmt) -> set:
    key = id(stmt)
    hit = _ASSIGNED_CACHE.get(key)
    if hit is not None and hit[0] is stmt:
        return hit[1]
    out = _assigned_names_walk(stmt)
    if len(_ASSIGNED_CACHE) > 4096:
        _ASSIGNED_CACHE.clear()
    _ASSIGNED_CACHE[key] = (stmt, out)
    return out


def _assigned_names_walk(stmt) -> set:
    out = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
    return out


def _mentions_model(fdef) -> bool:
    for node in ast.walk(fdef):
        if isinstance(node, ast.Name) and node.id in ("Sequential", "Model", "Input"):
            return True
        if isinstance(node, ast.Attribute) and node.attr in ("Sequential", "Model", "Input"):
            return True
    return False


def _reachable(graph: Graph, outputs: list) -> set:
    seen: set = set()
    stack = [t.node for t in outputs if isinstance(t, Tensor)]
    while stack:
        nid = stack.pop()
        if nid in seen or nid not in graph.nodes:
            continue
        seen.add(nid)
        n = graph.nodes[nid]
        if isinstance(n, Layer):
            stack.extend(e.node for e in n.inputs)
    return seen


# re-exported for extract.py


class EvaluatorPart:
    """Base of the evaluator's parts: each is a mixin of methods on the one
    Evaluator (its state is set up in evaluator.py)."""

    if TYPE_CHECKING:  # the attributes and methods of the other parts
        # counters the parts assign (set in Evaluator.__init__)
        call_depth: int
        expr_depth: int
        serial: int
        uncertain: int

        def __getattr__(self, name: str) -> Any: ...
