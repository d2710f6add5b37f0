"""Python builtins, evaluated on the evaluator's values.

A builtin gives a concrete value only when every argument it depends on is
known; anything else (an unknown argument, a keyword it does not model such as
`key=`, a value it cannot iterate) gives UNKNOWN, never a guess. Wrong guesses
here become false alarms: `dict(zip(names, ids))` read as `{}` made
`Dense(len(mapping))` a `Dense(0)`.

`call(name, vals, kws, iterate)`: `vals` are the positional values, `kws`
(name, value) pairs, `iterate(v)` the evaluator's list of the items of a value
(None when unknown).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable

from ...ir import UNKNOWN

_PLAIN = (int, float, str, bool, type(None), complex, bytes)
_NUMBER = (int, float)
MAX_ITEMS = 10_000  # bigger results are UNKNOWN (they never decide a layer's shape)

# builtins that convert one plain value (int("3"), abs(-2), ...)
_SCALAR = ("int", "float", "str", "bool", "abs", "round", "chr", "ord", "hex", "oct", "bin", "divmod", "pow")
# builtins whose keywords are modelled; any other keyword makes the result UNKNOWN
_KEYWORDS = {
    "enumerate": {"start"},
    "zip": {"strict"},
    "sorted": {"reverse"},
    "dict": None,  # dict(a=1, b=2): every keyword is an entry
    "print": None,
    "min": {"default"},
    "max": {"default"},
    "sum": {"start"},
    "range": set(),
}

Iterate = Callable[[object], "list | None"]

# list and dict methods that change the container
MUTATORS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "popitem", "sort", "reverse"}
)


def call(name: str, vals: list, kws: list, iterate: Iterate):
    """The builtin's value, or UNKNOWN."""
    if name == "print":
        return None
    allowed = _KEYWORDS.get(name, set())
    if allowed is not None and any(k not in allowed for k, _ in kws):
        return UNKNOWN
    options = dict(kws)
    if any(v is UNKNOWN for v in vals) or any(v is UNKNOWN for v in options.values()):
        return UNKNOWN
    try:
        return _call(name, vals, options, iterate)
    except Exception:  # what Python itself would reject (int("x"), min([])): unknown, not a crash
        return UNKNOWN


def _call(name: str, vals: list, options: dict, iterate: Iterate):
    if name in _SCALAR:
        if not options and all(isinstance(v, _PLAIN) for v in vals):
            return getattr(builtins, name)(*vals)
        return UNKNOWN
    if name in ("len", "bool") and len(vals) == 1:
        items = iterate(vals[0])
        return UNKNOWN if items is None else len(items)
    if name == "dict":
        return _dict(vals, options, iterate)
    if name in ("min", "max") and len(vals) > 1:
        return _extreme(name, vals, [], options)
    if name in ("sum", "enumerate") and len(vals) == 2:
        key = "start"
        if key in options:
            return UNKNOWN  # given twice: Python raises
        options = {**options, key: vals[1]}
        vals = vals[:1]
    seqs = [iterate(v) for v in vals]
    if any(s is None for s in seqs):
        return UNKNOWN
    if name in ("min", "max"):
        return _extreme(name, vals, seqs, options)
    return _sequence(name, seqs, options)


def _sequence(name: str, seqs: list, options: dict):
    if name in ("tuple", "list", "set", "frozenset", "sorted", "reversed", "sum", "any", "all") and len(seqs) > 1:
        return UNKNOWN
    first = seqs[0] if seqs else []
    if name == "tuple":
        return tuple(first)
    if name == "list":
        return list(first)
    if name in ("set", "frozenset"):
        # a set's iteration order is not the source order (hash randomisation):
        # not modelled rather than guessed
        return UNKNOWN
    if name == "reversed":
        return list(reversed(first))
    if name == "sorted":
        if not _orderable(first):
            return UNKNOWN
        return sorted(first, reverse=bool(options.get("reverse", False)))
    if name == "enumerate":
        start = options.get("start", 0)
        return list(enumerate(first, start)) if isinstance(start, int) and len(seqs) == 1 else UNKNOWN
    if name == "zip":
        return list(zip(*seqs))
    if name == "sum":
        start = options.get("start", 0)
        if all(isinstance(v, _NUMBER) for v in first) and isinstance(start, _NUMBER):
            return sum(first, start)
        return UNKNOWN
    if name in ("any", "all"):
        if all(isinstance(v, _PLAIN) for v in first):
            return getattr(builtins, name)(first)
        return UNKNOWN
    return UNKNOWN


