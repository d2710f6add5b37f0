"""The repair search on IR models built directly (no source, no Keras)."""

from dataclasses import dataclass, field

from repair_engine.checker import check
from repair_engine.ir import sequential
from repair_engine.repair import repair_model
from repair_engine.repair.cost import CostModel, value_distance
from repair_engine.repair.edits import InsertLayer, RemoveLayer, SetArg, SetInputShape
from repair_engine.repair.search import Limits, search, state_key


def conv_on_3d():
    return sequential((None, 28, 28), [("Conv2D", {"filters": 8, "kernel_size": 3}), ("Flatten", {}), ("Dense", {"units": 10})])


def ops(result):
    return [e.op for e in result.edits]


def test_valid_model_needs_no_repair():
    m = sequential((None, 28, 28, 1), [("Conv2D", {"filters": 8, "kernel_size": 3}), ("Flatten", {}), ("Dense", {"units": 10})])
    assert check(m).valid
    assert repair_model(m) is None


def test_missing_channel_axis_is_fixed_at_the_input():
    m = conv_on_3d()
    r = repair_model(m)
    assert r.found and ops(r) == ["set_input_shape"]
    assert r.model.inputs[0].shape == (None, 28, 28, 1)
    assert r.check.valid and r.keeps_output
    assert r.check.output_shapes == [(None, 10)]
    # the original is untouched (edits are immutable)
    assert m.inputs[0].shape == (None, 28, 28)


def test_alternatives_are_ranked_valid_and_not_supersets():
    r = repair_model(conv_on_3d(), {"repair": {"alternatives": 3}})
    costs = [r.cost] + [a.cost for a in r.alternatives]
    assert costs == sorted(costs) and len(r.alternatives) >= 1
    best = {repr(e) for e in r.edits}
    for a in r.alternatives:
        assert check(a.model).valid
        assert not best <= {repr(e) for e in a.edits}
    kinds = {tuple(e.op for e in a.edits) for a in r.alternatives}
    assert ("replace_layer",) in kinds  # Conv2D -> Conv1D is offered


def test_stacked_lstm_gets_return_sequences():
    m = sequential((None, 20, 8), [("LSTM", {"units": 32}), ("LSTM", {"units": 16}), ("Dense", {"units": 1})])
    r = repair_model(m)
    assert r.found
    assert [(e.op, e.arg, e.new) for e in r.edits] == [("set_arg", "return_sequences", True)]
    assert r.edits[0].target == "lstm_0"


def test_invalid_argument_value_changed_by_the_smallest_distance():
    m = sequential((None, 5), [("Dense", {"units": 8}), ("Dense", {"units": 0})])
    r = repair_model(m)
    assert [(e.arg, e.new) for e in r.edits] == [("units", 1)]


def test_pool_too_large_prefers_the_failing_layer():
    m = sequential((None, 6, 6, 3), [("MaxPooling2D", {"pool_size": 8}), ("Flatten", {}), ("Dense", {"units": 2})])
    r = repair_model(m)
    assert r.found and len(r.edits) == 1
    e = r.edits[0]
    assert e.target == "maxpooling2d_0"
    assert (e.arg, e.new) in (("pool_size", 6), ("padding", "same"))
    # pool 8 -> 6 is the nearest value that fits: cheaper than padding="same"
    assert (e.arg, e.new) == ("pool_size", 6)


def test_channels_first_input_is_reordered():
    m = sequential(
        (None, 3, 32, 32),
        [
            ("Conv2D", {"filters": 8, "kernel_size": 3, "padding": "same"}),
            ("MaxPooling2D", {"pool_size": 2}),
            ("MaxPooling2D", {"pool_size": 2}),
            ("Flatten", {}),
            ("Dense", {"units": 4}),
        ],
    )
    assert not check(m).valid
    r = repair_model(m)
    assert ops(r) == ["set_input_shape"] and r.model.inputs[0].shape == (None, 32, 32, 3)


