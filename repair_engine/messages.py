"""Typed findings, after pyflakes' `messages` module: one class per fault.

Each class carries what a user and the repair search need to know about one
kind of fault:

- `code`: the stable code (never renumbered or reused). A class whose `family`
  is None owns its contract `kind` (NNR101 `rank_mismatch`); a sub-code class
  names its family (NNR202 unknown keyword is an NNR201 `invalid_argument`),
  and the family code selects every sub-code in suppressions and config;
- `title`: one line saying what it flags, `template`: the message the shared
  helpers write (str.format fields; a unit with more to say writes its own);
- `about` and `examples`: the reference text of docs/diagnostics.md, which
  scripts/gen_diagnostics_doc.py GENERATES from these classes. Every example is
  a complete model: tests/test_messages.py checks it through nnrepair (the
  finding's code) and through real Keras (it fails, and its fix builds).

`Hint` is the typed repair hint every finding carries: a misspelled hint key
raises where it is written (a dict used to lose it silently).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

# ---- typed repair hints -------------------------------------------------------


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Any = _Absent()

# Facts a unit records about the fault (for its message, tests and people); the
# repair search reads none of them. Any other key is a mistake and raises.
FACT_KEYS = frozenset(
    {
        "axes", "broadcast", "by_input", "call", "channels", "concat_axis", "data_format", "detail",
        "dilation_rate", "dims", "divides", "elements", "got_inputs", "id", "index", "inner", "inner_arg", "max_unknown",
        "input_dim", "input_elements", "inputs", "layer", "max_inputs", "max_rank", "max_total", "message",
        "min_inputs", "min_total", "need_inputs", "need_len", "position", "ranks", "repeated", "shape",
        "permutation_of", "shared_with", "spec", "target_elements", "type", "weight", "wrapper",
    }
)  # fmt: skip
# hint keys spelled differently from the field (Python keywords, builtins)
_KEY_TO_FIELD = {"or": "alternative", "len": "length"}
_FIELD_TO_KEY = {v: k for k, v in _KEY_TO_FIELD.items()}


@dataclass(frozen=True)
class Hint:
    """What the repair search may try for one finding. Absent fields are None/()/False
    (`value` is ABSENT, because None is a value a fix may set)."""

    # one argument of the layer to change
    arg: str | None = None
    value: Any = ABSENT  # the single value that fixes it
    values: tuple = ()  # candidate values, best first
    choices: tuple = ()  # the allowed values
    suggest: Any = None  # the value the message suggests
    rename: str | None = None  # the keyword meant (an unknown or legacy keyword)
    alternative: Mapping[str, Any] | None = None  # another edit that fixes it: {arg: value}
    remove: bool = False  # dropping the argument fixes it
    missing: bool = False  # a required argument is absent
    legacy: bool = False  # a Keras 1/2 spelling
    min: Any = None  # bounds of the value
    max: Any = None
    length: int | None = None  # the number of values a tuple needs
    axis: Any = None  # the input axis concerned
    # the input's rank and shape
    need_rank: tuple | None = None
    got_rank: int | None = None
    input: int | None = None  # which input of the layer
    suggest_shape: tuple | None = None
    # weights supplied vs built
    expected_weights: Any = None
    given_weights: Any = None
    # data fed to fit/predict (semantics/feeds.py)
    feed: Any = None
    ref: Any = None  # which x array of the feed
    target: Any = None
    pred: Any = None
    loss: Any = None
    output: Any = None
    data: Any = None
    ref_y: int | None = None  # which target of the feed (categorical loss fed class indices)
    metric: str | None = None  # a compiled metric that constrains the targets' shape
    counts: tuple | None = None  # the sample count of each array of the feed
    facts: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, raw: Any) -> Hint | None:
        """A Hint from the dict a unit wrote; an unknown key raises TypeError."""
        if raw is None or isinstance(raw, Hint):
            return raw
        if not isinstance(raw, Mapping):
            raise TypeError(f"a hint is a Hint or a dict, not {type(raw).__name__}")
        given: dict[str, Any] = {}
        facts: dict[str, Any] = {}
        for key, value in raw.items():
            name = _KEY_TO_FIELD.get(key, key)
            if name in _HINT_FIELDS:
                given[name] = tuple(value) if name in ("values", "choices") and isinstance(value, list) else value
            elif key in FACT_KEYS:
                facts[key] = value
            else:
                raise TypeError(f"unknown hint key {key!r} (a Hint field or one of messages.FACT_KEYS)")
        return cls(**given, facts=facts)

    def has(self, name: str) -> bool:
        """True when field `name` was given (differs from its default)."""
        return getattr(self, name) != _HINT_DEFAULTS[name]

    def as_dict(self) -> dict[str, Any]:
        """The given fields under their hint keys ("or", "len"), facts included."""
        out = {_FIELD_TO_KEY.get(f, f): getattr(self, f) for f in _HINT_FIELDS if self.has(f)}
        for k in ("values", "choices"):
            if k in out:
                out[k] = list(out[k])
        return {**out, **self.facts}

    def with_(self, **changes: Any) -> Hint:
        """A copy with fields changed (dict keys as `of` reads them)."""
        return Hint.of({**self.as_dict(), **changes})  # type: ignore[return-value]


_HINT_FIELDS = tuple(f.name for f in fields(Hint) if f.name != "facts")
_HINT_DEFAULTS = {f.name: f.default for f in fields(Hint) if f.name != "facts"}


# ---- findings -------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    """A complete model showing a finding, and the same model fixed.

    `keras`: what real Keras does with `code`: "raises" (the fix builds),
    "fit" (it raises in fit/evaluate), or None (not a Keras error: nnrepair's
    own limits and repair outcomes; only nnrepair checks it)."""

    code: str
    fixed: str | None = None
    keras: str | None = "raises"


class Finding:
    """Base of every finding class; subclasses set the class attributes."""

    code: ClassVar[str] = ""
    kind: ClassVar[str] = ""
    family: ClassVar[str | None] = None  # the family code of a sub-code
    title: ClassVar[str] = ""
    template: ClassVar[str] = ""
    about: ClassVar[str] = ""
    examples: ClassVar[tuple[Snippet, ...]] = ()

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.code in FINDINGS:
            raise ValueError(f"{cls.code} is defined twice ({FINDINGS[cls.code].__name__}, {cls.__name__})")
        FINDINGS[cls.code] = cls

    @classmethod
    def message(cls, **fields: Any) -> str:
        return cls.template.format(**fields)


FINDINGS: dict[str, type[Finding]] = {}

_HEAD = "import keras\nfrom keras import layers\n\n"
_NP = "import numpy as np\nimport keras\nfrom keras import layers\n\n"


def _seq(*lines: str, head: str = _HEAD) -> str:
    body = "".join(f"    {ln},\n" for ln in lines)
    return f"{head}model = keras.Sequential([\n{body}])\n"


# ---- NNR1xx shapes ---------------------------------------------------------------


class RankMismatch(Finding):
    code, kind = "NNR101", "rank_mismatch"
    title = "a layer receives an input of the wrong rank"
    template = "{layer} expects a {expected} input{layout} but receives {got}"
    about = """\
