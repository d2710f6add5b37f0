"""End-to-end: `nnrepair github` against the fake GitHub (real HTTP, real git), real engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from bot import RESOLVED_MARKER, SUMMARY_MARKER
from repair_engine.api import analyze
from tests.bot_harness import (
    BROKEN,
    FIXED,
    FIXED_LINE,
    READ_TOKEN,
    REPO,
    WRITE_TOKEN,
    apply_suggestion,
    comment_event,
    pr_event,
    run_bot,
    writes,
)
from tests.fakegithub import FakeGitHub

PATH = "models/cnn.py"


@pytest.fixture
def gh():
    with FakeGitHub() as g:
        g.add_token(WRITE_TOKEN, login="github-actions[bot]", permissions="write")
        g.add_token(READ_TOKEN, login="github-actions[bot]", permissions="read")
        g.create_repo(REPO, files={"README.md": "# models\n"})
        yield g


def open_pr(gh, files, branch="feature"):
    gh.commit(REPO, branch, files, "Add a model")
    return gh.create_pull(REPO, head=branch, base="main")


def test_same_repo_pr_review_suggestion_fixes_the_model(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    assert r.code == 1, r.stderr  # fail-on error: the PR holds an invalid model
    [review] = gh.reviews(REPO, n)
    assert review["state"] == "COMMENTED"
    [c] = gh.review_comments(REPO, n)
    assert (c["path"], c["line"], c["side"]) == (PATH, 5, "RIGHT")
    assert "NNR101" in c["body"] and "```suggestion\n" + FIXED_LINE + "\n```" in c["body"]
    [summary] = gh.issue_comments(REPO, n)
    assert SUMMARY_MARKER in summary["body"] and "| `models/cnn.py` | `model` | ❌ invalid |" in summary["body"]
    assert r.outputs["findings"] == "1" and r.outputs["fixed"] == "1"
    assert r.sarif["runs"][0]["results"][0]["ruleId"] == "NNR101"
    assert "::error file=models/cnn.py,line=6" in r.stdout
    assert "## nnrepair (review): 1 finding" in r.summary

    # "Commit suggestion": the engine finds the result valid ...
    head_text = gh.file_at(REPO, "feature", PATH)
    applied = apply_suggestion(head_text, c)
    assert applied == FIXED
    rep = analyze({PATH: applied.encode()}).to_json()
    assert [m["status"] for m in rep["models"]] == ["valid"]
    assert rep["models"][0]["output_shapes"] == [[None, 10]]
    # ... and real Keras builds it (our own fixture file, executed in a subprocess), while it rejects the original
    if os.environ.get("NNREPAIR_SKIP_KERAS") == "1":
        pytest.skip("Keras half skipped")
    from tests.conftest import require_keras

    require_keras()
    (tmp_path / "fixed_model.py").write_text(applied)
    (tmp_path / "broken_model.py").write_text(head_text)
    probe = textwrap.dedent(
        """
        import json, runpy, sys
        out = {}
        for name in sys.argv[1:]:
            try:
                ns = runpy.run_path(name)
                out[name] = list(ns["model"].output_shape)
            except Exception as e:
                out[name] = "error: " + type(e).__name__
        print(json.dumps(out))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, "fixed_model.py", "broken_model.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=240,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    verdict = json.loads(proc.stdout.strip().splitlines()[-1])
    assert verdict["fixed_model.py"] == [None, 10]
    assert str(verdict["broken_model.py"]).startswith("error")