def test_merge_mismatch_repaired_by_units():
    from repair_engine.ir import Edge, InputNode, Layer, Model

    inp = InputNode("in", (None, 32))
    a = Layer("a", "Dense", {"units": 64}, (Edge("in"),))
    b = Layer("b", "Dense", {"units": 32}, (Edge("a"),))
    add = Layer("add", "Add", {}, (Edge("a"), Edge("b")), list_input=True)
    out = Layer("out", "Dense", {"units": 1}, (Edge("add"),))
    m = Model("m", (inp,), (a, b, add, out), (Edge("out"),))
    r = repair_model(m)
    assert r.found and ops(r) == ["set_arg"] and r.edits[0].arg == "units"
    assert check(r.model).valid


def test_costs_from_config_change_the_answer():
    @dataclass
    class Rep:
        max_nodes: int = 500
        time_budget_ms: int = 2000
        alternatives: int = 1
        costs: dict = field(default_factory=lambda: {"set_input_shape": 9.0})

    @dataclass
    class Cfg:
        repair: Rep = field(default_factory=Rep)

    r = repair_model(conv_on_3d(), Cfg())
    assert ops(r) == ["replace_layer"] and r.model.layers[0].kind == "Conv1D"


def test_budget_ends_gracefully_with_a_diagnostic():
    # needs two independent fixes; one expanded node is not enough
    m = sequential((None, 28, 28), [("Conv2D", {"filters": 8, "kernel_size": 3}), ("Flatten", {}), ("Dense", {"units": 0})])
    r = repair_model(m, {"repair": {"max_nodes": 1}})
    assert not r.found
    assert r.diagnostic.kind == "repair_not_found" and "limit of 1" in r.diagnostic.message
    full = repair_model(m)
    assert full.found and sorted(ops(full)) == ["set_arg", "set_input_shape"]


def test_unrepairable_model_is_reported_not_crashed():
    # no edit in the space defines an input shape that is unknown
    m = sequential((None, None), [("Dense", {"units": 3})])
    res = check(m)
    if res.valid:
        return
    r = repair_model(m, {"repair": {"time_budget_ms": 200}})
    assert r.found or r.diagnostic.kind == "repair_not_found"


def test_state_key_identifies_commuting_edit_orders():
    m = sequential((None, 28, 28), [("Conv2D", {"filters": 8, "kernel_size": 3}), ("Dense", {"units": 0})])
    e1 = SetInputShape(target="input", old=(None, 28, 28), new=(None, 28, 28, 1))
    e2 = SetArg(target="dense_1", arg="units", old=0, new=4)
    assert state_key(e2.apply(e1.apply(m))) == state_key(e1.apply(e2.apply(m)))
    i1 = InsertLayer(target="dense_1", kind="Flatten")
    assert state_key(i1.apply(m)) != state_key(m)
    assert state_key(RemoveLayer(target="dense_1", kind="Dense").apply(m)) != state_key(m)


def test_cost_model_orders_edit_kinds():
    c = CostModel()
    arg = SetArg(target="x", arg="units", old=4, new=5)
    assert c.edit_cost(arg, 0) < c.edit_cost(InsertLayer(target="x", kind="Flatten"), 0)
    assert c.edit_cost(InsertLayer(target="x", kind="Flatten"), 0) < c.edit_cost(RemoveLayer(target="x"), 0)
    assert c.edit_cost(arg, 0) < c.edit_cost(arg, 3)  # far from the failing layer costs more
    assert value_distance(8, 6) < value_distance(8, 1)
    assert value_distance((3, 32, 32), (32, 32, 3)) < value_distance((3, 32, 32), (3, 8, 8))
    assert CostModel.from_overrides({"set_arg": "x", "insert_layer": -1}).w("set_arg") == 1.0


def test_search_statistics():
    out = search(conv_on_3d(), Limits(alternatives=0))
    assert out.best is not None and out.expanded >= 1 and out.elapsed_ms >= 0


def test_fix_file_on_a_json_model_repairs_the_ir_without_a_text_patch():
    from repair_engine.frontends import FileResult
    from repair_engine.repair import fix_file

    m = conv_on_3d()
    fr = FileResult(path="model.json", format="keras_json", models=[m, sequential((None, 4), [("Dense", {"units": 2})])])
    ff = fix_file(fr, [check(x) for x in fr.models], None, verify=False)
    assert ff.new_text is None and set(ff.repairs) == {0}
    rep = ff.repairs[0]
    assert rep["diff"] == "" and rep["line_edits"] == [] and rep["verified"] is True
    assert rep["edits"][0]["op"] == "set_input_shape" and rep["output_shapes_after"] == [[None, 10]]


