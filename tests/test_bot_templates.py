"""Templates against expected Markdown, and the summary rendered to HTML with markdown-it-py."""

import json

import pytest
from markdown_it import MarkdownIt

from bot import SUMMARY_MARKER, templates
from bot.fixcommit import commit_message, fixed_models, is_bot_commit
from bot.publish import inline_body, resolved_body, summary_body
from bot.review import build_findings
from bot.scan import issue_body
from tests.bot_report_samples import CNN_PATH, CNN_SOURCE, cnn_report, valid_report

DOCS = "https://docs.example/diagnostics.md"


@pytest.fixture(autouse=True)
def fixed_docs(monkeypatch):
    monkeypatch.setenv("NNREPAIR_DOCS_URL", DOCS)
    monkeypatch.setattr(templates, "_doc_anchors", lambda: {})


EXPECTED_INLINE = """<!-- nnrepair:finding {fp} -->
**[NNR101](https://docs.example/diagnostics.md#nnr101) rank_mismatch** (error) in `model`: Conv2D expects a 4-D input (batch, rows, cols, channels) but receives 3-D (None, 28, 28)

**Why this change:** change input shape (28, 28) -> (28, 28, 1) (repair cost 1.0, verified with real Keras).

```suggestion
    keras.Input(shape=(28, 28, 1)),
```

Output shape: fails to build → `(None, 10)`

<details>
<summary>1 alternative repair</summary>

- cost 2.0: replace Conv2D by Conv1D

```diff
--- a/models/cnn.py
+++ b/models/cnn.py
@@ -6 +6 @@
-    layers.Conv2D(32, 3, activation="relu"),
+    layers.Conv1D(32, 3, activation="relu"),
```

</details>

<sub>nnrepair · [what NNR101 means](https://docs.example/diagnostics.md#nnr101)</sub>
"""


def test_inline_comment_markdown():
    [f] = build_findings(cnn_report(), {CNN_PATH: CNN_SOURCE})
    assert inline_body(f) == EXPECTED_INLINE.format(fp=f.fingerprint)


def test_inline_comment_without_alternatives_or_repair():
    r = cnn_report(with_alternative=False)
    r["models"][0]["repair"] = None
    [f] = build_findings(r, {CNN_PATH: CNN_SOURCE})
    body = inline_body(f)
    assert "```suggestion" not in body and "<details>" not in body
    assert "no repair found within the configured limits" in body


def test_suggestion_fence_outgrows_backticks_in_code():
    assert templates.fence("x = '```'\n", "suggestion") == "````suggestion\nx = '```'\n````"
    assert templates.fence("", "suggestion") == "```suggestion\n```"  # deleting lines


EXPECTED_SUMMARY_HEAD = """<!-- nnrepair:summary -->
## nnrepair: 1 finding in 1 model

Checked 1 model at `abcdef1`.

| File | Model | Status | Layers | Output shape |
| --- | --- | --- | --- | --- |
| `models/cnn.py` | `model` | ❌ invalid | — | — |
"""


def test_summary_comment_markdown():
    findings = build_findings(cnn_report(), {CNN_PATH: CNN_SOURCE})
    body = summary_body(cnn_report(), "abcdef1" + "0" * 33, [], findings, ["a note"])
    assert body.startswith(EXPECTED_SUMMARY_HEAD)
    assert "### Findings outside the diff" in body
    assert "\n```diff\n--- a/models/cnn.py\n+++ b/models/cnn.py\n@@ -5,1 +5,1 @@\n" in body
    assert body.rstrip().endswith(f"<sub>nnrepair · [diagnostics reference]({DOCS})</sub>")
    assert "- a note" in body


def test_summary_when_all_valid():
    body = summary_body(valid_report(), "f" * 40, [], [], [])
    assert "## nnrepair: all models valid" in body
    assert "| `models/cnn.py` | `model` | ✅ valid | — | `(None, 10)` |" in body
    assert "Findings" not in body