Keras layers require an input rank (batch axis included): `Conv2D` 4-D, `Conv1D`
and recurrent layers 3-D, `Dense` at least 2-D, and so on.

Fix: give the input its channel axis (`shape=(28, 28, 1)`), insert a `Reshape`
or `Flatten`, use the sibling layer of the right rank (`Conv1D`), or set
`return_sequences=True` on the previous recurrent layer."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(28, 28))", "layers.Conv2D(32, 3)"),
            _seq("keras.Input(shape=(28, 28, 1))", "layers.Conv2D(32, 3)"),
        ),
    )


class MergeShapeMismatch(Finding):
    code, kind = "NNR102", "merge_shape_mismatch"
    title = "inputs of a merge layer do not fit together"
    about = """\
`Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum` need shapes that
are equal or broadcastable as Keras 3 broadcasts them; `Concatenate` needs equal
shapes except on the concatenation axis; `Dot` needs equal sizes on the `axes`;
attention layers need matching feature sizes.

Fix: project one branch (`Dense(32)`), change `units`/`filters` of the branch
that produces the odd shape, or concatenate instead."""
    examples = (
        Snippet(
            _HEAD + "a = keras.Input(shape=(32,))\nb = keras.Input(shape=(64,))\n"
            "model = keras.Model([a, b], layers.Add()([a, b]))\n",
            _HEAD + "a = keras.Input(shape=(32,))\nb = keras.Input(shape=(64,))\n"
            "model = keras.Model([a, b], layers.Add()([a, layers.Dense(32)(b)]))\n",
        ),
    )


