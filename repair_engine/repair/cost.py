"""The repair cost model (documented in docs/repair.md).

cost(edit) = base[op] + value_distance * distance(old, new) + locality * hops
final(model) adds output_change when the repaired model's output shape differs
from what the original model declares.

All weights are >= 0, so uniform-cost search over these costs returns a
globally cheapest edit sequence. `costs` in the configuration overrides any
weight by name.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_WEIGHTS: dict[str, float] = {
    # base cost of each edit kind: an argument change is the smallest edit a
    # reviewer can read; structure changes (new/removed layers) cost more.
    "set_arg": 1.0,
    "remove_arg": 1.0,
    # a mistyped keyword spelled right keeps the user's value: a little cheaper
    # than dropping the argument, which loses it
    "rename_arg": 0.9,
    # an edit a source finding already points at: an argument a legacy_api
    # warning flags as misread (Convolution2D(32, 3, 3): Keras 3 reads the last 3
    # as strides), or dropping the sample axis of `input_shape=X.shape`
    "flagged_fix": 0.3,
    "set_input_shape": 1.0,
    "set_weights": 1.0,
    "replace_layer": 1.5,
    "insert_layer": 2.0,
    # an inserted layer that adds weights (Dense projection) changes the
    # network's capacity, not only its plumbing
    "insert_weighted_layer": 2.5,
    "remove_layer": 2.5,
    # each further layer a cascade (one fix repeated downstream, where the layer
    # then fails the same way) reaches: one reviewer decision, not a new edit
    "cascade_step": 0.25,
    # tie-breakers, kept small so they never outweigh a whole edit
    "value_distance": 0.1,  # times a normalized distance in [0, 1]
    "locality": 0.05,  # per layer between the edit and the failing layer (model input: 0)
    "locality_cap": 0.3,
    # an input shape whose axes are reordered other than by the channels-first <->
    # channels-last move: the same numbers now mean other things (axis 5 of a
    # (5, 8, 1) image read as channels); above any local argument fix
    "reinterpret_input": 0.5,
    # an input shape changed away from the per-sample shape of the data the
    # program feeds the model (fit/predict): the evidence says the input is right
    "against_data": 1.0,
    # data-side and loss edits (repair/data_moves.py): a single sample's missing
    # batch axis is the usual fix; reshaping the data at the call costs a bit more
    # than declaring the input the data already has
    "data_batch_axis": 0.8,
    "data_reshape": 1.2,
    "set_loss": 1.0,
    # added once, at the goal, when the final output shape changes
    "output_change": 1.0,
    # alternatives are offered only up to this much above the best repair
    "alternative_margin": 3.0,
}

EDIT_OPS = (
    "set_arg",
    "remove_arg",
    "rename_arg",
    "flagged_fix",
    "set_input_shape",
    "set_weights",
    "replace_layer",
    "insert_layer",
    "insert_weighted_layer",
    "remove_layer",
)
WEIGHTED_KINDS = {"Dense", "Conv1D", "Conv2D", "Conv3D", "Embedding", "LSTM", "GRU", "SimpleRNN"}


@dataclass(frozen=True)
class CostModel:
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None) -> CostModel:
        w = dict(DEFAULT_WEIGHTS)
        for k, v in (overrides or {}).items():
            try:
                fv = float(v)
            except (TypeError, ValueError):
                continue
            if k in w and fv >= 0 and math.isfinite(fv):
                w[k] = fv
        return cls(weights=w)

    def w(self, name: str) -> float:
        return self.weights.get(name, DEFAULT_WEIGHTS.get(name, 0.0))

    def min_edit_cost(self, flagged_possible: bool = True) -> float:
        """The cheapest possible edit: an admissible A* bound for any invalid model.
        `flagged_possible=False` when no source finding flags anything (no edit
        can get the flagged_fix price), which makes the bound tighter."""
        ops = EDIT_OPS if flagged_possible else tuple(o for o in EDIT_OPS if o != "flagged_fix")
        return min(self.w(op) for op in ops)

    def edit_cost(self, edit, hops: int, flagged: bool = False, against_data: bool = False) -> float:
        op = edit.op
        if op == "cascade":
            # the first part is priced as an edit of its own; each further part
            # pays cascade_step plus its value distance
            first, rest = edit.parts[0], edit.parts[1:]
            total = self.edit_cost(first, hops, flagged)
            for p in rest:
                total += self.w("cascade_step") + self.w("value_distance") * _part_distance(p)
            return round(total, 6)
        base = self.w(op)
        if flagged and op in ("set_arg", "remove_arg", "set_input_shape"):
            base = min(base, self.w("flagged_fix"))
        if op == "insert_layer" and getattr(edit, "kind", "") in WEIGHTED_KINDS:
            base = self.w("insert_weighted_layer")
        dist = 0.0
        if op == "set_input_shape" and edit.old is not None and edit.new is not None:
            # compare the per-sample shapes: the batch axis is not the user's value
            old_body, new_body = tuple(edit.old)[1:], tuple(edit.new)[1:]
            dist = value_distance(old_body, new_body)
            if _size(old_body) is not None and _size(old_body) == _size(new_body):
                # same number of values per sample (a size-1 axis added or dropped,
                # axes reordered): the data still fits, only its layout changes
                dist *= 0.5
            if is_reinterpretation(old_body, new_body):
                base += self.w("reinterpret_input")
            if against_data:
                base += self.w("against_data")
        elif op in ("set_arg", "set_weights"):
            dist = value_distance(getattr(edit, "old", None), getattr(edit, "new", None))
        loc = min(self.w("locality") * max(hops, 0), self.w("locality_cap"))
        return round(base + self.w("value_distance") * dist + loc, 6)


def is_channels_swap(old: tuple, new: tuple) -> bool:
    """The channels axis moved between the front and the back, where the moved
    axis is no larger than any other one ((3, 224, 224) <-> (224, 224, 3))."""
    if len(old) < 2 or len(old) != len(new):
        return False

    def smallest(d, rest):
        return isinstance(d, int) and all(not isinstance(x, int) or d <= x for x in rest)

    if new == old[1:] + old[:1] and smallest(old[0], old[1:]):
        return True
    return new == old[-1:] + old[:-1] and smallest(old[-1], old[:-1])


def is_reinterpretation(old: tuple, new: tuple) -> bool:
    """A reordering of the per-sample axes that is not the channels swap."""
    if len(old) != len(new) or old == new or sorted(map(repr, old)) != sorted(map(repr, new)):
        return False
    return not is_channels_swap(old, new)


def _part_distance(edit) -> float:
    if edit.op in ("set_arg", "set_weights"):
        return value_distance(getattr(edit, "old", None), getattr(edit, "new", None))
    return 0.0


def value_distance(old: Any, new: Any) -> float:
    """Normalized distance in [0, 1] between an old and a new argument value.

    Numbers: relative change; sequences: mean over aligned elements plus the
    length difference; other values: 0 when equal, 1 otherwise (the base cost
    already pays for the change itself, so strings/bools are neutral 0.5).
    """
    if old is None or new is None:
        return 0.5
    if isinstance(old, bool) or isinstance(new, bool):
        return 0.5
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return min(abs(new - old) / max(abs(old), 1), 1.0)
    if isinstance(old, (int, float)) and isinstance(new, (tuple, list)):
        old = (old,) * len(new)
    if isinstance(new, (int, float)) and isinstance(old, (tuple, list)):
        new = (new,) * len(old)
    if isinstance(old, (tuple, list)) and isinstance(new, (tuple, list)):
        if len(old) == len(new) and sorted(map(repr, old)) == sorted(map(repr, new)):
            return 0.1  # a reordering (channels first <-> last) keeps every size: nearly free
        n = max(len(old), len(new), 1)
        long, short = (old, new) if len(old) >= len(new) else (new, old)
        # an added/dropped axis: align the shorter sequence where it matches best
        # (dropping a leading batch size and adding a trailing channel axis are free of
        # element changes); ties go to the earliest offset
        best = min(_elementwise(long[k : k + len(short)], short) for k in range(len(long) - len(short) + 1))
        return min((abs(len(old) - len(new)) + best) / n, 1.0)
    if isinstance(old, str) and isinstance(new, str):
        # a misspelling is close to the intended word ('sam' -> 'same')
        return 0.5 * (1.0 - difflib.SequenceMatcher(a=old.strip().lower(), b=new.lower()).ratio()) + 0.25
    return 0.0 if old == new else 0.5


def _size(shape) -> int | None:
    n = 1
    for d in shape:
        if not isinstance(d, int):
            return None
        n *= d
    return n


def _elementwise(a, b) -> float:
    total = 0.0
    for x, y in zip(a, b):
        if x == y:
            continue
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
            total += min(abs(x - y) / max(abs(x), 1), 1.0)
        else:
            total += 1
    return total
