"""The framework every layer unit is written in.

A layer unit is one function per family, registered for the Keras 3 class
names it covers:

    @register("Conv1D", "Conv2D", "Conv3D")
    def conv(ctx: Ctx) -> Shape:
        filters = ctx.positive_int("filters")          # constructor checks first
        ...
        shape = ctx.input_rank(4, "(batch, rows, cols, channels)")  # then input checks
        ...
        return (shape[0], rows, cols, filters)

Rules
- Argument validation (what Keras' constructor checks) comes first, so that an
  invalid argument is reported even when the input shape is unknown.
- Any failed precondition raises `Violation` (through `ctx.fail` / helpers):
  kind (a contract kind), a message that names the argument and the received
  value and says what to do, expected / actual, the argument to blame, and a
  machine-readable `hint` for the repair search.
- Reading an UNKNOWN argument or an unknown input shape raises `Unknown`; the
  checker then marks the output unknown without reporting an error.
- A unit returns the output shape (batch axis included) or a list of shapes
  for multi-output layers. `weights(ctx)` (optional) returns the weight shapes
  in get_weights() order, used for the weight-shape and shared-layer checks.
- No TensorFlow import anywhere in the engine.

Each family module also lists EXAMPLES: small cases with the verdict and the
output shape real Keras gives. tests/test_layer_examples.py runs every example
through these semantics AND through real Keras and requires both to match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ..diagnostics import fmt_shape
from ..ir import Layer, Shape, is_unknown

Output = Shape | list

_MISSING = object()


class Violation(Exception):
    """A failed precondition."""

    def __init__(
        self,
        kind: str,
        message: str,
        expected: str | None = None,
        actual: str | None = None,
        argument: str | None = None,
        hint: Any = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.expected = expected
        self.actual = actual
        self.argument = argument
        self.hint = hint
        # a sub-code of the kind's code (diagnostics.SUBCODES), e.g. NNR202 for an unknown keyword
        self.code = code


class Unknown(Exception):
    """A value needed by the semantics is not known statically."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass
class LayerUnit:
    kinds: tuple[str, ...]
    output: Callable[[Ctx], Output]
    weights: Callable[[Ctx], list] | None = None
    # number of input tensors accepted: (min, max); max None = unbounded
    arity: tuple[int, int | None] = (1, 1)


REGISTRY: dict[str, LayerUnit] = {}


def register(*kinds: str, arity: tuple[int, int | None] = (1, 1)):
    """Decorator registering a unit's output function for Keras class names."""

    def deco(fn: Callable[[Ctx], Output]):
        unit = LayerUnit(kinds=kinds, output=fn, arity=arity)
        for k in kinds:
            if k in REGISTRY:
                raise ValueError(f"layer kind {k} registered twice")
            REGISTRY[k] = unit
        fn.unit = unit  # type: ignore[attr-defined]
        return fn

    return deco


def weights_of(*kinds: str):
    """Decorator registering the weight-shape function of already registered kinds."""

    def deco(fn: Callable[[Ctx], list]):
        for k in kinds:
            REGISTRY[k].weights = fn
        return fn

    return deco


