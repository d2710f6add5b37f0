"""A 5xx that hides a write GitHub applied must not make the bot write it twice.

The fake GitHub receives and applies the request for real; only the answer the bot sees is
replaced by a 502 (tests.bot_harness.hide_success). Each scenario: exactly one comment / issue /
PR / commit after the hidden success, and a re-run writes nothing new."""

from __future__ import annotations

import time

import pytest

from bot import RESOLVED_MARKER, SCAN_MARKER, SUMMARY_MARKER
from tests.bot_harness import (
    BROKEN,
    FIXED,
    FIXED_LINE,
    REPO,
    WRITE_TOKEN,
    comment_event,
    hide_success,
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
        g.create_repo(REPO, files={"README.md": "# models\n"})
        yield g


def open_pr(gh, files, branch="feature"):
    gh.commit(REPO, branch, files, "Add a model")
    return gh.create_pull(REPO, head=branch, base="main")


def requests_to(gh, method: str, suffix: str, since: int = 0) -> list:
    return [r for r in gh.requests[since:] if r[0] == method and r[1].split("?")[0].endswith(suffix)]


def test_first_summary_comment_is_posted_once(gh, tmp_path, monkeypatch):
    # a finding outside the diff only goes to the summary comment
    gh.commit(REPO, "main", {PATH: BROKEN}, "Model on main")
    n = open_pr(gh, {PATH: BROKEN + "\n# a comment\n"})
    hidden = hide_success(monkeypatch, "POST", r"/issues/\d+/comments$")
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    assert hidden["hidden"] == 1 and r.code == 1, r.stderr
    [summary] = gh.issue_comments(REPO, n)
    assert SUMMARY_MARKER in summary["body"] and "NNR101" in summary["body"]
    assert "GitHub API error" not in r.stderr
    before = len(gh.requests)
    r2 = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"))
    assert r2.code == 1 and writes(gh, before) == [] and len(gh.issue_comments(REPO, n)) == 1


def test_review_and_summary_each_posted_once_when_every_create_is_hidden(gh, tmp_path, monkeypatch):
    n = open_pr(gh, {PATH: BROKEN})
    hidden = hide_success(monkeypatch, "POST", r"/(reviews|issues/\d+/comments)$", count=2)
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    assert hidden["hidden"] == 2, r.stderr
    assert len(gh.reviews(REPO, n)) == 1 and len(gh.review_comments(REPO, n)) == 1 and len(gh.issue_comments(REPO, n)) == 1
    before = len(gh.requests)
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"))
    assert writes(gh, before) == []


def test_resolving_edits_are_applied_once(gh, tmp_path, monkeypatch):
    n = open_pr(gh, {PATH: BROKEN})
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    gh.commit(REPO, "feature", {PATH: FIXED}, "Fix the input shape")
    hidden = hide_success(monkeypatch, "PATCH", r"/(pulls|issues)/comments/\d+$", count=2)
    before = len(gh.requests)
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"))
    assert hidden["hidden"] == 2 and r.code == 0, r.stderr
    [c] = gh.review_comments(REPO, n)
    assert RESOLVED_MARKER in c["body"]
    # each edit reached GitHub once: the re-read after the 502 showed it in place
    assert len(requests_to(gh, "PATCH", f"/pulls/comments/{c['id']}", before)) == 1
    [s] = gh.issue_comments(REPO, n)
    assert len(requests_to(gh, "PATCH", f"/issues/comments/{s['id']}", before)) == 1
    before = len(gh.requests)
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"))
    assert writes(gh, before) == []


@pytest.mark.parametrize("method,url", [("POST", r"/issues$"), ("POST", r"/pulls$"), ("POST", r"/git/refs$")], ids=["issue", "pr", "branch"])
def test_scan_issue_pr_and_branch_are_created_once(gh, tmp_path, monkeypatch, method, url):
    gh.commit(REPO, "main", {PATH: BROKEN}, "Add model")
    hidden = hide_success(monkeypatch, method, url)
    r = run_bot(gh, tmp_path, "schedule", {"schedule": "0 3 * * *"}, inputs={"open-pr": "true"})
    assert hidden["hidden"] == 1 and r.code == 1, r.stderr
    assert "GitHub API error" not in r.stderr
    [issue] = gh.issues(REPO)
    assert SCAN_MARKER in issue["body"] and "/pull/" in issue["body"]  # the issue links the (single) PR
    [pr] = gh.pulls(REPO)
    assert pr["head"]["ref"] == "nnrepair/fixes" and gh.file_at(REPO, "nnrepair/fixes", PATH) == FIXED
    before = len(gh.requests)
    run_bot(gh, tmp_path, "schedule", {}, inputs={"open-pr": "true"})
    assert writes(gh, before) == [] and len(gh.issues(REPO)) == 1 and len(gh.pulls(REPO)) == 1


def test_scan_closing_comment_is_posted_once(gh, tmp_path, monkeypatch):
    gh.commit(REPO, "main", {PATH: BROKEN}, "Add model")
    run_bot(gh, tmp_path, "schedule", {})
    gh.commit(REPO, "main", {PATH: FIXED}, "Fix model")
    hidden = hide_success(monkeypatch, "POST", r"/issues/\d+/comments$")
    hide_success(monkeypatch, "PATCH", r"/issues/\d+$")
    r = run_bot(gh, tmp_path, "schedule", {})
    assert hidden["hidden"] == 1 and r.code == 0, r.stderr
    [issue] = gh.issues(REPO)
    assert issue["state"] == "closed" and len(gh.issue_comments(REPO, issue["number"])) == 1


@pytest.mark.parametrize(
    "method,url",
    [("PATCH", r"/git/refs/heads/feature$"), ("POST", r"/git/commits$"), ("POST", r"/git/trees$"), ("POST", r"/git/blobs$")],
    ids=["ref", "commit", "tree", "blob"],
)
def test_fix_commit_is_applied_once(gh, tmp_path, monkeypatch, method, url):
    n = open_pr(gh, {PATH: BROKEN})
    gh.set_permission(REPO, "carol", "write")
    old_head = gh.pull(REPO, n)["head"]["sha"]
    hidden = hide_success(monkeypatch, method, url)
    before = len(gh.requests)
    r = run_bot(gh, tmp_path, "issue_comment", comment_event(gh, n, "/nnrepair fix", "carol"))
    assert hidden["hidden"] == 1 and r.outputs["fixed"] == "1", r.stderr
    assert gh.file_at(REPO, "feature", PATH) == FIXED
    assert len(requests_to(gh, "PATCH", "/git/refs/heads/feature", before)) == 1  # the ref moved once
    head = gh.pull(REPO, n)["head"]["sha"]
    commits = [c["sha"] for c in _branch_commits(gh, n)]
    assert commits[-1] == head and commits[-2] == old_head and len(commits) == 2  # exactly one fix commit
    [summary] = gh.issue_comments(REPO, n)
    assert f"committed the repair of 1 model(s) as {head[:7]}" in summary["body"]
    assert f"committed the repair of 1 model(s) as {head[:7]}" in r.summary  # the job summary agrees
    # asked again: the head is the bot's own fix, nothing more is committed
    run_bot(gh, tmp_path, "issue_comment", comment_event(gh, n, "/nnrepair fix", "carol"))
    assert gh.pull(REPO, n)["head"]["sha"] == head and len(gh.issue_comments(REPO, n)) == 1


def _branch_commits(gh, n):
    import github

    g = github.Github(auth=github.Auth.Token(WRITE_TOKEN), base_url=gh.api_url, retry=None,
                      seconds_between_requests=None, seconds_between_writes=None)
    return [{"sha": c.sha} for c in g.get_repo(REPO).get_pull(n).get_commits()]


def test_stranger_reply_is_posted_once(gh, tmp_path, monkeypatch):
    n = open_pr(gh, {PATH: BROKEN})
    hidden = hide_success(monkeypatch, "POST", r"/issues/\d+/comments$")
    run_bot(gh, tmp_path, "issue_comment", comment_event(gh, n, "/nnrepair fix", "stranger"))
    run_bot(gh, tmp_path, "issue_comment", comment_event(gh, n, "/nnrepair fix", "stranger"))
    assert hidden["hidden"] == 1
    [reply] = gh.issue_comments(REPO, n)
    assert "only runs for people with write access" in reply["body"]


def test_write_that_times_out_but_lands_is_not_repeated(gh, tmp_path, monkeypatch):
    # the fake stalls the summary POST past the bot's HTTP timeout, then applies it: a timeout
    # hiding a success; the bot waits as long again before looking for its marker
    from github.Requester import Requester

    gh.commit(REPO, "main", {PATH: BROKEN}, "Model on main")
    n = open_pr(gh, {PATH: BROKEN + "\n# a comment\n"})
    sent = []
    original = Requester.requestJsonAndCheck

    def counting(self, verb, url, *args, **kwargs):
        if verb == "POST" and url.endswith(f"/issues/{n}/comments"):
            sent.append(url)
        return original(self, verb, url, *args, **kwargs)

    monkeypatch.setattr(Requester, "requestJsonAndCheck", counting)
    gh.inject(status=None, delay=2.5, path_regex=r"/issues/\d+/comments$", method="POST")
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n), extra_env={"NNREPAIR_HTTP_TIMEOUT": "2"})
    deadline = time.monotonic() + 10
    while len(requests_to(gh, "POST", f"/issues/{n}/comments")) < len(sent) and time.monotonic() < deadline:
        time.sleep(0.1)  # every POST the bot sent has reached the fake (the stalled one last)
    assert "network error" in r.stderr and r.code == 1, r.stderr
    assert len(sent) == 1  # the look-up after the timeout found the comment: no second POST
    [summary] = gh.issue_comments(REPO, n)
    assert SUMMARY_MARKER in summary["body"]


