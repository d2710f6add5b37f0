"""The Python-source frontend on our own fixtures: graph, shapes, exact spans.

Expected spans are located independently of the frontend: by searching the
fixture text for the expression (str.find, character columns).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from repair_engine.checker import check
from repair_engine.frontends import python_source
from repair_engine.ir import UNKNOWN

FIX = Path(__file__).parent / "fixtures" / "python"


def load(name: str):
    path = FIX / name
    return python_source.load(str(path), path.read_bytes())


def text_span(name: str, needle: str, nth: int = 1, within: str | None = None) -> tuple:
    """(line, col, end_line, end_col) of the nth occurrence of `needle` (inside the
    first occurrence of `within`, when given), 1-based char columns."""
    text = (FIX / name).read_text(encoding="utf-8")
    pos = -1 if within is None else text.index(within) - 1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    before = text[:pos]
    line = before.count("\n") + 1
    col = pos - (before.rfind("\n") + 1) + 1
    end = text[: pos + len(needle)]
    end_line = end.count("\n") + 1
    end_col = len(end) - (end.rfind("\n") + 1) + 1
    return (line, col, end_line, end_col)


def tup(span) -> tuple:
    return (span.line, span.col, span.end_line, span.end_col)


def model_named(result, name):
    for m in result.models:
        if m.name == name:
            return m
    raise AssertionError(f"no model {name}: {[m.name for m in result.models]}")


def chain(model) -> list:
    return [(l.kind, l.inputs[0].node if l.inputs else None) for l in model.layers]


def errors(model) -> list:
    return [d for d in check(model).diagnostics if d.severity == "error"]


# ---------------------------------------------------------------- import styles
def test_keras_sequential_list_with_constants():
    r = load("imp_keras_seq_list.py")
    m = model_named(r, "model")
    assert m.style == "sequential"
    assert [l.kind for l in m.layers] == ["Conv2D", "MaxPooling2D", "Flatten", "Dense"]
    assert tup(m.span) == text_span("imp_keras_seq_list.py", "keras.Sequential(\n    [\n        keras.Input(shape"
                                    "=input_shape),\n        layers.Conv2D(32, kernel_size=(3, 3), activation=\"relu\"),"
                                    "\n        layers.MaxPooling2D(pool_size=(2, 2)),\n        layers.Flatten(),\n  "
                                    "      layers.Dense(num_classes, activation=\"softmax\"),\n    ]\n)")
    inp = m.inputs[0]
    assert inp.shape == (None, 28, 28, 1) and inp.declared_as == "Input"
    assert tup(inp.span) == text_span("imp_keras_seq_list.py", "keras.Input(shape=input_shape)")
    assert tup(inp.shape_span) == text_span("imp_keras_seq_list.py", "input_shape", within="Input(shape=")
    assert inp.shape_source.origin_name == "input_shape"
    assert tup(inp.shape_source.origin) == text_span("imp_keras_seq_list.py", "(28, 28, 1)")
    conv = m.layers[0]
    assert conv.args == {"filters": 32, "kernel_size": (3, 3), "activation": "relu"}
    assert tup(conv.span) == text_span("imp_keras_seq_list.py", 'layers.Conv2D(32, kernel_size=(3, 3), activation="relu")')
    assert conv.arg_sources["filters"].position == 0 and conv.arg_sources["filters"].keyword is None
    assert tup(conv.arg_sources["kernel_size"].span) == text_span("imp_keras_seq_list.py", "(3, 3)")
    assert conv.arg_sources["kernel_size"].keyword == "kernel_size"
    dense = m.layers[-1]
    src = dense.arg_sources["units"]
    assert tup(src.span) == text_span("imp_keras_seq_list.py", "num_classes", within="Dense(num")
    assert src.origin_name == "num_classes" and tup(src.origin) == text_span("imp_keras_seq_list.py", "10")
    res = check(m)
    assert res.valid and res.output_shapes == [(None, 10)]
    # Flatten of (None, 13, 13, 32)
    assert res.shapes["flatten"] == [(None, 5408)]


def test_tf_keras_sequential_add_input_shape():
    r = load("imp_tf_keras_add.py")
    m = model_named(r, "model")
    assert chain(m) == [("Dense", "input_layer"), ("Dropout", "dense"), ("Dense", "dropout")]
    inp = m.inputs[0]
    assert inp.shape == (None, 20) and inp.declared_as == "input_shape"
    assert tup(inp.span) == text_span("imp_tf_keras_add.py",
                                      'tf.keras.layers.Dense(64, activation="relu", input_shape=(20,))')
    assert tup(inp.shape_span) == text_span("imp_tf_keras_add.py", "(20,)")
    assert "input_shape" not in m.layers[0].args
    assert tup(m.span) == text_span("imp_tf_keras_add.py", "tf.keras.models.Sequential()")
    assert check(m).output_shapes == [(None, 3)]


def test_aliases_and_input_layer_and_input_dim():
    r = load("imp_aliases.py")
    m = model_named(r, "model")
    assert [l.kind for l in m.layers] == ["Conv2D", "GlobalAveragePooling2D", "Dense"]
    assert m.inputs[0].shape == (None, 32, 32, 3)
    assert tup(m.layers[0].span) == text_span("imp_aliases.py", 'C(16, 3, padding="same")')
    assert check(m).output_shapes == [(None, 5)]
    other = model_named(r, "other")
    assert other.inputs[0].shape == (None, 8) and other.inputs[0].declared_as == "input_dim"
    assert check(other).output_shapes == [(None, 2)]


def test_star_imports_and_embedding_input_length():
    r = load("imp_star.py")
    m = model_named(r, "model")
    assert [l.kind for l in m.layers] == ["Embedding", "LSTM", "Dense"]
    assert m.inputs[0].shape == (None, 12)
    warns = [d for d in m.notes if d.kind == "legacy_api"]
    assert len(warns) == 1 and "input_length" in warns[0].message
    assert tup(warns[0].span) == text_span("imp_star.py", "12", within="input_length=12")


def test_legacy_module_paths():
    r = load("imp_legacy_paths.py")
    m = model_named(r, "model")
    assert [l.kind for l in m.layers] == ["Conv2D", "MaxPooling2D", "Flatten", "Dense"]
    assert check(m).output_shapes == [(None, 2)]
    paths = [d for d in r.diagnostics if d.kind == "legacy_api"]
    assert {d.span.line for d in paths} == {3, 4}
    assert all(d.severity == "warning" and d.code == "NNR401" for d in paths)


# ---------------------------------------------------------- construction styles
def test_sequential_build():
    m = model_named(load("seq_build.py"), "model")
    assert m.inputs[0].shape == (None, 12) and m.inputs[0].declared_as == "build"
    assert tup(m.inputs[0].shape_span) == text_span("seq_build.py", "(None, 12)")
    assert check(m).output_shapes == [(None, 4)]


def test_functional_branches_merges_shared_dict_outputs():
    name = "functional_branches.py"
    m = model_named(load(name), "model")
    assert m.style == "functional"
    assert m.inputs[0].id == "features" and m.inputs[0].shape == (None, 32)
    kinds = {l.id: l for l in m.layers}
    shared_calls = [l for l in m.layers if l.instance == "dense"]
    assert len(shared_calls) == 2 and shared_calls[0].id != shared_calls[1].id
    assert all(tup(l.span) == text_span(name, 'layers.Dense(16, activation="relu")') for l in shared_calls)
    add = kinds["add"]
    assert add.kind == "Add" and add.list_input and [e.node for e in add.inputs] == ["dense", shared_calls[1].id]
    assert tup(add.span) == text_span(name, "layers.add([a, c])")
    concat = kinds["concatenate"]
    assert concat.args == {"axis": -1} and tup(concat.span) == text_span(name, "layers.Concatenate(axis=-1)")
    assert [e.node for e in m.outputs] == ["kind", "score"]  # Keras orders dict outputs by key
    res = check(m)
    assert res.valid
    assert res.output_shapes == [(None, 3), (None, 1)]
    assert res.shapes["concatenate"] == [(None, 48)]


def test_functional_multi_input_positional_model():
    m = model_named(load("functional_multi_input.py"), "model")
    assert len(m.inputs) == 2
    assert [l.kind for l in m.layers] == ["Multiply", "Average", "Concatenate", "Dense"]
    assert check(m).output_shapes == [(None, 1), (None, 16)]


def test_nested_models_inline_with_right_shapes():
    r = load("nested_models.py")
    m = model_named(r, "model")
    assert [l.kind for l in m.layers] == ["Dense", "Dense", "Dense", "Dense"]
    # the encoder's Dense is the same instance inside `model`
    enc = model_named(r, "encoder")
    assert m.layers[2].instance == enc.layers[0].instance
    assert check(m).output_shapes == [(None, 2)]
    block = model_named(r, "block")
    assert check(block).output_shapes == [(None, 16)]  # built by its call on an Input


def test_helpers_loops_comprehensions():
    name = "helpers_loops.py"
    m = model_named(load(name), "model")
    kinds = [l.kind for l in m.layers]
    assert kinds == ["Conv2D", "BatchNormalization", "MaxPooling2D"] * 3 + ["Conv2D", "Conv2D",
                                                                             "GlobalAveragePooling2D",
                                                                             "Dense", "Dense", "Dense"]
    convs = [l for l in m.layers if l.kind == "Conv2D"][:3]
    assert [c.args["filters"] for c in convs] == [16, 32, 64]
    # the helper's kernel came through its default, bound to a module constant
    k = convs[0].arg_sources["kernel_size"]
    assert k.origin_name == "KERNEL" and tup(k.origin) == text_span(name, "3", within="KERNEL = 3")
    # the filters came from the loop variable bound to a literal list element
    assert tup(convs[0].span) == text_span(name, 'layers.Conv2D(filters, kernel, padding="same", activation="relu")')
    assert m.layers[-1].args["units"] == 5
    assert check(m).output_shapes == [(None, 5)]


def test_subclassed_model_and_custom_layer():
    r = load("subclassed.py")
    m = model_named(r, "model")
    assert m.style == "subclassed"
    assert [l.kind for l in m.layers] == ["Dense", "Dropout", "Dense"]
    assert m.layers[0].args["units"] == 16  # constructor argument, not the default
    assert m.inputs[0].shape == (None, 10)
    assert check(m).output_shapes == [(None, 4)]
    custom = model_named(r, "custom")
    scale = [l for l in custom.layers if l.kind == "Scale"]
    assert len(scale) == 1
    res = check(custom)
    assert res.valid and res.output_shapes == [None]
    # a custom layer that only wires Keras layers is inlined
    resolved = model_named(r, "resolved")
    assert [l.kind for l in resolved.layers] == ["Dense", "Activation"]
    assert tup(resolved.layers[0].span) == text_span("subclassed.py", "layers.Dense(units)")
    assert check(resolved).output_shapes == [(None, 7)]
    tower = model_named(r, "tower")
    assert tower.style == "functional" and check(tower).output_shapes == [(None, 9)]


def test_fragment_without_imports():
    m = model_named(load("fragment.py"), "model")
    assert [l.kind for l in m.layers] == ["LSTM", "LSTM"]
    errs = errors(m)
    assert len(errs) == 1 and errs[0].kind == "rank_mismatch" and errs[0].span.line == 3


# -------------------------------------------------------------------- legacy
def test_legacy_keras1_keywords_normalized_and_warned():
    name = "legacy_keras1.py"
    m = model_named(load(name), "model")
    conv = m.layers[0]
    assert conv.kind == "Conv2D" and conv.written_kind == "Convolution2D"
    assert conv.args["filters"] == 16 and conv.args["kernel_size"] == (3, 3) and conv.args["padding"] == "same"
    assert conv.legacy == {"filters": "nb_filter", "padding": "border_mode", "kernel_size": "nb_row/nb_col"}
    assert conv.arg_sources["padding"].keyword == "border_mode"
    assert tup(conv.arg_sources["padding"].span) == text_span(name, '"same"')
    conv2 = m.layers[2]
    assert conv2.args["strides"] == (1, 1) and conv2.legacy["strides"] == "subsample"
    assert conv2.args["kernel_initializer"] == "he_normal"
    assert m.layers[4].args == {"units": 10} and m.layers[5].args == {"rate": 0.5}
    warns = [d for d in m.notes if d.kind == "legacy_api"]
    # Keras 3 rejects these keywords: errors (issue 10 item 8), still NNR401
    assert all(d.code == "NNR401" for d in warns)
    assert all(d.severity == "error" for d in warns if "rejects" in d.message)
    text = " ".join(d.message for d in warns)
    for word in ("nb_filter", "border_mode", "subsample", "init", "output_dim", "kernel_size=(3, 3)", "strides=3"):
        assert word in text


def test_keras1_positional_kernel_is_read_as_strides():
    name = "legacy_positional.py"
    m = model_named(load(name), "model")
    conv = m.layers[0]
    assert conv.args == {"filters": 8, "kernel_size": 3, "strides": 3}
    warn = [d for d in m.notes if d.kind == "legacy_api"]
    assert len(warn) == 1 and "Conv2D(8, (3, 3))" in warn[0].message
    assert tup(warn[0].span) == text_span(name, "3", within="3, input_shape")
    assert check(m).output_shapes == [(None, 1)]


def test_keras1_merge_of_sequential_branches():
    name = "legacy_merge.py"
    m = model_named(load(name), "model")
    assert [i.shape for i in m.inputs] == [(None, 784), (None, 100)]
    merge = [l for l in m.layers if l.written_kind == "Merge"][0]
    assert merge.kind == "Concatenate" and merge.list_input
    assert tup(merge.span) == text_span(name, 'Merge([left, right], mode="concat")')
    assert check(m).output_shapes == [(None, 10)]
    assert any(d.kind == "legacy_api" and "Merge" in d.message for d in m.notes)


# --------------------------------------------------------------- buggy variants
@pytest.mark.parametrize(
    "name, kind, needle, nth, within",
    [
        ("bug_seq_rank.py", "rank_mismatch", "layers.Conv2D(10, (3, 3), input_shape=(30, 30))", 1, None),
        ("bug_functional_merge.py", "merge_shape_mismatch", "layers.add([a, b])", 1, None),
        # argument-blaming diagnostics point at the argument's value expression
        ("bug_helper_kernel.py", "non_positive_dim", "2", 1, "D(2)"),
        ("bug_legacy_strides.py", "non_positive_dim", "(2, 2)", 2, None),
        ("bug_nested.py", "rank_mismatch", "layers.LSTM(4)", 1, None),
        ("bug_subclassed.py", "rank_mismatch", "layers.Conv1D(8, 3)", 1, None),
        ("bug_shared.py", "incompatible_shape", "layers.Dense(4)", 1, None),
        ("bug_constants.py", "reshape_size", "TARGET", 2, None),
        ("bug_loop.py", "non_positive_dim", "2", 1, "D(2)"),
        # a layer built in another model: blamed at the call that feeds it
        ("bug_prebuilt.py", "weight_shape", "last(code_in)", 1, None),
        ("bug_data_built.py", "rank_mismatch", "layers.Conv2D(4, 3)", 1, None),
        ("bug_set_weights.py", "weight_shape", "[np.zeros((4, 6)), np.zeros((4,))]", 1, None),
        ("bug_labels.py", "data_target_mismatch", "y", 1, "model.fit(x, "),
        ("bug_data_mismatch.py", "data_shape_mismatch", "features", 1, "model.predict("),
    ],
)
def test_buggy_variant_reported_at_exact_span(name, kind, needle, nth, within):
    r = load(name)
    found = [d for m in r.models for d in errors(m)]
    assert found, f"no error in {name}"
    assert found[0].kind == kind
    assert tup(found[0].span) == text_span(name, needle, nth, within)


def test_layers_attribute_gives_the_same_instance():
    r = load("bug_prebuilt.py")
    dec = model_named(r, "decoder")
    auto = model_named(r, "autoencoder")
    assert dec.layers[0].instance == auto.layers[-1].instance
    assert dec.layers[0].weights == ((64, 784), (784,))  # built by its first call, in the autoencoder


def test_unbuilt_model_takes_its_input_from_static_data():
    m = model_named(load("bug_data_built.py"), "model")
    inp = m.inputs[0]
    assert inp.shape == (None, 30, 30) and inp.declared_as == "data"
    assert tup(inp.shape_span) == text_span("bug_data_built.py", "images", within="model.predict(")
    ok = load("data_ok.py")
    assert all(check(m).valid for m in ok.models)  # Keras adds the trailing axis of 1 itself


def test_constant_origin_is_related_location():
    r = load("bug_constants.py")
    d = errors(model_named(r, "model"))[0]
    assert d.argument == "target_shape"
    # the constant first; the input declaration that flows into the layer after it
    assert tup(d.related[0].span) == text_span("bug_constants.py", "(7, 7, 32)")
    assert all("declared here" in x.message for x in d.related[1:])


# ------------------------------------------------------------------ misc rules
def test_non_ascii_columns_are_characters(tmp_path):
    src = "import keras\n# é\nmodel = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name='é')])  # ü\n"
    src = src.replace("keras.Sequential", "keras.Sequential") .replace("name='é'", "name='éé'")
    line3 = "x = 'ü'; model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n"
    data = ("import keras\n# é\n" + line3).encode("utf-8")
    r = python_source.load("t.py", data)
    m = r.models[0]
    col = line3.index("keras.layers.Dense(2)") + 1
    assert tup(m.layers[0].span) == (3, col, 3, col + len("keras.layers.Dense(2)"))


def test_unknown_values_are_unknown_with_a_note():
    data = (b"import keras\nimport numpy as np\nX = np.load('x.npy')\n"
            b"model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(X.shape[1]),"
            b" keras.layers.Dense(2)])\n")
    r = python_source.load("u.py", data)
    m = r.models[0]
    assert m.layers[0].args["units"] is UNKNOWN
    notes = [d for d in m.notes if d.kind == "unsupported_construct" and d.severity == "info"]
    assert any("units" in d.message for d in notes)
    assert check(m).valid


def test_uncertain_branch_makes_names_unknown_not_guessed():
    data = (b"import keras, sys\nunits = 4\nif sys.argv[1] == 'x':\n    units = 0\n"
            b"model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(units)])\n")
    m = python_source.load("b.py", data).models[0]
    assert m.layers[0].args["units"] is UNKNOWN
    assert check(m).valid


def test_image_data_format_default_branch():
    data = (b"from keras import backend as K\nimport keras\n"
            b"if K.image_data_format() == 'channels_first':\n    shape = (1, 28, 28)\nelse:\n    shape = (28, 28, 1)\n"
            b"model = keras.Sequential([keras.Input(shape=shape), keras.layers.Conv2D(4, 3)])\n")
    m = python_source.load("f.py", data).models[0]
    assert m.inputs[0].shape == (None, 28, 28, 1)


def test_return_state_outputs_unpack():
    data = (b"import keras\nfrom keras import layers\ninp = keras.Input(shape=(5, 3))\n"
            b"out, h, c = layers.LSTM(4, return_state=True)(inp)\nmodel = keras.Model(inp, [out, h, c])\n")
    m = python_source.load("r.py", data).models[0]
    assert [(e.node, e.index) for e in m.outputs] == [("lstm", 0), ("lstm", 1), ("lstm", 2)]


def test_legacy_input_declarations():
    data = (b"from keras.models import Sequential\nfrom keras.layers import Dense, LSTM\n"
            b"a = Sequential()\na.add(Dense(4, batch_input_shape=(32, 10)))\n"
            b"b = Sequential()\nb.add(LSTM(8, input_dim=6, input_length=5))\n")
    r = python_source.load("l.py", data)
    a, b = model_named(r, "a"), model_named(r, "b")
    assert a.inputs[0].shape == (32, 10) and a.inputs[0].declared_as == "batch_input_shape"
    assert tup(a.inputs[0].shape_span) == (4, 34, 4, 42)
    assert b.inputs[0].shape == (None, 5, 6)
    assert check(a).output_shapes == [(32, 4)] and check(b).output_shapes == [(None, 8)]
    assert any("batch_input_shape" in d.message for d in a.notes)
    assert any("input_length" in d.message for d in b.notes)


def test_sniff():
    assert python_source.sniff("a.py", (FIX / "imp_keras_seq_list.py").read_bytes())
    assert python_source.sniff("a.py", (FIX / "legacy_keras1.py").read_bytes())
    assert not python_source.sniff("a.py", b"import os\nprint('hello')\n")
    assert not python_source.sniff("a.py", b"import keras\nprint(keras.__version__)\n")
    assert not python_source.sniff("a.py", b"x = 'keras'\nmodel = Sequential()\n")


@pytest.mark.parametrize(
    "written, canonical",
    [
        ("tensorflow.keras.layers.Conv2D", "keras.layers.Conv2D"),
        ("tensorflow.python.keras.layers.core.Dense", "keras.layers.Dense"),
        ("keras.layers.recurrent.LSTM", "keras.layers.LSTM"),
        ("keras.layers.convolutional.Conv2D", "keras.layers.Conv2D"),
        ("tensorflow.keras.layers.experimental.preprocessing.Rescaling", "keras.layers.Rescaling"),
        ("keras.models.Sequential", "keras.Sequential"),
        ("tensorflow.keras.models.Model", "keras.Model"),
        ("keras.engine.topology.Input", "keras.Input"),
        ("keras.layers.Input", "keras.Input"),
        ("keras.layers.merge.concatenate", "keras.layers.concatenate"),
        ("tf_keras.layers.Dense", "keras.layers.Dense"),
        ("keras.src.layers.Dense", "keras.layers.Dense"),
        ("numpy.zeros", "numpy.zeros"),
    ],
)
def test_import_paths_canonical(written, canonical):
    from repair_engine.frontends.python.imports import canonical as canon

    assert canon(written) == canonical


def test_import_spellings_build_the_same_model():
    body = "model = {seq}([{inp}(shape=(8,)), {dense}(3)])\n"
    variants = [
        "import keras\n" + body.format(seq="keras.Sequential", inp="keras.Input", dense="keras.layers.Dense"),
        "import tensorflow as tf\n" + body.format(seq="tf.keras.Sequential", inp="tf.keras.Input",
                                                  dense="tf.keras.layers.Dense"),
        "from tensorflow.keras import layers, models, Input\n" + body.format(seq="models.Sequential", inp="Input",
                                                                            dense="layers.Dense"),
        "import tensorflow.keras.layers as L\nfrom keras.models import Sequential\n"
        + body.format(seq="Sequential", inp="L.Input", dense="L.Dense"),
        "from tensorflow.python.keras.layers import *\nfrom tensorflow.keras.models import *\n"
        + body.format(seq="Sequential", inp="Input", dense="Dense"),
    ]
    for src in variants:
        r = python_source.load("v.py", src.encode())
        assert len(r.models) == 1, src
        assert check(r.models[0]).output_shapes == [(None, 3)], src


def test_config_class_constants_with_provenance():
    src = (
        "import keras\n"
        "class Config:\n"
        "    units = 0\n"
        "    shape = (8,)\n"
        "model = keras.Sequential([keras.Input(shape=Config.shape), keras.layers.Dense(Config.units)])\n"
    )
    m = python_source.load("c.py", src.encode()).models[0]
    assert m.inputs[0].shape == (None, 8)
    src_units = m.layers[0].arg_sources["units"]
    assert src_units.origin_name == "units" and (src_units.origin.line, src_units.origin.col) == (3, 13)
    errs = errors(m)
    assert errs and errs[0].kind == "invalid_argument" and errs[0].related[0].span.line == 3


def test_fixed_shape_dataset_loader_feeds_unbuilt_model():
    src = (
        "from tensorflow import keras\n"
        "(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()\n"
        "x_train = x_train.astype('float32')\n"
        "model = keras.Sequential([keras.layers.Conv2D(8, 3), keras.layers.Flatten(), keras.layers.Dense(10)])\n"
        "model.fit(x_train, y_train, epochs=1)\n"
    )
    m = python_source.load("d.py", src.encode()).models[0]
    assert m.inputs[0].shape == (None, 28, 28) and m.inputs[0].declared_as == "data"
    assert errors(m)[0].kind == "rank_mismatch"


def test_crlf_and_tabs_keep_columns():
    lf = "import keras\nif True:\n\tmodel = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\n"
    crlf = lf.replace("\n", "\r\n")
    a = python_source.load("a.py", lf.encode()).models[0]
    b = python_source.load("b.py", crlf.encode()).models[0]
    col = "\tmodel = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])".index("keras.layers") + 1
    assert tup(a.layers[0].span) == tup(b.layers[0].span) == (3, col, 3, col + len("keras.layers.Dense(2)"))


def test_while_loop_with_known_condition_is_followed():
    src = (
        "import keras\nfrom keras import layers\n"
        "model = keras.Sequential([keras.Input(shape=(4,))])\n"
        "i = 0\nwhile i < 3:\n    model.add(layers.Dense(8))\n    i += 1\n"
        "while True:\n    model.add(layers.Dense(2))\n    break\n"
    )
    m = python_source.load("w.py", src.encode()).models[0]
    assert [l.kind for l in m.layers] == ["Dense"] * 4
    assert check(m).output_shapes == [(None, 2)]


def test_break_under_unknown_condition_makes_the_loop_uncertain():
    src = (
        "import keras, sys\nfrom keras import layers\n"
        "model = keras.Sequential([keras.Input(shape=(4,))])\n"
        "for i in range(5):\n    if sys.argv[i] == 'stop':\n        break\n    model.add(layers.Dense(8))\n"
        "model.add(layers.Dense(2))\n"
    )
    m = python_source.load("u.py", src.encode()).models[0]
    kinds = [l.kind for l in m.layers]
    assert kinds[-1] == "Dense" and "Dense" not in kinds[:-1]  # opaque steps, not certain layers
    assert check(m).valid


def test_symbolic_tensor_shapes_are_static():
    src = (
        "import keras\nfrom keras import layers\nfrom keras import backend as K\n"
        "inputs = keras.Input(shape=(20, 6))\n"
        "x = layers.Conv1D(filters=inputs.shape[-1] * 2, kernel_size=3)(inputs)\n"
        "x = layers.Reshape((-1, x.shape[-2] * x.shape[-1]))(x)\n"
        "x = layers.Dense(K.int_shape(x)[-1] // 4)(x)\n"
        "model = keras.Model(inputs, x)\n"
    )
    m = python_source.load("s.py", src.encode()).models[0]
    assert m.layers[0].args["filters"] == 12
    assert m.layers[1].args["target_shape"] == (-1, 216)
    assert m.layers[2].args["units"] == 54
    assert check(m).output_shapes == [(None, 1, 54)]


def test_global_statement_updates_the_module_constant():
    src = (
        "import keras\nUNITS = 10\n"
        "def configure():\n    global UNITS\n    UNITS = 3\n"
        "configure()\n"
        "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(UNITS)])\n"
    )
    m = python_source.load("g.py", src.encode()).models[0]
    assert m.layers[0].args["units"] == 3


def test_attribute_set_under_unknown_condition_is_unknown():
    src = (
        "import keras, sys\nfrom keras import layers\n"
        "class Net(keras.Model):\n"
        "    def __init__(self):\n        super().__init__()\n        self.units = 4\n"
        "        if sys.argv:\n            self.units = 0\n"
        "        self.d = layers.Dense(self.units)\n"
        "    def call(self, x):\n        return self.d(x)\n"
        "model = Net()\nmodel.build((None, 3))\n"
    )
    m = python_source.load("a.py", src.encode()).models[0]
    assert m.layers[0].args["units"] is UNKNOWN
    assert check(m).valid


def test_subclassed_model_built_by_calling_it_on_an_array():
    src = (
        "import numpy as np\nimport keras\nfrom keras import layers\n"
        "class Net(keras.Model):\n"
        "    def __init__(self):\n        super().__init__()\n        self.c = layers.Conv2D(4, 3)\n"
        "        self.f = layers.Flatten()\n"
        "    def call(self, x):\n        return self.f(self.c(x))\n"
        "model = Net()\n_ = model(np.zeros((2, 10, 10, 1)))\n"
    )
    m = python_source.load("n.py", src.encode()).models[0]
    assert m.inputs[0].shape == (None, 10, 10, 1) and m.inputs[0].declared_as == "data"
    assert check(m).output_shapes == [(None, 256)]


def test_keras1_channels_first_input_shape_warning():
    src = (
        "from keras.models import Sequential\nfrom keras.layers import Convolution2D, ZeroPadding2D\n"
        "model = Sequential()\nmodel.add(ZeroPadding2D((1, 1), input_shape=(3, 64, 64)))\n"
        "model.add(Convolution2D(8, 3, 3, activation='relu'))\n"
    )
    m = python_source.load("t.py", src.encode()).models[0]
    warns = [d for d in m.notes if d.kind == "legacy_api" and "channels-first" in d.message]
    assert len(warns) == 1 and (warns[0].span.line, warns[0].span.col) == (4, 45)
    assert "(64, 64, 3)" in warns[0].message
    modern = src.replace("Convolution2D(8, 3, 3,", "Convolution2D(8, (3, 3),")
    m2 = python_source.load("t.py", modern.encode()).models[0]
    assert not [d for d in m2.notes if "channels-first" in d.message]  # Keras 2+ code: no guess


def test_uncalled_builder_method_of_a_plain_class_is_read():
    src = (
        "from keras.models import Sequential\nfrom keras.layers import Dense, LSTM\n"
        "class Trainer:\n"
        "    def __init__(self, steps=10):\n        self.steps = steps\n"
        "    def build_model(self):\n"
        "        model = Sequential()\n"
        "        model.add(LSTM(8, input_shape=(self.steps, 4)))\n"
        "        model.add(LSTM(8))\n"
        "        return model\n"
    )
    r = python_source.load("t.py", src.encode())
    assert len(r.models) == 1
    m = r.models[0]
    assert m.inputs[0].shape == (None, 10, 4)
    assert errors(m)[0].kind == "rank_mismatch"


def test_explicit_names_never_merge_distinct_layers():
    src = (
        "import keras\nfrom keras import layers\n"
        "a = keras.Input(shape=(3,))\nx = layers.Dense(4)(a)\nx = layers.Dense(4)(x)\n"
        "m1 = keras.Model(a, layers.Dense(4)(x))\n"
        "b = keras.Input(shape=(7,))\ny = layers.Dense(5, name='dense_2')(b)\n"
        "m2 = keras.Model(b, y)\n"
    )
    r = python_source.load("n.py", src.encode())
    instances = [l.instance for m in r.models for l in m.layers]
    assert len(instances) == len(set(instances)) == 4
    assert all(check(m).valid for m in r.models)


def test_train_test_split_keeps_sample_shapes():
    src = (
        "import numpy as np\nimport keras\nfrom sklearn.model_selection import train_test_split\n"
        "X = np.random.random((100, 12))\ny = np.random.randint(0, 2, 100)\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)\n"
        "model = keras.Sequential([keras.layers.Dense(4, input_dim=X_train.shape[1]), keras.layers.Dense(1)])\n"
    )
    m = python_source.load("s.py", src.encode()).models[0]
    assert m.inputs[0].shape == (None, 12)


# ---------------------------------------------------------------- calls returning several tensors


def test_multi_output_calls_unpack_every_tensor():
    r = load("multi_output_calls.py")
    m = model_named(r, "model")
    res = check(m)
    assert not res.diagnostics, [d.message for d in res.diagnostics]
    # values computed by hand from Keras' rules (the agreement test compares with real Keras)
    assert res.output_shapes == [(None, 10), (None, 5), (None, 5), (None, 18), (None, 48), (None, 800)]
    by_kind = {}
    for l in m.layers:
        by_kind.setdefault(l.kind, []).append(l)
    assert len(by_kind["GroupQueryAttention"]) == 1
    # the Concatenate after merge_mode=None reads output 0 and 1 of the same Bidirectional call
    concat = by_kind["Concatenate"][0]
    assert [e.index for e in concat.inputs] == [0, 1] and concat.inputs[0].node == concat.inputs[1].node


@pytest.mark.parametrize("call, n", [
    ("layers.Bidirectional(layers.LSTM(4, return_sequences=True), merge_mode=None)(x)", 2),
    ("layers.Bidirectional(layers.GRU(4, return_state=True), merge_mode=None)(x)", 4),
    ("layers.Bidirectional(layers.LSTM(4, return_state=True))(x)", 5),
    ("layers.MultiHeadAttention(2, 4)(x, x, return_attention_scores=True)", 2),
    ("layers.Attention()([x, x], return_attention_scores=True)", 2),
    ("layers.AdditiveAttention()([x, x], return_attention_scores=True)", 2),
    ("layers.GroupQueryAttention(4, 2, 1)(x, x, return_attention_scores=True)", 2),
])
def test_output_count_of_a_call(call, n):
    from repair_engine.frontends.python.evaluator import output_count

    src = f"import keras\nfrom keras import layers\nx = keras.Input(shape=(6, 8))\nres = {call}\n" \
          "model = keras.Model(x, list(res))\n"
    m = python_source.load("c.py", src.encode()).models[0]
    assert len(m.outputs) == n
    assert sorted(e.index for e in m.outputs) == list(range(n))
    assert output_count(m.layers[-1]) == n


# ---------------------------------------------------------------- activations passed as functions


def test_tf_activation_functions_map_to_keras_names_or_unknown():
    r = load("tf_activations.py")
    acts = {m.name: [l.args.get("activation") for l in m.layers] for m in r.models}
    assert acts["model"] == ["relu", "leaky_relu", "swish", "tanh", "exponential", UNKNOWN, "softmax"]
    assert acts["seq"] == [UNKNOWN, None]  # tf.nn.crelu: no Keras name, never a made-up one
    assert acts["other"] == ["gelu", "celu", "hard_swish", "log_softmax"]
    assert all(check(m).valid for m in r.models)


def test_every_mapped_activation_name_is_one_keras_knows():
    from repair_engine.frontends.python.evaluator import KERAS_ACTIVATIONS, TF_ACTIVATIONS

    keras_names = set(KERAS_ACTIVATIONS)
    assert set(TF_ACTIVATIONS.values()) <= keras_names
    src = (Path(__file__).parent.parent / ".venv/lib/python3.11/site-packages/keras/src/activations/__init__.py")
    if src.is_file():  # the table is data taken from Keras: it must still match it
        text = src.read_text()
        body = text[text.index("ALL_OBJECTS = {"):text.index("}", text.index("ALL_OBJECTS = {"))]
        listed = {w.strip().rstrip(",") for w in body.splitlines()[1:] if w.strip()}
        assert listed | {"swish", "hard_swish"} == keras_names


# ---------------------------------------------------------------- provenance of shape tuple elements


def test_undefined_dim_points_at_the_constant_of_that_element():
    name = "bug_undefined_timesteps.py"
    m = load(name).models[0]
    src = m.inputs[0].shape_source
    assert m.inputs[0].shape == (32, None, 1)
    # the origin is the value assigned (as for whole arguments): `None` of `timesteps = None`
    assert src.origin_name == "timesteps" and tup(src.origin) == text_span(name, "None", within="timesteps = None")
    errs = errors(m)
    assert [e.kind for e in errs] == ["undefined_dim"]
    assert tup(src.origin) in [tup(r.span) for r in errs[0].related]


def _input_source(src: str):
    m = python_source.load("p.py", src.encode()).models[0]
    return m, m.inputs[0].shape_source


def test_single_named_element_is_the_origin_of_a_rank_fault():
    src = ("import keras\nfrom keras import layers\nn_features = 54\n"
           "model = keras.Sequential([keras.Input(shape=(n_features,)), layers.Conv1D(4, 3)])\n")
    m, s = _input_source(src)
    assert s.origin_name == "n_features" and s.origin.line == 3
    err = errors(m)[0]
    assert err.kind == "rank_mismatch" and 3 in [r.span.line for r in err.related]


def test_several_named_elements_give_no_origin():
    src = ("import keras\nfrom keras import layers\nrows = 28\ncols = 28\n"
           "model = keras.Sequential([keras.Input(shape=(rows, cols)), layers.Conv2D(4, 3)])\n")
    m, s = _input_source(src)
    assert s.origin is None and s.origin_name is None
    assert all(r.span.line not in (3, 4) for r in errors(m)[0].related)


def test_shape_read_from_data_points_at_where_the_data_got_that_shape():
    name = "bug_data_expand_dims.py"
    m = load(name).models[0]
    assert m.inputs[0].shape == (None, 32, 32, 1, 1)
    src = m.inputs[0].shape_source
    extra = text_span(name, "np.expand_dims(images, axis=4)")
    assert src.origin_name == "images" and tup(src.origin) == extra
    err = errors(m)[0]
    assert err.kind == "rank_mismatch" and extra in [tup(r.span) for r in err.related]


@pytest.mark.parametrize("expr, named", [
    ("X.shape[1:]", True), ("X[0].shape", True), ("X.shape", True), ("len(X)", False), ("X.T.shape[1:]", False),
])
def test_shape_of_data_expressions(expr, named):
    src = ("import numpy as np\nimport keras\nX = np.zeros((10, 4, 3))\n"
           f"s = {expr}\nmodel = keras.Sequential([keras.layers.Dense(2, input_shape=s)])\n")
    m = python_source.load("d.py", src.encode()).models[0]
    origin = m.inputs[0].shape_source.origin if m.inputs and m.inputs[0].shape_source else None
    assert (origin is not None and origin.line == 3) == named


def test_attention_keyword_tensors_take_the_positional_order_query_value_key():
    m = load("attention_keywords.py").models[0]
    q, v, k = (i.id for i in m.inputs)
    assert [[e.node for e in l.inputs] for l in m.layers] == [[q, v, k]] * 3
    assert check(m).output_shapes == [(None, 5, 8), (None, 5, 10), (None, 5, 8)]


def test_one_constant_repeated_in_a_shape_is_its_origin():
    src = ("import keras\nfrom keras import layers\nsize = 28\n"
           "model = keras.Sequential([keras.Input(shape=(size, size)), layers.Conv2D(4, 3)])\n")
    m, s = _input_source(src)
    assert s.origin_name == "size" and s.origin.line == 3
