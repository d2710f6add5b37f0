"""A bug inside the engine is reported as an internal error (exit 2, an "internal
error" diagnostic), never mistaken for a refusal such as "no diff"."""

import json
from pathlib import Path

import pytest

from repair_engine import cli
from repair_engine.api import analyze
from repair_engine.patch import keras_json
from repair_engine.patch import python as patch_python

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _boom(*args, **kwargs):
    raise RuntimeError("injected crash")


def _internal_diagnostics(report_or_models):
    models = getattr(report_or_models, "models", report_or_models)
    return [d for m in models for d in m.diagnostics if d.message.startswith("internal error")]


@pytest.mark.parametrize(
    "example, module, writer",
    [("broken_model.json", keras_json, "written"), ("broken_cnn.py", patch_python, "patch_model")],
)
def test_a_crashing_patch_writer_is_an_internal_error(monkeypatch, example, module, writer):
    data = (EXAMPLES / example).read_bytes()
    healthy = analyze({example: data}, fix=True, verify=False)
    assert healthy.exit_code("fix") == 0 and healthy.models[0].repair["diff"]  # the writer is on the path

    monkeypatch.setattr(module, writer, _boom)
    report = analyze({example: data}, fix=True, verify=False)
    assert report.exit_code("fix") == 2 and report.internal_errors == 1
    [diag] = _internal_diagnostics(report)
    assert "RuntimeError: injected crash" in diag.message and diag.severity == "error"
    assert diag.kind == "unsupported_construct"  # a contract kind, with the code of its kind
    assert not report.fixed_texts


def test_the_cli_exits_2_and_reports_the_internal_error(monkeypatch, capsys, tmp_path):
    path = tmp_path / "broken_model.json"
    path.write_bytes((EXAMPLES / "broken_model.json").read_bytes())
    monkeypatch.setattr(keras_json, "written", _boom)
    code = cli.main(["fix", str(path), "--format", "json"])
    out = capsys.readouterr()
    assert code == 2
    messages = [d["message"] for m in json.loads(out.out)["models"] for d in m["diagnostics"]]
    assert any(m.startswith("internal error") and "injected crash" in m for m in messages)
    assert "internal error" in out.err


def test_a_crashing_checker_is_an_internal_error_of_that_model_only(monkeypatch):
    from repair_engine import checker

    real_check = checker.check

    def check_crashing_on_python(model):
        return _boom() if model.file.endswith(".py") else real_check(model)

    monkeypatch.setattr(checker, "check", check_crashing_on_python)
    sources = {name: (EXAMPLES / name).read_bytes() for name in ("valid_mlp.py", "broken_model.json")}
    report = analyze(sources)
    assert report.exit_code("check") == 2
    status = {m.file: (m.status, bool(_internal_diagnostics([m]))) for m in report.models}
    assert status == {"valid_mlp.py": ("unsupported", True), "broken_model.json": ("invalid", False)}
