"""Edit sites, end-to-end verification and human-like fixes (issue 9).

A helper called N times, a loop body, a constant shared by layers: one source
site, one edit, written once. A repair is reported only when its exact text
compiles, re-reads to the repaired model and re-checks clean."""

import textwrap

from repair_engine.checker import check
from repair_engine.frontends import python_source
from repair_engine.repair import fix_file
from repair_engine.repair.verify import compiles, model_difference, verify


def load(text, path="model.py"):
    fr = python_source.load(path, textwrap.dedent(text).encode("utf-8"))
    assert fr.models, fr.diagnostics
    return fr


def fix(text, verify_keras=False):
    fr = load(text)
    checks = [check(m) for m in fr.models]
    return fr, fix_file(fr, checks, None, verify=verify_keras)


def recheck(text):
    fr = python_source.load("model.py", text.encode("utf-8"))
    return [check(m) for m in fr.models]


HELPER3 = """\
from tensorflow import keras
from tensorflow.keras import layers


def block(x, filters):
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.AveragePooling2D(3)(x)
    return x


inputs = keras.Input(shape=(8, 8, 3))
x = block(inputs, 16)
x = block(x, 32)
x = block(x, 64)
x = layers.Flatten()(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs, outputs)
"""


def test_helper_called_three_times_is_one_edit_written_once():
    fr, ff = fix(HELPER3)
    rep = ff.repairs[0]
    assert rep is not None and rep["verified"]
    assert len(rep["edits"]) == 1 and rep["edits"][0]["line"] == 7
    changed = [l for l in rep["diff"].splitlines() if l.startswith("+") and not l.startswith("+++")]
    assert len(changed) == 1
    # one keyword at most once per call: the old patch wrote padding="same" three times
    assert changed[0].count("=") <= 1 and compiles(ff.new_text, "model.py") is None
    assert all(c.valid for c in recheck(ff.new_text))


def test_a_loop_of_layers_is_one_edit():
    fr, ff = fix(
        """\
        import keras
        from keras import layers

        model = keras.Sequential()
        model.add(keras.Input(shape=(16, 16, 3)))
        for filters in [8, 16, 32]:
            model.add(layers.Conv2D(filters, 3, activation="relu"))
            model.add(layers.MaxPooling2D(4))
        model.add(layers.Flatten())
        model.add(layers.Dense(10, activation="softmax"))
        """
    )
    rep = ff.repairs[0]
    assert rep is not None and len(rep["edits"]) == 1
    assert len(rep["line_edits"]) == 1 and rep["line_edits"][0]["start_line"] in (7, 8)
    assert all(c.valid for c in recheck(ff.new_text))


def test_two_hundred_instances_of_a_helper_are_one_edit():
    calls = "\n".join("x = unit(x)" for _ in range(200))
    src = (
        "import keras\nfrom keras import layers\n\n\ndef unit(x):\n"
        "    x = layers.Dense(32, activation='relu')(x)\n    x = layers.Reshape((4, 8))(x)\n"
        "    x = layers.Conv1D(8, 5)(x)\n    x = layers.Flatten()(x)\n    return x\n\n\n"
        f"inputs = keras.Input(shape=(32,))\nx = inputs\n{calls}\n"
        "outputs = layers.Dense(1)(x)\nmodel = keras.Model(inputs, outputs)\n"
    )
    fr = python_source.load("model.py", src.encode("utf-8"))
    assert len(fr.models[0].layers) == 801
    ff = fix_file(fr, [check(fr.models[0])], None, verify=False)
    rep = ff.repairs[0]
    assert rep is not None and len(rep["edits"]) == 1 and rep["edits"][0]["line"] == 8
    assert "Conv1D(8, 4)" in ff.new_text and ff.new_text.count("Conv1D") == 1


def test_conv3d_among_1d_layers_becomes_conv1d():
    fr, ff = fix(
        """\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(100, 8)),
            layers.Conv1D(16, 3, activation="relu"),
            layers.Conv3D(32, 3, activation="relu"),
            layers.Conv1D(32, 3, activation="relu"),
            layers.GlobalAveragePooling1D(),
            layers.Dense(1),
        ])
        """
    )
    rep = ff.repairs[0]
    assert [e["op"] for e in rep["edits"]] == ["replace_layer"]
    assert 'layers.Conv1D(32, 3, activation="relu"),\n    layers.Conv1D(32' in ff.new_text
    assert "shape=(100, 8)" in ff.new_text


def test_input_that_matches_the_fit_data_is_kept():
    fr, ff = fix(
        """\
        import numpy as np
        import keras
        from keras import layers

        x_train = np.zeros((100, 32, 32, 3))
        y_train = np.zeros((100, 10))
        model = keras.Sequential([
            keras.Input(shape=(32, 32, 3)),
            layers.Conv2D(8, 3, activation="relu"),
            layers.MaxPooling2D(40),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(x_train, y_train, epochs=1)
        """
    )
    rep = ff.repairs[0]
    assert rep is not None
    assert "keras.Input(shape=(32, 32, 3))" in ff.new_text
    assert all(e["op"] != "set_input_shape" for e in rep["edits"])
    assert "model.fit(x_train, y_train" in ff.new_text


