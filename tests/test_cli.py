"""The `nnrepair` CLI as users run it (a subprocess), against docs/cli.md's contract."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from repair_engine.cli import unified_diff
from repair_engine.render import escape_data, escape_property

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
PY = os.path.join(ROOT, ".venv", "bin", "python")
if not os.path.exists(PY):
    PY = sys.executable


def run(*args, cwd=None, timeout=120):
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("NNREPAIR_DEBUG", None)
    p = subprocess.run([PY, "-m", "repair_engine", *args], cwd=cwd or ROOT, env=env, capture_output=True,
                       text=True, timeout=timeout)
    assert "Traceback" not in p.stderr, p.stderr
    return p


@pytest.fixture()
def work(tmp_path):
    """A copy of the examples in a fresh git repository (cwd for the CLI)."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def test_version():
    p = run("--version")
    assert p.returncode == 0 and p.stdout.startswith("nnrepair ") and p.stdout.strip().split()[1][0].isdigit()


def test_check_text_compiler_style_and_exit_1(work):
    p = run("check", "examples", cwd=work)
    assert p.returncode == 1
    lines = p.stdout.splitlines()
    assert "examples/broken_cnn.py:9:5: NNR101 error: Conv2D expects a 4-D input" in p.stdout
    assert any(l.startswith("examples/broken_model.json:") and " NNR101 error: " in l for l in lines)
    assert "valid_mlp" not in p.stdout.replace("1 valid", "")
    assert lines[-1].startswith("3 models in 3 files: 1 valid, 2 invalid, 0 unsupported")


def test_check_valid_file_exits_0(work):
    p = run("check", "examples/valid_mlp.py", cwd=work)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.strip().endswith("0 errors, 0 warnings")


def test_check_json_is_contract_v1(work):
    p = run("check", "--format", "json", "examples", cwd=work)
    assert p.returncode == 1
    doc = json.loads(p.stdout)
    assert doc["version"] == 1 and doc["tool"]["name"] == "nnrepair"
    by_file = {m["file"]: m for m in doc["models"]}
    cnn = by_file["examples/broken_cnn.py"]
    assert set(cnn) == {"file", "name", "line", "status", "input_shapes", "output_shapes", "diagnostics", "repair"}
    assert cnn["status"] == "invalid" and cnn["name"] == "model" and cnn["repair"] is None
    assert cnn["input_shapes"] == [[None, 28, 28]]
    (d,) = cnn["diagnostics"]
    assert {k: d[k] for k in ("code", "kind", "severity", "file", "line", "col", "layer", "expected", "actual")} == {
        "code": "NNR101", "kind": "rank_mismatch", "severity": "error", "file": "examples/broken_cnn.py",
        "line": 9, "col": 5, "layer": "conv2d", "expected": "ndim=4", "actual": "ndim=3"}
    assert d["related"][0]["line"] == 8
    mlp = by_file["examples/valid_mlp.py"]
    assert mlp["status"] == "valid" and mlp["output_shapes"] == [[None, 10]] and mlp["diagnostics"] == []