class NonPositiveDim(Finding):
    code, kind = "NNR103", "non_positive_dim"
    title = "an output dimension would be zero or negative"
    about = """\
A layer would produce an axis of size zero or less: cropping more than the
input holds, an upsampling or a stride that leaves nothing. A window larger
than its input has its own sub-code, NNR107.

Fix: crop less, or a larger input."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(4, 8))", "layers.Cropping1D(cropping=(2, 2))"),
            _seq("keras.Input(shape=(4, 8))", "layers.Cropping1D(cropping=(1, 1))"),
        ),
    )


class WindowTooLarge(Finding):
    code, kind, family = "NNR107", "non_positive_dim", "NNR103"
    title = "a kernel or pool window larger than its input"
    about = """\
With `padding="valid"` a convolution kernel or pooling window (times its
dilation) must fit in the input on every spatial axis.

Fix: a smaller `pool_size`/`kernel_size`, `padding="same"`, or a larger input."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(3, 3, 8))", "layers.MaxPooling2D(pool_size=4)"),
            _seq("keras.Input(shape=(3, 3, 8))", "layers.MaxPooling2D(pool_size=3)"),
        ),
    )


class ReshapeSize(Finding):
    code, kind = "NNR104", "reshape_size"
    title = "Reshape cannot keep the number of elements"
    about = "Fix: a `target_shape` with the same number of elements (or one `-1`)."
    examples = (
        Snippet(
            _seq("keras.Input(shape=(10, 10))", "layers.Reshape((3, 30))"),
            _seq("keras.Input(shape=(10, 10))", "layers.Reshape((5, 20))"),
        ),
    )


class UndefinedDim(Finding):
    code, kind = "NNR105", "undefined_dim"
    title = "a size that must be known is `None`"
    about = """\
Layers that create weights from an axis (the last axis of `Dense`, the channels of
a convolution) need that axis defined; `Flatten` before `Dense` needs every axis.

Fix: declare the size in the input shape, or pool over the undefined axis first
(`GlobalAveragePooling1D`)."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(None,))", "layers.Dense(3)"),
            _seq("keras.Input(shape=(8,))", "layers.Dense(3)"),
        ),
    )


class IncompatibleShape(Finding):
    code, kind = "NNR106", "incompatible_shape"
    title = "the input does not match what the layer was built for"
    about = """\
A shared layer called on inputs of different sizes, or an input that violates a
layer's fixed input spec (e.g. a fixed last axis).

Fix: make the inputs agree, or use two separate layers."""
    examples = (
        Snippet(
            _HEAD + "dense = layers.Dense(4)\na = keras.Input(shape=(8,))\nb = keras.Input(shape=(16,))\n"
            "model = keras.Model([a, b], [dense(a), dense(b)])\n",
            _HEAD + "dense = layers.Dense(4)\na = keras.Input(shape=(8,))\nb = keras.Input(shape=(8,))\n"
            "model = keras.Model([a, b], [dense(a), dense(b)])\n",
        ),
    )


# ---- NNR2xx arguments ------------------------------------------------------------


class InvalidArgument(Finding):
    code, kind = "NNR201", "invalid_argument"
    title = "an argument Keras 3 rejects"
    about = """\