def test_writes_that_keep_failing_degrade_to_notes(gh, tmp_path):
    # GitHub refuses the fix commit's ref update and the review every time: nothing is
    # committed, the findings stay visible in the summary comment, and the run exits by fail-on
    n = open_pr(gh, {PATH: BROKEN})
    gh.set_permission(REPO, "carol", "write")
    head = gh.pull(REPO, n)["head"]["sha"]
    gh.inject(status=502, count=50, retry_after=None, path_regex=r"/git/refs/heads/feature$", method="PATCH")
    r = run_bot(gh, tmp_path, "issue_comment", comment_event(gh, n, "/nnrepair fix", "carol"))
    assert r.code == 1 and "internal error" not in r.stderr, r.stderr
    assert gh.pull(REPO, n)["head"]["sha"] == head and r.outputs["fixed"] == "0"
    [summary] = gh.issue_comments(REPO, n)
    assert "nothing was committed" in summary["body"] and "NNR101" in summary["body"]
    gh.inject(status=502, count=50, retry_after=None, path_regex=r"/reviews$", method="POST")
    r2 = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"))
    assert r2.code == 1 and gh.reviews(REPO, n) == [] and "Could not post the review" in r2.stderr
    [summary] = gh.issue_comments(REPO, n)
    assert "Could not post the review" in summary["body"] and "```diff" in summary["body"]


