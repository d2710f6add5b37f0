"""Global minimality: brute-force enumeration of every edit sequence up to the
search's cost finds nothing cheaper than the search's answer.

Two edit spaces are enumerated:
- the search's own successor function (diagnostic-guided proposals + local
  moves), exhaustively and without duplicate pruning: checks that the
  best-first search, its pruning and its goal penalty return the optimum;
- a fixed finite universe of argument/input edits on tiny models: checks that
  the proposals do not miss a cheaper repair that a blind enumeration finds.
"""

import pytest

from repair_engine.checker import check
from repair_engine.ir import sequential
from repair_engine.repair.cost import CostModel
from repair_engine.repair.edits import SetArg, SetInputShape
from repair_engine.repair.proposals import first_error, propose
from repair_engine.repair.search import Limits, extend, intended_output, is_goal, keeps_output, path_cost, search

COSTS = CostModel()
EPS = 1e-6


def brute_force_min(model, successors, bound):
    """Cheapest valid model reachable with cost <= bound, enumerating every sequence."""
    original = check(model)
    intended = intended_output(model, original)
    best = float("inf")
    visited = 0
    failing = first_error(original)
    fid = failing.layer if failing is not None else None

    def dfs(m, res, edits, cost, depth):
        nonlocal best, visited
        visited += 1
        assert visited < 200_000, "brute force too large for a unit test"
        if is_goal(res, original):
            total = cost + (0.0 if keeps_output(intended, res) else COSTS.w("output_change"))
            best = min(best, total)
            return
        if depth == 0:
            return
        for e in successors(m, res):
            edits2 = extend(edits, e)
            if edits2 is None:
                continue
            c2 = path_cost(model, edits2, COSTS, fid)
            if c2 > bound + EPS:
                continue
            m2 = e.apply(m)
            dfs(m2, check(m2), edits2, c2, depth - 1)

    dfs(model, original, (), 0.0, 4)
    return best


SMALL_MODELS = [
    sequential((None, 28, 28), [("Conv2D", {"filters": 4, "kernel_size": 3}), ("Flatten", {}), ("Dense", {"units": 10})]),
    sequential((None, 20, 8), [("LSTM", {"units": 8}), ("LSTM", {"units": 4}), ("Dense", {"units": 1})]),
    sequential((None, 10), [("Dense", {"units": 16}), ("Conv1D", {"filters": 4, "kernel_size": 2}), ("Flatten", {}),
                            ("Dense", {"units": 1})]),
    sequential((None, 6, 6, 3), [("MaxPooling2D", {"pool_size": 8}), ("Flatten", {}), ("Dense", {"units": 2})]),
    sequential((None, 3, 16, 16), [("Conv2D", {"filters": 4, "kernel_size": 3}), ("MaxPooling2D", {"pool_size": 2}),
                                   ("Flatten", {}), ("Dense", {"units": 3})]),
    sequential((None, 28, 28), [("Conv2D", {"filters": 4, "kernel_size": 3}), ("Flatten", {}), ("Dense", {"units": 0})]),
    sequential((None, 12, 4), [("Reshape", {"target_shape": (5, 10)}), ("Flatten", {}), ("Dense", {"units": 2})]),
    # a mistyped keyword (rename_arg) next to a rank error
    sequential((None, 10), [("Dense", {"units": 4, "activaton": "relu"}), ("Conv1D", {"filters": 2, "kernel_size": 2}),
                            ("Flatten", {}), ("Dense", {"units": 1})]),
    # a window fix that makes the next window fail the same way: cascades are in the edit space
    sequential((None, 5, 5, 1), [("Conv2D", {"filters": 2, "kernel_size": 3}), ("MaxPooling2D", {"pool_size": 2}),
                                 ("Conv2D", {"filters": 2, "kernel_size": 3}), ("Flatten", {}), ("Dense", {"units": 2})]),
]


@pytest.mark.parametrize("model", SMALL_MODELS, ids=lambda m: "-".join(l.kind for l in m.layers))
def test_search_is_minimal_over_its_own_edit_space(model):
    assert not check(model).valid
    out = search(model, Limits(alternatives=0, max_nodes=20000, time_budget_ms=20000))
    assert out.best is not None, out.reason
    assert check(out.best.model).valid
    brute = brute_force_min(model, propose, out.best.cost)
    # nothing cheaper exists, and the search's cost is really attained
    assert brute == pytest.approx(out.best.cost)


def universe(model):
    """A blind, finite edit space: every window/stride/padding value and a few input shapes."""

    def moves(m, res):
        out = []
        for l in m.layers:
            for arg, values in (("kernel_size", (1, 2, 3, 4)), ("pool_size", (1, 2, 3, 4)),
                                ("strides", (1, 2)), ("padding", ("valid", "same"))):
                if arg in l.args or (arg == "padding" and "Pool" in l.kind or "Conv" in l.kind):
                    for v in values:
                        if l.args.get(arg) != v:
                            out.append(SetArg(target=l.id, arg=arg, old=l.args.get(arg), new=v))
        inp = m.inputs[0]
        body = inp.shape[1:]
        shapes = {body + (1,), body[1:] + body[:1], body[-1:] + body[:-1], body[1:]}
        for s in shapes:
            if s and s != body:
                out.append(SetInputShape(target=inp.id, old=inp.shape, new=(None,) + tuple(s)))
        return out

    return moves


UNIVERSE_MODELS = [
    sequential((None, 6, 6, 3), [("MaxPooling2D", {"pool_size": 8}), ("Flatten", {}), ("Dense", {"units": 2})]),
    sequential((None, 5, 5, 1), [("Conv2D", {"filters": 2, "kernel_size": 4}), ("Conv2D", {"filters": 2, "kernel_size": 3}),
                                 ("Flatten", {}), ("Dense", {"units": 2})]),
    sequential((None, 1, 9, 9), [("Conv2D", {"filters": 2, "kernel_size": 3}), ("Flatten", {}), ("Dense", {"units": 2})]),
    sequential((None, 8, 8), [("Conv2D", {"filters": 2, "kernel_size": 3}), ("Flatten", {}), ("Dense", {"units": 2})]),
]


@pytest.mark.parametrize("model", UNIVERSE_MODELS, ids=lambda m: "-".join(l.kind for l in m.layers))
def test_proposals_miss_nothing_cheaper_in_a_blind_universe(model):
    assert not check(model).valid
    ours = search(model, Limits(alternatives=0))
    assert ours.best is not None
    blind = brute_force_min(model, universe(model), ours.best.cost)
    # the blind enumeration, bounded by our cost, never beats our answer
    assert blind >= ours.best.cost - EPS
    # and the search itself is exact on the blind space too
    exact = search(model, Limits(alternatives=0, max_nodes=50000, time_budget_ms=30000), successors=universe(model))
    if exact.best is not None:
        assert brute_force_min(model, universe(model), exact.best.cost) == pytest.approx(exact.best.cost)


def test_brute_force_can_fail():
    """The oracle of these tests is not vacuous: a deliberately bad answer is caught."""
    model = SMALL_MODELS[0]
    out = search(model, Limits(alternatives=0))
    brute = brute_force_min(model, propose, out.best.cost + 5)
    assert brute < out.best.cost + 5
    assert brute == pytest.approx(out.best.cost)
