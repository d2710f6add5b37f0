"""File frontends: Keras JSON (Keras 3 and 2), .keras, .h5, ExAIS specs, the lenient JSON reader, discovery.

Keras fixtures are our own small models, built with real Keras and serialized
with to_json()/save(); bugs are introduced by editing the serialized config, and
real Keras (model_from_json) confirms the verdict the frontend + checker give.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import sys
import zipfile

import pytest

from repair_engine import discover
from repair_engine.api import analyze, analyze_paths
from repair_engine.checker import check
from repair_engine.frontends import exais_spec, h5, keras_archive, keras_json, lenient_json
from repair_engine.patch import exais_spec as exais_spec_writer
from repair_engine.patch import keras_json as keras_json_writer


def load_json(text: str, path: str = "m.json"):
    r = keras_json.load(path, text.encode())
    assert not [d for d in r.diagnostics if d.severity == "error"], r.diagnostics
    assert len(r.models) == 1
    return r.models[0]


# ---------------------------------------------------------------------------
# lenient JSON


def test_lenient_json_positions_and_tolerated_commas():
    text = '{\n  "a": [1, 2,],\n  "b": {"c": "x"}\n  "d": true,\n}\n'
    node, warnings = lenient_json.parse_with_warnings(text)
    assert node.to_python() == {"a": [1, 2], "b": {"c": "x"}, "d": True}
    assert (node.get("b").line, node.get("b").col) == (3, 8)
    assert (node.get("b").get("c").line, node.get("b").get("c").col) == (3, 14)
    assert node.get("d").line == 4 and node.keys["d"] == (4, 3)
    kinds = sorted(w[0] for w in warnings)
    assert kinds == ["missing comma", "trailing comma", "trailing comma"]


@pytest.mark.parametrize(
    "text, line, col",
    [('{"a": [1, 2', 1, 12), ('{\n "a": @}', 2, 7), ('{"a": "unterminated}', 1, 21), ("", 1, 1)],
)
def test_lenient_json_errors_have_positions(text, line, col):
    with pytest.raises(lenient_json.JSONError) as e:
        lenient_json.parse(text)
    assert (e.value.line, e.value.col) == (line, col)


def test_lenient_json_depth_is_bounded():
    with pytest.raises(lenient_json.JSONError, match="nesting"):
        lenient_json.parse("[" * 5000 + "]" * 5000)


# ---------------------------------------------------------------------------
# Keras 2 / tf.keras JSON (hand-written in the format tf.keras 2.x writes)

KERAS2_SEQUENTIAL = json.dumps(
    {
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {"class_name": "Conv2D", "config": {"name": "conv2d", "trainable": True,
                                                    "batch_input_shape": [None, 28, 28], "dtype": "float32",
                                                    "filters": 32, "kernel_size": [3, 3], "strides": [1, 1],
                                                    "padding": "valid", "data_format": "channels_last",
                                                    "activation": "relu", "use_bias": True,
                                                    "kernel_initializer": {"class_name": "GlorotUniform",
                                                                           "config": {"seed": None}}}},
                {"class_name": "Flatten", "config": {"name": "flatten", "data_format": "channels_last"}},
                {"class_name": "Dense", "config": {"name": "dense", "units": 10, "activation": "softmax",
                                                   "activity_regularizer": None}},
            ],
        },
        "keras_version": "2.9.0",
        "backend": "tensorflow",
    }
)

KERAS2_FUNCTIONAL = json.dumps(
    {
        "class_name": "Functional",
        "config": {
            "name": "model",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 16], "name": "input_1"},
                 "name": "input_1", "inbound_nodes": []},
                {"class_name": "Dense", "config": {"name": "shared", "units": 16}, "name": "shared",
                 "inbound_nodes": [[["input_1", 0, 0, {}]], [["shared", 0, 0, {}]]]},
                {"class_name": "Concatenate", "config": {"name": "cat", "axis": -1}, "name": "cat",
                 "inbound_nodes": [[["shared", 0, 0, {}], ["shared", 1, 0, {}]]]},
                {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": [1]}, "name": "bn",
                 "inbound_nodes": [[["cat", 0, 0, {}]]]},
                {"class_name": "LeakyReLU", "config": {"name": "lr", "alpha": 0.2}, "name": "lr",
                 "inbound_nodes": [[["bn", 0, 0, {}]]]},
            ],
            "input_layers": [["input_1", 0, 0]],
            "output_layers": [["lr", 0, 0]],
        },
        "keras_version": "2.4.0",
    }
)

KERAS1_SEQUENTIAL = json.dumps(
    {
        "class_name": "Sequential",
        "config": [
            {"class_name": "Convolution2D", "config": {"name": "c", "nb_filter": 8, "nb_row": 3, "nb_col": 3,
                                                       "border_mode": "same", "subsample": [2, 2],
                                                       "dim_ordering": "tf", "init": "glorot_uniform",
                                                       "batch_input_shape": [None, 32, 32, 3]}},
            {"class_name": "MaxPool2D", "config": {"name": "p", "pool_size": [2, 2]}},
            {"class_name": "Flatten", "config": {"name": "f"}},
            {"class_name": "Dense", "config": {"name": "d", "output_dim": 4}},
            {"class_name": "Dropout", "config": {"name": "dr", "p": 0.5}},
        ],
    }
)


def test_keras2_sequential_reads_batch_input_shape_from_first_layer_and_finds_rank_bug():
    m = load_json(KERAS2_SEQUENTIAL)
    assert m.inputs[0].shape == (None, 28, 28)
    conv = m.layers[0]
    assert conv.kind == "Conv2D" and conv.args["kernel_size"] == (3, 3)
    assert not any(k in conv.args for k in ("name", "trainable", "dtype", "kernel_initializer", "batch_input_shape"))
    r = check(m)
    assert [d.kind for d in r.errors] == ["rank_mismatch"] and r.errors[0].layer == "conv2d"


def test_keras2_functional_shared_layer_and_list_merge():
    m = load_json(KERAS2_FUNCTIONAL)
    ids = [l.id for l in m.layers]
    assert ids == ["shared", "shared@1", "cat", "bn", "lr"]
    shared = [l for l in m.layers if l.instance == "shared"]
    assert len(shared) == 2 and shared[1].inputs[0].node == "shared"
    cat = m.node("cat")
    assert cat.list_input and [e.node for e in cat.inputs] == ["shared", "shared@1"]
    assert m.node("bn").args["axis"] == 1  # tf.keras writes [1]; Keras 3 wants an int
    assert m.node("lr").args == {"negative_slope": 0.2} and m.node("lr").legacy == {"negative_slope": "alpha"}
    r = check(m)
    assert r.valid and r.output_shapes == [(None, 32)]


def test_keras1_names_are_mapped_and_remembered():
    m = load_json(KERAS1_SEQUENTIAL)
    c = m.layers[0]
    assert c.kind == "Conv2D" and c.written_kind == "Convolution2D"
    assert c.args == {"filters": 8, "kernel_size": (3, 3), "padding": "same", "strides": (2, 2),
                      "data_format": "channels_last"}
    assert c.legacy["filters"] == "nb_filter" and c.legacy["padding"] == "border_mode"
    assert m.layers[1].kind == "MaxPooling2D"
    assert m.layers[3].args == {"units": 4}
    assert m.layers[4].args == {"rate": 0.5}
    r = check(m)
    assert r.valid and r.output_shapes == [(None, 4)]


def test_cyclic_functional_config_is_reported_not_looped():
    cfg = json.loads(KERAS2_FUNCTIONAL)
    layers = cfg["config"]["layers"]
    layers[1]["inbound_nodes"] = [[["lr", 0, 0, {}]]]  # shared <- lr <- bn <- cat <- shared
    layers[1]["inbound_nodes"].append([["shared", 0, 0, {}]])
    m = keras_json.load("c.json", json.dumps(cfg).encode()).models[0]
    notes = [d for d in m.notes if d.kind == "parse_error"]
    assert notes and "cycle" in notes[0].message and notes[0].severity == "error"
    assert m.layers == ()  # every layer waits on the cycle: none is checked
    assert [d.kind for d in check(m).errors] == ["parse_error"]


def test_garbage_and_wrong_structure_give_parse_errors():
    for data in (b'{"class_name": "Sequential", "config": {"layers": [', b"\xff\xfe\x00garbage",
                 b'{"class_name": "Adam", "config": {}}'):
        r = keras_json.load("x.json", data)
        assert r.models == [] and [d.kind for d in r.diagnostics] == ["parse_error"]


def test_pretty_printed_json_spans_point_at_layer_and_argument():
    cfg = json.loads(KERAS2_SEQUENTIAL)
    text = json.dumps(cfg, indent=2)
    m = load_json(text)
    lines = text.splitlines()
    conv = m.layers[0]
    assert lines[conv.span.line - 1].strip() == "{" and '"Conv2D"' in lines[conv.span.line]
    ks = conv.arg_sources["kernel_size"].span
    assert '"kernel_size"' in lines[ks.line - 1]
    inp = m.inputs[0]
    assert '"batch_input_shape"' in lines[inp.shape_span.line - 1]


# ---------------------------------------------------------------------------
# Keras 3: our own models, serialized by real Keras


@pytest.fixture(scope="module")
def keras(keras_oracle):
    return keras_oracle._load()


def _models(keras):
    L = keras.layers
    out = {}
    out["cnn"] = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(8, 3), L.MaxPooling2D(2), L.Flatten(),
                                   L.Dense(10)])
    i = keras.Input((8,))
    d = L.Dense(8)
    a = d(i)
    b = d(a)
    out["shared"] = keras.Model(i, L.Add()([a, b]))
    i1, i2 = keras.Input((4,)), keras.Input((4,))
    inner = keras.Sequential([keras.Input((8,)), L.Dense(3)], name="inner")
    out["nested"] = keras.Model([i1, i2], inner(L.Concatenate()([i1, i2])))
    i = keras.Input((5, 7))
    x, h, c = L.LSTM(4, return_state=True)(i)
    out["states"] = keras.Model(i, L.Concatenate()([x, h, c]))
    out["wrappers"] = keras.Sequential([keras.Input((5, 7)), L.Bidirectional(L.LSTM(3, return_sequences=True)),
                                        L.TimeDistributed(L.Dense(2))])
    q, v = keras.Input((5, 16)), keras.Input((7, 16))
    o, scores = L.MultiHeadAttention(2, 8)(q, value=v, return_attention_scores=True)
    out["attention"] = keras.Model([q, v], [o, scores])
    out["no_input"] = keras.Sequential([L.Dense(3)])
    return out


def _expected_shapes(model) -> list:
    shapes = model.output_shape
    return [tuple(s) for s in shapes] if isinstance(shapes, list) else [tuple(shapes)]


def test_keras3_to_json_round_trip_agrees_with_keras(keras, keras_oracle):
    for name, model in _models(keras).items():
        m = load_json(model.to_json())
        r = check(m)
        if name == "no_input":  # never built: the input shape is unknown, nothing to report
            assert m.inputs[0].shape is None and r.valid and r.status == "unsupported"
            continue
        assert r.valid, (name, r.diagnostics)
        built = keras_oracle.build(m)
        assert built.ok, (name, built.error)
        assert built.output_shapes == _expected_shapes(model), name
        assert r.output_shapes == _expected_shapes(model) and not r.unchecked, name
    nested = load_json(_models(keras)["nested"].to_json())
    assert any(l.id.startswith("inner/") for l in nested.layers)
    states = load_json(_models(keras)["states"].to_json())
    cat = states.layers[-1]
    assert [e.index for e in cat.inputs] == [0, 1, 2]


def test_keras3_json_with_a_bug_matches_keras_rejection(keras):
    model = keras.Sequential([keras.Input((100, 8)), keras.layers.Conv1D(16, 5), keras.layers.GlobalMaxPooling1D()])
    cfg = json.loads(model.to_json())
    cfg["config"]["layers"][0]["config"]["batch_shape"] = [None, 800]
    text = json.dumps(cfg)
    with pytest.raises(Exception):
        keras.models.model_from_json(text)
    r = check(load_json(text))
    assert [d.kind for d in r.errors] == ["rank_mismatch"]


# ---------------------------------------------------------------------------
# .keras and .h5


def test_keras_archive_reads_config_only(keras, tmp_path):
    model = _models(keras)["cnn"]
    p = tmp_path / "m.keras"
    model.save(p)
    data = p.read_bytes()
    assert keras_archive.sniff(str(p), data) and discover.detect(str(p), data) is keras_archive
    r = keras_archive.load(str(p), data)
    assert not r.diagnostics and [l.kind for l in r.models[0].layers] == ["Conv2D", "MaxPooling2D", "Flatten", "Dense"]


def _zip(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, payload in members.items():
            z.writestr(name, payload)
    return buf.getvalue()


def test_keras_archive_limits(monkeypatch):
    r = keras_archive.load("a.keras", _zip({"model.weights.h5": b"x"}))
    assert [d.kind for d in r.diagnostics] == ["parse_error"] and "config.json" in r.diagnostics[0].message
    monkeypatch.setattr(keras_archive, "MAX_CONFIG_BYTES", 1000)
    r = keras_archive.load("b.keras", _zip({"config.json": b" " * 5000}))
    assert [d.kind for d in r.diagnostics] == ["limit_exceeded"]
    monkeypatch.setattr(keras_archive, "MAX_MEMBERS", 3)
    r = keras_archive.load("c.keras", _zip({f"f{i}": b"" for i in range(5)}))
    assert [d.kind for d in r.diagnostics] == ["limit_exceeded"]
    r = keras_archive.load("d.keras", b"PK\x03\x04 truncated")
    assert [d.kind for d in r.diagnostics] == ["parse_error"]


def test_keras_archive_lying_header_is_caught_while_reading(monkeypatch):
    """A member whose header claims a small size but inflates to more: the read is bounded."""
    monkeypatch.setattr(keras_archive, "MAX_CONFIG_BYTES", 1000)
    data = _zip({"config.json": b"{" + b" " * 100_000 + b"}"})
    # forge the declared sizes in both headers to 10 bytes
    real = (100_002).to_bytes(4, "little")
    assert data.count(real) == 2
    forged = data.replace(real, (10).to_bytes(4, "little"))
    r = keras_archive.load("e.keras", forged)
    assert [d.kind for d in r.diagnostics] in (["limit_exceeded"], ["parse_error"])
    assert not r.models


def test_h5_model_config(keras, tmp_path):
    model = _models(keras)["cnn"]
    p = tmp_path / "m.h5"
    model.save(p)
    data = p.read_bytes()
    assert h5.sniff(str(p), data) and discover.detect(str(p), data) is h5
    r = h5.load(str(p), data)
    assert not r.diagnostics and r.models[0].inputs[0].shape == (None, 28, 28, 1)
    assert check(r.models[0]).output_shapes == [(None, 10)]


def test_h5_without_model_config_and_without_h5py(tmp_path, monkeypatch):
    h5py = pytest.importorskip("h5py")

    p = tmp_path / "w.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("w", data=[1, 2, 3])
    r = h5.load(str(p), p.read_bytes())
    assert [d.kind for d in r.diagnostics] == ["parse_error"] and "model_config" in r.diagnostics[0].message
    monkeypatch.setitem(sys.modules, "h5py", None)
    r = h5.load(str(p), p.read_bytes())
    assert [d.kind for d in r.diagnostics] == ["unsupported_construct"] and "h5py" in r.diagnostics[0].message


# ---------------------------------------------------------------------------
# ExAIS specs (our own, in the benchmark's format)

SPEC_CHAIN = """{
  "model": {
    "shape": "(1,32,32,3)",
    "bounds" : "[(0,1)]",
    "layers": [
      {
        "type": "Conv2D",
        "weights": "",
        "bias": "",
        "nodes": "8",
        "kernel_size": "(3,3)",
        "padding": "true",
        "func": "relu"
      }
      {
        "type": "MaxPool2D",
        "size": "(2,2)",
      },
      {
        "type": "flatten"
      },
      {
        "type": "linear",
        "weights": "[[1,1],[1,1]]",
        "bias": "[0,0]",
        "nodes": "2",
        "func": "softmax"
      },
    ]
  }
}
"""

SPEC_GRAPH = """{
  "model": {
    "shape": "(1,10)",
    "layers": [
      {"type": "linear", "name": "A", "nodes": "4"},
      {"type": "linear", "name": "B", "nodes": "4", "inputs": ["A"]},
      {"type": "linear", "name": "C", "nodes": "5", "inputs": ["A"]},
      {"type": "add", "name": "S", "inputs": ["B", "C"]}
    ]
  }
}
"""


def test_exais_spec_chain_lenient_spans_and_weights():
    data = SPEC_CHAIN.encode()
    assert exais_spec.sniff("s.json", data) and not keras_json.sniff("s.json", data)
    assert discover.detect("s.json", data) is exais_spec
    r = exais_spec.load("s.json", data)
    assert not r.diagnostics
    m = r.models[0]
    assert m.inputs[0].shape == (None, 32, 32, 3)
    conv, pool, flat, dense = m.layers
    assert (conv.kind, conv.args) == ("Conv2D", {"filters": 8, "kernel_size": (3, 3), "padding": "same",
                                                 "activation": "relu"})
    assert pool.kind == "MaxPooling2D" and pool.args == {"pool_size": (2, 2)}
    assert dense.kind == "Dense" and dense.args == {"units": 2, "activation": "softmax"}
    assert dense.weights == ((2, 2), (2,))
    lines = SPEC_CHAIN.splitlines()
    assert conv.span.line == 6 and lines[conv.span.line - 1].strip() == "{"
    assert '"kernel_size"' in lines[conv.arg_sources["kernel_size"].span.line - 1]
    assert '"weights": "[[1,1]' in lines[dense.arg_sources["weights"].span.line - 1]
    assert any("missing comma" in d.message for d in m.notes)
    res = check(m)
    # Dense on the flattened 16*16*8 = 2048 features builds a (2048, 2) kernel
    assert [d.kind for d in res.errors] == ["weight_shape"] and res.errors[0].layer == dense.id


def test_exais_spec_graph_edges_and_merge(keras_oracle):
    m = exais_spec.load("g.json", SPEC_GRAPH.encode()).models[0]
    assert [e.node for e in m.node("S").inputs] == ["B", "C"] and m.node("S").list_input
    assert m.node("C").inputs[0].node == "A"
    res = check(m)
    assert [d.kind for d in res.errors] == ["merge_shape_mismatch"]
    built = keras_oracle.build(m)
    assert not built.ok and not built.unsupported  # real Keras rejects it too


def test_exais_spec_valid_model_builds_in_keras(keras_oracle):
    fixed = SPEC_CHAIN.replace('"weights": "[[1,1],[1,1]]"', '"weights": ""').replace('"bias": "[0,0]"', '"bias": ""')
    m = exais_spec.load("s.json", fixed.encode()).models[0]
    res = check(m)
    built = keras_oracle.build(m)
    assert res.valid and built.ok
    assert res.output_shapes == built.output_shapes == [(None, 2)]


def test_exais_spec_bias_only_weights_are_checked_against_the_built_kernel():
    spec = SPEC_CHAIN.replace('"weights": "[[1,1],[1,1]]"', '"weights": ""').replace('"bias": "[0,0]"', '"bias": "[0,0,0]"')
    report = analyze({"s.json": spec.encode()})
    (m,) = report.models
    assert m.status == "invalid"
    (d,) = [d for d in m.diagnostics if d.severity == "error"]
    assert d.kind == "weight_shape" and "(2048, 2), (3,)" in d.message


def test_exais_spec_parse_error_is_a_diagnostic():
    r = exais_spec.load("bad.json", b'{"model": {"shape": "(1,2)", "layers": [{"type": "linear"')
    assert r.models == [] and r.diagnostics[0].kind == "parse_error" and r.diagnostics[0].span.line == 1


BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "benchmarks", "exais-real-bugs")


@pytest.mark.skipif(not os.path.isdir(BENCH), reason="ExAIS benchmark not present")
def test_exais_benchmark_specs_agree_with_the_keras3_verdicts():
    with open(os.path.join(BENCH, "manifest.json")) as f:
        entries = json.load(f)["entries"]
    disagreements = []
    for e in entries:
        path = os.path.join(BENCH, "..", e["spec"])
        report = analyze_paths([path])
        (m,) = [m for m in report.models if m.model is not None]
        fails = e["keras3"]["fails"]
        if (m.status == "invalid") != fails:
            disagreements.append((e["spec"], m.status, fails))
        elif not fails and e["keras3"].get("output_shape"):
            expected = e["keras3"]["output_shape"]  # written like "(None, 256)"
            if str(tuple(m.output_shapes[0])) != expected.replace(" ", "").replace(",", ", "):
                disagreements.append((e["spec"], m.output_shapes, expected))
    assert disagreements == []


# ---------------------------------------------------------------------------
# discovery


def test_discovery_by_content_skips_ignored_folders_and_outside_symlinks(tmp_path):
    root = tmp_path / "repo"
    (root / "models").mkdir(parents=True)
    (root / "models" / "net.cfg").write_text(KERAS2_SEQUENTIAL)  # found by content, not name
    (root / "models" / "spec.json").write_text(SPEC_GRAPH)
    (root / "models" / "package.json").write_text('{"name": "x", "version": "1"}')
    (root / "README.md").write_text("# not a model")
    for skipped in (".git", "node_modules", ".hidden", "myenv"):
        (root / skipped).mkdir()
        (root / skipped / "m.json").write_text(KERAS2_SEQUENTIAL)
    (root / "myenv" / "pyvenv.cfg").write_text("home = /usr")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.json").write_text(KERAS2_SEQUENTIAL)
    os.symlink(outside / "o.json", root / "models" / "link.json")
    os.symlink(outside, root / "linkdir")
    files, errors = discover.collect([str(root)])
    assert errors == []
    names = sorted(os.path.basename(f.path) for f in files)
    assert names == ["net.cfg", "spec.json"]
    assert {os.path.basename(f.path): f.frontend for f in files} == {"net.cfg": keras_json, "spec.json": exais_spec}


def test_discovery_size_limit_and_missing_path(tmp_path, monkeypatch):
    monkeypatch.setattr(discover, "MAX_TEXT_BYTES", 100)
    (tmp_path / "big.json").write_text(KERAS2_SEQUENTIAL)
    files, errors = discover.collect([str(tmp_path), str(tmp_path / "nope")])
    assert len(files) == 1 and files[0].diagnostic.kind == "limit_exceeded"
    assert errors and "nope" in errors[0]


def test_nested_model_called_twice_shares_instances(keras):
    L = keras.layers
    enc = keras.Sequential([keras.Input((8,)), L.Dense(4, name="e1")], name="enc")
    a, b = keras.Input((8,)), keras.Input((8,))
    cfg = json.loads(keras.Model([a, b], L.Add(name="sum")([enc(a), enc(b)])).to_json())
    m = load_json(json.dumps(cfg))
    assert [(l.id, l.instance) for l in m.layers] == [("enc/e1", "enc/e1"), ("enc_1/e1", "enc/e1"), ("sum", "sum")]
    assert check(m).valid
    cfg["config"]["layers"][1]["config"]["batch_shape"] = [None, 6]  # the second branch gets 6 features
    text = json.dumps(cfg)
    with pytest.raises(ValueError):
        keras.models.model_from_json(text)
    assert [d.layer for d in check(load_json(text)).errors] == ["enc_1/e1"]


# ---------------------------------------------------------------------------
# patching repaired models back into JSON files


def _reload(module, text):
    r = module.load("p.json", text.encode())
    assert not [d for d in r.diagnostics if d.severity == "error"]
    return r.models[0]


def _with_input(model, shape):
    from dataclasses import replace

    return replace(model, inputs=(replace(model.inputs[0], shape=shape),))


def test_keras_json_patch_values_keeps_formatting(keras):
    from dataclasses import replace

    L = keras.layers
    base = keras.Sequential([keras.Input((100, 8)), L.Conv1D(16, 5), L.GlobalMaxPooling1D(), L.Dense(1)])
    cfg = json.loads(base.to_json())
    cfg["config"]["layers"][0]["config"]["batch_shape"] = [None, 800]
    text = json.dumps(cfg, indent=2)
    m = _reload(keras_json, text)
    conv = m.layers[0]
    fixed = _with_input(m, (None, 100, 8)).replace_layer(conv.id, conv.with_args(kernel_size=(3,)))
    out = keras_json_writer.patch_text(text, m, fixed)
    expected = json.loads(text)
    expected["config"]["layers"][0]["config"]["batch_shape"] = [None, 100, 8]
    expected["config"]["layers"][1]["config"]["kernel_size"] = [3]
    assert json.loads(out) == expected
    # only the changed values are rewritten, in their one-element-per-line layout
    changed = [l[0] + l[2:].strip() for l in difflib.ndiff(text.splitlines(), out.splitlines()) if l[:1] in "+-"]
    assert sorted(changed) == sorted(["-800", "+100,", "+8", "-5", "+3"])
    keras.models.model_from_json(out)  # real Keras accepts the patched file
    assert check(_reload(keras_json, out)).output_shapes == [(None, 1)]
    # a structural change of a functional model is not expressible as value edits
    fm = load_json(KERAS2_FUNCTIONAL)
    rewired = fm.replace_layer("bn", replace(fm.node("bn"), inputs=fm.node("shared").inputs))
    assert keras_json_writer.patch_text(KERAS2_FUNCTIONAL, fm, rewired) is None


@pytest.mark.parametrize("indent", [None, 2])
def test_keras_json_patch_inserts_and_removes_layers_in_a_sequential(keras, indent):
    from dataclasses import replace

    from repair_engine.ir import Edge, Layer

    L = keras.layers
    base = keras.Sequential([keras.Input((28, 28, 1)), L.Dropout(0.1), L.Conv2D(4, 3), L.Flatten()])
    cfg = json.loads(base.to_json())
    cfg["config"]["layers"][0]["config"]["batch_shape"] = [None, 28, 28]  # the bug
    text = json.dumps(cfg, indent=indent)
    m = _reload(keras_json, text)
    drop, conv, flat = m.layers
    reshape = Layer(id="reshape_fix", kind="Reshape", args={"target_shape": (28, 28, 1)}, inputs=(Edge(m.inputs[0].id),))
    fixed = replace(m, layers=(reshape, replace(conv, inputs=(Edge("reshape_fix"),)), flat))
    out = keras_json_writer.patch_text(text, m, fixed)
    keras.models.model_from_json(out)
    again = _reload(keras_json, out)
    assert [l.kind for l in again.layers] == ["Reshape", "Conv2D", "Flatten"]
    assert check(again).output_shapes == [(None, 2704)]


def test_exais_spec_patch_in_the_spec_conventions():
    from dataclasses import replace

    from repair_engine.ir import Edge, Layer

    text = SPEC_CHAIN.replace('"weights": "[[1,1],[1,1]]"', '"weights": ""').replace('"bias": "[0,0]"', '"bias": ""')
    m = _reload(exais_spec, text)
    conv, pool, flat, dense = m.layers
    fixed = _with_input(m, (None, 28, 28, 3))
    fixed = fixed.replace_layer(conv.id, conv.with_args(padding="valid", kernel_size=(5, 5)))
    fixed = fixed.replace_layer(pool.id, pool.with_args(strides=2))
    drop = Layer(id="d", kind="Dropout", args={"rate": 0.5}, inputs=(Edge(flat.id),))
    fixed = replace(fixed, layers=(*fixed.layers[:3], drop, replace(fixed.layers[3], inputs=(Edge("d"),))),
                    outputs=(Edge(dense.id),))
    out = exais_spec_writer.patch_text(text, m, fixed)
    assert '"shape": "(1,28,28,3)"' in out  # the batch entry the spec wrote is kept
    assert '"padding": "false"' in out and '"kernel_size": "(5,5)"' in out
    assert '"strides": "2",' in out  # a new member, in the spec's string style
    again = _reload(exais_spec, out)
    assert [l.kind for l in again.layers] == ["Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense"]
    assert again.layers[3].args == {"rate": 0.5}
    assert check(again).output_shapes == [(None, 2)]
    # specs with explicit "inputs" edges are not rewired
    g = _reload(exais_spec, SPEC_GRAPH)
    extra = Layer(id="x", kind="Dropout", args={"rate": 0.1}, inputs=(Edge("A"),))
    assert exais_spec_writer.patch_text(SPEC_GRAPH, g, replace(g, layers=(g.layers[0], extra, *g.layers[1:]))) is None


def test_sniffing_is_by_content():
    assert keras_json.sniff("anything.txt", KERAS2_FUNCTIONAL.encode())
    assert keras_json.sniff("m.json", b"\xef\xbb\xbf" + KERAS1_SEQUENTIAL.encode())
    assert not keras_json.sniff("opt.json", b'{"class_name": "Adam", "config": {"learning_rate": 0.001}}')
    assert not keras_json.sniff("spec.json", SPEC_GRAPH.encode())
    assert not exais_spec.sniff("m.json", KERAS2_SEQUENTIAL.encode())
    assert discover.detect("opt.json", b'{"class_name": "Adam", "config": {}}') is None
    assert discover.detect("opt.json", b'{"class_name": "Adam", "config": {}}', explicit=True) is keras_json


def test_keras2_flat_node_and_keyword_tensors():
    cfg = {
        "class_name": "Model",
        "config": {
            "name": "m",
            "layers": [
                {"class_name": "InputLayer", "name": "q", "config": {"batch_input_shape": [None, 5, 16], "name": "q"},
                 "inbound_nodes": []},
                {"class_name": "InputLayer", "name": "v", "config": {"batch_input_shape": [None, 7, 16], "name": "v"},
                 "inbound_nodes": []},
                {"class_name": "MultiHeadAttention", "name": "mha",
                 "config": {"name": "mha", "num_heads": 2, "key_dim": 8},
                 "inbound_nodes": [[["q", 0, 0, {"value": ["v", 0, 0]}]]]},
                {"class_name": "Dropout", "name": "drop", "config": {"name": "drop", "rate": 0.1},
                 "inbound_nodes": [["mha", 0, 0, {}]]},  # the flat form tf.keras writes for one tensor
            ],
            "input_layers": [["q", 0, 0], ["v", 0, 0]],
            "output_layers": [["drop", 0, 0]],
        },
    }
    m = load_json(json.dumps(cfg))
    assert [e.node for e in m.node("mha").inputs] == ["q", "v"] and not m.node("mha").list_input
    assert [e.node for e in m.node("drop").inputs] == ["mha"]
    r = check(m)
    assert r.valid and r.output_shapes == [(None, 5, 16)]


def test_only_keras_archives_are_sniffed_among_zips():
    assert keras_archive.sniff("m.keras", _zip({"config.json": b"{}"}))
    assert keras_archive.sniff("renamed.bin", _zip({"metadata.json": b"{}", "config.json": b"{}"}))
    assert not keras_archive.sniff("data.zip", _zip({"config.json": b"{}"}))
    assert discover.detect("data.zip", _zip({"config.json": b"{}"})) is None


def test_walk_prefilters_by_the_first_bytes(tmp_path):
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    (tmp_path / "weights.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)  # HDF5 without model_config
    (tmp_path / "blob.bin").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)  # HDF5 without a model extension
    (tmp_path / "m.json").write_text("\n\n  " + KERAS2_SEQUENTIAL)
    files, _ = discover.collect([str(tmp_path)])
    found = {os.path.basename(f.path): f for f in files}
    assert sorted(found) == ["m.json", "weights.h5"]
    assert found["m.json"].frontend is keras_json and found["weights.h5"].frontend is h5
    assert discover.read_file(str(tmp_path / "data.csv"), "data.csv", explicit=False)[0] is discover._SKIP


def test_tf_keras2_layer_configs_are_normalized_for_keras3(keras_oracle):
    """Layer configs as tf.keras 2.x writes them (time_major, implementation,
    input_length, axis lists, initializers...) become arguments Keras 3 accepts."""
    init={"class_name": "GlorotUniform", "config": {"seed": None}}
    layers=[
     {"class_name":"Embedding","config":{"name":"embedding","trainable":True,"batch_input_shape":[None,10],"dtype":"float32","input_dim":1000,"output_dim":64,"embeddings_initializer":{"class_name":"RandomUniform","config":{"minval":-0.05,"maxval":0.05,"seed":None}},"embeddings_regularizer":None,"activity_regularizer":None,"embeddings_constraint":None,"mask_zero":False,"input_length":10}},
     {"class_name":"LSTM","config":{"name":"lstm","trainable":True,"dtype":"float32","return_sequences":True,"return_state":False,"go_backwards":False,"stateful":False,"unroll":False,"time_major":False,"units":32,"activation":"tanh","recurrent_activation":"sigmoid","use_bias":True,"kernel_initializer":init,"recurrent_initializer":{"class_name":"Orthogonal","config":{"gain":1.0,"seed":None}},"bias_initializer":{"class_name":"Zeros","config":{}},"unit_forget_bias":True,"kernel_regularizer":None,"recurrent_regularizer":None,"bias_regularizer":None,"activity_regularizer":None,"kernel_constraint":None,"recurrent_constraint":None,"bias_constraint":None,"dropout":0.0,"recurrent_dropout":0.0,"implementation":2}},
     {"class_name":"GRU","config":{"name":"gru","trainable":True,"dtype":"float32","return_sequences":True,"return_state":False,"go_backwards":False,"stateful":False,"unroll":False,"time_major":False,"units":16,"activation":"tanh","recurrent_activation":"sigmoid","use_bias":True,"dropout":0.0,"recurrent_dropout":0.0,"implementation":2,"reset_after":True}},
     {"class_name":"Conv1D","config":{"name":"conv1d","trainable":True,"dtype":"float32","filters":8,"kernel_size":[3],"strides":[1],"padding":"valid","data_format":"channels_last","dilation_rate":[1],"groups":1,"activation":"relu","use_bias":True,"kernel_initializer":init,"bias_initializer":{"class_name":"Zeros","config":{}},"kernel_regularizer":None,"bias_regularizer":None,"activity_regularizer":None,"kernel_constraint":None,"bias_constraint":None}},
     {"class_name":"BatchNormalization","config":{"name":"bn","trainable":True,"dtype":"float32","axis":[2],"momentum":0.99,"epsilon":0.001,"center":True,"scale":True,"beta_initializer":{"class_name":"Zeros","config":{}},"gamma_initializer":{"class_name":"Ones","config":{}},"moving_mean_initializer":{"class_name":"Zeros","config":{}},"moving_variance_initializer":{"class_name":"Ones","config":{}},"beta_regularizer":None,"gamma_regularizer":None,"beta_constraint":None,"gamma_constraint":None}},
     {"class_name":"MaxPooling1D","config":{"name":"mp","trainable":True,"dtype":"float32","strides":[2],"pool_size":[2],"padding":"valid","data_format":"channels_last"}},
     {"class_name":"SimpleRNN","config":{"name":"rnn","trainable":True,"dtype":"float32","return_sequences":False,"return_state":False,"go_backwards":False,"stateful":False,"unroll":False,"time_major":False,"units":4,"activation":"tanh","use_bias":True,"dropout":0.0,"recurrent_dropout":0.0}},
     {"class_name":"Dropout","config":{"name":"dropout","trainable":True,"dtype":"float32","rate":0.5,"noise_shape":None,"seed":None}},
     {"class_name":"Activation","config":{"name":"act","trainable":True,"dtype":"float32","activation":"relu"}},
     {"class_name":"Dense","config":{"name":"dense","trainable":True,"dtype":"float32","units":1,"activation":"sigmoid","use_bias":True,"kernel_initializer":init}},
    ]
    text = json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": layers}, "keras_version": "2.9.0"})
    m = load_json(text)
    assert m.inputs[0].shape == (None, 10)
    assert "time_major" not in m.node("lstm").args and m.node("bn").args["axis"] == 2
    r = check(m)
    built = keras_oracle.build(m)
    assert r.valid and built.ok, built.error
    assert r.output_shapes == built.output_shapes == [(None, 1)]


def test_exais_spec_without_model_shape_uses_the_first_input_shape():
    spec = '{"model": {"layers": [{"type": "linear", "nodes": "3", "input_shape": "(1,7)"}]}}'
    m = exais_spec.load("s.json", spec.encode()).models[0]
    assert m.inputs[0].shape == (None, 7) and check(m).output_shapes == [(None, 3)]
    bare = exais_spec.load("s.json", b'{"model": {"layers": [{"type": "linear", "nodes": "3"}]}}').models[0]
    assert bare.inputs[0].shape is None and check(bare).status == "unsupported"


def test_exais_spec_patch_rewrites_a_declared_weight_shape_only():
    from dataclasses import replace

    spec = ('{"model": {"shape": "(1,10)", "layers": [\n'
            '  {"type": "embedding", "input_dim": "50", "output_dim": "4", "weight_shape": "(60,4)"},\n'
            '  {"type": "flatten"}]}}')
    m = _reload(exais_spec, spec)
    emb = m.layers[0]
    assert emb.weights == ((60, 4),) and [d.kind for d in check(m).errors] == ["weight_shape"]
    out = exais_spec_writer.patch_text(spec, m, m.replace_layer(emb.id, replace(emb, weights=((50, 4),))))
    assert out == spec.replace('"(60,4)"', '"(50,4)"')
    assert check(_reload(exais_spec, out)).valid
    # literal weight values cannot be rewritten into other values
    lit = _reload(exais_spec, SPEC_CHAIN)
    dense = lit.layers[-1]
    assert exais_spec_writer.patch_text(SPEC_CHAIN, lit, lit.replace_layer(dense.id, replace(dense, weights=((2048, 2), (2,))))) is None


def test_values_of_unexpected_types_are_parse_errors_not_crashes():
    cfg = json.loads(KERAS2_FUNCTIONAL)
    cfg["config"]["input_layers"] = 1.5
    cfg["config"]["layers"][2]["inbound_nodes"] = [[[None, "x", {}, 3]]]
    cfg["config"]["layers"][3]["config"] = None
    for variant in (cfg, {"class_name": "Functional", "config": {"layers": [None, 3, "x"]}},
                    {"class_name": "Sequential", "config": {"layers": [{"class_name": 5, "config": []}]}}):
        report = analyze({"m.json": json.dumps(variant).encode()}, verify=False)
        assert report.internal_errors == 0 and report.exit_code("check") in (0, 1)
        assert report.models


def test_lenient_json_agrees_with_strict_json_on_valid_documents():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    scalars = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=8) | st.floats(
        allow_nan=False, allow_infinity=False)
    documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(max_size=5), inner, max_size=4), max_leaves=20)

    @settings(max_examples=150, deadline=None)
    @given(documents, st.sampled_from([None, 1, 2]))
    def agree(doc, indent):
        text = json.dumps(doc, indent=indent)
        root = lenient_json.parse(text)
        assert root.to_python() == json.loads(text)
        # every node's span covers exactly its value's text
        starts = lenient_json.line_starts(text)
        stack = [root]
        while stack:
            node = stack.pop()
            a, z = lenient_json.node_span(starts, node)
            assert json.loads(text[a:z]) == node.to_python()
            if node.kind == "object":
                stack.extend(node.value.values())
            elif node.kind == "array":
                stack.extend(node.value)

    agree()
