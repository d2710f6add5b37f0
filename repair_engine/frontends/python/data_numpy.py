"""NumPy array shapes read from the code (never run): constructors, `numpy.random`,
shape ops, reductions, element-wise functions and NumPy's shape algebra.

Every call is bound to NumPy's own parameter list first (positional and keyword
arguments alike); a keyword NumPy does not take, or one whose effect is not modelled
(`ndmin=` is, `like=`/`out=` are not), leaves the result unknown. A shape is
returned only when it is the one NumPy gives for every value the arguments may
have: unknown stays unknown, never a guess. `call` returns NotImplemented for what
it does not know, so the evaluator goes on (tensors become opaque tensors there).
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard

from ...ir import UNKNOWN, is_unknown
from .values import ArrayVal, Ref

NI = NotImplemented


def is_int(v) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def as_shape(v) -> tuple | None:
    """A `size=`/`shape=` argument as a shape tuple (an int is one axis), or None."""
    if is_int(v):
        v = (v,)
    if isinstance(v, (tuple, list)) and not is_unknown(v) and all(is_int(d) and d >= 0 for d in v):
        return tuple(v)
    return None


def _bool_dtype(v) -> bool:
    """dtype=bool: such an array indexes as a mask, whose result size the data decides."""
    if isinstance(v, str):
        return v.startswith("bool")
    if isinstance(v, Ref):
        return v.path.rsplit(".", 1)[-1] in ("bool", "bool_", "bool8")
    return v is bool


def bind(params: tuple, vals: list, kw: dict) -> dict | None:
    """Python's own binding of a call to `params` (names in order); None when it fails."""
    if len(vals) > len(params) or any(k not in params for k in kw):
        return None
    bound = dict(zip(params, vals))
    for k, v in kw.items():
        if k in bound:
            return None
        bound[k] = v
    return bound


# ------------------------------------------------------------------ numpy.random

# scalar-parameter distributions: name -> parameters before `size`; the draw has shape `size`
_DRAWS = {
    "random": (),
    "random_sample": (),
    "ranf": (),
    "sample": (),
    "standard_normal": (),
    "standard_exponential": (),
    "standard_cauchy": (),
    "uniform": ("low", "high"),
    "normal": ("loc", "scale"),
    "lognormal": ("mean", "sigma"),
    "laplace": ("loc", "scale"),
    "logistic": ("loc", "scale"),
    "gumbel": ("loc", "scale"),
    "exponential": ("scale",),
    "rayleigh": ("scale",),
    "poisson": ("lam",),
    "gamma": ("shape", "scale"),
    "standard_gamma": ("shape",),
    "beta": ("a", "b"),
    "binomial": ("n", "p"),
    "negative_binomial": ("n", "p"),
    "geometric": ("p",),
    "hypergeometric": ("ngood", "nbad", "nsample"),
    "chisquare": ("df",),
    "noncentral_chisquare": ("df", "nonc"),
    "f": ("dfnum", "dfden"),
    "noncentral_f": ("dfnum", "dfden", "nonc"),
    "pareto": ("a",),
    "power": ("a",),
    "weibull": ("a",),
    "zipf": ("a",),
    "logseries": ("p",),
    "vonmises": ("mu", "kappa"),
    "wald": ("mean", "scale"),
    "triangular": ("left", "mode", "right"),
    "standard_t": ("df",),
    "randint": ("low", "high"),
    "random_integers": ("low", "high"),
}
_AFTER_SIZE = {"randint": ("dtype",), "choice": ("replace", "p"), "multivariate_normal": ("check_valid", "tol")}
# the Generator API (np.random.default_rng()) names
_GENERATOR = {"integers": "randint", "random": "random"}
_GENERATOR_AFTER = {
    "integers": ("dtype", "endpoint"),
    "random": ("dtype", "out"),
    "choice": ("replace", "p", "axis", "shuffle"),
}
# draws whose every sample is a vector: parameter holding its length
_VECTOR_DRAWS = {"multivariate_normal": ("mean", "cov"), "multinomial": ("n", "pvals"), "dirichlet": ("alpha",)}
_VECTOR_OF = {"multivariate_normal": "mean", "multinomial": "pvals", "dirichlet": "alpha"}