def test_rerun_without_change_posts_nothing_new(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    before = len(gh.requests)
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"))
    assert r.code == 1
    assert writes(gh, before) == []
    assert len(gh.reviews(REPO, n)) == 1 and len(gh.review_comments(REPO, n)) == 1 and len(gh.issue_comments(REPO, n)) == 1


def test_push_that_fixes_the_model_resolves_old_comments(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    gh.commit(REPO, "feature", {PATH: FIXED}, "Fix the input shape")
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"))
    assert r.code == 0, r.stderr
    [c] = gh.review_comments(REPO, n)
    assert RESOLVED_MARKER in c["body"] and "Resolved or outdated" in c["body"] and "```suggestion" not in c["body"]
    assert len(gh.reviews(REPO, n)) == 1  # no new review
    [summary] = gh.issue_comments(REPO, n)
    assert "## nnrepair: all models valid" in summary["body"] and "✅ valid" in summary["body"]
    assert r.outputs["findings"] == "0"


def test_valid_pr_gets_no_comment(gh, tmp_path):
    n = open_pr(gh, {PATH: FIXED})
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    assert r.code == 0
    assert gh.reviews(REPO, n) == [] and gh.issue_comments(REPO, n) == []
    assert "✅ valid" in r.summary  # the job summary still shows the checked model


LONG_BROKEN = BROKEN.replace(
    '    layers.Dense(10),\n', "".join(f"    layers.Dense({64 - i}),\n" for i in range(8)) + "    layers.Dense(10),\n"
)


def test_finding_outside_the_diff_goes_to_the_summary(gh, tmp_path):
    gh.commit(REPO, "main", {PATH: LONG_BROKEN}, "Existing model")
    n = open_pr(gh, {PATH: LONG_BROKEN.replace("layers.Dense(10)", "layers.Dense(12)")})
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    assert r.code == 1
    assert gh.reviews(REPO, n) == [] and gh.review_comments(REPO, n) == []
    [summary] = gh.issue_comments(REPO, n)
    body = summary["body"]
    assert "### Findings outside the diff" in body
    assert "```diff\n--- a/models/cnn.py\n+++ b/models/cnn.py\n@@ -5,1 +5,1 @@\n-    keras.Input(shape=(28, 28)),\n+" + FIXED_LINE in body


def test_fork_pr_with_read_only_token_degrades_to_annotations(gh, tmp_path):
    gh.create_fork(REPO, "mallory")
    gh.commit("mallory/models", "evil", {PATH: BROKEN}, "Add model")
    n = gh.create_pull(REPO, head="mallory:evil", base="main", head_repo="mallory/models", user="mallory")
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n), token=READ_TOKEN)
    assert r.code == 1, r.stderr  # by fail-on, not a crash
    assert gh.reviews(REPO, n) == [] and gh.issue_comments(REPO, n) == []
    assert "::error file=models/cnn.py" in r.stdout
    assert "cannot write" in r.summary and "## nnrepair (review): 1 finding" in r.summary
    assert READ_TOKEN not in r.stdout + r.stderr + r.summary


def test_three_hundred_file_pr(gh, tmp_path):
    files = {f"pkg/mod_{i:03d}.py": f"VALUE_{i} = {i}\n" for i in range(299)}
    files[PATH] = BROKEN
    n = open_pr(gh, files)
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    assert r.code == 1, r.stderr
    [c] = gh.review_comments(REPO, n)
    assert c["path"] == PATH
    pages = [p for m, p, s in gh.requests if m == "GET" and f"/pulls/{n}/files" in p]
    assert len(pages) >= 3  # 300 files, 100 per page