@dataclass
class Ctx:
    """What a unit sees: the layer (kind, args, inner layer) and its input shapes.

    `inputs` holds one entry per input edge: a Shape, or None when unknown.
    """

    layer: Layer
    inputs: list = field(default_factory=list)
    # findings that do not change the verdict (Keras builds the model, but it
    # would fail when run): (kind, message, expected, actual, argument, hint)
    warnings: list = field(default_factory=list)

    def warn(
        self,
        kind: str,
        message: str,
        expected: str | None = None,
        actual: str | None = None,
        argument: str | None = None,
        hint: Any = None,
        code: str | None = None,
    ) -> None:
        self.warnings.append(
            Violation(kind, message, expected=expected, actual=actual, argument=argument, hint=hint, code=code)
        )

    # ---- arguments -------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.layer.kind

    def has(self, name: str) -> bool:
        return name in self.layer.args

    def arg(self, name: str, default: Any = _MISSING) -> Any:
        """The argument's value (or `default` when absent). Raises Unknown
        when the frontend could not resolve it."""
        if name in self.layer.args:
            value = self.layer.args[name]
        elif default is _MISSING:
            raise KeyError(f"{self.kind}: required argument {name!r} missing")
        else:
            value = default
        if is_unknown(value):
            raise Unknown(f"argument {name} of {self.kind}")
        return value

    def required(self, name: str) -> Any:
        """A required constructor argument: a missing one is an invalid argument."""
        if name not in self.layer.args:
            self.fail(
                "invalid_argument",
                f"{self.kind} requires the argument `{name}`, which is missing",
                expected=f"{name}=<value>",
                actual="missing",
                argument=name,
            )
        return self.arg(name)

    def fail(self, kind: str, message: str, **kw: Any) -> NoReturn:
        raise Violation(kind, message, **kw)

    def require(self, cond: bool, kind: str, message: str, **kw: Any) -> None:
        if not cond:
            raise Violation(kind, message, **kw)

    def positive_int(self, name: str, default: Any = _MISSING, allow_none: bool = False) -> Any:
        value = self.arg(name, default) if default is not _MISSING else self.required(name)
        if value is None and allow_none:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            self.fail(
                "invalid_argument",
                f"`{name}` of {self.kind} must be a positive integer, received {name}={value!r}",
                expected=f"{name} > 0",
                actual=f"{name}={value!r}",
                argument=name,
                hint={"arg": name, "min": 1},
            )
        return value

    def int_tuple(self, name: str, n: int, default: Any = _MISSING, allow_zero: bool = False) -> tuple:
        """Keras' standardize_tuple: an int or an n-sequence of ints, > 0 (or >= 0)."""
        value = self.arg(name, default) if default is not _MISSING else self.required(name)
        return standardize_tuple(self, value, n, name, allow_zero)

    def choice(self, name: str, allowed: Sequence[str], default: Any = _MISSING, lower: bool = True) -> Any:
        value = self.arg(name, default)
        v = value.lower() if (lower and isinstance(value, str)) else value
        if v not in allowed:
            self.fail(
                "invalid_argument",
                f"`{name}` of {self.kind} must be one of {', '.join(map(repr, allowed))}, received {name}={value!r}",
                expected=" | ".join(map(str, allowed)),
                actual=f"{name}={value!r}",
                argument=name,
                hint={"arg": name, "choices": list(allowed)},
                code="NNR203",
            )
        return v

    def data_format(self, default: str = "channels_last") -> str:
        # None means the backend's image_data_format(), channels_last by default
        if self.arg("data_format", default) is None:
            return "channels_last"
        return self.choice("data_format", ("channels_last", "channels_first"), default=default)

    # ---- inputs ----------------------------------------------------------
    def shape(self, index: int = 0) -> Shape:
        """Input shape `index`; raises Unknown when not known."""
        s = self.inputs[index] if index < len(self.inputs) else None
        if s is None:
            raise Unknown(f"input {index} of {self.kind}")
        return s

    def shapes(self) -> list:
        return [self.shape(i) for i in range(len(self.inputs))]

    @property
    def input_shape(self) -> Shape:
        return self.shape(0)

    def input_rank(self, ndim: int | Sequence[int], layout: str = "", index: int = 0) -> Shape:
        """Require the input rank (batch axis included) to be `ndim` (or one of them)."""
        s = self.shape(index)
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if len(s) not in allowed:
            exp = " or ".join(f"{d}-D" for d in allowed)
            lay = f" {layout}" if layout else ""
            self.fail(
                "rank_mismatch",
                f"{self.kind} expects a {exp} input{lay} but receives {len(s)}-D {fmt_shape(s)}",
                expected="ndim=" + "|".join(map(str, allowed)),
                actual=f"ndim={len(s)}",
                hint={"need_rank": allowed, "got_rank": len(s), "input": index},
            )
        return s

    def min_rank(self, min_ndim: int, index: int = 0) -> Shape:
        s = self.shape(index)
        if len(s) < min_ndim:
            self.fail(
                "rank_mismatch",
                f"{self.kind} expects an input of at least {min_ndim} dimensions but receives "
                f"{len(s)}-D {fmt_shape(s)}",
                expected=f"min_ndim={min_ndim}",
                actual=f"ndim={len(s)}",
                hint={"need_rank": tuple(range(min_ndim, min_ndim + 3)), "got_rank": len(s), "input": index},
            )
        return s