An argument value the constructor (or the first call) rejects that no sub-code
below describes more precisely: `groups` that do not divide the channels,
`strides > 1` with `dilation_rate > 1`, an `EinsumDense` equation that does
not fit its `output_shape`...

Fix: the nearest valid value (the message says which values are allowed).

NNR201 is the family code of the argument findings: the sub-codes below
(NNR202-NNR209) are `invalid_argument` findings too, and `NNR201` in
`# nnrepair: ignore[...]`, in `ignore:` or in `severity:` of `.nnrepair.yml`
selects them all. The accepted keywords and identifier names come from the
installed Keras's signatures (`scripts/gen_signatures.py`), the same for every
layer kind."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(8, 8, 6))", "layers.Conv2D(8, 3, groups=4)"),
            _seq("keras.Input(shape=(8, 8, 6))", "layers.Conv2D(8, 3, groups=2)"),
        ),
    )


class UnknownKeyword(Finding):
    code, kind, family = "NNR202", "invalid_argument", "NNR201"
    title = "a keyword argument the constructor does not accept"
    template = "{layer} does not take the argument `{arg}` (Keras 3 raises 'Unrecognized keyword arguments'); {fix}"
    about = """\
Keras 3 raises "Unrecognized keyword arguments" (or a TypeError) for a keyword
its constructor does not take: typos, arguments of another layer, and
`weights=` on the classes whose Keras 3 constructor takes none (all but
`Embedding` and `Bidirectional`: build the layer, then `layer.set_weights(...)`).

Fix: the closest accepted keyword, or remove the argument."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(5, 3))", "layers.LSTM(4, retrun_sequences=True)"),
            _seq("keras.Input(shape=(5, 3))", "layers.LSTM(4, return_sequences=True)"),
        ),
    )


class BadChoice(Finding):
    code, kind, family = "NNR203", "invalid_argument", "NNR201"
    title = "a value outside the argument's choices"
    template = "`{arg}` of {layer} must be one of {allowed}, received {arg}={value!r}"
    about = """\
String choices (`padding`, `data_format`, `interpolation`, `output_mode`, ...)
are checked as the constructor checks them: case-insensitively where Keras
lower-cases the value, exactly where it does not, and with the deprecated
aliases Keras still maps (`output_mode="binary"` is `"multi_hot"`).

Fix: one of the allowed values, listed in the message."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(8, 8, 3))", 'layers.Conv2D(8, 3, padding="full")'),
            _seq("keras.Input(shape=(8, 8, 3))", 'layers.Conv2D(8, 3, padding="same")'),
        ),
    )


