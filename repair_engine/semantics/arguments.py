"""One argument-checking dialect for every layer kind, driven by Keras's own signatures.

What a Keras 3 constructor rejects before any shape is known, checked the same
way for every registered kind (the checker runs `check_arguments` before the
layer's unit):

- a keyword the constructor does not accept ("Unrecognized keyword arguments"
  / TypeError), with the closest accepted keyword as a suggestion;
- `trainable` that is not a bool, a `name` that is not a string without '/';
- identifiers (`activation`, `*_initializer`, `*_regularizer`, `*_constraint`):
  every spelling `keras.*.get` resolves is accepted, everything it rejects is an
  error, and so is an initializer that fails when it builds its weight
  ('Constant' without a value, 'identity' on a kernel that is not 2-D,
  'orthogonal' on a 1-D bias).

The accepted keywords and identifier names are data generated from the
installed Keras (signature_data.py, scripts/gen_signatures.py); nothing here
imports Keras. Positional overflow, a positional argument given again by
keyword and Keras 1/2 keywords are source-level facts, found by the Python
frontend (frontends/python/legacy.py) with the same sub-codes.

Sub-codes of NNR201 (`invalid_argument`), see diagnostics.SUBCODES:
NNR202 unknown keyword, NNR203 bad choice, NNR204 bad identifier,
NNR205 positional overflow / duplicate argument.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from ..ir import Layer, is_unknown
from .base import Ctx
from .signature_data import IDENTIFIERS, INITIALIZER_RANKS, SIGNATURES, WEIGHT_RANKS

UNKNOWN_KEYWORD = "NNR202"
BAD_CHOICE = "NNR203"
BAD_IDENTIFIER = "NNR204"
POSITIONAL = "NNR205"

# Keyword names a frontend may leave in `args` for the checker's own use: the
# Python frontend keeps supplied weights there (`set_weights`, `weights=`, whose
# rejection is a source-level fact found by frontends/python/legacy.py). Input
# declarations are taken out of `args` by the frontends, so a `batch_size`,
# `batch_input_shape` or `input_length` still here is what Keras 3 receives and
# rejects (Embedding accepts `input_length`: it is in its signature).
_FRONTEND_KEYS = frozenset({"weights"})

# Never suggested: they need extra setup (scipy, a value) or are abstract bases.
_NO_SUGGEST = frozenset(
    {
        "STFT",
        "STFTInitializer",
        "stft",
        "IdentityInitializer",
        "OrthogonalInitializer",
        "Initializer",
        "initializer",
        "Regularizer",
        "regularizer",
        "Constraint",
        "constraint",
        "Constant",
        "constant",
    }
)
# The Keras default among several names sharing a prefix (e.g. 'glorot' -> 'glorot_uniform').
_PREFERRED = ("glorot_uniform", "he_normal", "lecun_normal", "random_normal", "relu", "l2", "max_norm")


def accepted_keywords(kind: str) -> frozenset | None:
    """Every keyword Keras 3's constructor of `kind` accepts; None for a class Keras does not have."""
    sig = SIGNATURES.get(kind)
    return frozenset(sig["accepted"]) if sig is not None else None


def positional_params(kind: str) -> tuple:
    sig = SIGNATURES.get(kind)
    return tuple(sig["positional"]) if sig is not None else ()


def identifier_family(name: str) -> str | None:
    """Which keras.*.get resolves argument `name`, or None when it is no identifier."""
    if name == "activation" or name.endswith("_activation"):
        return "activation"
    for family in ("initializer", "regularizer", "constraint"):
        if name.endswith("_" + family):
            return family
    return None


def check_arguments(ctx: Ctx) -> None:
    """Raise a Violation for the first argument Keras's constructor rejects."""
    check_keywords(ctx)
    check_base_args(ctx)
    check_identifiers(ctx)
    check_numbers(ctx)


# Arguments a constructor compares with numbers right away (`min(1.0, max(0.0, dropout))`
# in every recurrent cell): anything but an int/float (bool included) raises TypeError.
_RNN_DROPOUT = ("dropout", "recurrent_dropout")
NUMERIC_ARGS: dict[str, tuple] = {
    kind: _RNN_DROPOUT
    for kind in (
        "SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
    )
}  # fmt: skip


def check_numbers(ctx: Ctx) -> None:
    for name in NUMERIC_ARGS.get(ctx.kind, ()):
        value = ctx.layer.args.get(name, 0.0)
        if not is_unknown(value) and not isinstance(value, (int, float)):
            ctx.fail(
                "invalid_argument",
                f"`{name}` of {ctx.kind} must be a number in [0, 1], received {name}={value!r}",
                expected=f"{name} in [0, 1]",
                actual=f"{name}={value!r}",
                argument=name,
                hint={"arg": name, "value": 0.0},
            )


