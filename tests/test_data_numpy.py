"""NumPy data shapes read statically (data_values.py, the evaluator's numeric calls)
against real NumPy: every expression's static shape is NumPy's own shape, or unknown.
Never a guess: a keyword we do not model (size= of a multivariate draw, ndmin=,
retstep=, shape= of *_like, M= of eye, ...) must not be read as something else.

NumPy runs here on the test's own expressions (trusted text), never on analysed code.
"""

from __future__ import annotations

import ast

import numpy as np
import pytest

from repair_engine.frontends.python.evaluator import Evaluator
from repair_engine.frontends.python.source import Spans
from repair_engine.frontends.python.values import ArrayVal

PRELUDE = (
    "import numpy as np\na = np.zeros((6, 4))\nb = np.ones((6, 4))\nk = np.zeros(6)\n"
    "rs = np.random.RandomState(0)\ng = np.random.default_rng(0)\n"
)


def static_value(expr: str):
    src = PRELUDE + f"v = {expr}\n"
    ev = Evaluator(ast.parse(src), Spans("t.py", src), "t.py")
    ev.run()
    binding = ev.module_env.vars.get("v")
    return None if binding is None else binding.value


def static_shape(expr: str):
    """The shape read statically, or None when unknown (a partly known shape keeps its Nones)."""
    v = static_value(expr)
    return tuple(v.shape) if isinstance(v, ArrayVal) else None


def numpy_shape(expr: str):
    scope = {"np": np, "a": np.zeros((6, 4)), "b": np.ones((6, 4)), "k": np.zeros(6)}
    scope.update(rs=np.random.RandomState(0), g=np.random.default_rng(0))
    np.random.seed(0)
    try:
        v = eval(expr, scope)  # the test's own literal expressions
    except Exception:
        return None  # NumPy raises: the program stops before any model call
    return np.shape(v) if isinstance(v, np.ndarray) else None


