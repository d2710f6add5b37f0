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
- Units are written in ONE dialect: the `Ctx` methods and the helper functions
  at the end of this module (optional arguments, tuples, spatial layouts,
  weights that must be fully defined, windows too large, input specs). What the
  constructor rejects for every kind the same way (unknown keywords,
  identifiers, `trainable`/`name`) is checked by arguments.py before the unit
  runs: a unit checks only what is particular to its layer.

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
from ..messages import FINDINGS, Hint, MissingArgument, NotPositive, OutOfRange, WindowTooLarge, WrongType

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
        # typed (messages.Hint): a misspelled hint key raises here, where it is written
        self.hint = Hint.of(hint)
        # a sub-code of the kind's code (diagnostics.SUBCODES), e.g. NNR202 for an unknown keyword
        if code is not None and (code not in FINDINGS or FINDINGS[code].kind != kind):
            raise ValueError(f"{code!r} is not a finding code of kind {kind!r}")
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


# ---- what the repair knows about a layer, declared next to its unit -----------
#
# The repair search (repair/proposals.py) reads these; no other module keeps a
# list of kinds of its own.

# kinds that differ only by their number of spatial axes: input rank -> kind
RANK_FAMILIES: list[dict[int, str]] = []
# same-rank siblings a human swaps (Conv2D <-> SeparableConv2D)
SAME_RANK_SIBLINGS: dict[str, tuple[str, ...]] = {}
# layers that only move data around: removing one is a plausible repair
PLUMBING: set[str] = set()


def spatial_siblings(*kinds: str) -> None:
    """`kinds` for 1, 2 (and 3) spatial axes: inputs of rank 3, 4 (and 5)."""
    RANK_FAMILIES.append({rank: kind for rank, kind in enumerate(kinds, start=3)})


def swappable(a: str, b: str) -> None:
    """Two kinds of the same rank that do the same job (a repair may swap them)."""
    SAME_RANK_SIBLINGS[a] = SAME_RANK_SIBLINGS.get(a, ()) + (b,)
    SAME_RANK_SIBLINGS[b] = SAME_RANK_SIBLINGS.get(b, ()) + (a,)


def plumbing(*kinds: str) -> None:
    """Kinds that only move data (reshape, pool, pad, crop): a repair may remove one."""
    PLUMBING.update(kinds)


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
                code=MissingArgument.code,
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
                code=NotPositive.code,
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

    def data_format(self, default: str = "channels_last", lower: bool = True) -> str:
        """backend.standardize_data_format: None means the backend's image_data_format()
        (channels_last); most layers lower-case the value, adaptive pooling does not."""
        if self.arg("data_format", default) is None:
            return "channels_last"
        return self.choice("data_format", ("channels_last", "channels_first"), default=default, lower=lower)

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
                code=WrongType.code,
            )
    else:
        ctx.fail(
            "invalid_argument",
            f"`{name}` of {ctx.kind} must be an integer or a tuple of {n} integers, received {name}={value!r}",
            expected=f"{n} integers {req}",
            actual=f"{name}={value!r}",
            argument=name,
            hint={"arg": name, "len": n},
            code=WrongType.code,
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
            code=NotPositive.code,
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
    code      the expected finding code (messages.py: NNR202 unknown keyword, ...)
    argument  the argument the finding blames, "" when it blames none
    fix       the arguments that repair it (merged into `args`, the model is valid)
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
    code: str | None = None
    argument: str | None = None
    fix: dict | None = None

    @property
    def input_list(self) -> list:
        return list(self.inputs) if isinstance(self.inputs, list) else [self.inputs]

    @property
    def called_with_list(self) -> bool:
        if self.list_call is not None:
            return self.list_call
        return isinstance(self.inputs, list)


# ---- helpers every unit shares (the one dialect units are written in) -----


class _Skip:
    def __repr__(self) -> str:
        return "SKIP"


SKIP: Any = _Skip()


def optional_arg(ctx: Ctx, name: str, default: Any = None) -> Any:
    """An argument that does not change the output shape: SKIP when the frontend
    could not resolve it, so that an unresolvable value (a variable, a callable)
    leaves that one check undecided instead of the whole rest of the model."""
    if name in ctx.layer.args and is_unknown(ctx.layer.args[name]):
        return SKIP
    return ctx.arg(name, default)


def is_int(value: Any) -> bool:
    """An int as Keras' `isinstance(v, int)` sees it (bool included)."""
    return isinstance(value, int)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float))


