"""Hints the semantics emit, read by the proposals: `rename` (a mistyped
keyword), `suggest_shape` (a corrected input shape), None values in `or`."""

import textwrap

from repair_engine.checker import check
from repair_engine.frontends import python_source
from repair_engine.ir import sequential
from repair_engine.repair import fix_file, repair_model
from repair_engine.repair.edits import RenameArg, SetInputShape
from repair_engine.repair.proposals import first_error, propose


def test_mistyped_keyword_is_renamed_in_one_edit_keeping_its_value():
    m = sequential((None, 8), [("Dense", {"units": 4, "activaton": "relu"}), ("Dense", {"units": 1})])
    res = check(m)
    assert first_error(res).hint.as_dict().get("rename") == "activation"
    r = repair_model(m)
    assert r.found and [e.op for e in r.edits] == ["rename_arg"]
    layer = r.model.layers[0]
    assert "activaton" not in layer.args and layer.args["activation"] == "relu"
    # one edit, cheaper than dropping the value (remove_arg)
    assert r.cost < 1.0


def test_rename_keeps_a_none_value():
    m = sequential((None, 8), [("Dense", {"units": 4, "activaton": None}), ("Dense", {"units": 1})])
    r = repair_model(m)
    assert r.found and isinstance(r.edits[0], RenameArg)
    assert "activation" in r.model.layers[0].args and r.model.layers[0].args["activation"] is None


def test_none_inside_or_is_proposed_not_dropped():
    m = sequential((None, 8), [("Dense", {"units": 4, "activaton": None}), ("Dense", {"units": 1})])
    res = check(m)
    diag = first_error(res)
    assert diag.hint.as_dict().get("or") == {"activation": None}
    setargs = [e for e in propose(m, res) if e.op == "set_arg" and e.arg == "activation"]
    assert setargs and setargs[0].new is None


def test_rename_is_written_in_place_in_python_source():
    text = textwrap.dedent('''\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(8,)),
            layers.Dense(4, activaton="relu"),
            layers.Dense(1),
        ])
        ''')
    fr = python_source.load("m.py", text.encode())
    checks = [check(mm) for mm in fr.models]
    assert not checks[0].valid
    ff = fix_file(fr, checks, verify=False)
    assert ff.new_text is not None
    assert 'layers.Dense(4, activation="relu"),' in ff.new_text
    assert ff.new_text.replace('activation="relu"', 'activaton="relu"') == text
    assert ff.repairs[0]["edits"][0]["op"] == "rename_arg"


CF = {"filters": 2, "kernel_size": 3, "data_format": "channels_first"}


def test_suggested_shape_is_proposed_for_the_model_input():
    # channels_first: the channels axis goes in front, which no generic rank move proposes
    m = sequential((None, 12, 12), [("Conv2D", CF), ("Flatten", {}), ("Dense", {"units": 2})])
    res = check(m)
    sugg = first_error(res).hint.as_dict().get("suggest_shape")
    assert sugg == (None, 1, 12, 12)
    moves = [e for e in propose(m, res) if isinstance(e, SetInputShape)]
    assert any(tuple(e.new) == sugg for e in moves)


def test_suggested_shape_becomes_a_reshape_inside_the_model():
    m = sequential((None, 12, 12), [("Dense", {"units": 6}), ("Conv2D", CF), ("Flatten", {}), ("Dense", {"units": 2})])
    res = check(m)
    sugg = first_error(res).hint.as_dict().get("suggest_shape")
    assert sugg == (None, 1, 12, 6)
    inserts = [e for e in propose(m, res) if e.op == "insert_layer" and e.kind == "Reshape"]
    assert any(dict(e.args)["target_shape"] == (1, 12, 6) for e in inserts)
    r = repair_model(m)
    assert r.found and r.check.valid
