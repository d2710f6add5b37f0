"""Source patches: style kept, constants, insertion styles, diffs git accepts, suggestion line edits."""

import re
import shutil
from pathlib import Path
import subprocess
import textwrap

import pytest

from repair_engine.checker import check
from repair_engine.frontends import python_source
from repair_engine.repair import fix_file
from repair_engine.patch.diffs import line_edits, split_lines, unified_diff
from repair_engine.repair.edits import RemoveLayer
from repair_engine.patch.python import PatchError, format_value, patch_model


def load(text, path="model.py"):
    fr = python_source.load(path, text.encode("utf-8"))
    assert fr.models, fr.diagnostics
    return fr


def fix(text, config=None, path="model.py"):
    fr = load(text, path)
    checks = [check(m) for m in fr.models]
    assert any(not c.valid for c in checks)
    return fr, fix_file(fr, checks, config, verify=False)


def apply_line_edits(text, edits):
    lines = [l.rstrip("\r\n") for l in split_lines(text)]
    for e in sorted(edits, key=lambda e: -e["start_line"]):
        lines[e["start_line"] - 1:e["end_line"]] = e["new_lines"]
    return "\n".join(lines) + "\n"


def test_format_value_keeps_the_written_style():
    assert format_value((1, 1), "(3, 3)") == "(1, 1)"
    assert format_value((2, 2), "3") == "2"  # an int stays an int when all axes agree
    assert format_value((2, 3), "3") == "(2, 3)"
    assert format_value((4, 4), "[3, 3]") == "[4, 4]"
    assert format_value((28, 28, 1), "(28, 28)") == "(28, 28, 1)"
    assert format_value((5,), "(4,)") == "(5,)"
    assert format_value("same", "'valid'") == "'same'"
    assert format_value("same", '"valid"') == '"same"'
    assert format_value(True) == "True"


SEQ = textwrap.dedent('''\
    import keras
    from keras import layers

    # a comment that must survive
    model = keras.Sequential([
        keras.Input(shape=(6, 6, 3)),
        layers.MaxPooling2D(pool_size=(8, 8)),   # too large
        layers.Flatten(),
        layers.Dense(2),
    ])
''')


def test_argument_changed_in_place_with_tuple_style_and_comments_kept():
    fr, ff = fix(SEQ)
    rep = ff.repairs[0]
    assert "pool_size=(6, 6)" in ff.new_text
    assert "# a comment that must survive" in ff.new_text and "# too large" in ff.new_text
    changed = [e for e in rep["line_edits"]]
    assert changed == [{"file": "model.py", "start_line": 7, "end_line": 7,
                        "new_lines": ["    layers.MaxPooling2D(pool_size=(6, 6)),   # too large"]}]
    assert apply_line_edits(SEQ, rep["line_edits"]) == ff.new_text
    assert rep["edits"][0]["line"] == 7 and rep["edits"][0]["op"] == "set_arg"


def test_constant_used_once_is_changed_at_its_definition():
    src = SEQ.replace("import keras\n", "import keras\nPOOL = 8  # pool\n").replace("pool_size=(8, 8)", "pool_size=POOL")
    fr, ff = fix(src)
    assert "POOL = 6  # pool" in ff.new_text and "pool_size=POOL" in ff.new_text
    assert ff.repairs[0]["edits"][0]["line"] == 2


def test_constant_used_twice_is_changed_at_the_use_site():
    src = SEQ.replace("import keras\n", "import keras\nK = 8\n").replace("pool_size=(8, 8)", "pool_size=K").replace(
        "layers.Dense(2)", "layers.Dense(K)")
    fr, ff = fix(src)
    assert "K = 8" in ff.new_text and "pool_size=6" in ff.new_text and "layers.Dense(K)" in ff.new_text


FUNCTIONAL = textwrap.dedent('''\
    import keras
    from keras import layers

    inputs = keras.Input(shape=(10,))
    x = layers.Dense(16)(inputs)
    x = layers.Conv1D(4, 2)(x)  # needs 3-D
    x = layers.GlobalMaxPooling1D()(x)
    model = keras.Model(inputs, x)
''')


def test_functional_insertion_rewires_the_next_call():
    fr, ff = fix(FUNCTIONAL, {"repair": {"costs": {"set_input_shape": 9}}})
    new = ff.new_text
    assert "    x_reshape = layers.Reshape((16, 1))(x)\n" not in new  # top level: no indentation
    assert "x_reshape = layers.Reshape((16, 1))(x)\nx = layers.Conv1D(4, 2)(x_reshape)  # needs 3-D\n" in new
    again = load(new)
    assert check(again.models[0]).valid


ADD_CHAIN = textwrap.dedent('''\
    from keras.models import Sequential
    from keras.layers import Conv1D, Dense, Flatten


    def build():
        model = Sequential()
        model.add(Conv1D(4, 2, input_shape=(10,)))
        model.add(Flatten())
        model.add(Dense(1))
        return model


    model = build()
''')