def defined_weights(ctx: Ctx, weights: Sequence[Sequence], names: Sequence[str], axis_hint: Any = -1) -> list:
    """Keras refuses to create a variable whose shape holds None (or a bad dim)."""
    for shape, wname in zip(weights, names):
        for d in shape:
            if d is None:
                ctx.fail(
                    "undefined_dim",
                    f"{ctx.kind} builds its `{wname}` weight of shape {fmt_shape(shape)} from its input "
                    f"{fmt_shape(ctx.input_shape)}, but that axis is undefined (None); give the input a fixed "
                    "size on that axis",
                    expected=f"{wname} shape fully defined",
                    actual=f"{wname} shape={fmt_shape(shape)}",
                    hint={"axis": axis_hint, "weight": wname},
                )
            if not is_int(d) or d < 0:
                ctx.fail(
                    "invalid_argument",
                    f"{ctx.kind} would build its `{wname}` weight with shape {fmt_shape(shape)}, "
                    f"which holds the invalid dimension {d!r}; dimensions must be integers >= 0",
                    expected="integer dims >= 0",
                    actual=f"{wname} shape={fmt_shape(shape)}",
                    hint={"weight": wname},
                )
    return [tuple(w) for w in weights]


def resolve_axis(ctx: Ctx, axis: Any, rank: int, arg: str = "axis") -> int:
    """A Python index into a shape of `rank` dims; out of range is an invalid argument."""
    if not is_int(axis) or not -rank <= axis < rank:
        ctx.fail(
            "invalid_argument",
            f"`{arg}` of {ctx.kind} is out of range for its {rank}-D input {fmt_shape(ctx.input_shape)}: "
            f"received {arg}={axis!r}; use an axis in [{-rank}, {rank - 1}]",
            expected=f"{-rank} <= {arg} <= {rank - 1}",
            actual=f"{arg}={axis!r}",
            argument=arg,
            hint={"arg": arg, "min": -rank, "max": rank - 1},
            code=OutOfRange.code,
        )
    return axis % rank


def dim_defined(ctx: Ctx, shape, axis: int, what: str) -> int:
    """Layers that create weights from an axis of their input need it defined."""
    if shape[axis] is None:
        ctx.fail(
            "undefined_dim",
            f"{ctx.kind} creates its weights from {what} of its input, which is undefined (None) in "
            f"{fmt_shape(shape)}; give the input a fixed size on that axis",
            expected=f"{what} defined",
            actual=f"shape={fmt_shape(shape)}",
            hint={"axis": axis},
        )
    return shape[axis]


def last_dim_defined(ctx: Ctx, shape, what: str = "the last axis") -> int:
    return dim_defined(ctx, shape, -1, what)


def as_positive_int(value: Any) -> int | None:
    """The integer a user most likely meant by 3.0 or '3' (None when there is none)."""
    try:
        if isinstance(value, float) and value.is_integer() and value > 0:
            return int(value)
        if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
            return int(value)
    except (ValueError, OverflowError):
        return None
    return None


def positive_count(ctx: Ctx, name: str, allow_bool: bool) -> int:
    """Keras' `isinstance(v, int) and v > 0` (Dense lets bool through, Embedding does not)."""
    value = ctx.required(name)
    ok = is_int(value) and (allow_bool or not isinstance(value, bool)) and value > 0
    if not ok:
        fixed = as_positive_int(value)
        ctx.fail(
            "invalid_argument",
            f"`{name}` of {ctx.kind} must be a positive integer, received {name}={value!r}"
            + (f"; write {name}={fixed}" if fixed is not None else ""),
            expected=f"{name} > 0",
            actual=f"{name}={value!r}",
            argument=name,
            hint={"arg": name, "min": 1, **({"value": fixed} if fixed is not None else {})},
            code=NotPositive.code,
        )
    return int(value)


def input_spec_of(*kinds: str):
    """Register the InputSpec a built layer of these kinds keeps (attribute
    `input_spec` on the LayerUnit; kinds without one accept any later input)."""

    def deco(fn):
        for k in kinds:
            REGISTRY[k].input_spec = fn
        return fn

    return deco


def input_spec_violation(spec: dict, shape: tuple) -> str | None:
    """keras.layers.input_spec.assert_input_compatibility for one input; the
    reason it fails, or None."""
    ndim = len(shape)
    if spec.get("ndim") is not None and ndim != spec["ndim"]:
        return f"expected ndim={spec['ndim']}, found ndim={ndim}"
    if spec.get("min_ndim") is not None and ndim < spec["min_ndim"]:
        return f"expected min_ndim={spec['min_ndim']}, found ndim={ndim}"
    for axis, value in (spec.get("axes") or {}).items():
        if value is None:
            continue
        if not -ndim <= axis < ndim:
            return f"expected an axis {axis} of size {value}, found ndim={ndim}"
        if shape[axis] not in (value, None):
            return f"expected axis {axis} of the input to have size {value}, found {fmt_shape(shape)}"
    return None


