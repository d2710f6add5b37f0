"""JSON v1 is the one interchange of every renderer: text, SARIF, annotations (CLI and bot)."""

from __future__ import annotations

import json
from pathlib import Path

from bot import outputs, templates
from bot.engine import analyze as bot_analyze
from repair_engine import render
from repair_engine.api import analyze
from repair_engine.diagnostics import fmt_shape

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _sources() -> dict:
    return {f"models/{p.name}": p.read_bytes() for p in sorted(EXAMPLES.iterdir()) if p.is_file()}


def test_a_report_and_its_json_render_the_same():
    report = analyze(_sources(), fix=True, verify=False)
    data = json.loads(json.dumps(report.to_json()))  # what an artifact carries: plain JSON
    assert render.to_sarif(report) == render.to_sarif(data)
    assert render.to_github(report) == render.to_github(data)
    assert render.to_text(report, "check") == render.to_text(data, "check")
    assert render.summary(report) == render.summary(data)


def test_the_bot_writes_the_clis_sarif_and_annotations():
    sources = _sources()
    cli_report = analyze(sources, fix=True, verify=False)
    bot_json = bot_analyze(sources, fix=True, verify=False).report
    cli_sarif, bot_sarif = render.to_sarif(cli_report), outputs.sarif(bot_json)
    assert cli_sarif["runs"][0]["tool"] == bot_sarif["runs"][0]["tool"]
    cli_results, bot_results = cli_sarif["runs"][0]["results"], bot_sarif["runs"][0]["results"]
    assert [r["locations"] for r in cli_results] == [r["locations"] for r in bot_results]
    # the bot's JSON carries the GitHub line edits: its results also carry the fix
    fixes = [r["fixes"] for r in bot_results if "fixes" in r]
    assert fixes and all("fixes" not in r for r in cli_results)
    cli_lines = render.to_github(cli_report).splitlines()[:-1]  # less the summary line
    assert set(cli_lines) <= set(outputs.annotation_lines(bot_json))
    assert cli_lines and all(line.startswith(("::error ", "::warning ")) for line in cli_lines)


def test_a_finding_shared_by_two_models_is_one_sarif_result_and_one_annotation_in_the_bot_too():
    d = {"code": "NNR401", "kind": "legacy_api", "severity": "warning", "message": "old spelling",
         "file": "m.py", "line": 3, "col": 5, "end_line": 3, "end_col": 9}
    data = {"version": 1, "tool": {"name": "nnrepair", "version": "9.9"},
            "models": [{"file": "m.py", "name": n, "status": "valid", "diagnostics": [dict(d)]} for n in "ab"]}
    assert len(outputs.sarif(data)["runs"][0]["results"]) == 1
    assert outputs.annotation_lines(data) == ["::warning file=m.py,line=3,col=5,endColumn=9,title=NNR401::old spelling"]
    assert outputs.sarif(data)["runs"][0]["tool"]["driver"]["version"] == "9.9"


def test_one_way_to_print_a_shape():
    for shape in ([None, 28, 28], [None, 3], [7], None):
        assert templates.fmt_shape(shape) == fmt_shape(shape)
    assert templates.fmt_shape([[None, 10], None]) == "(None, 10), (unknown)"
    assert templates.fmt_shapes([None, 10]) == "(None, 10)"


def test_the_text_view_adds_what_json_v1_does_not_carry():
    report = analyze({"m.py": (EXAMPLES / "broken_cnn.py").read_bytes()}, fix=True, verify=False)
    data, view = render.interchange(report)
    assert view.fixed_files == {"m.py"} and data == report.to_json()
    assert "1 file with changes" in render.summary(report, "fix")
    assert "1 file with changes" not in render.summary(data, "fix")  # JSON alone does not say it


def test_one_diff_writer_for_fix_diff_and_the_repairs():
    from repair_engine import cli
    from repair_engine.patch import diffs

    assert cli.unified_diff is diffs.unified_diff
    # a form feed is no line break for git (str.splitlines would split there)
    d = diffs.unified_diff("x = 1\x0c# page\ny = 2\n", "x = 1\x0c# page\ny = 3\n", "/abs/f.py")
    assert d.startswith("--- a/abs/f.py\n+++ b/abs/f.py\n")
    assert "\n@@ -1,2 +1,2 @@\n" in d  # two lines as git counts them, not three