class BadIdentifier(Finding):
    code, kind, family = "NNR204", "invalid_argument", "NNR201"
    title = "an identifier (activation, initializer, regularizer, constraint) Keras cannot use"
    about = """\
`activation`, `*_initializer`, `*_regularizer`, `*_constraint`: every name
`keras.activations.get` (and the initializer, regularizer and constraint
getters) resolves is accepted, and nothing else: not module paths as strings,
not other spellings. Also initializers that fail when the layer builds its
weight: `"Constant"` (needs a value), `"identity"` on a kernel that is not 2-D,
`"orthogonal"` on a 1-D bias.

Fix: the closest valid name."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(5,))", 'layers.Dense(4, activation="Relu")'),
            _seq("keras.Input(shape=(5,))", 'layers.Dense(4, activation="relu")'),
        ),
        Snippet(
            _seq("keras.Input(shape=(8, 8, 3))", 'layers.Conv2D(8, 3, kernel_initializer="identity")'),
            _seq("keras.Input(shape=(8, 8, 3))", 'layers.Conv2D(8, 3, kernel_initializer="glorot_uniform")'),
        ),
    )


class PositionalArgument(Finding):
    code, kind, family = "NNR205", "invalid_argument", "NNR201"
    title = "too many positional arguments, or one given again by keyword"
    about = "Fix: pass the argument once, by keyword."
    examples = (
        Snippet(
            _seq("keras.Input(shape=(5,))", "layers.Dense(4, units=8)"),
            _seq("keras.Input(shape=(5,))", "layers.Dense(units=8)"),
        ),
        Snippet(
            _seq("keras.Input(shape=(5,))", "layers.Dropout(0.5, None, 1, 2)"),
            _seq("keras.Input(shape=(5,))", "layers.Dropout(0.5, None, 1)"),
        ),
    )


class NotPositive(Finding):
    code, kind, family = "NNR206", "invalid_argument", "NNR201"
    title = "a count or size that must be positive (or not negative)"
    template = "`{arg}` of {layer} must be a positive integer, received {arg}={value!r}"
    about = """\
`units`, `filters`, `kernel_size`, `pool_size`, `strides`, `output_dim`,
`num_heads`, ... must be integers > 0 (paddings and croppings >= 0).

Fix: the nearest positive value; `units=3.0` is written `units=3`."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(5,))", "layers.Dense(0)"),
            _seq("keras.Input(shape=(5,))", "layers.Dense(1)"),
        ),
    )


class OutOfRange(Finding):
    code, kind, family = "NNR207", "invalid_argument", "NNR201"
    title = "a value outside its interval (an axis, a rate, a probability)"
    template = (
        "`{arg}` of {layer} is out of range for its {rank}-D input {shape}: received {arg}={value!r}; "
        "use an axis in [{low}, {high}]"
    )
    about = """\
An `axis` outside the input's rank, a dropout `rate` outside [0, 1]...

Fix: a value inside the interval the message gives."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(5,))", "layers.Dropout(1.5)"),
            _seq("keras.Input(shape=(5,))", "layers.Dropout(0.5)"),
        ),
        Snippet(
            _seq("keras.Input(shape=(4, 5))", "layers.LayerNormalization(axis=3)"),
            _seq("keras.Input(shape=(4, 5))", "layers.LayerNormalization(axis=-1)"),
        ),
    )


class WrongType(Finding):
    code, kind, family = "NNR208", "invalid_argument", "NNR201"
    title = "a value of the wrong type or length (an int or a tuple of n ints, a bool, a number)"
    template = "`{arg}` of {layer} must be an integer or a tuple of {n} integers, received {arg}={value!r}"
    about = """\
`kernel_size=(3, 3, 3)` on `Conv2D`, `pool_size="2"`, `strides=1.5`:
Keras's `standardize_tuple` takes one integer or exactly one per spatial axis.

Fix: one integer, or a tuple with one integer per axis."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(8, 8, 3))", "layers.Conv2D(8, (3, 3, 3))"),
            _seq("keras.Input(shape=(8, 8, 3))", "layers.Conv2D(8, (3, 3))"),
        ),
    )


class MissingArgument(Finding):
    code, kind, family = "NNR209", "invalid_argument", "NNR201"
    title = "a required argument is missing"
    template = "{layer} requires the argument `{arg}`, which is missing"
    about = "Fix: add the argument (the message suggests a value)."
    examples = (
        Snippet(
            _seq("keras.Input(shape=(5,))", "layers.Dense()"),
            _seq("keras.Input(shape=(5,))", "layers.Dense(4)"),
        ),
    )


# ---- NNR3xx weights ---------------------------------------------------------------


