"""Best-first (uniform-cost) search for the cheapest edit sequence that makes a model valid.

States are models; successors come from `proposals.propose`; the goal test is
the checker (no error diagnostics, and no layer left unevaluated that the
original could evaluate). A*: g = the cost of the edits so far; h = 0 for a
valid model and the cheapest edit weight for an invalid one (it needs at least
one more edit, so h never overestimates). Every edit cost is >= 0 and the
output-shape penalty is charged as a final zero-length "goal" step, so the
first goal popped from the priority queue is globally cheapest among the
repairs reachable in the edit space. Models are checked lazily, when popped.
Duplicate states (same layers, args, edges, input shapes) are pruned.
"""

from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from ..checker import CheckResult, check
from ..diagnostics import Diagnostic
from ..ir import InputNode, Layer, Model
from .cost import CostModel
from .edits import Cascade, Edit, RemoveArg, RenameArg, SetArg, flatten
from .evidence import fed_inputs, fed_shapes, flagged, legacy_slots
from .proposals import first_error, model_errors, propose
from .sites import SiteEdit, site_moves

# The node budget is the limit that decides (deterministic, independent of the
# machine's load); the time budget is only a safety net for huge models.
DEFAULT_MAX_NODES = 2500
# stages of a queued model: not yet checked, checked and invalid (h added), a goal (penalty added)
NEW, OPEN, FINAL = 0, 1, 2
DEFAULT_TIME_BUDGET_MS = 20000
DEFAULT_ALTERNATIVES = 3
# extra effort spent on alternatives once the best repair is known (nodes only: deterministic)
ALTERNATIVE_EXTRA_NODES = 60


@dataclass
class Candidate:
    model: Model
    edits: tuple
    cost: float
    result: CheckResult
    keeps_output: bool = True


@dataclass
class SearchOutcome:
    best: Candidate | None
    alternatives: list = field(default_factory=list)
    partial: Candidate | None = None  # fewest errors, when no repair was found
    expanded: int = 0
    elapsed_ms: float = 0.0
    reason: str | None = None  # why the search stopped without a repair
    exhausted: bool = False  # every reachable state within the bounds was explored


@dataclass(frozen=True)
class Limits:
    max_nodes: int = DEFAULT_MAX_NODES
    time_budget_ms: float = DEFAULT_TIME_BUDGET_MS
    alternatives: int = DEFAULT_ALTERNATIVES
    max_cost: float = 12.0


def limits_from(config: Any) -> tuple[Limits, CostModel]:
    rep = getattr(config, "repair", None) if config is not None else None
    if isinstance(config, dict):
        rep = config.get("repair", config)

    def get(name, default):
        if rep is None:
            return default
        v = rep.get(name, default) if isinstance(rep, dict) else getattr(rep, name, default)
        return default if v is None else v

    try:
        limits = Limits(
            max_nodes=max(1, int(get("max_nodes", DEFAULT_MAX_NODES))),
            time_budget_ms=max(1.0, float(get("time_budget_ms", DEFAULT_TIME_BUDGET_MS))),
            alternatives=max(0, int(get("alternatives", DEFAULT_ALTERNATIVES))),
        )
    except (TypeError, ValueError):
        limits = Limits()
    costs = get("costs", None)
    return limits, CostModel.from_overrides(costs if isinstance(costs, dict) else None)


def _freeze(v: Any) -> Any:
    if isinstance(v, dict):
        return tuple(sorted((str(k), _freeze(x)) for k, x in v.items()))
    if isinstance(v, (list, tuple)):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, Layer):
        return (v.kind, _freeze(dict(v.args)))
    return repr(v) if not isinstance(v, (int, float, str, bool, type(None))) else v


def _layer_body(l: Layer, cache: dict | None) -> tuple:
    """The id-free part of a layer's key; layers are immutable and shared between
    search states, so it is computed once per layer object."""
    if cache is not None:
        hit = cache.get(id(l))
        if hit is not None and hit[0] is l:
            return hit[1]
    body = (
        l.kind,
        _freeze(dict(l.args)),
        l.weights,
        _freeze(l.inner) if l.inner is not None else None,
        l.instance if l.instance and l.instance != l.id else None,
    )
    if cache is not None:
        cache[id(l)] = (l, body)  # the reference keeps id() from being reused
    return body


def state_key(model: Model, cache: dict | None = None) -> tuple:
    """Canonical form: layer ids replaced by positions, so two edit orders that
    reach the same graph (even with different fresh ids) collide."""
    pos = {i.id: ("i", n) for n, i in enumerate(model.inputs)}
    for n, l in enumerate(model.layers):
        pos[l.id] = ("l", n)
    inputs = tuple(i.shape for i in model.inputs)
    layers = tuple(
        (_layer_body(l, cache), tuple((pos.get(e.node, e.node), e.index) for e in l.inputs)) for l in model.layers
    )
    outputs = tuple((pos.get(e.node, e.node), e.index) for e in model.outputs)
    # what the program feeds the model (data moves change it), when the IR records it
    feeds = tuple(repr(f) for f in getattr(model, "feeds", ()) or ())
    return (inputs, layers, outputs, feeds)


