"""Keras 1/2 input declarations and several faults in one file (issue 9 items 4).

`batch_input_shape=` on a Sequential's first layer is rejected by Keras 3: the
repair declares it as a `keras.Input(batch_shape=...)` written with the value's
own source text, and no message or suggestion ever shows UNKNOWN. Independent
faults of a file are all fixed in one coherent repair: no two edits of one
argument, every written text compiles and re-checks clean."""

import textwrap

from repair_engine.checker import check
from repair_engine.frontends import python_source
from repair_engine.repair import fix_file


def load(text, path="model.py"):
    fr = python_source.load(path, textwrap.dedent(text).encode("utf-8"))
    assert fr.models, fr.diagnostics
    return fr


def fix(text, verify_keras=False):
    fr = load(text)
    return fr, fix_file(fr, [check(m) for m in fr.models], None, verify=verify_keras)


def recheck(text):
    fr = python_source.load("model.py", text.encode("utf-8"))
    return fr, [check(m) for m in fr.models]


def messages(fr):
    return [d.message for m in fr.models for d in check(m).diagnostics] + [d.message for d in fr.diagnostics]


UNEVALUATED = """\
import tensorflow as tf
n_tokens = len(open("vocab.txt").read())
model = tf.keras.Sequential([
    tf.keras.layers.GRU(128, return_sequences=True, stateful=True,
                        batch_input_shape=[32, None, n_tokens]),
    tf.keras.layers.Dense(10, activation="softmax"),
])
"""


def test_a_batch_input_shape_not_evaluated_is_quoted_as_written():
    fr = load(UNEVALUATED)
    said = [m for m in messages(fr) if "batch_input_shape" in m]
    assert said, messages(fr)
    assert all("UNKNOWN" not in m and "..." not in m for m in said)
    assert any("keras.Input(batch_shape=[32, None, n_tokens])" in m for m in said)


STATEFUL = """\
import tensorflow as tf
model = tf.keras.Sequential([
    tf.keras.layers.Embedding(input_dim=40, output_dim=16,
                              batch_input_shape=[1, None]),
    tf.keras.layers.GRU(128, return_sequences=True, stateful=True),
    tf.keras.layers.Dense(40, activation="softmax"),
])
"""


def assert_clean(ff, fr_before):
    assert ff.new_text is not None
    compile(ff.new_text, "<fixed>", "exec", dont_inherit=True)  # never executed
    fr, checks = recheck(ff.new_text)
    assert all(c.valid for c in checks), [d.message for c in checks for d in c.errors]
    assert len(fr.models) == len(fr_before.models)
    assert "batch_input_shape" not in ff.new_text
    return fr


def test_batch_input_shape_becomes_a_keras_input_verified_by_keras(keras_oracle):
    fr, ff = fix(STATEFUL, verify_keras=True)
    rep = ff.repairs[0]
    assert rep is not None and rep["verified_by"] == "keras"
    assert "tf.keras.layers.Input(batch_shape=[1, None])," in ff.new_text
    assert "Embedding(input_dim=40, output_dim=16)" in ff.new_text
    after = assert_clean(ff, fr)
    assert tuple(after.models[0].inputs[0].shape) == (1, None)
    assert any("batch_input_shape" in e["description"] for e in rep["edits"])
    assert all("UNKNOWN" not in e["description"] and "..." not in e["description"] for e in rep["edits"])


ADDED = """\
from keras.models import Sequential
from keras.layers import Dense, LSTM

model = Sequential()
model.add(LSTM(8, stateful=True, batch_input_shape=(4, 10, 3)))
model.add(Dense(1))
"""


def test_batch_input_shape_with_add_and_bare_class_names():
    fr, ff = fix(ADDED)
    assert ff.repairs[0] is not None and ff.repairs[0]["verified"]
    assert "model.add(Input(batch_shape=(4, 10, 3)))\nmodel.add(LSTM(8, stateful=True))" in ff.new_text
    assert "Input" in ff.new_text.splitlines()[1]  # the import the new call needs
    assert_clean(ff, fr)


SEVERAL = """\
from keras.models import Sequential
from keras.layers import Conv2D, MaxPooling2D, Flatten, Dense

model = Sequential()
model.add(Conv2D(32, (3, 3), border_mode="same", batch_input_shape=(16, 28, 28, 1)))
model.add(MaxPooling2D(pool_size=(40, 40)))
model.add(Conv2D(64, (3, 3), padding="smae"))
model.add(Flatten())
model.add(Dense(10, activation="softmax"))
"""


def test_all_faults_of_a_file_are_one_coherent_repair(keras_oracle):
    """A legacy keyword, a legacy input declaration, a window larger than its
    input and a misspelled padding: one repair fixes them all, no argument is
    edited twice, and real Keras builds the result."""
    fr, ff = fix(SEVERAL, verify_keras=True)
    rep = ff.repairs[0]
    assert rep is not None and rep["verified_by"] == "keras"
    assert_clean(ff, fr)
    assert "border_mode" not in ff.new_text and "smae" not in ff.new_text
    assert "Input(batch_shape=(16, 28, 28, 1))" in ff.new_text
    targets = [(e["line"], e["description"].split(":")[0], e["description"].split(" ")[3]) for e in rep["edits"]]
    assert len(targets) == len(set(targets)), targets  # no conflicting pair: one edit per argument
    for alt in rep["alternatives"]:
        assert alt["verified_by"] == "keras"


TWO_MODELS = """\
import keras
from keras import layers

a = keras.Sequential([keras.Input(shape=(8, 8, 3)), layers.MaxPooling2D(16), layers.Flatten()])
b = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(4), layers.Conv1D(4, 3)])
"""


def test_independent_faults_of_two_models_are_each_fixed_and_written_together():
    fr, ff = fix(TWO_MODELS)
    assert ff.repairs[0] is not None and ff.repairs[1] is not None
    after, checks = recheck(ff.new_text)
    assert len(after.models) == 2 and all(c.valid for c in checks)
    # each model's own repair, written into one text
    assert "MaxPooling2D(16)" not in ff.new_text


CHANNELS_FIRST_FED_CHANNELS_LAST = """\
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import ZeroPadding2D, Convolution2D, MaxPooling2D, Flatten, Dense
import numpy as np

X = np.array(np.random.random((2, 224, 224, 3)), dtype=np.float32)
Y = np.eye(1000)[np.random.randint(0, 1000, 2)]
model = Sequential()
model.add(ZeroPadding2D((1, 1), input_shape=(3, 224, 224)))
model.add(Convolution2D(64, 3, 3, activation="relu"))
model.add(ZeroPadding2D((1, 1)))
model.add(Convolution2D(64, 3, 3, activation="relu"))
model.add(MaxPooling2D((2, 2), strides=(2, 2)))
model.add(Flatten())
model.add(Dense(1000, activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam")
model.fit(X, Y, epochs=1, batch_size=1)
"""


def test_the_data_fed_to_fit_decides_the_input_shape():
    """SFData s39815518: a (3, 224, 224) input fed (n, 224, 224, 3) images. Two
    legacy-flagged strides removals would also make the model valid, but the
    data says the input is channels-last by mistake: the input is fixed."""
    fr, ff = fix(CHANNELS_FIRST_FED_CHANNELS_LAST)
    rep = ff.repairs[0]
    assert rep is not None and rep["verified"]
    assert [e["op"] for e in rep["edits"]] == ["set_input_shape"], rep["edits"]
    assert "input_shape=(224, 224, 3)" in ff.new_text
    assert ff.new_text.count("Convolution2D(64, 3, 3") == 2