class WeightShape(Finding):
    code, kind = "NNR301", "weight_shape"
    title = "supplied weights do not match the layer"
    about = """\
Weights given with `weights=[...]`, `set_weights`, or constant initializers of
known shape must match the shapes the layer builds from its input.

Fix: change `input_dim`/`output_dim`/`units` (or the input) to the weights' shape."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(10,))", "layers.Embedding(1000, 64, weights=[np.zeros((500, 64))])", head=_NP),
            _seq("keras.Input(shape=(10,))", "layers.Embedding(500, 64, weights=[np.zeros((500, 64))])", head=_NP),
        ),
    )


# ---- NNR4xx source and legacy APIs --------------------------------------------------


class LegacyApi(Finding):
    code, kind = "NNR401", "legacy_api"
    title = "a Keras 1/2 spelling that Keras 3 rejects or reads differently"
    about = """\
Fix: the modern spelling, shown in the message (`Conv2D(64, (3, 3))`).
Severity: **error** when Keras 3 rejects the call (`border_mode=`, `W_regularizer=`,
`batch_input_shape=` and `batch_size=` on a layer, `input_length=` outside
`Embedding`, Keras 1 classes such as `AtrousConvolution2D`); the finding's hint
carries the modern spelling for the repair, and the shapes are still checked
with the intended meaning. Severity: warning when Keras 3 accepts the call but
reads it differently (`Convolution2D(64, 3, 3)` is read as `strides=3`), which
is assumed only when the call has no Keras 2/3 keyword. A Keras 3 argument is
never reported as legacy (`RandomFlip(mode="horizontal")`,
`Conv2D(16, 3, 1, padding="same")`)."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(8, 8, 3))", 'layers.Conv2D(8, 3, border_mode="same")'),
            _seq("keras.Input(shape=(8, 8, 3))", 'layers.Conv2D(8, 3, padding="same")'),
        ),
    )


class UnsupportedConstruct(Finding):
    code, kind = "NNR402", "unsupported_construct"
    title = "something nnrepair could not follow"
    about = """\
A custom layer class, a `Lambda`, a value computed at run time, a loop without a
constant bound. nnrepair checks everything it can and never guesses: the parts that
depend on the unknown value are reported as not checked (severity `info`). An
internal error of nnrepair is reported with this kind too, its message starting
with "internal error" (exit 2)."""
    examples = (
        Snippet(
            _HEAD + "import random\n\nmodel = keras.Sequential([\n    keras.Input(shape=(5,)),\n"
            "    layers.Dense(random.choice([2, 4])),\n    layers.ActivityRegularization(),\n"
            "    layers.Masking(),\n])\n",
            keras=None,
        ),
    )


class ParseError(Finding):
    code, kind = "NNR403", "parse_error"
    title = "the file could not be parsed"
    about = """\
A Python syntax error, malformed JSON, a `.keras` archive without `config.json`,
non-UTF-8 bytes without a coding declaration. The file is reported with status
`unsupported`; the run goes on."""
    examples = (Snippet(_HEAD + "model = keras.Sequential([\n    layers.Dense(4\n])\n", keras=None),)


class LimitExceeded(Finding):
    code, kind = "NNR404", "limit_exceeded"
    title = "a size limit was hit"
    about = """\
A file too large, a zip member over the size limit (zip bomb), a model with more
layers than the limit, a tensor with more elements than can be meaningful, an
evaluation that ran out of its step budget. Reported as a warning; the rest of the
run goes on."""
    examples = (
        Snippet(
            _seq("keras.Input(shape=(1000000, 1000000, 1000))", "layers.Dense(1000000)"),
            keras=None,
        ),
    )


# ---- NNR5xx data ----------------------------------------------------------------------

_FIT = _NP + (
    "model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense({units}, activation={act!r})])\n"
    "model.compile(loss={loss!r})\n"
    "model.fit(np.zeros(({n}, {d})), {y}, epochs=1, verbose=0)\n"
)