def test_fix_command_by_collaborator_commits(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    gh.set_permission(REPO, "carol", "write")
    r = run_bot(gh, tmp_path, "issue_comment", comment_event(gh, n, "/nnrepair fix", "carol"))
    assert gh.file_at(REPO, "feature", PATH) == FIXED, r.stderr
    assert r.outputs["fixed"] == "1"
    head = gh.pull(REPO, n)["head"]["sha"]
    # the bot's own commit never triggers another fix
    before = len(gh.requests)
    run_bot(gh, tmp_path, "issue_comment", comment_event(gh, n, "/nnrepair fix", "github-actions[bot]", "Bot"))
    assert writes(gh, before) == [] and gh.pull(REPO, n)["head"]["sha"] == head
    # and a new review run on the fixed head posts nothing
    r2 = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"), inputs={"mode": "commit"})
    assert r2.code == 0 and gh.pull(REPO, n)["head"]["sha"] == head


def test_fix_command_by_stranger_does_not_commit(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    head = gh.pull(REPO, n)["head"]["sha"]
    r = run_bot(gh, tmp_path, "issue_comment", comment_event(gh, n, "/nnrepair fix", "stranger"))
    assert r.code == 0
    assert gh.pull(REPO, n)["head"]["sha"] == head and gh.file_at(REPO, "feature", PATH) == BROKEN
    [reply] = gh.issue_comments(REPO, n)
    assert "only runs for people with write access" in reply["body"]


def test_commit_when_branch_deleted_mid_run_exits_cleanly(gh, tmp_path, monkeypatch):
    from bot import cli

    n = open_pr(gh, {PATH: BROKEN})
    real = cli.analyse

    def analyse_then_delete(run, sources, fix=True):
        real(run, sources, fix)
        gh.delete_branch(REPO, "feature")

    monkeypatch.setattr(cli, "analyse", analyse_then_delete)
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n), inputs={"mode": "commit", "fail-on": "none"})
    assert r.code == 0, r.stderr
    assert "vanished" in r.stderr or "moved" in r.stderr
    assert "internal error" not in r.stderr


def test_force_push_mid_run_posts_nothing(gh, tmp_path, monkeypatch):
    from bot import cli

    n = open_pr(gh, {PATH: BROKEN})
    real = cli.analyse

    def analyse_then_force_push(run, sources, fix=True):
        real(run, sources, fix)
        gh.force_push(REPO, "feature", {PATH: BROKEN + "# rewritten\n"})

    monkeypatch.setattr(cli, "analyse", analyse_then_force_push)
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    assert "head moved" in r.stderr and "internal error" not in r.stderr
    assert gh.reviews(REPO, n) == []
    assert "head moved" in r.summary


def test_scheduled_scan_creates_updates_closes_issue(gh, tmp_path):
    gh.commit(REPO, "main", {PATH: BROKEN}, "Add model")
    r = run_bot(gh, tmp_path, "schedule", {"schedule": "0 3 * * *"}, inputs={"open-pr": "true"})
    assert r.code == 1, r.stderr
    [issue] = gh.issues(REPO)
    assert issue["state"] == "open" and "<!-- nnrepair:scan -->" in issue["body"] and PATH in issue["body"]
    [pr] = gh.pulls(REPO)
    assert pr["head"]["ref"] == "nnrepair/fixes" and gh.file_at(REPO, "nnrepair/fixes", PATH) == FIXED
    # same state again: nothing written
    before = len(gh.requests)
    run_bot(gh, tmp_path, "schedule", {}, inputs={"open-pr": "true"})
    assert writes(gh, before) == []
    # a second broken model: the same issue is updated
    gh.commit(REPO, "main", {"models/second.py": BROKEN.replace("(28, 28)", "(32, 32)")}, "Another model")
    run_bot(gh, tmp_path, "schedule", {}, inputs={"open-pr": "true"})
    [issue2] = gh.issues(REPO)
    assert issue2["number"] == issue["number"] and "models/second.py" in issue2["body"]
    assert len(gh.pulls(REPO)) == 1 and gh.file_at(REPO, "nnrepair/fixes", "models/second.py") is not None
    # everything fixed on main: the issue closes
    gh.commit(REPO, "main", {PATH: FIXED, "models/second.py": FIXED}, "Fix models")
    r3 = run_bot(gh, tmp_path, "schedule", {}, inputs={"open-pr": "true"})
    assert r3.code == 0
    [issue3] = gh.issues(REPO)
    assert issue3["state"] == "closed"
    assert [p["state"] for p in gh.pulls(REPO)] == ["closed"]


