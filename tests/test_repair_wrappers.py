"""Bidirectional <-> its recurrent layer: proposals, cost, and the source patch."""

import textwrap

from repair_engine.checker import check
from repair_engine.frontends import python_source
from repair_engine.repair import fix_file
from repair_engine.repair.edits import Unwrap, Wrap
from repair_engine.repair.proposals import propose


def load(text):
    fr = python_source.load("m.py", textwrap.dedent(text).encode())
    assert fr.models, fr.diagnostics
    return fr


def fix(fr, config=None):
    checks = [check(m) for m in fr.models]
    assert not checks[0].valid
    return fix_file(fr, checks, config, verify=False)


def test_bidirectional_around_a_dense_is_unwrapped_in_the_source():
    fr = load('''\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(10, 3)),
            layers.Bidirectional(layers.Dense(8, activation="relu")),
            layers.Dense(1),
        ])
        ''')
    ff = fix(fr)
    rep = ff.repairs[0]
    assert rep is not None, ff.diagnostics
    assert [e["op"] for e in rep["edits"]] == ["replace_layer"]
    assert '    layers.Dense(8, activation="relu"),\n' in ff.new_text
    assert "Bidirectional" not in ff.new_text
    again = load(ff.new_text)
    assert check(again.models[0]).valid


BRANCHES = '''\
    import keras
    from keras import layers

    inp = keras.Input(shape=(20, 4))
    a = layers.Bidirectional(layers.LSTM(8))(inp)
    b = layers.LSTM(8)(inp)
    out = layers.Add()([a, b])
    model = keras.Model(inp, out)
    '''


def test_width_mismatch_of_a_bidirectional_branch_proposes_wrap_and_unwrap():
    fr = load(BRANCHES)
    m = fr.models[0]
    res = check(m)
    moves = propose(m, res)
    assert any(isinstance(e, Wrap) for e in moves)
    assert any(isinstance(e, Unwrap) for e in moves)
    for e in moves:
        if isinstance(e, (Wrap, Unwrap)):
            assert check(e.apply(m)).valid


def test_wrap_is_written_with_the_files_spelling():
    fr = load(BRANCHES)
    # argument edits made expensive: the class-level repairs win
    ff = fix(fr, {"repair": {"costs": {"set_arg": 10, "insert_layer": 10, "insert_weighted_layer": 10}}})
    rep = ff.repairs[0]
    assert rep is not None, ff.diagnostics
    assert [e["op"] for e in rep["edits"]] == ["replace_layer"]
    new = ff.new_text
    assert ("b = layers.Bidirectional(layers.LSTM(8))(inp)" in new) or ("a = layers.LSTM(8)(inp)" in new), new
    assert check(load(new).models[0]).valid