def intended_output(model: Model, result: CheckResult) -> list:
    """What the original model's outputs are meant to be: the computed shapes
    when known, else the declared last axis (units/filters) of the output layer."""
    out: list[tuple[str, Any] | None] = []
    for e, shape in zip(model.outputs, result.output_shapes or [None] * len(model.outputs)):
        if shape is not None:
            out.append(("shape", tuple(shape)))
            continue
        try:
            node = model.node(e.node)
        except KeyError:
            out.append(None)
            continue
        last = None
        if isinstance(node, Layer):
            for a in ("units", "filters", "output_dim"):
                v = node.args.get(a)
                if isinstance(v, int) and not isinstance(v, bool) and v > 0:
                    last = node.args[a]
                    break
        out.append(("last", last) if last is not None else None)
    return out


def keeps_output(intended: list, result: CheckResult) -> bool:
    for want, got in zip(intended, result.output_shapes):
        if want is None:
            continue
        if got is None:  # unknown (a layer without semantics): nothing to compare
            continue
        if want[0] == "shape" and tuple(got) != want[1]:
            return False
        if want[0] == "last" and got[-1] != want[1]:
            return False
    return len(intended) == len(result.output_shapes)


def hops(model: Model, target: str, failing: str | None) -> int:
    """Layers between an edit's target and the failing layer, counted in `model`
    (the original); the model input and layers the repair inserted count as 0."""
    if failing is None or isinstance(_node(model, target), InputNode):
        return 0
    try:
        return abs(model.layer_index(target) - model.layer_index(failing))
    except KeyError:
        return 0


def _node(model: Model, nid: str):
    try:
        return model.node(nid)
    except KeyError:
        return None


def slots(edit: Edit) -> tuple:
    """Every slot an edit changes (a cascade changes one per part)."""
    if isinstance(edit, (Cascade, SiteEdit)):
        return tuple(s for p in edit.parts for s in slots(p))
    if isinstance(edit, RenameArg):
        return ((edit.target, "arg", edit.arg), (edit.target, "arg", edit.new_arg))
    return (slot(edit),)


def slot(edit: Edit) -> tuple:
    """What an edit changes: two edits of one slot are one change of it."""
    if isinstance(edit, (SetArg, RemoveArg)):
        return (edit.target, "arg", edit.arg)
    if edit.op in ("set_input_shape", "set_weights", "replace_layer"):
        return (edit.target, edit.op)
    return (edit.target, edit.op, id(edit))  # structural edits never merge


def extend(edits: tuple, edit: Edit) -> tuple | None:
    """Append `edit`; None when an earlier edit already changed the same slot.
    A slot is changed once, straight to its final value: re-editing it would make
    a plateau of equally cheap models (every input shape one edit away) that the
    search could wander forever."""
    new = set(slots(edit))
    if len(new) < len(slots(edit)) or any(not new.isdisjoint(slots(prev)) for prev in edits):
        return None
    return edits + (edit,)


def path_cost(
    original: Model, edits: tuple, costs: CostModel, failing_id: str | None, batch_inputs: frozenset = frozenset()
) -> float:
    """The cost of an edit sequence: independent of the order of its edits."""
    legacy = legacy_slots(original)
    fed = fed_inputs(original)
    data = fed_shapes(original)
    return round(
        sum(
            costs.edit_cost(
                e,
                hops(original, e.target, failing_id),
                flagged=flagged(e, legacy, batch_inputs, data),
                against_data=e.op == "set_input_shape" and e.target in fed,
            )
            for e in edits
        ),
        6,
    )


def safe_check(model: Model) -> CheckResult | None:
    """The checker on a candidate; an internal error makes the candidate unusable
    instead of ending the whole search."""
    try:
        return check(model)
    except (MemoryError, RecursionError):
        raise
    except Exception:
        return None


def is_goal(result: CheckResult, original: CheckResult) -> bool:
    return not model_errors(result) and len(result.unchecked) <= len(original.unchecked)