def test_add_chain_insertion_moves_the_input_declaration_and_imports_the_class():
    fr, ff = fix(ADD_CHAIN, {"repair": {"costs": {"set_input_shape": 9}}})
    new = ff.new_text
    assert "from keras.layers import Conv1D, Dense, Flatten, Reshape\n" in new
    assert "    model.add(Reshape((10, 1), input_shape=(10,)))\n    model.add(Conv1D(4, 2))\n" in new
    assert check(load(new).models[0]).valid


def test_replaced_class_is_spelled_like_the_file():
    src = SEQ.replace("keras.Input(shape=(6, 6, 3))", "keras.Input(shape=(20, 3))").replace(
        "layers.MaxPooling2D(pool_size=(8, 8)),   # too large", "layers.MaxPooling2D(pool_size=(2, 2)),   # 2-D pooling")
    fr, ff = fix(src, {"repair": {"costs": {"set_input_shape": 9, "insert_layer": 9}}})
    assert "layers.MaxPooling1D(pool_size=(2,))" in ff.new_text or "layers.MaxPooling1D(pool_size=2)" in ff.new_text
    assert check(load(ff.new_text).models[0]).valid


def test_remove_layer_in_each_style():
    for src, gone in ((SEQ, "layers.Flatten(),"), (ADD_CHAIN, "model.add(Flatten())"),
                      (FUNCTIONAL, "layers.GlobalMaxPooling1D()")):
        fr = load(src)
        m = fr.models[0]
        target = next(l for l in m.layers if l.kind in ("Flatten", "GlobalMaxPooling1D"))
        new = patch_model(src, m, RemoveLayer(target=target.id, kind=target.kind).apply(m)).result().new_text
        assert gone not in new
        assert len(split_lines(src)) - len(split_lines(new)) in (0, 1)
        if "GlobalMaxPooling1D" in src:
            assert "x = x\n" in new  # the functional statement becomes a plain rebinding


def test_unpatchable_weights_are_refused():
    fr = load(SEQ)
    m = fr.models[0]
    from dataclasses import replace

    layer = m.layers[-1]
    bad = m.replace_layer(layer.id, replace(layer, weights=((1, 2),)))
    with pytest.raises(PatchError):
        patch_model(SEQ, m, bad).result()


def test_crlf_and_missing_final_newline_survive():
    src = SEQ.replace("\n", "\r\n").rstrip("\r\n")
    fr, ff = fix(src)
    assert "\r\n" in ff.new_text and "\n" not in ff.new_text.replace("\r\n", "")
    assert not ff.new_text.endswith("\n")
    diff = ff.repairs[0]["diff"]
    assert diff.startswith("--- a/model.py\n+++ b/model.py\n")


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
@pytest.mark.parametrize("src", [SEQ, ADD_CHAIN, FUNCTIONAL, SEQ.rstrip("\n"), SEQ.replace("\n", "\r\n")])
def test_diff_is_accepted_by_git_apply(tmp_path, src):
    fr, ff = fix(src, {"repair": {"costs": {"set_input_shape": 9}}})
    diff = ff.repairs[0]["diff"]
    (tmp_path / "model.py").write_bytes(src.encode())
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "fix.diff").write_bytes(diff.encode())
    subprocess.run(["git", "apply", "fix.diff"], cwd=tmp_path, check=True)
    assert (tmp_path / "model.py").read_bytes().decode() == ff.new_text


def test_line_edits_reproduce_the_patch():
    for src in (SEQ, ADD_CHAIN, FUNCTIONAL):
        fr, ff = fix(src, {"repair": {"costs": {"set_input_shape": 9}}})
        assert apply_line_edits(src, ff.repairs[0]["line_edits"]) == ff.new_text


def test_diff_helpers():
    assert unified_diff("a\n", "a\n", "x") == ""
    d = unified_diff("a\nb", "a\nc", "x")
    assert "\\ No newline at end of file" in d
    assert line_edits("a\nb\n", "a\nz\nb\n", "x") == [{"file": "x", "start_line": 1, "end_line": 1, "new_lines": ["a", "z"]}]


JSON_FIXTURE = Path(__file__).parent / "fixtures" / "repair" / "keras_json_missing_channel.json"


def load_json(text, path="model.json"):
    from repair_engine.frontends import keras_json

    return keras_json.load(path, text.encode())


def test_keras_json_value_edit_keeps_the_layout():
    text = JSON_FIXTURE.read_text()
    fr = load_json(text)
    ff = fix_file(fr, [check(m) for m in fr.models], None, verify=False)
    rep = ff.repairs[0]
    assert [e["op"] for e in rep["edits"]] == ["set_input_shape"]
    assert '"batch_shape": [\n            null,\n            20,\n            1\n          ]' in ff.new_text
    # everything outside the value is byte-identical
    assert ff.new_text.replace(",\n            1\n", "\n", 1) == text
    assert rep["verified"] is True and rep["diff"].startswith("--- a/model.json\n+++ b/model.json\n")
    assert apply_line_edits(text, rep["line_edits"]) == ff.new_text
    assert check(load_json(ff.new_text).models[0]).valid