def random(name: str, vals: list, kw: dict, generator: bool = False):
    """np.random.<name>(...) (or a RandomState's / Generator's method): its array shape."""
    if name in ("rand", "randn") and not generator:
        return ArrayVal(tuple(vals)) if vals and not kw and as_shape(tuple(vals)) is not None else NI
    if name == "permutation":
        return _permutation(vals, kw)
    if name == "choice":
        return _choice(vals, kw, generator)
    base = _GENERATOR.get(name, name) if generator else name
    if base in _VECTOR_DRAWS:
        b = bind(_VECTOR_DRAWS[base] + ("size",) + _AFTER_SIZE.get(base, ()), vals, kw)
        width = _length(b.get(_VECTOR_OF[base])) if b is not None else None
        size = as_shape(b.get("size")) if b is not None and b.get("size") is not None else ()
        if width is None or size is None:
            return NI
        return ArrayVal(size + (width,))
    if base not in _DRAWS:
        return NI
    after = _GENERATOR_AFTER.get(name, ()) if generator else _AFTER_SIZE.get(base, ())
    b = bind(_DRAWS[base] + ("size",) + after, vals, kw)
    if b is None or b.get("size") is None or _bool_dtype(b.get("dtype")):
        return NI  # size=None: the parameters' broadcast shape (or a scalar)
    shape = as_shape(b["size"])
    return ArrayVal(shape) if shape is not None else NI


def _length(v) -> int | None:
    """The length of a 1-D parameter (mean=[0, 3], pvals, alpha), or None."""
    if isinstance(v, ArrayVal):
        return v.shape[0] if len(v.shape) == 1 and is_int(v.shape[0]) else None
    if isinstance(v, (list, tuple)) and not is_unknown(v) and all(_is_num(x) for x in v):
        return len(v)
    return None


def _permutation(vals: list, kw: dict):
    b = bind(("x",), vals, kw)
    x = b.get("x") if b is not None else None
    if is_int(x) and x >= 0:
        return ArrayVal((x,))
    if isinstance(x, ArrayVal) and x.shape:
        return x  # rows shuffled
    return NI


def _choice(vals: list, kw: dict, generator: bool):
    b = bind(("a", "size") + (_GENERATOR_AFTER["choice"] if generator else _AFTER_SIZE["choice"]), vals, kw)
    if b is None or b.get("size") is None:
        return NI
    a = b.get("a")
    one_d = is_int(a) or (
        isinstance(a, (list, tuple)) and not is_unknown(a) and all(_is_num(x) for x in a)
    )  # bools would make a mask
    if isinstance(a, ArrayVal):
        one_d = len(a.shape) == 1
    shape = as_shape(b["size"])
    return ArrayVal(shape) if one_d and shape is not None else NI


# ------------------------------------------------------------------ calls


def call(name: str, vals: list, kw: dict):
    """numpy.<name>(...): an ArrayVal, a number (np.prod of a shape), or NotImplemented."""
    if name.startswith("random."):
        return random(name[7:], vals, kw)
    for table in (_CONSTRUCTORS, _SHAPE_OPS):
        rule = table.get(name)
        if rule is not None:
            params, fn = rule
            b = bind(params, vals, kw)
            return fn(b) if b is not None else NI
    if name in _REDUCTIONS:
        b = bind(("a", "axis") + _REDUCTIONS[name], vals, kw)
        if b is None or not isinstance(b.get("a"), ArrayVal):
            return NI
        return reduce(b["a"], b.get("axis"), b.get("keepdims"))
    if name in _ELEMENTWISE:
        return _elementwise(vals, kw)
    if name in _BINARY:
        b = bind(("x1", "x2", "dtype"), vals, kw)
        return _broadcast_args([b.get("x1"), b.get("x2")]) if b is not None and len(b) >= 2 else NI
    if name == "clip":
        b = bind(("a", "a_min", "a_max"), vals, kw)
        return _broadcast_args([b.get("a"), b.get("a_min"), b.get("a_max")]) if b is not None and "a" in b else NI
    if name == "where" and len(vals) == 3 and not kw:
        return _broadcast_args(vals)
    return NI