def bad_arg(
    ctx: Ctx,
    name: str,
    value: Any,
    requirement: str,
    todo: str,
    hint: Any = None,
    expected: str = "",
    code: str | None = None,
) -> NoReturn:
    """Raise the invalid_argument violation every constructor check uses."""
    ctx.fail(
        "invalid_argument",
        f"{ctx.kind}: `{name}` {requirement}, received {name}={value!r}; {todo}",
        expected=expected or requirement,
        actual=f"{name}={value!r}",
        argument=name,
        hint=hint if hint is not None else {"arg": name},
        code=code,
    )


def required_arg(ctx: Ctx, name: str, suggestion: Any) -> Any:
    """A constructor argument without default: missing -> invalid_argument with a value to add."""
    if name not in ctx.layer.args:
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind} requires the argument `{name}`, which is missing; add e.g. {name}={suggestion!r}",
            expected=f"{name}=<value>",
            actual="missing",
            argument=name,
            hint={"arg": name, "missing": True, "value": suggestion},
            code=MissingArgument.code,
        )
    return ctx.arg(name)


def keras_tuple(
    ctx: Ctx, name: str, n: int, default: Any = None, allow_zero: bool = False, label: str | None = None
) -> tuple:
    """keras.src.utils.argument_validation.standardize_tuple: an int, or n ints, > 0 (>= 0)."""
    value = ctx.arg(name, default)
    return tuple_value(ctx, name, value, n, allow_zero, label)