def test_keras_json_structural_repair_is_written_through_the_frontend():
    text = JSON_FIXTURE.read_text()
    fr = load_json(text)
    ff = fix_file(fr, [check(m) for m in fr.models], {"repair": {"costs": {"set_input_shape": 20}}}, verify=False)
    rep = ff.repairs[0]
    assert rep["edits"] and all(e["op"] != "set_input_shape" for e in rep["edits"])
    assert any(e["op"] in ("insert_layer", "replace_layer", "remove_layer") for e in rep["edits"]), rep["edits"]
    # written as text (keras_json.patch_text), and the text read again is valid
    assert rep["diff"].startswith("--- a/model.json") and ff.new_text is not None
    assert check(load_json(ff.new_text).models[0]).valid


def test_batch_shape_keeps_its_batch_axis_when_rewritten():
    text = textwrap.dedent('''\
        import numpy as np
        from keras.models import Model
        from keras.layers import Input, LSTM, Dense, Flatten

        data = np.zeros((64, 5, 6))
        steps = None
        inputs = Input(batch_shape=(16, steps, 1))
        x = LSTM(4, return_sequences=True)(inputs)
        x = Flatten()(x)
        out = Dense(1)(x)
        model = Model(inputs=inputs, outputs=out)
        model.fit(data, np.zeros((64, 1)))
        ''')
    fr, ff = fix(text)
    rep = ff.repairs[0]
    assert rep is not None and ff.new_text is not None, ff.diagnostics
    assert "Input(batch_shape=(16, steps, 6))" in ff.new_text and "steps = 5\n" in ff.new_text
    m = load(ff.new_text).models[0]
    assert m.inputs[0].shape == (16, 5, 6)


WEIGHTS_SRC = '''\
import numpy as np
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    layers.Conv2D(8, (3, 3), activation="relu"),
    layers.Flatten(),
    layers.Dense(2),
])
model.layers[0].set_weights([np.zeros((8, 3, 3, 3)), np.zeros((8,))])
'''


def test_set_weights_shape_literal_is_rewritten():
    fr, ff = fix(WEIGHTS_SRC)
    rep = ff.repairs[0]
    assert rep is not None, ff.diagnostics
    assert [e["op"] for e in rep["edits"]] == ["set_weights"]
    assert "set_weights([np.zeros((3, 3, 3, 8)), np.zeros((8,))])" in ff.new_text
    assert ff.new_text.replace("(3, 3, 3, 8)", "(8, 3, 3, 3)") == WEIGHTS_SRC
    again = load(ff.new_text).models[0]
    assert check(again).valid


def test_weights_given_as_data_are_not_rewritten():
    src = WEIGHTS_SRC.replace("np.zeros((8, 3, 3, 3))", "np.array([[[[1.0]]]])")
    fr = load(src)
    checks = [check(m) for m in fr.models]
    assert not checks[0].valid
    ff = fix_file(fr, checks, None, verify=False)
    # the data cannot be rewritten and no layer change fits a one-value kernel
    assert ff.repairs[0] is None and ff.new_text is None
    assert any(d.kind == "repair_not_found" for d in ff.diagnostics)


def test_shape_tuple_of_names_is_rewritten_at_its_constants():
    text = textwrap.dedent('''\
        import numpy as np
        from keras.models import Model
        from keras.layers import Input, LSTM, Dense, Flatten

        data = np.zeros((64, 5, 6))
        batch = 16
        steps = None
        width = 1
        inputs = Input(batch_shape=(batch, steps, width))
        x = LSTM(4, return_sequences=True)(inputs)
        x = Flatten()(x)
        out = Dense(width)(x)
        model = Model(inputs=inputs, outputs=out)
        model.fit(data, np.zeros((64, 1)))
        ''')
    fr, ff = fix(text)
    assert ff.repairs[0] is not None, ff.diagnostics
    new = ff.new_text
    # `steps` is used only in the shape: changed at its definition; `width` also sizes
    # the Dense, so the shape gets a literal; `batch` is unchanged and keeps its name
    assert "steps = 5\n" in new
    assert "Input(batch_shape=(batch, steps, 6))" in new
    assert "out = Dense(width)(x)" in new and "width = 1\n" in new
    assert load(new).models[0].inputs[0].shape == (16, 5, 6)


def test_a_name_inside_a_tuple_argument_is_not_given_the_whole_tuple():
    text = textwrap.dedent('''\
        import keras
        from keras import layers

        k = 6
        model = keras.Sequential([
            keras.Input(shape=(4, 4, 1)),
            layers.Conv2D(2, (k, 3), padding="valid"),
            layers.Flatten(),
            layers.Dense(1),
        ])
        ''')
    fr, ff = fix(text, {"repair": {"costs": {"set_arg": 1.0, "insert_layer": 9, "set_input_shape": 9,
                                             "replace_layer": 9, "remove_layer": 9}}})
    rep = ff.repairs[0]
    assert rep is not None, ff.diagnostics
    assert "k = 6\n" in ff.new_text or re.search(r"(?m)^k = \d+$", ff.new_text)
    assert not re.search(r"(?m)^k = \(", ff.new_text)
    assert check(load(ff.new_text).models[0]).valid
