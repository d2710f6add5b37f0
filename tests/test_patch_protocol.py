"""The writers' one protocol (patch/protocol.py) and the one format registry (formats.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from repair_engine import formats
from repair_engine.api import analyze
from repair_engine.frontends import FileResult
from repair_engine.ir import Edge, Layer
from repair_engine.patch.protocol import Failure, PatchError, Skip, Success

PYTHON = """import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(8, 3),  # eight filters
    layers.Flatten(),
    layers.Dense(10),
])
"""

KERAS_JSON = """{
  "class_name": "Sequential",
  "config": {
    "name": "seq",
    "layers": [
      {"class_name": "InputLayer", "config": {"batch_shape": [null, 8], "name": "in"}},
      {"class_name": "Dense", "config": {"name": "d1", "units": 4}},
      {"class_name": "Dense", "config": {"name": "d2", "units": 2}}
    ]
  }
}
"""

SPEC = """{
  "model": {
    "shape": "(1,8)",
    "layers": [
      {"type": "linear", "nodes": "4", "func": "relu"},
      {"type": "linear", "nodes": "2"}
    ]
  }
}
"""

TEXTS = {"python": ("m.py", PYTHON), "keras_json": ("m.json", KERAS_JSON), "exais_spec": ("s.json", SPEC)}


def _read(fmt: str) -> tuple[str, FileResult]:
    path, text = TEXTS[fmt]
    reader = formats.reader(fmt)
    assert reader is not None
    result = reader.load(path, text.encode())
    assert result.format == fmt and len(result.models) == 1
    return text, result


def _units(model, units: int):
    """The model with the units/filters of its first layer changed."""
    first = model.layers[0]
    arg = "filters" if "filters" in first.args else "units"
    return model.replace_layer(first.id, first.with_args(**{arg: units}))


def _rewired(model):
    """The model with its last layer fed from the input: a config writer writes no edge."""
    last = model.layers[-1]
    return model.replace_layer(last.id, replace(last, inputs=(Edge(model.inputs[0].id),)))


def _dangling(model):
    """The model with a new layer that no layer consumes: the Python writer has nowhere to put it."""
    extra = Layer(id="extra", kind="Dropout", args={"rate": 0.5}, inputs=(Edge(model.layers[0].id),))
    return replace(model, layers=(*model.layers, extra))


INEXPRESSIBLE = {"python": _dangling, "keras_json": _rewired, "exais_spec": _rewired}


# ---- the registry ---------------------------------------------------------------------


def test_every_format_has_a_reader_that_sniffs_and_loads():
    for fmt in formats.FORMATS:
        mod = formats.reader(fmt.name)
        if mod is None:  # an optional dependency is missing (h5py): the registry says so with None
            assert fmt.name == "h5"
            continue
        assert callable(mod.sniff) and callable(mod.load), fmt.name


def test_every_writer_speaks_the_protocol():
    writable = [f.name for f in formats.FORMATS if f.writer is not None]
    assert set(writable) == {"python", "keras_json", "exais_spec"}
    for name in writable:
        assert callable(formats.writer(name).write), name
    assert formats.writer("h5") is None and formats.writer("no such format") is None
    assert formats.reader("no such format") is None


def test_the_readers_results_name_registered_formats():
    for fmt in ("python", "keras_json", "exais_spec"):
        _, result = _read(fmt)
        assert formats.spec(result.format) is not None
    assert formats.source_formats() == ("python",)


# ---- the protocol: success, failure(reason), skip(reason), a crash is a crash ------------


def test_a_format_without_a_writer_or_a_text_is_skipped():
    text, result = _read("keras_json")
    model = result.models[0]
    for name, given in (("h5", text), ("keras_archive", text), ("keras_json", None)):
        outcome = formats.write(name, given, model, _units(model, 6))
        assert isinstance(outcome, Skip) and outcome.reason, name
    assert isinstance(formats.write("keras_json", text, model, _units(model, 6)), Success)


@pytest.mark.parametrize("fmt", sorted(TEXTS))
def test_a_written_repair_is_a_success_with_the_new_text(fmt):
    text, result = _read(fmt)
    model = result.models[0]
    outcome = formats.writer(fmt).write(text, model, _units(model, 6))
    assert isinstance(outcome, Success)
    assert outcome.text != text and "6" in outcome.text
    again = formats.reader(fmt).load(TEXTS[fmt][0], outcome.text.encode()).models[0]
    assert again.layers[0].args.get("filters", again.layers[0].args.get("units")) == 6
    # everything else is byte-identical: one line changed
    changed = [a for a, b in zip(text.splitlines(), outcome.text.splitlines()) if a != b]
    assert len(changed) == 1 and len(text.splitlines()) == len(outcome.text.splitlines())


@pytest.mark.parametrize("fmt", sorted(TEXTS))
def test_an_inexpressible_repair_is_a_failure_with_a_reason(fmt):
    text, result = _read(fmt)
    model = result.models[0]
    outcome = formats.writer(fmt).write(text, model, INEXPRESSIBLE[fmt](model))
    assert isinstance(outcome, Failure)
    assert outcome.reason.strip()


def test_the_json_failure_names_what_cannot_be_written():
    text, result = _read("keras_json")
    model = result.models[0]
    outcome = formats.writer("keras_json").write(text, model, _rewired(model))
    assert isinstance(outcome, Failure) and "rewired" in outcome.reason
    added = Layer(id="extra", kind="Dropout", args={"rate": 0.5}, inputs=(Edge("d1"),))
    graph = replace(model, layers=(*model.layers, added))  # a branch, not a chain
    outcome = formats.writer("keras_json").write(text, model, graph)
    assert isinstance(outcome, Failure) and "chain" in outcome.reason


@pytest.mark.parametrize(
    "fmt, module, inner",
    [("python", "repair_engine.patch.python", "patch_model"), ("keras_json", "repair_engine.patch.keras_json", "written")],
)
def test_a_crash_inside_a_writer_is_not_a_failure(monkeypatch, fmt, module, inner):
    import importlib

    def boom(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(importlib.import_module(module), inner, boom)
    text, result = _read(fmt)
    model = result.models[0]
    with pytest.raises(KeyError):
        formats.writer(fmt).write(text, model, _units(model, 6))


def test_a_refusal_raised_inside_a_writer_becomes_a_failure(monkeypatch):
    import repair_engine.patch.python as writer

    def refuse(*args, **kwargs):
        raise PatchError("no room for it")

    monkeypatch.setattr(writer, "patch_model", refuse)
    text, result = _read("python")
    model = result.models[0]
    assert writer.write(text, model, _units(model, 6)) == Failure("no room for it")


def test_a_crashing_spec_writer_is_an_internal_error(monkeypatch):
    import repair_engine.patch.keras_json as kj

    broken = SPEC.replace('"nodes": "4"', '"nodes": "-4"')
    healthy = analyze({"s.json": broken}, fix=True, verify=False)
    assert healthy.models[0].status == "invalid" and healthy.models[0].repair["diff"]

    def boom(*args, **kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(kj, "written", boom)
    report = analyze({"s.json": broken}, fix=True, verify=False)
    assert report.exit_code("fix") == 2 and report.internal_errors == 1
    assert not report.fixed_texts