def test_reposted_outdated_suggestion_is_not_mistaken_for_the_old_one(gh, tmp_path, monkeypatch):
    # the re-posted suggestion carries the same marker as the outdated one: the look-up after
    # the 502 must find the new comment (made on the new head), not the old one
    n = open_pr(gh, {PATH: BROKEN})
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    gh.commit(REPO, "feature", {PATH: "# a CNN\n" + BROKEN}, "Add a header comment")
    hidden = hide_success(monkeypatch, "POST", r"/reviews$")
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"))
    assert hidden["hidden"] == 1
    old, new = gh.review_comments(REPO, n)
    assert RESOLVED_MARKER in old["body"] and new["line"] == 6 and RESOLVED_MARKER not in new["body"]
    assert len(gh.reviews(REPO, n)) == 2


def test_outdated_suggestion_is_reposted_even_if_the_review_post_is_refused_once(gh, tmp_path):
    # a plain 502 (nothing applied) while an outdated comment with the same marker exists:
    # the look-up must not take the old comment for the new one, so the retry posts it
    n = open_pr(gh, {PATH: BROKEN})
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    gh.commit(REPO, "feature", {PATH: "# a CNN\n" + BROKEN}, "Add a header comment")
    gh.inject(status=502, count=1, retry_after=None, path_regex=r"/reviews$", method="POST")
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"))
    old, new = gh.review_comments(REPO, n)
    assert RESOLVED_MARKER in old["body"] and new["line"] == 6 and FIXED_LINE in new["body"]