def _broadcast_args(args: list):
    shapes = [a.shape if isinstance(a, ArrayVal) else () for a in args if isinstance(a, ArrayVal) or _is_num(a)]
    if len(shapes) != len(args) or not any(isinstance(a, ArrayVal) for a in args):
        return NI
    out: Any = ArrayVal(())
    for s in shapes:
        out = broadcast(out.shape, s)
        if not isinstance(out, ArrayVal):
            return NI
    return out


def _elementwise(vals: list, kw: dict):
    """np.log(x), np.abs(x), ...: the shape of x (an array argument only)."""
    if len(vals) != 1 or not isinstance(vals[0], ArrayVal) or any(k not in ("dtype",) for k in kw):
        return NI
    return vals[0]


def _shape_arg(b: dict, key: str = "shape"):
    shape = as_shape(b.get(key))
    return ArrayVal(shape) if shape is not None and not _bool_dtype(b.get("dtype")) else NI


def _like(b: dict):
    a = b.get("a")
    if not isinstance(a, ArrayVal) or _bool_dtype(b.get("dtype")):
        return NI
    if b.get("shape") is not None:
        return _shape_arg(b)
    return a


def _eye(b: dict):
    n = b.get("N")
    m = b.get("M") if b.get("M") is not None else n
    if not (is_int(n) and is_int(m) and n >= 0 and m >= 0) or _bool_dtype(b.get("dtype")):
        return NI
    return ArrayVal((n, m))


def _identity(b: dict):
    n = b.get("n")
    return ArrayVal((n, n)) if is_int(n) and n >= 0 and not _bool_dtype(b.get("dtype")) else NI


def _array(b: dict):
    obj = b.get("object", b.get("a"))
    if _bool_dtype(b.get("dtype")):
        return NI
    if isinstance(obj, ArrayVal):
        shape: tuple | None = tuple(obj.shape)
    elif isinstance(obj, (list, tuple)) and obj and all(isinstance(a, ArrayVal) for a in obj):
        shapes = {a.shape for a in obj}
        shape = (len(obj),) + tuple(obj[0].shape) if len(shapes) == 1 else None
    else:
        shape = nested_shape(obj)
    if shape is None or not shape:
        return NI
    ndmin = b.get("ndmin", 0)
    if not is_int(ndmin):
        return NI
    return ArrayVal((1,) * max(0, ndmin - len(shape)) + shape)


def nested_shape(v) -> tuple | None:
    """The shape of a regular nested list/tuple of numbers, or None."""
    if _is_num(v):
        return ()
    if not isinstance(v, (list, tuple)) or is_unknown(v) or len(v) > 4096:
        return None
    if not v:
        return (0,)
    inner = nested_shape(v[0])
    if inner is None or any(nested_shape(x) != inner for x in v[1:]):
        return None
    return (len(v),) + inner


def _same(b: dict):
    a = b.get("a")
    return a if isinstance(a, ArrayVal) else NI


def _arange(b: dict):
    if _bool_dtype(b.get("dtype")):
        return NI
    nums = [b[k] for k in ("start", "stop", "step") if k in b and b[k] is not None]
    if not 1 <= len(nums) <= 3 or not all(is_int(v) for v in nums):
        return NI  # float steps: the length depends on rounding
    try:
        return ArrayVal((len(range(*nums)),))
    except ValueError:
        return NI


def _linspace(b: dict):
    if b.get("retstep") not in (None, False) or not _is_num(b.get("start")) or not _is_num(b.get("stop")):
        return NI  # retstep=True gives (samples, step); array bounds add axes
    num = b.get("num", 50)
    return ArrayVal((num,)) if is_int(num) and num >= 0 else NI


