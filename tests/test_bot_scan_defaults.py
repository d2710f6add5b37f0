"""Scans under GitHub's default settings: PR creation refused for GITHUB_TOKEN, truncated
trees, issues disabled. Real HTTP against the fake GitHub, real git, real engine."""

from __future__ import annotations

import pytest

from tests.bot_harness import BROKEN, FIXED, REPO, WRITE_TOKEN, run_bot, writes
from tests.fakegithub import FakeGitHub

PATH = "models/cnn.py"


@pytest.fixture
def gh():
    with FakeGitHub() as g:
        g.add_token(WRITE_TOKEN, login="github-actions[bot]", permissions="write")
        g.create_repo(REPO, files={"README.md": "# models\n"})
        yield g


def test_refused_pr_leaves_the_fix_in_the_issue(gh, tmp_path):
    gh.configure_repo(REPO, actions_can_create_pulls=False)  # GitHub's default
    gh.commit(REPO, "main", {PATH: BROKEN}, "Add model")
    r = run_bot(gh, tmp_path, "schedule", {}, inputs={"open-pr": "true"})
    assert r.code == 1 and "internal error" not in r.stderr, r.stderr
    assert gh.pulls(REPO) == []
    [issue] = gh.issues(REPO)
    body = issue["body"]
    assert PATH in body and "```diff" in body and "(28, 28, 1)" in body  # the fix itself
    assert "compare/main...nnrepair/fixes" in body and "Allow GitHub Actions to create and approve pull requests" in body
    assert gh.file_at(REPO, "nnrepair/fixes", PATH) == FIXED
    assert "refused to open the fix PR" in r.summary
    # the issue was created before the PR was tried
    paths = [(m, p) for m, p, _ in writes(gh)]
    assert paths.index(("POST", f"/repos/{REPO}/issues")) < paths.index(("POST", f"/repos/{REPO}/pulls"))
    # the next scan, nothing changed: no edit back and forth
    before = len(gh.requests)
    run_bot(gh, tmp_path, "schedule", {}, inputs={"open-pr": "true"})
    assert [w for w in writes(gh, before) if "/issues" in w[1]] == []
    # once the setting is on, the PR opens and the issue links it
    gh.configure_repo(REPO, actions_can_create_pulls=True)
    run_bot(gh, tmp_path, "schedule", {}, inputs={"open-pr": "true"})
    [pr] = gh.pulls(REPO)
    [issue] = gh.issues(REPO)
    assert pr["html_url"] in issue["body"] and "refused" not in issue["body"]


def test_truncated_tree_still_finds_the_broken_model(gh, tmp_path):
    files = {f"data/file{i:03}.txt": "x\n" for i in range(40)}
    files["zz/deep/" + PATH] = BROKEN  # sorts last: beyond the cut
    gh.commit(REPO, "main", files, "Many files")
    gh.set_tree_limit(20)
    r = run_bot(gh, tmp_path, "schedule", {})
    assert r.code == 1, r.stderr
    assert "truncated" in r.stderr
    [issue] = gh.issues(REPO)
    assert "zz/deep/" + PATH in issue["body"]


def test_issues_disabled_is_reported_in_the_job_summary(gh, tmp_path):
    gh.configure_repo(REPO, has_issues=False)
    gh.commit(REPO, "main", {PATH: BROKEN}, "Add model")
    r = run_bot(gh, tmp_path, "schedule", {})
    assert r.code == 1 and "internal error" not in r.stderr, r.stderr
    assert gh.issues(REPO) == []
    assert "Issues are disabled" in r.summary and PATH in r.summary


def test_fake_answers_410_when_issues_are_disabled(gh):
    import requests

    gh.configure_repo(REPO, has_issues=False)
    resp = requests.post(f"{gh.api_url}/repos/{REPO}/issues", json={"title": "x"},
                         headers={"Authorization": f"token {WRITE_TOKEN}"}, timeout=10)
    assert resp.status_code == 410 and "disabled" in resp.json()["message"]