def test_check_sarif(work):
    p = run("check", "--format", "sarif", "examples", cwd=work)
    assert p.returncode == 1
    sarif = json.loads(p.stdout)
    assert sarif["version"] == "2.1.0"
    run0 = sarif["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["NNR101"]
    assert rules[0]["helpUri"].endswith("docs/diagnostics.md#nnr101") and rules[0]["help"]["text"]
    res = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in run0["results"]}
    cnn = res["examples/broken_cnn.py"]
    assert cnn["ruleId"] == "NNR101" and cnn["level"] == "error"
    assert cnn["locations"][0]["physicalLocation"]["region"]["startLine"] == 9
    assert cnn["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 8


def test_check_github_workflow_commands(work):
    p = run("check", "--format", "github", "examples/broken_cnn.py", cwd=work)
    assert p.returncode == 1
    first = p.stdout.splitlines()[0]
    assert first.startswith("::error file=examples/broken_cnn.py,line=9,col=5,")
    assert ",title=NNR101::Conv2D expects a 4-D input" in first
    assert "%0A" in first  # the related note is on a second line of the message, escaped


def test_github_escaping():
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


def test_fix_default_prints_the_repair_without_writing(work):
    before = (work / "examples" / "broken_cnn.py").read_text()
    p = run("fix", "--no-verify", "examples/broken_cnn.py", cwd=work)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "repair for model" in p.stdout and "(28, 28) -> (28, 28, 1)" in p.stdout
    assert (work / "examples" / "broken_cnn.py").read_text() == before


def test_fix_diff_applies_with_git_apply(work):
    p = run("fix", "--no-verify", "--diff", "examples/broken_cnn.py", cwd=work)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("--- a/examples/broken_cnn.py\n+++ b/examples/broken_cnn.py\n@@ ")
    (work / "fix.patch").write_text(p.stdout)
    subprocess.run(["git", "apply", "--check", "fix.patch"], cwd=work, check=True)
    subprocess.run(["git", "apply", "fix.patch"], cwd=work, check=True)
    assert "keras.Input(shape=(28, 28, 1))" in (work / "examples" / "broken_cnn.py").read_text()
    assert run("check", "examples/broken_cnn.py", cwd=work).returncode == 0


def test_fix_write_then_check_is_clean(work):
    p = run("fix", "--no-verify", "--write", "examples/broken_cnn.py", cwd=work)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "wrote 1 file: examples/broken_cnn.py" in p.stdout
    text = (work / "examples" / "broken_cnn.py").read_text()
    assert "# grayscale images, but the channel axis is missing" in text  # formatting kept
    assert run("check", "examples/broken_cnn.py", cwd=work).returncode == 0


def test_fix_json_has_repair_objects(work):
    p = run("fix", "--no-verify", "--format", "json", "examples/broken_cnn.py", cwd=work)
    assert p.returncode == 0
    (m,) = json.loads(p.stdout)["models"]
    rep = m["repair"]
    assert rep["edits"] and rep["edits"][0]["file"] == "examples/broken_cnn.py"
    assert rep["verified"] in (True, False, None) and isinstance(rep["cost"], (int, float))
    assert rep["diff"].startswith("--- a/examples/broken_cnn.py")
    assert "line_edits" not in rep


def test_fix_write_and_diff_are_exclusive(work):
    p = run("fix", "--write", "--diff", "examples", cwd=work)
    assert p.returncode == 2 and "not allowed with" in p.stderr


def test_usage_errors_exit_2(work):
    assert run("check", cwd=work).returncode == 2
    assert run("frobnicate", cwd=work).returncode == 2
    p = run("check", "missing_dir", cwd=work)
    assert p.returncode == 2 and "missing_dir: no such file or directory" in p.stderr
    p = run("check", "--format", "xml", "examples", cwd=work)
    assert p.returncode == 2


def test_config_file_is_used_and_validated(work):
    (work / "cfg.yml").write_text("ignore: [NNR101]\n")
    p = run("check", "--config", "cfg.yml", "examples", cwd=work)
    assert p.returncode == 0 and "NNR101" not in p.stdout
    (work / "bad.yml").write_text("fail_on: sometimes\n")
    p = run("check", "--config", "bad.yml", "examples", cwd=work)
    assert p.returncode == 2 and "fail_on must be one of" in p.stderr
    # the nearest .nnrepair.yml is found without --config
    (work / ".nnrepair.yml").write_text("severity: {NNR101: warning}\n")
    p = run("check", "examples", cwd=work)
    assert p.returncode == 0 and "NNR101 warning:" in p.stdout


def test_inline_suppression(work):
    src = (work / "examples" / "broken_cnn.py").read_text()
    src = src.replace('activation="relu"),\n    layers.MaxPooling2D',
                      'activation="relu"),  # nnrepair: ignore[NNR101]\n    layers.MaxPooling2D')
    (work / "examples" / "broken_cnn.py").write_text(src)
    p = run("check", "examples/broken_cnn.py", cwd=work)
    assert p.returncode == 0, p.stdout


def test_github_subcommand_is_dispatched(work):
    p = run("github", "--help", cwd=work)
    assert p.returncode in (0, 2)
    assert "github" in (p.stdout + p.stderr).lower()


def test_unified_diff_no_newline_at_end():
    d = unified_diff("a\nb", "a\nc", "f.py")
    assert d == "--- a/f.py\n+++ b/f.py\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
    assert unified_diff("same\n", "same\n", "f.py") == ""


def test_a_finding_shared_by_two_models_is_rendered_once():
    from repair_engine.api import ModelReport, Report
    from repair_engine.diagnostics import Diagnostic
    from repair_engine.ir import Span
    from repair_engine.render import to_github, to_sarif, to_text

    d = Diagnostic(kind="legacy_api", severity="warning", message="old spelling", span=Span("m.py", 3, 5))
    report = Report(models=[ModelReport(file="m.py", name=n, line=1, status="valid", diagnostics=[d])
                            for n in ("a", "b")])
    text = to_text(report)
    assert text.count("m.py:3:5: NNR401 warning: old spelling") == 1
    assert text.strip().endswith("0 errors, 1 warning")
    assert to_github(report).count("::warning file=m.py,line=3,col=5,title=NNR401::old spelling") == 1
    assert len(to_sarif(report)["runs"][0]["results"]) == 1


def test_unified_diff_of_an_absolute_path_has_single_slash_prefixes():
    d = unified_diff("a\n", "b\n", "/abs/dir/f.py")
    assert d.startswith("--- a/abs/dir/f.py\n+++ b/abs/dir/f.py\n")


def test_github_subcommand_without_the_bot(monkeypatch, capsys):
    from repair_engine.cli import main

    monkeypatch.setitem(sys.modules, "bot.cli", None)  # makes `from bot.cli import main` fail
    assert main(["github", "--dry-run"]) == 2
    assert "the GitHub bot is not available" in capsys.readouterr().err


def test_fix_diff_of_a_keras_json_file_applies(work):
    p = run("fix", "--no-verify", "--diff", "examples/broken_model.json", cwd=work)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.startswith("--- a/examples/broken_model.json\n+++ b/examples/broken_model.json\n")
    (work / "fix.patch").write_text(p.stdout)
    subprocess.run(["git", "apply", "fix.patch"], cwd=work, check=True)
    json.loads((work / "examples" / "broken_model.json").read_text())
    assert run("check", "examples/broken_model.json", cwd=work).returncode == 0