# expressions whose shape must be KNOWN statically (and equal to NumPy's)
KNOWN = [
    # the realworld false alarm: size= is the number of draws, each draw is len(mean) wide
    "np.random.multivariate_normal(mean=[0, 3], cov=[[1, 0.5], [0.5, 1]], size=1000)",
    "np.random.multivariate_normal([0, 3, 1], np.eye(3), 7)",
    "np.random.multivariate_normal([0, 3], [[1, 0], [0, 1]], size=(4, 5))",
    "np.vstack((np.random.multivariate_normal([0, 3], np.eye(2), 10), np.random.multivariate_normal([3, 0], np.eye(2), 10)))",
    "np.random.multinomial(20, [0.2, 0.3, 0.5], size=8)",
    "np.random.dirichlet([1, 1, 1, 1], 5)",
    "np.random.normal(0, 1, (100, 3))",
    "np.random.normal(size=(100, 3))",
    "np.random.normal(loc=0.0, scale=1.0, size=12)",
    "np.random.uniform(-1, 1, (5, 2))",
    "np.random.uniform(low=-1, high=1, size=[5, 2])",
    "np.random.randint(0, 10, (5, 2))",
    "np.random.randint(0, 10, size=7)",
    "np.random.randint(10, size=(3, 2))",
    "np.random.binomial(1, 0.5, 9)",
    "np.random.poisson(3.0, (2, 3))",
    "np.random.exponential(1.0, 4)",
    "np.random.choice(10, 4)",
    "np.random.choice([1, 2, 3], size=(2, 2))",
    "np.random.standard_normal((3, 3))",
    "np.random.standard_normal(size=5)",
    "np.random.random_sample((2, 5))",
    "np.random.random((2, 5))",
    "np.random.random(size=4)",
    "np.random.rand(3, 2)",
    "np.random.randn(4)",
    "np.random.permutation(10)",
    "np.random.permutation(a)",
    "np.zeros((3, 2))",
    "np.zeros(5)",
    "np.zeros(shape=(2, 3))",
    "np.ones((2, 3), dtype='float32')",
    "np.full((2, 2), 7)",
    "np.eye(3)",
    "np.eye(3, 4)",
    "np.eye(3, M=5)",
    "np.identity(4)",
    "np.zeros_like(a)",
    "np.ones_like(a, dtype='int32')",
    "np.array([[1, 2, 3], [4, 5, 6]])",
    "np.array([a, b])",
    "np.asarray(a)",
    "np.arange(10)",
    "np.arange(2, 10, 3)",
    "np.linspace(0, 1, 5)",
    "np.linspace(0, 1)",
    "np.stack([k, k, k])",
    "np.stack([k, k, k], axis=1)",
    "np.stack([a, b], axis=-1)",
    "np.stack([np.zeros(8), np.ones(8)], axis=1)",
    "np.concatenate([a, b])",
    "np.concatenate([a, b], axis=1)",
    "np.vstack([a, b])",
    "np.vstack([k, k])",
    "np.hstack([a, b])",
    "np.hstack([k, k])",
    "np.column_stack([k, k, k])",
    "np.expand_dims(a, -1)",
    "np.expand_dims(a, axis=0)",
    "np.reshape(a, (-1, 2))",
    "a.reshape(-1, 8)",
    "a.reshape((3, 8))",
    "np.squeeze(np.zeros((3, 1, 2)))",
    "np.transpose(a)",
    "np.transpose(np.zeros((2, 3, 4)), (0, 2, 1))",
    "a.T",
    "a[None]",
    "a[..., np.newaxis]",
    "a[:, 0]",
    "a[1:4]",
    "a[0]",
    "a.astype('float32') / 255",
    "a + b",
    "a * 2",
    "a - k[:4]",
    "np.argmax(a, axis=1)",
    "np.argmax(a, -1)",
    "a.argmax(axis=1)",
    "a.sum(axis=0)",
    "np.mean(a, axis=1, keepdims=True)",
    "np.max(a, 0)",
    "np.log(a + 1)",
    "np.clip(a, 0, 1)",
    "np.maximum(a, k[:4])",
    "np.prod(a.shape)",
    "np.ravel(a)",
    "a.flatten()",
    "np.expand_dims(a, (0, -1))",
    "np.array([1, 2, 3], ndmin=2)",
    "np.array(a, ndmin=3)",
    "np.zeros_like(a, shape=(2, 2))",
    "rs.normal(0, 1, (5, 3))",
    "rs.rand(4, 2)",
    "rs.randint(0, 5, 10)",
    "rs.permutation(7)",
    "g.normal(size=(3, 2))",
    "g.integers(0, 10, (4, 4))",
    "g.random((2, 6))",
    "g.multivariate_normal([0, 0], np.eye(2), 9)",
    "g.choice(5, 3)",
]

# expressions that must stay UNKNOWN (or equal NumPy's shape): unknown keywords,
# data-dependent shapes, tuples returned
UNKNOWN_OR_EQUAL = [
    "np.array(a, ndmin=3)",
    "np.array([1, 2, 3], ndmin=2)",
    "np.zeros_like(a, shape=(2, 2))",
    "np.linspace(0, 1, 5, retstep=True)",
    "np.linspace([0, 1], [1, 2], 5)",
    "np.random.normal(a, 1.0)",
    "np.random.normal(k, 1.0, size=None)",
    "np.random.multivariate_normal(np.zeros(3), np.eye(3))",
    "np.random.choice(a.shape[0], 3, replace=False)",
    "np.concatenate([a, b], axis=None)",
    "np.stack([a, k])",
    "np.reshape(a, (-2, -12))",
    "a[a > 0]",
    "a[np.random.randint(0, 2, 6).astype(bool)]",
    "np.random.randint(0, 2, 6).astype(bool)",
    "np.unique(k)",
    "np.nonzero(k)",
    "np.where(k > 0)",
    "np.random.shuffle(k)",
    "np.eye(3, k=1)",
    "np.arange(0, 1, 0.25)",
    "np.squeeze(a, axis=0) if False else a",
    "np.random.binomial([1, 2], 0.5)",
    "np.round(a, 2)",
    "np.sum(a)",
    "a.sum()",
    "np.random.multinomial(10, k)",
    "np.random.choice([True, False], size=6)",
    "np.zeros(6, dtype=bool)",
    "np.random.randint(0, 10, size=None)",
    "np.random.randint(0, 10, size=k.shape[0] + unknown_name)",
    "g.choice(a, 3)",
    "g.standard_normal(3, dtype=np.float32)",
    "np.random.normal(0, 1, 5, 9)",
    "np.zeros((2, 3), float, 'C', 7)",
    "np.arange(10, step=2, bogus=1)",
    "a.reshape(5, 5)",
    "np.concatenate([a, np.zeros((6, 3))])",
    "np.hstack([a, k])",
    "np.transpose(a, (0, 0))",
    "np.squeeze(a, axis=0)",
    "np.expand_dims(a, 5)",
]