def test_summary_renders_to_well_formed_html():
    findings = build_findings(cnn_report(), {CNN_PATH: CNN_SOURCE})
    r = cnn_report()
    r["models"][0]["file"] = "models/a|b.py"  # a pipe must not break the table
    body = summary_body(r, "a" * 40, findings[:1], findings, [])
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(body)
    html = md.render(body)
    assert html.count("<table>") == 1 and html.count("</table>") == 1
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == 2  # header + one model
    cells = [t for t in tokens if t.type in ("td_open",)]
    assert len(cells) == 5  # the escaped pipe stayed inside its cell
    fences = [t for t in tokens if t.type == "fence"]
    assert [t.info for t in fences] == ["diff"]
    assert fences[0].content.startswith("--- a/models/cnn.py")
    assert SUMMARY_MARKER in html  # the hidden marker survives as an HTML comment


def test_inline_comment_html_has_one_suggestion_fence():
    [f] = build_findings(cnn_report(), {CNN_PATH: CNN_SOURCE})
    tokens = MarkdownIt("commonmark").parse(inline_body(f))
    fences = [t for t in tokens if t.type == "fence"]
    assert [t.info for t in fences] == ["suggestion", "diff"]
    assert fences[0].content == "    keras.Input(shape=(28, 28, 1)),\n"


def test_resolved_comment_withdraws_suggestion():
    [f] = build_findings(cnn_report(), {CNN_PATH: CNN_SOURCE})
    body = resolved_body(f.fingerprint, inline_body(f), "1234567" + "0" * 33)
    assert f"<!-- nnrepair:finding {f.fingerprint} -->" in body
    assert "<!-- nnrepair:resolved -->" in body
    assert "```suggestion" not in body
    assert "Resolved or outdated** at 1234567" in body


def test_scan_issue_lists_invalid_models_with_fix():
    body = issue_body(cnn_report(), "main", "9" * 40, None)
    assert body.startswith("<!-- nnrepair:scan -->\nnnrepair's scheduled scan of `main` at `9999999` found 1 invalid model.")
    assert "### `models/cnn.py`: `model`" in body
    assert "Fix (change input shape (28, 28) -> (28, 28, 1)):" in body
    assert "+    keras.Input(shape=(28, 28, 1))," in body


def test_commit_message_has_trailer():
    msg = commit_message("nnrepair: fix", fixed_models(cnn_report()))
    assert msg == (
        "nnrepair: fix\n\n- models/cnn.py (model): change input shape (28, 28) -> (28, 28, 1)\n\nnnrepair-bot: fix\n"
    )
    assert is_bot_commit(msg) and not is_bot_commit("fix things\n\nnnrepair-bot: fixes")


def _many_models(k):
    r = cnn_report()
    base = r["models"][0]
    r["models"] = []
    for i in range(k):
        m = json.loads(json.dumps(base))
        m["file"] = f"models/m{i:04d}.py"
        for d in m["diagnostics"]:
            d["file"] = m["file"]
        m["repair"]["line_edits"][0]["file"] = m["file"]
        m["repair"]["diff"] = m["repair"]["diff"].replace("models/cnn.py", m["file"]) * 5
        r["models"].append(m)
    return r


def test_huge_summary_and_issue_fit_githubs_size_limit():
    r = _many_models(400)
    findings = build_findings(r, {m["file"]: CNN_SOURCE for m in r["models"]})
    body = summary_body(r, "a" * 40, [], findings, [])
    assert len(body) <= 60000 and "Diffs are omitted here" in body
    md = MarkdownIt("commonmark").enable("table")
    assert md.render(body).count("<table>") == 1
    issue = issue_body(r, "main", "b" * 40, None)
    assert len(issue) <= 60000 and "found 400 invalid models. The first" in issue


def test_verified_by_reads_the_engine_field_with_a_fallback():
    from bot.review import verified_by

    assert verified_by({"verified": True, "verified_by": "semantics"}) == "semantics"  # the engine's word wins
    assert verified_by({"verified": True}) == "keras"  # older engines: only Keras verified
    assert verified_by({"verified": False}) == "semantics"
    assert verified_by({}) is None and verified_by(None) is None
    assert verified_by({"verified_by": "<script>"}) is None  # an unknown judge is not shown