def test_dry_run_on_saved_event_prints_review(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    assert n == 1  # the saved payload is PR #1 of octo/models
    here = os.path.dirname(__file__)
    with open(os.path.join(here, "fixtures", "events", "pull_request.opened.json")) as fh:
        event = json.load(fh)
    before = len(gh.requests)
    r = run_bot(gh, tmp_path, "pull_request", event, argv=["--dry-run"])
    assert writes(gh, before) == []
    assert "=== review (COMMENT) ===" in r.stdout
    assert "--- inline comment models/cnn.py:5-5 ---" in r.stdout
    assert "```suggestion\n" + FIXED_LINE + "\n```" in r.stdout
    assert "=== summary comment ===" in r.stdout


def test_token_never_printed_even_on_errors(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    gh.inject(status=502, count=50, retry_after=None, path_regex=r"/reviews$", secondary_rate_limit=False)
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n), extra_env={"INPUT_GITHUB-TOKEN": WRITE_TOKEN})
    assert "GitHub API" in r.stderr  # the failure was reported...
    assert WRITE_TOKEN not in r.stdout + r.stderr + r.summary  # ...without the token
    assert r.code == 1


def test_config_comes_from_the_base_branch_and_inputs_override(gh, tmp_path):
    gh.commit(REPO, "main", {".nnrepair.yml": "ignore: [NNR101]\n"}, "Config")
    n = open_pr(gh, {PATH: BROKEN})
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    assert r.code == 0 and gh.review_comments(REPO, n) == [], r.stderr  # the code is ignored by config
    # a PR cannot loosen its own checks: its own .nnrepair.yml is not used
    gh.commit(REPO, "main", {".nnrepair.yml": "fail_on: error\n"}, "Stricter config")
    n2 = open_pr(gh, {PATH: BROKEN, ".nnrepair.yml": "ignore: [NNR101]\n"}, branch="sneaky")
    r2 = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n2))
    assert r2.code == 1 and len(gh.review_comments(REPO, n2)) == 1
    # action inputs override the file
    r3 = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n2, "synchronize"), inputs={"fail-on": "none"})
    assert r3.code == 0


def test_bad_config_is_a_clear_error_not_a_crash(gh, tmp_path):
    gh.commit(REPO, "main", {".nnrepair.yml": "fail_on: sometimes\n"}, "Bad config")
    n = open_pr(gh, {PATH: BROKEN})
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    assert r.code == 2 and "configuration error" in r.stderr and "fail_on" in r.stderr
    assert gh.review_comments(REPO, n) == []


def test_commit_mode_withdraws_suggestions_and_says_so(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))  # review first: one suggestion
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"), inputs={"mode": "commit"})
    assert gh.file_at(REPO, "feature", PATH) == FIXED, r.stderr
    message = [line for line in r.stderr.splitlines() if "committed" in line]
    assert message
    [c] = gh.review_comments(REPO, n)
    assert RESOLVED_MARKER in c["body"]
    [summary] = gh.issue_comments(REPO, n)
    assert "## nnrepair: repaired 1 model in" in summary["body"]


def test_comment_mode_and_pull_request_target(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    r = run_bot(gh, tmp_path, "pull_request_target", pr_event(gh, n), inputs={"mode": "comment"})
    assert r.code == 1
    assert gh.reviews(REPO, n) == []  # comment mode: no inline review
    [summary] = gh.issue_comments(REPO, n)
    assert "### Findings\n" in summary["body"] and "```diff" in summary["body"]


def test_closed_pr_gets_nothing(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    gh.close_pull(REPO, n)
    before = len(gh.requests)
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "closed"))
    assert writes(gh, before) == [] and "closed" in r.stderr