def test_fix_file_reports_a_model_it_cannot_repair():
    from repair_engine.frontends import FileResult
    from repair_engine.repair import fix_file

    m = sequential((None, 28, 28), [("Conv2D", {"filters": 8, "kernel_size": 3}), ("Flatten", {}), ("Dense", {"units": 0})])
    fr = FileResult(path="m.json", format="keras_json", models=[m])
    ff = fix_file(fr, [check(m)], {"repair": {"max_nodes": 1}}, verify=False)
    assert ff.repairs[0] is None
    assert [d.kind for d in ff.diagnostics] == ["repair_not_found"]


def test_project_config_object_is_accepted():
    from repair_engine.config import Config, RepairConfig

    cfg = Config(repair=RepairConfig(max_nodes=300, time_budget_ms=500, alternatives=0, costs={"set_input_shape": 9.0}))
    r = repair_model(conv_on_3d(), cfg)
    assert r.found and r.alternatives == [] and ops(r) == ["replace_layer"]


def test_zero_padding_inserted_when_argument_edits_are_expensive():
    m = sequential((None, 3, 3, 2), [("MaxPooling2D", {"pool_size": 5}), ("Flatten", {}), ("Dense", {"units": 2})])
    r = repair_model(m, {"repair": {"costs": {"set_arg": 5, "set_input_shape": 5}}})
    assert [(e.op, e.kind, dict(e.args)) for e in r.edits] == [("insert_layer", "ZeroPadding2D", {"padding": (1, 1)})]
    assert check(r.model).valid


def test_argument_fix_beats_an_input_permutation_that_changes_the_data_meaning():
    m = sequential((None, 5, 8, 1), [("Cropping2D", {"cropping": ((2, 3), (0, 0))}), ("Flatten", {}),
                                     ("Dense", {"units": 2})])
    r = repair_model(m)
    assert r.found and ops(r) == ["set_arg"] and r.edits[0].arg == "cropping"
    # the permutation (5, 8, 1) -> (8, 1, 5) reads the height as channels: it costs more than any local argument fix
    costs = CostModel()
    perm = SetInputShape(target="input", old=(None, 5, 8, 1), new=(None, 8, 1, 5))
    worst_local = costs.w("set_arg") + costs.w("value_distance") + costs.w("locality_cap")
    assert costs.edit_cost(perm, 0) > worst_local


def test_channels_first_to_last_swap_stays_cheap():
    costs = CostModel()
    for old, new in (((None, 3, 32, 32), (None, 32, 32, 3)), ((None, 32, 32, 3), (None, 3, 32, 32)),
                     ((None, 1, 28, 28), (None, 28, 28, 1))):
        assert costs.edit_cost(SetInputShape(target="input", old=old, new=new), 0) < 1.05
    m = sequential((None, 3, 32, 32), [("Conv2D", {"filters": 4, "kernel_size": 5}), ("MaxPooling2D", {"pool_size": 2}),
                                      ("Flatten", {}), ("Dense", {"units": 2})])
    r = repair_model(m)
    assert r.found and ops(r) == ["set_input_shape"] and r.model.inputs[0].shape == (None, 32, 32, 3)


def test_vector_into_lstm_gets_a_repeat_vector_over_the_input_time_steps():
    m = sequential((None, 10, 3), [("Flatten", {}), ("Dense", {"units": 8}),
                                   ("LSTM", {"units": 8, "return_sequences": True}), ("Dense", {"units": 3})])
    r = repair_model(m)
    assert r.found and r.check.valid
    assert [(e.op, getattr(e, "kind", None), dict(getattr(e, "args", ()))) for e in r.edits] == \
        [("insert_layer", "RepeatVector", {"n": 10})]
    assert r.check.output_shapes == [(None, 10, 3)]
