"""Annotations, SARIF, GITHUB_OUTPUT, job summary and the fail-on exit rule."""

import io
import json

import pytest

from bot import outputs
from bot.review import build_findings
from tests.bot_report_samples import CNN_PATH, CNN_SOURCE, cnn_report, valid_report


def test_annotation_escapes_properties_and_data():
    line = outputs.annotation(
        {"severity": "warning", "file": "a,b:c.py", "line": 3, "code": "NNR401", "kind": "legacy_api", "message": "50% done\nnext"}
    )
    assert line == "::warning file=a%2Cb%3Ac.py,line=3,title=NNR401::50%25 done%0Anext"


def test_sarif_has_rule_result_region_and_fix():
    s = outputs.sarif(cnn_report())
    assert s["version"] == "2.1.0"
    run = s["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["NNR101"]
    [res] = run["results"]
    assert res["level"] == "error" and res["ruleId"] == "NNR101"
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 6, "startColumn": 5, "endLine": 6, "endColumn": 44}
    rep = res["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert rep["deletedRegion"] == {"startLine": 5, "endLine": 5}
    assert rep["insertedContent"]["text"] == "    keras.Input(shape=(28, 28, 1)),\n"


@pytest.mark.parametrize("fail_on,invalid,valid", [("none", 0, 0), ("error", 1, 0), ("warning", 1, 0)])
def test_exit_code_follows_fail_on(fail_on, invalid, valid):
    assert outputs.exit_code(cnn_report(), fail_on) == invalid
    assert outputs.exit_code(valid_report(), fail_on) == valid


def test_warning_only_fails_under_warning():
    r = cnn_report()
    r["models"][0]["diagnostics"][0]["severity"] = "warning"
    assert outputs.exit_code(r, "error") == 0 and outputs.exit_code(r, "warning") == 1


def test_write_all(tmp_path):
    out = io.StringIO()
    summary, gh_out, sarif = tmp_path / "summary.md", tmp_path / "out.txt", tmp_path / "sub" / "r.sarif"
    findings = build_findings(cnn_report(), {CNN_PATH: CNN_SOURCE})
    values, failed = outputs.write_all(
        cnn_report(), findings, mode="review", notes=["read-only token"], stdout=out,
        step_summary=str(summary), github_output=str(gh_out), sarif_path=str(sarif),
    )
    assert out.getvalue().startswith("::error file=models/cnn.py,line=6,")
    assert gh_out.read_text() == f"findings=1\nfixed=1\nsarif-file={sarif}\n"
    assert failed == []
    assert values["findings"] == 1
    md = summary.read_text()
    assert "## nnrepair (review): 1 finding" in md and "- read-only token" in md
    assert json.loads(sarif.read_text())["runs"][0]["results"][0]["ruleId"] == "NNR101"


def test_multiline_output_uses_delimiter(tmp_path):
    p = tmp_path / "o"
    outputs.write_github_output(str(p), {"x": "a\nb"})
    lines = p.read_text().splitlines()
    assert lines[0].startswith("x<<nnrepair_") and lines[1:3] == ["a", "b"] and lines[3] == lines[0][3:]


def test_apply_config_drops_ignored_codes_and_overrides_severity():
    from bot.engine import apply_config
    from repair_engine.config import parse_config

    report = cnn_report()
    assert apply_config(report, parse_config("fail_on: error\n")) == report  # nothing to change
    ignored = apply_config(report, parse_config("ignore: [NNR101]\n"))
    [m] = ignored["models"]
    assert m["diagnostics"] == [] and m["status"] == "valid" and "repair" not in m
    assert build_findings(ignored, {CNN_PATH: CNN_SOURCE}) == []
    summary = outputs.job_summary(ignored, [], "review", [])
    assert "NNR101" not in summary and "no findings" in summary
    assert report["models"][0]["diagnostics"][0]["code"] == "NNR101"  # the input is not modified
    downgraded = apply_config(report, parse_config("severity: {NNR101: warning}\n"))
    [m] = downgraded["models"]
    assert m["diagnostics"][0]["severity"] == "warning" and m["status"] == "valid"
    assert outputs.exit_code(downgraded, "error") == 0 and outputs.exit_code(downgraded, "warning") == 1


def test_a_failed_output_write_is_an_error_that_fails_the_step_and_spares_the_others(tmp_path):
    from bot import cli

    ws = tmp_path / "ws"
    (ws / "models").mkdir(parents=True)
    (ws / "models" / "ok.py").write_text("x = 1\n")
    (ws / "blocker").write_text("a file where the SARIF directory should be\n")
    summary, out = tmp_path / "summary.md", tmp_path / "out"
    env = {"GITHUB_EVENT_NAME": "push", "GITHUB_WORKSPACE": str(ws), "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_OUTPUT": str(out), "INPUT_SARIF-FILE": "blocker/nnrepair.sarif", "INPUT_VERIFY": "false"}
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli.main([], environ=env, stdout=stdout, stderr=stderr)
    assert code == 1  # nothing is wrong with the models: the lost SARIF file alone fails the step
    assert "::error title=nnrepair::could not write the SARIF file" in stdout.getvalue()
    assert "nnrepair" in summary.read_text() and "findings=0" in out.read_text()
