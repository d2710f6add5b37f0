"""Cascades (one fix repeated downstream where the model then fails the same
way) and the deterministic, node-bounded search."""


from repair_engine.checker import check
from repair_engine.ir import sequential
from repair_engine.repair import repair_model
from repair_engine.repair.cost import CostModel
from repair_engine.repair.edits import Cascade, SetArg, flatten
from repair_engine.repair.proposals import propose
from repair_engine.repair.search import Limits, extend, search


def shrinking_3d_stack():
    """A Conv3D whose first kernel consumes a whole axis, then windows that no
    longer fit: each downstream window fails once the one before it is fixed."""
    layers = [("Conv3D", {"filters": 4, "kernel_size": (6, 4, 4), "strides": (1, 2, 2)}),
              ("MaxPooling3D", {"pool_size": (1, 2, 2), "padding": "same"})]
    for f in (8, 16):
        layers += [("Conv3D", {"filters": f, "kernel_size": (1, 3, 3)}), ("MaxPooling3D", {"pool_size": (1, 2, 2)}),
                   ("BatchNormalization", {})]
    layers += [("Flatten", {}), ("Dense", {"units": 2})]
    return sequential((None, 6, 4, 200), layers)


def test_deep_repair_is_found_within_a_small_node_budget():
    m = shrinking_3d_stack()
    assert not check(m).valid
    out = search(m, Limits(max_nodes=200, time_budget_ms=600_000, alternatives=0))
    assert out.best is not None, out.reason
    assert check(out.best.model).valid
    # the reported edits are plain edits (the cascade is flattened) on 3+ layers
    assert all(not isinstance(e, Cascade) for e in out.best.edits)
    assert len({e.target for e in out.best.edits}) >= 3


def test_result_does_not_depend_on_the_time_budget():
    m = shrinking_3d_stack()
    runs = [search(m, Limits(max_nodes=300, time_budget_ms=t, alternatives=2)) for t in (5_000, 600_000)]
    assert [repr(r.best.edits) for r in runs] == [repr(runs[0].best.edits)] * 2
    assert [[repr(a.edits) for a in r.alternatives] for r in runs][0] == [repr(a.edits) for a in runs[1].alternatives]
    assert runs[0].expanded == runs[1].expanded


def test_cascade_is_proposed_and_priced_as_first_part_plus_steps():
    m = sequential((None, 5, 5, 1), [("Conv2D", {"filters": 2, "kernel_size": 3}), ("MaxPooling2D", {"pool_size": 2}),
                                     ("Conv2D", {"filters": 2, "kernel_size": 3}), ("MaxPooling2D", {"pool_size": 2}),
                                     ("Flatten", {}), ("Dense", {"units": 2})])
    res = check(m)
    cascades = [e for e in propose(m, res) if isinstance(e, Cascade)]
    assert cascades, "a padding/window fix that makes the next layer fail the same way is cascaded"
    costs = CostModel()
    for c in cascades:
        first = costs.edit_cost(c.parts[0], 0)
        assert costs.edit_cost(c, 0) >= first + costs.w("cascade_step") * (len(c.parts) - 1) - 1e-9
        assert costs.edit_cost(c, 0) < sum(costs.edit_cost(p, 0) for p in c.parts)
    # a cascade's slots collide with a plain edit of one of its parts
    c = cascades[0]
    assert extend((c.parts[-1],), c) is None
    assert flatten((c,)) == c.parts


def test_repair_of_a_cascading_stack_keeps_every_layer():
    m = sequential((None, 5, 5, 1), [("Conv2D", {"filters": 2, "kernel_size": 3}), ("MaxPooling2D", {"pool_size": 2}),
                                     ("Conv2D", {"filters": 2, "kernel_size": 3}), ("MaxPooling2D", {"pool_size": 2}),
                                     ("Flatten", {}), ("Dense", {"units": 2})])
    r = repair_model(m)
    assert r.found and r.check.valid
    assert len(r.model.layers) == len(m.layers)
    assert all(isinstance(e, SetArg) for e in r.edits)
    assert r.cost < 2 * 1.0 + 0.5  # cheaper than two separate argument edits