def _prod_of(b: dict):
    a = b.get("a")
    if isinstance(a, (list, tuple)) and not is_unknown(a) and all(is_int(v) for v in a) and len(b) == 1:
        return math.prod(a)
    if isinstance(a, ArrayVal):
        return reduce(a, b.get("axis"), b.get("keepdims"))
    return NI


_SPACE = ("start", "stop", "num", "endpoint")
_CONSTRUCTORS: dict = {
    "zeros": (("shape", "dtype", "order"), _shape_arg),
    "ones": (("shape", "dtype", "order"), _shape_arg),
    "empty": (("shape", "dtype", "order"), _shape_arg),
    "full": (("shape", "fill_value", "dtype", "order"), _shape_arg),
    "zeros_like": (("a", "dtype", "order", "subok", "shape"), _like),
    "ones_like": (("a", "dtype", "order", "subok", "shape"), _like),
    "empty_like": (("a", "dtype", "order", "subok", "shape"), _like),
    "full_like": (("a", "fill_value", "dtype", "order", "subok", "shape"), _like),
    "eye": (("N", "M", "k", "dtype", "order"), _eye),
    "identity": (("n", "dtype"), _identity),
    "array": (("object", "dtype", "copy", "order", "subok", "ndmin"), _array),
    "asarray": (("a", "dtype", "order"), _array),
    "asanyarray": (("a", "dtype", "order"), _array),
    "ascontiguousarray": (("a", "dtype"), _same),
    "copy": (("a", "order"), _same),
    "float32": (("a",), _same),
    "float64": (("a",), _same),
    "int32": (("a",), _same),
    "int64": (("a",), _same),
    "uint8": (("a",), _same),
    "arange": (("start", "stop", "step", "dtype"), _arange),
    "linspace": (_SPACE + ("retstep", "dtype", "axis"), _linspace),
    "logspace": (_SPACE + ("base", "dtype", "axis"), _linspace),
    "geomspace": (_SPACE + ("dtype", "axis"), _linspace),
    "prod": (("a", "axis", "dtype", "out", "keepdims"), _prod_of),
}


def _reshape_call(b: dict):
    a = b.get("a")
    shape = b.get("shape", b.get("newshape"))
    if not isinstance(a, ArrayVal) or ("shape" in b and "newshape" in b):
        return NI
    out = reshape(a, shape)
    return NI if is_unknown(out) else out


def _axis_op(fn, key: str):
    def rule(b: dict):
        a = b.get("a")
        if not isinstance(a, ArrayVal):
            return NI
        out = fn(a, b.get(key))
        return NI if is_unknown(out) else out

    return rule


def _join_rule(name: str):
    def rule(b: dict):
        if b.get("out") is not None or b.get("dtype") is not None and _bool_dtype(b.get("dtype")):
            return NI
        out = join(name, b.get("arrays"), b.get("axis", 0))
        return NI if out is NI or is_unknown(out) else out

    return rule


def _ravel(b: dict):
    a = b.get("a")
    if not isinstance(a, ArrayVal):
        return NI
    n = _prod(a.shape)
    return ArrayVal((n,)) if n is not None else ArrayVal((None,))


