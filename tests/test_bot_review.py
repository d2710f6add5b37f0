"""Unit tests of bot.review: diff-hunk parsing, findings from a contract report, filter modes."""

import pytest

from bot.review import (
    ChangedFile,
    apply_line_edits,
    build_findings,
    parse_patch,
    plan_review,
    review_comment,
)
from tests.bot_report_samples import CNN_FIXED_LINE, CNN_PATH, CNN_SOURCE, added_file_patch, cnn_report

PATCH = """@@ -3,4 +3,5 @@ import keras
 a = 1
-b = 2
+b = 3
+c = 4
 d = 5
 e = 6
@@ -20,2 +21,2 @@ def f():
 x = 1
-y = 2
+y = 3
\\ No newline at end of file"""


def test_parse_patch_right_side_lines():
    fd = parse_patch(PATCH)
    assert fd.added == {4, 5, 22}
    assert fd.context == {3, 4, 5, 6, 7, 21, 22}
    assert fd.hunks == [(3, 7), (21, 22)]
    assert fd.range_in_one_hunk(4, 6)
    assert not fd.range_in_one_hunk(6, 21)  # spans two hunks
    assert not fd.range_in_one_hunk(8, 8)


def test_parse_patch_absent_patch_has_no_lines():
    fd = parse_patch(None)
    assert fd.added == set() and fd.hunks == []


def test_findings_from_repair_carry_suggestion_and_old_lines():
    [f] = build_findings(cnn_report(), {CNN_PATH: CNN_SOURCE.encode()})
    assert (f.file, f.start_line, f.line) == (CNN_PATH, 5, 5)
    assert f.old_lines == ["    keras.Input(shape=(28, 28)),"]
    assert f.new_lines == [CNN_FIXED_LINE]
    assert f.code == "NNR101" and f.has_suggestion and not f.is_multiline
    assert "+" + CNN_FIXED_LINE in f.diff


def test_fingerprint_is_stable_and_content_sensitive():
    a = build_findings(cnn_report(), {CNN_PATH: CNN_SOURCE})[0].fingerprint
    b = build_findings(cnn_report(), {CNN_PATH: CNN_SOURCE})[0].fingerprint
    other = cnn_report()
    other["models"][0]["repair"]["line_edits"][0]["new_lines"] = ["    keras.Input(shape=(28, 28, 3)),"]
    c = build_findings(other, {CNN_PATH: CNN_SOURCE})[0].fingerprint
    assert a == b and a != c


def test_model_without_repair_gives_one_finding_per_diagnostic():
    r = cnn_report()
    r["models"][0]["repair"] = None
    [f] = build_findings(r, {CNN_PATH: CNN_SOURCE})
    assert f.new_lines is None and f.line == 6 and "no repair found" in f.why[0]


def _changed(patch):
    return {CNN_PATH: ChangedFile(CNN_PATH, "modified", patch)}


def test_finding_inside_diff_goes_inline():
    plan = plan_review(build_findings(cnn_report(), {CNN_PATH: CNN_SOURCE}), _changed(added_file_patch(CNN_SOURCE)), "added", 10)
    assert len(plan.inline) == 1 and plan.summary == []


def test_finding_outside_diff_goes_to_summary_not_lost():
    patch = "@@ -8,2 +8,2 @@\n-    layers.Dense(5),\n+    layers.Dense(10),\n ])"
    findings = build_findings(cnn_report(), {CNN_PATH: CNN_SOURCE})
    for mode in ("added", "diff_context", "file"):
        plan = plan_review(findings, _changed(patch), mode, 10)
        assert plan.inline == [] and len(plan.summary) == 1, mode


@pytest.mark.parametrize(
    "mode,inline",
    [("added", 0), ("diff_context", 1), ("file", 1), ("nofilter", 1)],
)
def test_filter_modes_on_a_context_line(mode, inline):
    # line 5 is a context line of the hunk, line 6 is added
    patch = "@@ -4,3 +4,3 @@\n model = keras.Sequential([\n     keras.Input(shape=(28, 28)),\n-    layers.Conv2D(16, 3),\n+    layers.Conv2D(32, 3, activation=\"relu\"),"
    plan = plan_review(build_findings(cnn_report(), {CNN_PATH: CNN_SOURCE}), _changed(patch), mode, 10)
    assert len(plan.inline) == inline
    assert len(plan.inline) + len(plan.summary) == 1


def test_unchanged_file_dropped_unless_nofilter():
    findings = build_findings(cnn_report(), {CNN_PATH: CNN_SOURCE})
    assert plan_review(findings, {}, "file", 10).dropped == findings
    assert plan_review(findings, {}, "nofilter", 10).summary == findings


def test_cap_moves_excess_to_summary():
    r = cnn_report()
    m2 = dict(r["models"][0], name="model2")
    m2["repair"] = dict(m2["repair"], line_edits=[{"file": CNN_PATH, "start_line": 6, "end_line": 7, "new_lines": ["x", "y"]}])
    r["models"].append(m2)
    findings = build_findings(r, {CNN_PATH: CNN_SOURCE})
    plan = plan_review(findings, _changed(added_file_patch(CNN_SOURCE)), "added", 1)
    assert len(plan.inline) == 1 and len(plan.summary) == 1 and plan.capped == 1


def test_multiline_review_comment_has_start_line():
    r = cnn_report()
    r["models"][0]["repair"]["line_edits"] = [{"file": CNN_PATH, "start_line": 5, "end_line": 6, "new_lines": ["a", "b", "c"]}]
    [f] = build_findings(r, {CNN_PATH: CNN_SOURCE})
    c = review_comment(f, "body")
    assert c == {"path": CNN_PATH, "line": 6, "side": "RIGHT", "start_line": 5, "start_side": "RIGHT", "body": "body"}


def test_unknown_filter_mode_rejected():
    with pytest.raises(ValueError):
        plan_review([], {}, "everything", 1)


def test_apply_line_edits_bottom_up():
    text = "a\nb\nc\nd\n"
    out = apply_line_edits(text, [{"start_line": 1, "end_line": 1, "new_lines": ["A", "A2"]}, {"start_line": 3, "end_line": 4, "new_lines": ["C"]}])
    assert out == "A\nA2\nb\nC\n"