def check_layer_tree(layer: Layer, make_ctx) -> None:
    """check_arguments for a layer and the layers it wraps (TimeDistributed, Bidirectional)."""
    check_arguments(make_ctx(layer))
    for inner in (layer.inner, layer.args.get("backward_layer")):
        if isinstance(inner, Layer):
            check_layer_tree(inner, make_ctx)


# ---- keywords ----------------------------------------------------------------


def check_keywords(ctx: Ctx) -> None:
    accepted = accepted_keywords(ctx.kind)
    if accepted is None:
        return
    for name in ctx.layer.args:
        if name in accepted or name in _FRONTEND_KEYS or name.startswith("_"):
            continue
        unknown_keyword(ctx, name, accepted)


def unknown_keyword(ctx: Ctx, name: str, accepted: frozenset) -> None:
    own = sorted(accepted - _BASE_KEYWORDS) or sorted(accepted)
    guess = closest_keyword(name, sorted(accepted))
    fix = f"did you mean `{guess}`?" if guess else "remove it"
    value = ctx.layer.args[name]
    hint: dict[str, Any] = {"arg": name, "remove": True}
    if guess:
        hint["rename"] = guess
        if guess not in ctx.layer.args:
            hint["or"] = {guess: value}
    ctx.fail(
        "invalid_argument",
        f"{ctx.kind} does not take the argument `{name}` (Keras 3 raises 'Unrecognized keyword arguments'); {fix}",
        expected="one of " + ", ".join(own),
        actual=f"{name}={value!r}",
        argument=name,
        hint=hint,
        code=UNKNOWN_KEYWORD,
    )


_BASE_KEYWORDS = frozenset(
    {"activity_regularizer", "trainable", "dtype", "autocast", "name", "input_dim", "input_shape"}
)


def closest_keyword(name: str, names: Sequence[str]) -> str | None:
    lowered = {n.lower(): n for n in names}
    if name.lower() in lowered:
        return lowered[name.lower()]
    match = difflib.get_close_matches(name, list(names), n=1, cutoff=0.75)
    return match[0] if match else None


def check_base_args(ctx: Ctx) -> None:
    """Layer.__init__ / Operation.__init__: `trainable` a bool, `name` a str without '/'."""
    args = ctx.layer.args
    trainable = args.get("trainable", True)
    if not is_unknown(trainable) and not isinstance(trainable, bool):
        ctx.fail(
            "invalid_argument",
            f"`trainable` of {ctx.kind} must be a boolean, received trainable={trainable!r}",
            expected="trainable=True | False",
            actual=f"trainable={trainable!r}",
            argument="trainable",
            hint={"arg": "trainable", "choices": [True, False]},
            code=BAD_CHOICE,
        )
    lname = args.get("name")
    if not is_unknown(lname) and lname is not None and (not isinstance(lname, str) or "/" in lname):
        ctx.fail(
            "invalid_argument",
            f"`name` of {ctx.kind} must be a string without '/', received name={lname!r}",
            expected="a string without '/'",
            actual=f"name={lname!r}",
            argument="name",
            hint={"arg": "name", "remove": True},
        )


# ---- identifiers ---------------------------------------------------------------


def names_of(family: str) -> tuple:
    """The names keras.<family>s.get resolves."""
    return IDENTIFIERS[family][0]


def check_identifiers(ctx: Ctx) -> None:
    for name in sorted(ctx.layer.args):
        family = identifier_family(name)
        if family is not None:
            check_identifier(ctx, name, family)


def check_identifier(ctx: Ctx, name: str, family: str) -> None:
    """keras.<family>s.get(value), and for initializers the weight they build."""
    value = ctx.layer.args[name]
    if value is None or is_unknown(value):
        return
    ok, failing, machine = IDENTIFIERS[family]
    if isinstance(value, dict):
        _check_config_dict(ctx, name, family, value, ok)
        return
    if not isinstance(value, str):
        if isinstance(value, (bool, int, float, list, tuple)):
            _bad_identifier(ctx, name, family, value, f"is not a Keras {family} (a name, a config dict or a callable)")
        return
    if value in machine:
        return  # resolves only where an optional dependency is installed
    if value in failing:
        _bad_identifier(
            ctx,
            name,
            family,
            value,
            f"names {_article(family)} {family} that cannot be built without arguments (Keras raises)",
        )
    if value not in ok:
        _bad_identifier(ctx, name, family, value, f"is not a known {family}")
    if family == "initializer":
        _check_initializer_rank(ctx, name, value)