def search(
    model: Model,
    limits: Limits = Limits(),
    costs: CostModel = CostModel(),
    original: CheckResult | None = None,
    successors=None,
    batch_inputs: frozenset = frozenset(),
    exclude_ops: frozenset = frozenset(),
) -> SearchOutcome:
    """`batch_inputs`: ids of inputs whose shape was written from a data array's
    full `.shape` (sample axis included), known from the source text.
    `exclude_ops`: edit kinds the caller cannot write back (set_weights in Python)."""
    start = time.perf_counter()
    if successors is None:
        successors = site_moves(propose)  # every edit is an edit of its source site
    original = original or check(model)
    intended = intended_output(model, original)
    counter = itertools.count()
    # (priority f = g + h, n_edits, order, stage, model, edits, result or None, cost g)
    frontier: list = [(0.0, 0, next(counter), NEW, model, (), original, 0.0)]
    legacy = legacy_slots(model)
    fed = fed_inputs(model)
    data = fed_shapes(model)
    # no source finding flags an edit here: no edit is cheaper than a plain one
    min_edit = costs.min_edit_cost(flagged_possible=bool(legacy or batch_inputs or data))
    key_cache: dict = {}
    best_seen: dict = {state_key(model, key_cache): 0.0}
    goals: list[Candidate] = []
    partial: Candidate | None = None
    expanded = 0
    reason: str | None = None
    want = 1 + limits.alternatives
    alt_nodes = limits.max_nodes
    first = first_error(original)
    failing_id = first.layer if first is not None else None
    while frontier:
        f, n, _, stage, m, edits, res, cost = heapq.heappop(frontier)
        if goals:
            # alternatives are a courtesy: a bounded extra effort after the best
            spent = (time.perf_counter() - start) * 1000
            if (
                f > goals[0].cost + costs.w("alternative_margin")
                or expanded > alt_nodes
                or spent > limits.time_budget_ms
            ):
                break
        if stage == FINAL:
            flat = flatten(edits)  # reports and patches read plain edits
            mine = {repr(e) for e in flat}
            if any({repr(e) for e in g.edits} <= mine for g in goals):
                continue  # a cheaper repair plus extra edits is no real alternative
            goals.append(Candidate(model=m, edits=flat, cost=f, result=res, keeps_output=keeps_output(intended, res)))
            if len(goals) == 1:
                alt_nodes = expanded + ALTERNATIVE_EXTRA_NODES
            if len(goals) >= want:
                break
            continue
        if res is None:  # checked lazily: most pushed states are never popped
            res = safe_check(m)
            if res is None:  # the checker failed on this candidate: a dead end
                continue
        if stage == NEW:
            if is_goal(res, original):
                keep = keeps_output(intended, res)
                penalty = 0.0 if keep else costs.w("output_change")
                heapq.heappush(frontier, (round(cost + penalty, 6), n, next(counter), FINAL, m, edits, res, cost))
                continue
            if min_edit > 0:
                # A*: an invalid model needs at least one more edit (admissible bound)
                heapq.heappush(frontier, (round(cost + min_edit, 6), n, next(counter), OPEN, m, edits, res, cost))
                continue
        if partial is None or (len(model_errors(res)), cost) < (len(model_errors(partial.result)), partial.cost):
            partial = Candidate(model=m, edits=flatten(edits), cost=cost, result=res)
        if expanded >= limits.max_nodes:
            reason = f"the search explored its limit of {limits.max_nodes} candidate models"
            break
        if (time.perf_counter() - start) * 1000 > limits.time_budget_ms:
            reason = f"the search used its time budget of {limits.time_budget_ms:.0f} ms"
            break
        expanded += 1
        try:
            proposed = successors(m, res)
        except (MemoryError, RecursionError):
            raise
        except Exception:  # an odd value the proposals cannot read: no moves from here
            proposed = []
        for edit in proposed:
            if edit.op in exclude_ops:
                continue
            edits2 = extend(edits, edit)
            if edits2 is None:
                continue
            # edits only append, so the path cost grows by this edit's cost
            # (path_cost() gives the same sum for the whole sequence)
            c2 = round(
                cost
                + costs.edit_cost(
                    edit,
                    hops(model, edit.target, failing_id),
                    flagged=flagged(edit, legacy, batch_inputs, data),
                    against_data=edit.op == "set_input_shape" and edit.target in fed,
                ),
                6,
            )
            if c2 > limits.max_cost:
                continue
            try:
                m2 = edit.apply(m)
            except (KeyError, IndexError, TypeError, ValueError):
                continue
            k2 = state_key(m2, key_cache)
            if best_seen.get(k2, float("inf")) <= c2:
                continue
            best_seen[k2] = c2
            heapq.heappush(frontier, (c2, len(edits2), next(counter), NEW, m2, edits2, None, c2))
    elapsed = (time.perf_counter() - start) * 1000
    exhausted = not frontier and reason is None
    if not goals and reason is None:
        reason = (
            f"no combination of edits up to cost {limits.max_cost:g} makes the model valid"
            if exhausted
            else "the search stopped"
        )
    return SearchOutcome(
        best=goals[0] if goals else None,
        alternatives=goals[1:],
        partial=partial if not goals else None,
        expanded=expanded,
        elapsed_ms=elapsed,
        reason=None if goals else reason,
        exhausted=exhausted,
    )


def not_found_diagnostic(model: Model, outcome: SearchOutcome) -> Diagnostic:
    why = outcome.reason or "no repair found"
    left = ""
    if outcome.partial is not None and outcome.partial.edits:
        left = (
            f"; the closest candidate ({len(outcome.partial.edits)} edits) still has "
            f"{len(model_errors(outcome.partial.result))} error(s)"
        )
    return Diagnostic(
        kind="repair_not_found",
        severity="warning",
        message=f"no repair found for model {model.name}: {why}{left}",
        span=model.span,
    )