_JOIN = ("arrays", "axis", "out", "dtype", "casting")
_SHAPE_OPS: dict = {
    "reshape": (("a", "shape", "order", "newshape", "copy"), _reshape_call),
    "expand_dims": (("a", "axis"), _axis_op(lambda a, ax: expand_dims(a, ax), "axis")),
    "squeeze": (("a", "axis"), _axis_op(lambda a, ax: squeeze(a, ax), "axis")),
    "transpose": (("a", "axes"), _axis_op(lambda a, ax: transpose(a, ax), "axes")),
    "concatenate": (_JOIN, _join_rule("concatenate")),
    "stack": (_JOIN, _join_rule("stack")),
    "vstack": (("arrays", "dtype", "casting"), _join_rule("vstack")),
    "hstack": (("arrays", "dtype", "casting"), _join_rule("hstack")),
    "column_stack": (("arrays",), _join_rule("column_stack")),
    "ravel": (("a", "order"), _ravel),
}
_REDUCTIONS = {
    "sum": ("dtype", "out", "keepdims"),
    "mean": ("dtype", "out", "keepdims"),
    "std": ("dtype", "out", "ddof", "keepdims"),
    "var": ("dtype", "out", "ddof", "keepdims"),
    "max": ("out", "keepdims"),
    "min": ("out", "keepdims"),
    "amax": ("out", "keepdims"),
    "amin": ("out", "keepdims"),
    "argmax": ("out", "keepdims"),
    "argmin": ("out", "keepdims"),
}
_ELEMENTWISE = {
    "abs",
    "absolute",
    "exp",
    "log",
    "log1p",
    "log2",
    "log10",
    "sqrt",
    "square",
    "sin",
    "cos",
    "tanh",
    "floor",
    "ceil",
    "round",
    "rint",
    "sign",
    "negative",
    "nan_to_num",
}
_BINARY = {"add", "subtract", "multiply", "divide", "true_divide", "power", "maximum", "minimum"}


# ------------------------------------------------------------- array methods


def method(a: ArrayVal, name: str, vals: list, kw: dict):
    """a.<name>(...) on an array: its shape, or NotImplemented."""
    if name == "astype":
        b = bind(("dtype", "order", "casting", "subok", "copy"), vals, kw)
        return a if b is not None and "dtype" in b and not _bool_dtype(b["dtype"]) else UNKNOWN
    if name == "copy" or (name == "numpy" and not vals):
        return a
    if name == "reshape":
        if set(kw) - {"order"} or not vals:
            return NI
        return reshape(a, vals[0] if len(vals) == 1 else tuple(vals))
    if name == "squeeze":
        return squeeze(a, vals[0] if vals else kw.get("axis"))
    if name == "transpose":
        return transpose(a, tuple(vals) if len(vals) > 1 else (vals[0] if vals else None))
    if name in ("flatten", "ravel"):
        return _ravel({"a": a})
    if name in _REDUCTIONS:
        b = bind(("axis",) + _REDUCTIONS[name], vals, kw)
        return reduce(a, b.get("axis"), b.get("keepdims")) if b is not None else NI
    return NI


# ----------------------------------------------------------- shape algebra


def _prod(shape):
    return None if any(d is None for d in shape) else math.prod(shape)


def reduce(a: ArrayVal, axis, keepdims):
    """sum/mean/argmax/... over an int axis (None: a scalar, not an array)."""
    if not is_int(axis) or keepdims not in (None, False, True):
        return NI
    n = len(a.shape)
    ax = axis if axis >= 0 else n + axis
    if not 0 <= ax < n:
        return NI
    if keepdims:
        return ArrayVal(tuple(1 if i == ax else d for i, d in enumerate(a.shape)))
    return ArrayVal(tuple(d for i, d in enumerate(a.shape) if i != ax))