def test_the_data_given_to_fit_is_never_replaced_by_a_shape():
    fr, ff = fix(
        """\
        import numpy as np
        import keras
        from keras import layers

        x_train = np.random.rand(100, 24)
        y_train = np.random.rand(100, 1)
        model = keras.Sequential([
            keras.Input(shape=(12,)),
            layers.Dense(64, activation="relu"),
            layers.Dense(1),
        ])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x_train, y_train, epochs=1)
        """
    )
    assert "model.fit(x_train, y_train, epochs=1)" in ff.new_text
    assert "keras.Input(shape=(24,))" in ff.new_text


LEGACY = """\
from keras.models import Sequential
from keras.layers import Conv2D, MaxPooling2D, Flatten, Dense

model = Sequential()
model.add(Conv2D(32, (3, 3), border_mode="same", input_shape=(28, 28, 1)))
model.add(MaxPooling2D(pool_size=(30, 30)))
model.add(Conv2D(64, (3, 3), border_mode="valid"))
model.add(Flatten())
model.add(Dense(10, activation="softmax"))
"""


def test_a_rejected_keras1_keyword_is_part_of_the_repair():
    fr, ff = fix(LEGACY)
    rep = ff.repairs[0]
    assert rep is not None and rep["verified"]
    assert "border_mode" not in ff.new_text and ff.new_text.count("padding=") == 2
    assert 'padding="same", input_shape=(28, 28, 1)' in ff.new_text
    ops = [e["description"] for e in rep["edits"]]
    assert sum("border_mode" in d for d in ops) == 2 and any("pool_size" in d for d in ops)


def test_a_valid_model_written_with_a_rejected_keyword_is_rewritten():
    fr, ff = fix(LEGACY.replace("(30, 30)", "(2, 2)"))
    assert ff.repairs[0] is not None and "border_mode" not in ff.new_text
    assert "pool_size=(2, 2)" in ff.new_text


def test_verification_refuses_a_text_that_does_not_compile():
    fr = load(HELPER3)
    model = fr.models[0]
    bad = HELPER3.replace("AveragePooling2D(3)", 'AveragePooling2D(3, padding="same", padding="same")')
    ver = verify(model, "python", "model.py", bad, 0, use_oracle=False)
    assert ver.verified is False and "compile" in ver.reason and ver.by is None


def test_verification_refuses_a_text_that_reads_as_another_model():
    fr, ff = fix(HELPER3)
    repaired = ff.repairs[0]
    assert repaired is not None
    model = fr.models[0]
    # the original text does not hold the repair: re-read, it is another model
    other = load(HELPER3.replace("AveragePooling2D(3)", "AveragePooling2D(1)")).models[0]
    assert model_difference(model, other) is not None
    ver = verify(model, "python", "model.py", HELPER3.replace("AveragePooling2D(3)", "AveragePooling2D(1)"), 0, False)
    assert ver.verified is False and "another model" in ver.reason


def test_verified_by_names_the_judge(keras_oracle):
    fr, ff = fix(HELPER3, verify_keras=True)
    assert ff.repairs[0]["verified_by"] == "keras"
    fr, ff = fix(HELPER3, verify_keras=False)
    assert ff.repairs[0]["verified_by"] == "semantics"


def test_evidence_decides_an_input_fed_its_data_shape_is_kept():
    """Input (20,) is fed x of shape (100, 20) by fit(): the Conv1D that needs a
    3-D input is fixed downstream, not by reinterpreting the data as (20, 1)."""
    from types import SimpleNamespace

    fr = load(
        """\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(20,)),
            layers.Dense(64, activation="relu"),
            layers.Conv1D(16, 3),
            layers.Flatten(),
            layers.Dense(1),
        ])
        """
    )
    model = fr.models[0]
    without = fix_file(fr, [check(model)], None, verify=False).repairs[0]
    assert [e["op"] for e in without["edits"]] == ["set_input_shape"]  # no evidence: the cheapest edit
    feed = SimpleNamespace(xs=(SimpleNamespace(shape=(100, 20), role="x"),), x_struct="single")
    object.__setattr__(model, "feeds", (feed,))  # what the frontend records for model.fit(x_train, ...)
    rep = fix_file(fr, [check(model)], None, verify=False).repairs[0]
    assert rep is not None and all(e["op"] != "set_input_shape" for e in rep["edits"])
    assert "keras.Input(shape=(20,))" in rep["diff"] or "Input(shape" not in rep["diff"]