def _extreme(name: str, vals: list, seqs: list, options: dict):
    """min/max of several numbers, or of one iterable of numbers."""
    fn = min if name == "min" else max
    if len(vals) > 1:
        return fn(vals) if all(isinstance(v, _NUMBER) for v in vals) else UNKNOWN
    items = seqs[0] if seqs else None
    if items is None or not all(isinstance(v, _NUMBER) for v in items):
        return UNKNOWN
    if not items:
        return options.get("default", UNKNOWN)
    return fn(items)


def _dict(vals: list, options: dict, iterate: Iterate):
    """dict(), dict(mapping), dict(pairs), each plus keyword entries."""
    out: dict = {}
    if len(vals) > 1:
        return UNKNOWN
    if vals:
        src = vals[0]
        if isinstance(src, dict):
            out.update(src)
        else:
            items = iterate(src)
            if items is None:
                return UNKNOWN
            for pair in items:
                pair_items = iterate(pair) if not isinstance(pair, str) else None
                if pair_items is None or len(pair_items) != 2 or not isinstance(pair_items[0], _PLAIN):
                    return UNKNOWN
                out[pair_items[0]] = pair_items[1]
    out.update(options)
    return out if len(out) <= MAX_ITEMS else UNKNOWN


def _orderable(items: list) -> bool:
    return all(isinstance(v, _NUMBER) and not isinstance(v, bool) for v in items) or all(
        isinstance(v, str) for v in items
    )


def mutate(obj, name: str, vals: list, kws: list, iterate: Iterate) -> tuple:
    """(done, result) of a list/dict method that changes `obj`, applied when every
    argument is known; done=False means the change cannot be followed (the
    caller then forgets the container's contents)."""
    if kws or any(v is UNKNOWN for v in vals):
        return False, None
    try:
        if isinstance(obj, list):
            return _mutate_list(obj, name, vals, iterate)
        return _mutate_dict(obj, name, vals, iterate)
    except Exception:  # e.g. list.remove of a value it does not hold
        return False, None


def _mutate_list(obj: list, name: str, vals: list, iterate: Iterate) -> tuple:
    if name == "append" and len(vals) == 1:
        obj.append(vals[0])
        return True, None
    if name == "extend" and len(vals) == 1:
        items = iterate(vals[0])
        if items is None:
            return False, None
        obj.extend(items)
        return True, None
    if name == "insert" and len(vals) == 2 and isinstance(vals[0], int):
        obj.insert(vals[0], vals[1])
        return True, None
    if name == "pop" and obj and (not vals or isinstance(vals[0], int)):
        return True, obj.pop(*vals)
    if name == "clear" and not vals:
        obj.clear()
        return True, None
    if name == "reverse" and not vals:
        obj.reverse()
        return True, None
    return False, None


def _mutate_dict(obj: dict, name: str, vals: list, iterate: Iterate) -> tuple:
    if name == "update" and len(vals) == 1:
        new = _dict(vals, {}, iterate)
        if new is UNKNOWN:
            return False, None
        obj.update(new)
        return True, None
    if name == "setdefault" and vals and isinstance(vals[0], _PLAIN):
        return True, obj.setdefault(vals[0], vals[1] if len(vals) > 1 else None)
    if name == "pop" and vals and isinstance(vals[0], _PLAIN) and (vals[0] in obj or len(vals) > 1):
        return True, obj.pop(*vals)
    if name == "clear" and not vals:
        obj.clear()
        return True, None
    return False, None