def _check_config_dict(ctx: Ctx, name: str, family: str, value: dict, ok: tuple) -> None:
    cls = value.get("class_name")
    if cls is None:
        _bad_identifier(ctx, name, family, value, "is a config dict without 'class_name'")
    if family == "activation" or not isinstance(cls, str) or is_unknown(cls):
        return  # serialized functions and registered custom objects: not decided here
    if cls not in ok and "module" not in value and "registered_name" not in value:
        _bad_identifier(ctx, name, family, value, f"names the unknown {family} class {cls!r}")
    if family == "initializer" and cls in ok and not value.get("config"):
        _check_initializer_rank(ctx, name, cls)


def _weight_rank(ctx: Ctx, param: str) -> int | None:
    """The rank of the weight `param` initializes, when the kind always builds it at one rank."""
    ranks = WEIGHT_RANKS.get(ctx.kind)
    if not ranks:
        return None
    prefix = param[: -len("_initializer")]
    if prefix == "bias" and ctx.layer.args.get("use_bias", True) is False:
        return None
    for weight in (prefix, prefix + "_kernel"):
        if weight in ranks:
            return ranks[weight]
    return None


def _check_initializer_rank(ctx: Ctx, name: str, init: str) -> None:
    allowed = INITIALIZER_RANKS.get(init)
    if allowed is None:
        return
    rank = _weight_rank(ctx, name)
    if rank is None or rank in allowed:
        return
    need = (
        "only " + " or ".join(f"{r}-D" for r in allowed) + " weights"
        if allowed
        else "no weight at all (it is an abstract base class)"
    )
    _bad_identifier(
        ctx,
        name,
        "initializer",
        init,
        f"cannot initialize the {rank}-D weight {ctx.kind} builds ({init!r} can build {need}); Keras raises "
        "when the layer is built",
        suggest=False,
    )


def _bad_identifier(ctx: Ctx, name: str, family: str, value: Any, why: str, suggest: bool = True) -> None:
    names = names_of(family)
    guesses = close_names(value, names) if suggest else []
    if not guesses and family == "initializer" and not suggest:
        guesses = ["glorot_uniform" if "kernel" in name or "embeddings" in name else "zeros"]
    if guesses:
        fix = (
            f"did you mean {guesses[0]!r}?"
            if len(guesses) == 1
            else "did you mean one of " + ", ".join(map(repr, guesses)) + "?"
        )
    else:
        fix = f"use a Keras {family} name"
    hint: dict[str, Any] = {"arg": name}
    if guesses:
        hint.update({"value": guesses[0], "suggest": guesses[0], "choices": guesses})
    elif family == "activation":
        hint["choices"] = list(names)
    else:
        hint["remove"] = True
    ctx.fail(
        "invalid_argument",
        f"`{name}` of {ctx.kind} {why}: received {name}={value!r}; {fix}",
        expected=f"a Keras {family} name",
        actual=f"{name}={value!r}",
        argument=name,
        hint=hint,
        code=BAD_IDENTIFIER,
    )


def close_names(name: Any, names: Sequence[str]) -> list[str]:
    """The valid names the user most likely meant, best first (several for a shared prefix)."""
    if not isinstance(name, str) or not name:
        return []
    pool = [n for n in names if n not in _NO_SUGGEST]
    squashed = _squash(name)
    starts = sorted({n for n in pool if squashed and _squash(n).startswith(squashed) and _squash(n) != squashed})
    best = closest_name(name, names)
    if len(starts) > 1 and (best is None or best in starts):
        snake = [n for n in starts if n == n.lower()] or starts
        preferred = [n for n in _PREFERRED if n in snake]
        return preferred + [n for n in snake if n not in preferred]
    return [best] if best else []


def _squash(n: str) -> str:
    return n.lower().replace("_", "").rsplit(".", 1)[-1]


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def closest_name(name: Any, names: Sequence[str]) -> str | None:
    """The valid name the user most likely meant, or None."""
    if not isinstance(name, str) or not name:
        return None
    pool = [n for n in names if n not in _NO_SUGGEST]
    squash = _squash
    for n in pool:
        if n.lower() == name.lower():
            return n
    same = [n for n in pool if squash(n) == squash(name)]
    if same:
        return min(same, key=lambda n: (n != n.lower(), n))  # prefer the snake_case spelling
    starts = [n for n in pool if squash(name) and squash(n).startswith(squash(name))]
    if starts:
        preferred = [n for n in _PREFERRED if n in starts]
        return preferred[0] if preferred else min(starts, key=len)
    match = difflib.get_close_matches(name, pool, n=1, cutoff=0.75)
    return match[0] if match else None