def integral(value: Any) -> Any:
    """3.0 -> 3, (3.0, 2) -> (3, 2); None when the value is not integral numbers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if (
        isinstance(value, (tuple, list))
        and value
        and all(isinstance(v, int) or (isinstance(v, float) and v.is_integer()) for v in value)
    ):
        return tuple(int(v) for v in value)
    return None


def tuple_value(ctx: Ctx, name: str, value: Any, n: int, allow_zero: bool = False, label: str | None = None) -> tuple:
    label = label or name
    req = ">= 0" if allow_zero else "> 0"
    if isinstance(value, int):
        t = (value,) * n
    elif isinstance(value, (tuple, list)) and len(value) == n and all(isinstance(v, int) for v in value):
        t = tuple(value)
    else:
        hint: dict = {"arg": name, "len": n} if label == name else {"arg": name}
        fixed = integral(value)
        if fixed is not None and label == name:
            hint["value"] = fixed
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind}: `{label}` must be an integer or a tuple of {n} integers, received {value!r}; "
            + (f"write {label}={fixed!r}" if fixed is not None else f"write e.g. {label}={(1,) * n if n > 1 else 1}"),
            expected=f"int or {n} ints {req}",
            actual=f"{label}={value!r}",
            argument=name,
            hint=hint,
            code=WrongType.code,
        )
    if any((v < 0) if allow_zero else (v <= 0) for v in t):
        ctx.fail(
            "invalid_argument",
            f"{ctx.kind}: every value of `{label}` must be {req}, received {label}={value!r}; use values {req}",
            expected=f"{label} {req}",
            actual=f"{label}={value!r}",
            argument=name,
            hint={"arg": name, "min": 0 if allow_zero else 1},
            code=NotPositive.code,
        )
    return tuple(int(v) for v in t)


def layout(rank: int, data_format: str, channels: str = "channels") -> str:
    names = {1: ["steps"], 2: ["rows", "cols"], 3: ["dim1", "dim2", "dim3"]}[rank]
    parts = ["batch"] + ([channels] + names if data_format == "channels_first" else names + [channels])
    return "(" + ", ".join(parts) + ")"


def _rank_todo(ctx: Ctx, s: tuple, rank: int, data_format: str) -> tuple:
    """What to do about a wrong input rank: (advice, suggested input shape or None)."""
    got = len(s)
    if got == rank + 1 and got >= 2:
        fixed = (s[0], 1, *s[1:]) if data_format == "channels_first" else (*s, 1)
        return (
            f"add a channels axis, e.g. feed {fmt_shape(fixed)} (Input(shape={fixed[1:]}) or Reshape({fixed[1:]}))"
        ), fixed
    other = ctx.kind.replace(f"{rank}D", f"{got - 2}D")
    if 1 <= got - 2 <= 3 and other != ctx.kind and other in REGISTRY:
        return f"use {other} for this {got}-D input, or reshape the input to {rank + 2}-D", None
    return f"reshape the input to {rank + 2}-D {layout(rank, data_format)}", None


def spatial_input(ctx: Ctx, rank: int, data_format: str) -> tuple:
    """Require a (rank + 2)-D input; return (shape, spatial dims, channel axis)."""
    s = ctx.shape()
    if len(s) != rank + 2:
        todo, fixed = _rank_todo(ctx, s, rank, data_format)
        hint = {"need_rank": (rank + 2,), "got_rank": len(s), "input": 0}
        if fixed is not None:
            hint["suggest_shape"] = fixed
        ctx.fail(
            "rank_mismatch",
            f"{ctx.kind} expects a {rank + 2}-D input {layout(rank, data_format)} but receives "
            f"{len(s)}-D {fmt_shape(s)}: {todo}",
            expected=f"ndim={rank + 2}",
            actual=f"ndim={len(s)}",
            hint=hint,
        )
    if data_format == "channels_first":
        return s, list(s[2:]), 1
    return s, list(s[1:-1]), len(s) - 1


def rebuild(shape: tuple, spatial: list, channels: Any, data_format: str) -> tuple:
    if data_format == "channels_first":
        return (shape[0], channels, *spatial)
    return (shape[0], *spatial, channels)


def channels_defined(ctx: Ctx, shape: tuple, axis: int, data_format: str) -> int:
    c = shape[axis]
    if c is None:
        ctx.fail(
            "undefined_dim",
            f"{ctx.kind} creates its weights from the channels axis (axis {axis}, {data_format}) of its input, "
            f"which is undefined (None) in {fmt_shape(shape)}; give the input a fixed number of channels",
            expected=f"axis {axis} defined",
            actual=f"shape={fmt_shape(shape)}",
            hint={"axis": axis, "data_format": data_format},
        )
    return c


def padding_arg(ctx: Ctx, allowed: tuple, lower: bool = True) -> str:
    """standardize_padding (conv: case-insensitive) or the pooling check (exact)."""
    value = ctx.arg("padding", "valid")
    v = value.lower() if (lower and isinstance(value, str)) else value
    if not isinstance(v, str) or v not in allowed:
        todo = "use padding='valid' (no padding) or padding='same'"
        if isinstance(value, str) and value.lower() == "causal" and "causal" not in allowed:
            todo = "'causal' padding exists only for Conv1D; use padding='valid' or 'same'"
        elif isinstance(value, str) and not lower and value.lower() in allowed:
            todo = f"{ctx.kind} compares padding case-sensitively: write padding={value.lower()!r}"
        bad_arg(
            ctx,
            "padding",
            value,
            "must be one of " + ", ".join(map(repr, allowed)),
            todo,
            {"arg": "padding", "choices": list(allowed)},
            expected=" | ".join(allowed),
            code="NNR203",
        )
    return v


def too_small(
    ctx: Ctx,
    shape: tuple,
    arg: str,
    value: Any,
    axis: int,
    length: int,
    max_value: int,
    detail: str,
    out_size: int,
    alternatives: dict | None = None,
) -> None:
    """A window (kernel/pool) does not fit in its input: non_positive_dim.

    `alternatives` are other single edits that fix it (e.g. {"padding": "same"}).
    """
    todo = f"use {arg} <= {max_value} on that axis" if max_value >= 1 else "use a larger input"
    for k, v in (alternatives or {}).items():
        todo += f" or {k}={v!r}"
    hint = {"arg": arg, "axis": axis, "max": max_value, "input_dim": length}
    if alternatives:
        hint["or"] = alternatives
    ctx.fail(
        "non_positive_dim",
        f"{ctx.kind}: {arg}={value!r}{detail} does not fit the input size {length} on axis {axis} of "
        f"{fmt_shape(shape)} (output size {out_size}): {todo}",
        expected=f"{arg} <= {max_value} on axis {axis}",
        actual=f"{arg}={value!r}, input size {length}",
        argument=arg,
        hint=hint,
        code=WindowTooLarge.code,
    )


def flipped_layout_fits(shape: tuple, rank: int, data_format: str, fits: Callable[[list], bool]) -> bool:
    """Would a channels_first layer fit when it read the input as channels_last?
    (the common mix-up: channels_first code fed channels_last images)"""
    return data_format == "channels_first" and len(shape) == rank + 2 and fits(list(shape[1:-1]))


def spatial_rank(kind: str) -> int:
    for r in (1, 2, 3):
        if f"{r}D" in kind:
            return r
    raise KeyError(kind)


def small_divisors(n: int, limit: int = 16) -> list:
    """The smallest divisors of n (at most `limit`, bounded work for huge n)."""
    return [d for d in range(1, min(n, 4096) + 1) if n % d == 0][:limit]