@pytest.mark.parametrize("expr", KNOWN)
def test_known_shape_is_numpys(expr):
    assert static_shape(expr) == numpy_shape(expr)


@pytest.mark.parametrize("expr", UNKNOWN_OR_EQUAL)
def test_unmodelled_call_stays_unknown(expr):
    got = static_shape(expr)
    assert got is None or got == numpy_shape(expr), (got, numpy_shape(expr))


def test_a_mask_indexes_to_an_unknown_count():
    # x[mask] keeps as many rows as the mask has True values: never the mask's length
    assert static_shape("a[np.random.rand(6) > 0.5]") is None
    assert static_shape("a[np.random.choice([True, False], 6)]") is None
    assert static_shape("a[np.random.permutation(6)]") == (6, 4)  # an integer index keeps its length


def _loaded(call: str):
    src = f"import keras\n(x, y), (xt, yt) = keras.datasets.{call}\n"
    ev = Evaluator(ast.parse(src), Spans("t.py", src), "t.py")
    ev.run()
    return [getattr(ev.module_env.vars[n].value, "shape", None) for n in ("x", "y", "xt", "yt")]


@pytest.mark.parametrize(
    "call,total,split,features",
    [
        ("boston_housing.load_data()", 506, 0.2, (13,)),
        ("boston_housing.load_data(test_split=0.1)", 506, 0.1, (13,)),
        ("boston_housing.load_data('b.npz', 0.3)", 506, 0.3, (13,)),
        ("california_housing.load_data(version='small', test_split=0.25)", 600, 0.25, (8,)),
        ("california_housing.load_data()", 20640, 0.2, (8,)),
        ("reuters.load_data(num_words=1000, test_split=0.3)", 11228, 0.3, ()),
    ],
)
def test_loader_sizes_follow_keras_split(call, total, split, features):
    # Keras 3.15 (datasets/boston_housing.py ...): int(len(x) * (1 - test_split)) for training
    n = int(total * (1 - split))
    assert _loaded(call) == [(n,) + features, (n,), (total - n,) + features, (total - n,)]


@pytest.mark.parametrize(
    "call",
    [
        "imdb.load_data(num_words=10000, maxlen=200)",  # long reviews dropped: counts unknown
        "imdb.load_data(None, 10000, 0, 100)",
        "reuters.load_data(maxlen=50)",
        "mnist.load_data(bogus=1)",
        "cifar100.load_data(label_mode='medium')",
        "boston_housing.load_data(test_split=split)",
    ],
)
def test_loader_sizes_unknown_when_keras_filters_or_fails(call):
    src = f"import keras\nv = keras.datasets.{call}\n"
    ev = Evaluator(ast.parse(src), Spans("t.py", src), "t.py")
    ev.run()
    v = ev.module_env.vars["v"].value
    assert not isinstance(v, tuple), v


def test_to_categorical_of_an_unknown_last_axis_is_unknown():
    src = (
        "import numpy as np, keras, pandas as pd\n"
        "df = pd.read_csv('f.csv')\n"
        "v = keras.utils.to_categorical(df.values, 3)\n"
        "w = keras.utils.to_categorical(np.zeros((5, 1)), 3)\n"
        "u = keras.utils.to_categorical(np.zeros(5), 0)\n"
    )
    ev = Evaluator(ast.parse(src), Spans("t.py", src), "t.py")
    ev.run()
    vars_ = ev.module_env.vars
    assert not isinstance(vars_["v"].value, ArrayVal)
    assert vars_["w"].value == ArrayVal((5, 3))
    assert vars_["u"].value == ArrayVal((5, None))  # num_classes=0: Keras counts them