def _fit(units: int = 1, act: str = "linear", loss: str = "mse", n: int = 8, d: int = 4, y: str = "") -> str:
    return _FIT.format(units=units, act=act, loss=loss, n=n, d=d, y=y or f"np.zeros(({n}, {units}))")


class DataShapeMismatch(Finding):
    code, kind = "NNR501", "data_shape_mismatch"
    title = "the model does not fit the data given to it"
    about = """\
When the data passed to `fit`/`predict` has a shape known from the source (a
literal array, a fixed-shape dataset loader), and it disagrees with the model's
input or output shape."""
    examples = (Snippet(_fit(d=5), _fit(d=4), keras="fit"),)


class DataTargetMismatch(Finding):
    code, kind = "NNR502", "data_target_mismatch"
    title = "the targets do not fit the model output under its loss"
    about = """\
The targets given to `fit`/`evaluate` (arrays, a tf.data dataset, an image
generator) cannot meet the model output through the compiled loss: Keras 3
squeezes or expands one trailing axis of size 1, then the crossentropies need the
same shape (binary/categorical) or the output's shape without its last axis
(sparse), and the element-wise losses (MSE, MAE, hinge, ...) must broadcast.
Typical causes: the output layer's units, a missing Flatten, a sigmoid with 2 units
against 0/1 labels. The compiled metrics that constrain the targets' shape are
checked the same way (single-output models): `sparse_categorical_accuracy` and
`sparse_top_k_categorical_accuracy` need class indices, `categorical_accuracy` and
`top_k_categorical_accuracy` one-hot targets, `AUC`/`Precision`/`Recall` (and the
other confusion-matrix metrics) one target value per output value; `accuracy`
adapts and is never reported. The repair swaps the metric for its twin or fixes the
output layer."""
    examples = (
        Snippet(
            _fit(units=2, act="softmax", loss="categorical_crossentropy", y="np.zeros((8, 3))"),
            _fit(units=3, act="softmax", loss="categorical_crossentropy", y="np.zeros((8, 3))"),
            keras="fit",
        ),
    )


class DataLabelEncoding(Finding):
    code, kind = "NNR503", "data_label_encoding"
    title = "class indices against one-hot targets (or the reverse)"
    about = """\
`categorical_crossentropy` given integer class labels, or
`sparse_categorical_crossentropy` given one-hot targets. Change the loss, or encode
the targets (`to_categorical(y, n)` / `argmax`)."""
    examples = (
        Snippet(
            _fit(units=3, act="softmax", loss="sparse_categorical_crossentropy", y="np.eye(3)[np.zeros(8, int)]"),
            _fit(units=3, act="softmax", loss="categorical_crossentropy", y="np.eye(3)[np.zeros(8, int)]"),
            keras="fit",
        ),
    )


class DataSampleCount(Finding):
    code, kind = "NNR504", "data_sample_count"
    title = "the arrays of one call hold different numbers of samples"
    about = """\
x and y (or the arrays of a multi-input model) disagree on their first axis, e.g. a
single sample passed without its batch axis beside a batched one."""
    examples = (Snippet(_fit(y="np.zeros((7, 1))"), _fit(y="np.zeros((8, 1))"), keras="fit"),)


# ---- NNR6xx repair --------------------------------------------------------------------


class RepairNotFound(Finding):
    code, kind = "NNR601", "repair_not_found"
    title = "no repair within the limits"
    about = """\
The search ran out of its node or time budget (see `repair:` in
`.nnrepair.yml`) before finding a valid model; the message gives the best partial
result. Reported by `nnrepair fix` only (no example: it depends on the budget)."""


# ---- lookups ---------------------------------------------------------------------------


def family_classes() -> dict[str, type[Finding]]:
    """kind -> the class owning the kind's code."""
    return {cls.kind: cls for cls in FINDINGS.values() if cls.family is None}


def finding_of(code: str) -> type[Finding]:
    """The class of a code; KeyError for a code nnrepair does not have."""
    return FINDINGS[code]