def reshape(a: ArrayVal, shape):
    if is_int(shape):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(is_int(d) and d >= -1 for d in shape):
        return UNKNOWN
    if list(shape).count(-1) > 1:
        return UNKNOWN
    total = _prod(a.shape)
    if -1 in shape:
        rest = math.prod(d for d in shape if d != -1)
        if total is None:
            # rows unknown: (None, 784).reshape(-1, 28, 28, 1) keeps them unknown
            known = _prod([d for d in a.shape if d is not None])
            if a.shape[0] is None and None not in a.shape[1:] and shape[0] == -1 and rest and known % rest == 0:
                return ArrayVal((None,) + tuple(shape[1:]))
            return UNKNOWN
        if rest == 0 or total % rest:
            return UNKNOWN
        return ArrayVal(tuple(total // rest if d == -1 else d for d in shape))
    if total is None or math.prod(shape) != total:
        return UNKNOWN
    return ArrayVal(tuple(shape))


def expand_dims(a: ArrayVal, axis):
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    if not axes or not all(is_int(x) for x in axes):
        return UNKNOWN
    rank = len(a.shape) + len(axes)
    norm = {x if x >= 0 else rank + x for x in axes}
    if len(norm) != len(axes) or not all(0 <= x < rank for x in norm):
        return UNKNOWN
    rest = iter(a.shape)
    return ArrayVal(tuple(1 if i in norm else next(rest) for i in range(rank)))


def squeeze(a: ArrayVal, axis):
    if axis is None:
        if None in a.shape:
            return UNKNOWN
        return ArrayVal(tuple(d for d in a.shape if d != 1))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if not all(is_int(x) for x in axes):
        return UNKNOWN
    norm = {x if x >= 0 else len(a.shape) + x for x in axes}
    if any(not 0 <= x < len(a.shape) or a.shape[x] not in (1, None) for x in norm):
        return UNKNOWN
    return ArrayVal(tuple(d for i, d in enumerate(a.shape) if i not in norm))


def transpose(a: ArrayVal, axes):
    if axes is None:
        return ArrayVal(tuple(reversed(a.shape)))
    if not isinstance(axes, (tuple, list)) or not all(is_int(x) for x in axes):
        return UNKNOWN
    n = len(a.shape)
    norm = [x if x >= 0 else n + x for x in axes]
    if sorted(norm) != list(range(n)):
        return UNKNOWN
    return ArrayVal(tuple(a.shape[i] for i in norm))


def join(name: str, arrays, axis):
    """concatenate/stack/vstack/hstack/column_stack of arrays with known shapes."""
    if not isinstance(arrays, (list, tuple)) or not arrays or not all(isinstance(x, ArrayVal) for x in arrays):
        return NI
    shapes = [tuple(x.shape) for x in arrays]
    if name == "vstack":
        shapes = [s if len(s) >= 2 else (1,) * (2 - len(s)) + s for s in shapes]
        name, axis = "concatenate", 0
    elif name == "hstack":
        name, axis = "concatenate", (0 if len(shapes[0]) == 1 else 1)
    elif name == "column_stack":
        shapes = [s if len(s) >= 2 else s + (1,) for s in shapes]
        name, axis = "concatenate", 1
    if not is_int(axis):
        return UNKNOWN  # axis=None flattens first
    if name == "stack":
        if len(set(shapes)) != 1 or any(None in s for s in shapes):
            return UNKNOWN
        return _stack(shapes, axis)
    return _concatenate(shapes, axis)


def _concatenate(shapes: list, axis: int):
    rank = len(shapes[0])
    if any(len(s) != rank for s in shapes) or not rank:
        return UNKNOWN
    axis = axis if axis >= 0 else rank + axis
    if not 0 <= axis < rank:
        return UNKNOWN
    out = list(shapes[0])
    for s in shapes[1:]:
        for i in range(rank):
            if i == axis:
                continue
            if s[i] is not None and out[i] is not None and s[i] != out[i]:
                return UNKNOWN
            out[i] = out[i] if out[i] is not None else s[i]
    total = [s[axis] for s in shapes]
    out[axis] = None if None in total else sum(total)
    return ArrayVal(tuple(out))


def _stack(shapes, axis):
    s = list(shapes[0])
    axis = axis if axis >= 0 else len(s) + 1 + axis
    if not 0 <= axis <= len(s):
        return UNKNOWN
    s.insert(axis, len(shapes))
    return ArrayVal(tuple(s))


def broadcast(a: tuple, b: tuple):
    """NumPy broadcasting of two shapes (None: some size); UNKNOWN when NumPy raises."""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)  # the unknown side is 1 or the same size
        elif x != y:
            return UNKNOWN  # numpy raises; the program fails before any model call
        else:
            out.append(x)
    return ArrayVal(tuple(out))