INSERTION = """import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(8, 3),
    layers.LSTM(4),
])
"""
TWO_EDITS = """import keras
from keras import layers

inputs = keras.Input(shape=(32, 32, 3))
x = layers.Conv2D(8, 3)(inputs)
x = layers.Dense(10)(x)
y = layers.Conv2D(8, 5)(inputs)
z = layers.Add()([x, y])
model = keras.Model(inputs, z)
"""


def test_every_suggestion_applied_gives_valid_models(gh, tmp_path):
    """Insertions become suggestions anchored on the line above; a repair with two edits gives two
    suggestions; applying them all (bottom-up, as a reviewer would) leaves only valid models."""
    n = open_pr(gh, {"models/rnn.py": INSERTION, "models/merge.py": TWO_EDITS})
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    assert r.code == 1, r.stderr
    comments = gh.review_comments(REPO, n)
    assert len(gh.reviews(REPO, n)) == 1
    by_file = {}
    for c in comments:
        by_file.setdefault(c["path"], []).append(c)
    assert len(by_file["models/rnn.py"]) == 1 and len(by_file["models/merge.py"]) >= 1
    fixed = {}
    for path, cs in by_file.items():
        text = gh.file_at(REPO, "feature", path)
        for c in sorted(cs, key=lambda c: -c["line"]):
            text = apply_suggestion(text, c)
        fixed[path] = text
    assert "layers.Reshape(" in fixed["models/rnn.py"]
    rep = analyze({p: t.encode() for p, t in fixed.items()}).to_json()
    assert sorted(m["status"] for m in rep["models"]) == ["valid", "valid"]


def test_multi_line_suggestion_lands_on_its_range(gh, tmp_path):
    """A line edit spanning lines 6-8 becomes one comment with start_line/line, accepted by the server."""
    from bot.github_api import GitHubClient
    from bot.publish import publish_pull
    from bot.review import build_findings

    text = BROKEN
    n = open_pr(gh, {PATH: text})
    report = analyze({PATH: text.encode()}, fix=True, verify=False).to_json()
    report["models"][0]["repair"]["line_edits"] = [
        {"file": PATH, "start_line": 5, "end_line": 7, "new_lines": [FIXED_LINE, '    layers.Conv2D(32, 3, activation="relu"),', "    layers.Flatten(),"]}
    ]
    c = GitHubClient(WRITE_TOKEN, gh.api_url, seconds_between_writes=0)
    repo = c.repo(REPO)
    pull = c.pull(repo, n)
    changed = {f.path: f for f in c.pull_files(pull)}
    res = publish_pull(c, repo, pull, pull.head.sha, report, build_findings(report, {PATH: text}), changed,
                       filter_mode="added", max_comments=5, echo=lambda s: None)
    assert res.new_comments == 1
    [cm] = gh.review_comments(REPO, n)
    assert (cm["start_line"], cm["line"]) == (5, 7)
    assert apply_suggestion(text, cm) == FIXED


def test_stranger_is_answered_once(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    for _ in range(2):
        run_bot(gh, tmp_path, "issue_comment", comment_event(gh, n, "/nnrepair fix please", "stranger"))
    assert len(gh.issue_comments(REPO, n)) == 1


def test_paths_input_restricts_the_check(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n), inputs={"paths": "other/, docs"})
    assert r.code == 0 and r.outputs["findings"] == "0" and gh.issue_comments(REPO, n) == []


def test_no_token_checks_the_workspace(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    ws = tmp_path / "ws"
    (ws / "models").mkdir(parents=True)
    (ws / PATH).write_text(BROKEN)
    before = len(gh.requests)
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n), token=None, extra_env={"GITHUB_WORKSPACE": str(ws)})
    assert r.code == 1 and "::error file=models/cnn.py,line=6" in r.stdout
    assert "No GitHub token" in r.summary
    assert len(gh.requests) == before  # no API call at all