def standardize_tuple(ctx: Ctx, value: Any, n: int, name: str, allow_zero: bool = False) -> tuple:
    req = ">= 0" if allow_zero else "> 0"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        t = (value,) * n
    elif isinstance(value, (tuple, list)):
        t = tuple(value)
        if len(t) != n or not all(isinstance(v, int) and not isinstance(v, bool) for v in t):
            ctx.fail(
                "invalid_argument",
                f"`{name}` of {ctx.kind} must be an integer or a tuple of {n} integers, received {name}={value!r}",
                expected=f"{n} integers {req}",
                actual=f"{name}={value!r}",
                argument=name,
                hint={"arg": name, "len": n},
            )
    else:
        ctx.fail(
            "invalid_argument",
            f"`{name}` of {ctx.kind} must be an integer or a tuple of {n} integers, received {name}={value!r}",
            expected=f"{n} integers {req}",
            actual=f"{name}={value!r}",
            argument=name,
            hint={"arg": name, "len": n},
        )
    bad = [v for v in t if (v < 0 if allow_zero else v <= 0)]
    if bad:
        ctx.fail(
            "invalid_argument",
            f"`{name}` of {ctx.kind} must be {req}, received {name}={value!r}",
            expected=f"{name} {req}",
            actual=f"{name}={value!r}",
            argument=name,
            hint={"arg": name, "min": 0 if allow_zero else 1},
        )
    return t


def conv_output_length(length: int | None, kernel: int, padding: str, stride: int, dilation: int = 1) -> int | None:
    """Keras 3's conv/pool output length (floor division), None stays None."""
    if length is None:
        return None
    if padding == "valid":
        return (length - dilation * (kernel - 1) - 1) // stride + 1
    # "same" and "causal"
    return (length - 1) // stride + 1


def deconv_output_length(
    length: int | None,
    kernel: int,
    padding: str,
    stride: int,
    output_padding: int | None = None,
    dilation: int = 1,
) -> int | None:
    """Keras 3's transposed-conv output length."""
    if length is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(kernel - stride, 0)
        if padding == "full":
            return length * stride - (stride + kernel - 2)
        return length * stride
    pad = {"same": kernel // 2, "valid": 0, "full": kernel - 1}[padding]
    return (length - 1) * stride + kernel - 2 * pad + output_padding


def product(dims: Iterable[int | None]) -> int | None:
    """Product of dims, None when any is None."""
    out = 1
    for d in dims:
        if d is None:
            return None
        out *= d
    return out


@dataclass(frozen=True)
class Example:
    """One semantics example, checked against our units and real Keras.

    kind      Keras 3 class name
    args      constructor keyword arguments, as passed to keras.layers.<kind>
    inputs    the input shape (batch axis included), or a list of shapes for
              several input tensors
    list_call True when the layer is called with a list of tensors
              (merge layers, Attention), False for positional tensors
              (MultiHeadAttention(query, value)); default: a list when
              `inputs` is a list
    out       the expected output shape (or list of shapes), when valid
    error     the expected diagnostic kind, when Keras rejects the model
    inner     (kind, args) of the wrapped layer for TimeDistributed/Bidirectional
    weights   shapes of weights set with set_weights() after building
    note      why this example is here
    """

    kind: str
    args: dict
    inputs: Any
    out: Any = None
    error: str | None = None
    list_call: bool | None = None
    inner: tuple | None = None
    weights: tuple | None = None
    note: str = ""

    @property
    def input_list(self) -> list:
        return list(self.inputs) if isinstance(self.inputs, list) else [self.inputs]

    @property
    def called_with_list(self) -> bool:
        if self.list_call is not None:
            return self.list_call
        return isinstance(self.inputs, list)