def test_api_outage_before_analysis_falls_back_to_the_workspace(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    ws = tmp_path / "ws"
    (ws / "models").mkdir(parents=True)
    (ws / PATH).write_text(BROKEN)
    gh.inject(status=503, count=100, retry_after=None, path_regex=r"/pulls/\d+$", secondary_rate_limit=False)
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n), extra_env={"GITHUB_WORKSPACE": str(ws)})
    assert r.code == 1 and "GitHub API" in r.stderr and r.outputs["findings"] == "1"
    assert "internal error" not in r.stderr


def test_markers_pasted_by_someone_else_are_not_trusted(gh, tmp_path):
    """A user comment carrying the summary marker is neither edited nor mistaken for the bot's."""
    n = open_pr(gh, {PATH: BROKEN})
    gh.add_token("ghp_mallory_token_0123456789", login="mallory", permissions="write")
    from github import Auth, Github

    g = Github(auth=Auth.Token("ghp_mallory_token_0123456789"), base_url=gh.api_url, retry=None)
    g.get_repo(REPO).get_issue(n).create_comment(SUMMARY_MARKER + "\nI am the summary now")
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    comments = gh.issue_comments(REPO, n)
    assert len(comments) == 2 and comments[0]["body"].endswith("I am the summary now")
    assert comments[1]["user"]["login"] == "github-actions[bot]" and "| `models/cnn.py` |" in comments[1]["body"]


def test_push_elsewhere_in_the_file_reposts_the_outdated_suggestion_once(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    gh.commit(REPO, "feature", {PATH: "# a CNN\n" + BROKEN}, "Add a header comment")  # the finding moves to line 6
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"))
    old, new = gh.review_comments(REPO, n)
    assert RESOLVED_MARKER in old["body"] and "Outdated" in old["body"]
    assert new["line"] == 6 and FIXED_LINE in new["body"] and RESOLVED_MARKER not in new["body"]
    before = len(gh.requests)
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"))
    assert writes(gh, before) == []


def test_scan_from_the_workspace_and_dry_run(gh, tmp_path):
    ws = tmp_path / "ws"
    (ws / "models").mkdir(parents=True)
    (ws / PATH).write_text(BROKEN)
    (ws / ".git").mkdir()
    (ws / ".git" / "junk.py").write_text(BROKEN)  # never scanned
    before = len(gh.requests)
    r = run_bot(gh, tmp_path, "workflow_dispatch", {}, argv=["--dry-run"],
                inputs={"source": "workspace"}, extra_env={"GITHUB_WORKSPACE": str(ws)})
    assert r.code == 1 and writes(gh, before) == []
    assert "=== scan issue (new) ===" in r.stdout and "models/cnn.py" in r.stdout and ".git/junk.py" not in r.stdout
    r2 = run_bot(gh, tmp_path, "workflow_dispatch", {}, inputs={"source": "workspace"}, extra_env={"GITHUB_WORKSPACE": str(ws)})
    [issue] = gh.issues(REPO)
    assert "models/cnn.py" in issue["body"] and r2.code == 1


@pytest.mark.parametrize("can_modify", [True, False])
def test_fix_command_on_a_fork_pr_needs_maintainer_edits(gh, tmp_path, can_modify):
    gh.create_fork(REPO, "dana")
    gh.commit("dana/models", "cnn", {PATH: BROKEN}, "Add model")
    n = gh.create_pull(REPO, head="dana:cnn", base="main", head_repo="dana/models", maintainer_can_modify=can_modify, user="dana")
    gh.set_permission(REPO, "carol", "write")
    r = run_bot(gh, tmp_path, "issue_comment", comment_event(gh, n, "/nnrepair fix", "carol"))
    on_fork = gh.file_at("dana/models", "cnn", PATH)
    if can_modify:
        assert on_fork == FIXED, r.stderr
    else:
        assert on_fork == BROKEN and "does not allow edits from maintainers" in r.stderr
        [summary] = gh.issue_comments(REPO, n)
        assert "does not allow edits from maintainers" in summary["body"]
