"""API hygiene as GitHub documents it, end to end against the fake GitHub (real HTTP, real git):
headers, rate limits, request budget, file modes, protected branches, review threads,
comment identity, the job-summary cap, token and config precedence."""

from __future__ import annotations

import pytest

from bot import SUMMARY_MARKER, outputs
from tests.bot_harness import BROKEN, FIXED, REPO, WRITE_TOKEN, comment_event, pr_event, run_bot, writes
from tests.fakegithub import FakeGitHub

PATH = "models/cnn.py"
FAST = {"NNREPAIR_RATE_LIMIT_WAIT": "0.01"}


@pytest.fixture
def gh():
    with FakeGitHub() as g:
        g.add_token(WRITE_TOKEN, login="github-actions[bot]", permissions="write")
        g.create_repo(REPO, files={"README.md": "# models\n"})
        yield g


def open_pr(gh, files, branch="feature", modes=None):
    gh.commit(REPO, branch, files, "Add a model", modes=modes)
    return gh.create_pull(REPO, head=branch, base="main")


def test_every_request_names_the_api_version_media_type_and_nnrepair(gh, tmp_path):
    import bot

    n = open_pr(gh, {PATH: BROKEN})
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    details = gh.request_details
    assert details and all(d["headers"].get("X-GitHub-Api-Version") == "2022-11-28" for d in details)
    assert all(d["headers"].get("User-Agent") == f"nnrepair/{bot.__version__}" for d in details)
    assert all(d["headers"].get("Accept") == "application/vnd.github+json" for d in details)


@pytest.mark.parametrize("primary", [False, True])
def test_rate_limited_review_is_posted_once(gh, tmp_path, primary):
    n = open_pr(gh, {PATH: BROKEN})
    # secondary: 403 + Retry-After; primary: 403 with x-ratelimit-remaining 0 and a reset time
    gh.inject(403, count=2, retry_after=0 if not primary else None, path_regex=r"/pulls/\d+/reviews$",
              method="POST", secondary_rate_limit=not primary)
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n), extra_env=FAST)
    assert r.code == 1 and "retrying" in r.stderr, r.stderr
    assert len(gh.reviews(REPO, n)) == 1 and len(gh.review_comments(REPO, n)) == 1
    statuses = [s for m, p, s in gh.requests if m == "POST" and p.endswith("/reviews")]
    assert statuses == [403, 403, 200]


def test_secondary_limit_without_headers_backs_off_exponentially(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    gh.inject(403, count=3, retry_after=None, path_regex=r"/pulls/\d+/reviews$", method="POST")
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n), extra_env=FAST)
    waits = [float(w.split("retrying in ")[1].rstrip("s")) for w in r.stderr.splitlines() if "retrying in" in w]
    assert len(waits) == 3 and waits[0] < waits[1] < waits[2], r.stderr
    assert len(gh.reviews(REPO, n)) == 1


def test_request_budget_is_reported_and_enforced(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    made = len(gh.requests)
    assert f"GitHub API requests this run: {made} (budget 1000)" in r.summary
    assert "of 1000 left this hour" in r.summary  # the fake gives GITHUB_TOKEN its 1,000/h
    before = len(gh.requests)
    r2 = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n), inputs={"request-budget": "3"})
    assert len(gh.requests) - before == 3 and "budget of 3 API requests is spent" in r2.summary
    assert "internal error" not in r2.stderr


def test_fix_commit_keeps_the_executable_bit(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN}, modes={PATH: "100755"})
    gh.set_permission(REPO, "carol", "write")
    r = run_bot(gh, tmp_path, "issue_comment", comment_event(gh, n, "/nnrepair fix", "carol"))
    assert gh.file_at(REPO, "feature", PATH) == FIXED, r.stderr
    assert gh.mode_at(REPO, "feature", PATH) == "100755"


def test_protected_branch_is_reported_as_such(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    gh.configure_repo(REPO, protected_branches=["feature"])
    gh.set_permission(REPO, "carol", "write")
    r = run_bot(gh, tmp_path, "issue_comment", comment_event(gh, n, "/nnrepair fix", "carol"))
    assert gh.file_at(REPO, "feature", PATH) == BROKEN
    assert "is protected" in r.summary and "force-push" not in r.summary, r.stderr
    [summary] = [c for c in gh.issue_comments(REPO, n) if SUMMARY_MARKER in c["body"]]
    assert "is protected" in summary["body"]


def test_fixing_push_resolves_the_review_thread(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    [thread] = gh.review_threads(REPO, n)
    assert not thread["isResolved"]
    gh.commit(REPO, "feature", {PATH: FIXED}, "Fix the input shape")
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"))
    assert r.code == 0, r.stderr
    [thread] = gh.review_threads(REPO, n)
    assert thread["isResolved"]
    graphql = [s for m, p, s in gh.requests if p == "/graphql"]
    assert graphql == [200, 200]  # one query, one mutation
    before = len(gh.requests)
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n, "synchronize"))
    assert writes(gh, before) == []


def test_markers_count_only_on_the_bots_own_comments(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    gh.add_token("ghs_other_app", login="other-app[bot]", permissions="write")
    import requests

    forged = f"{SUMMARY_MARKER}\nall good, nothing to see"
    requests.post(f"{gh.api_url}/repos/{REPO}/issues/{n}/comments", json={"body": forged},
                  headers={"Authorization": "token ghs_other_app"}, timeout=10)
    run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    comments = gh.issue_comments(REPO, n)
    assert [c["body"] for c in comments if c["user"]["login"] == "other-app[bot]"] == [forged]  # not edited
    assert any(SUMMARY_MARKER in c["body"] and c["user"]["login"] == "github-actions[bot]" for c in comments)


def test_explicit_token_input_wins_over_the_environment(gh, tmp_path):
    n = open_pr(gh, {PATH: BROKEN})
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n), token="ghs_not_a_token_the_fake_knows",
                inputs={"github-token": WRITE_TOKEN})
    assert r.code == 1 and len(gh.reviews(REPO, n)) == 1, r.stderr


def test_yaml_config_is_read_through_the_api_too(gh, tmp_path):
    gh.commit(REPO, "main", {".nnrepair.yaml": "ignore: [NNR101]\n"}, "Config")
    n = open_pr(gh, {PATH: BROKEN})
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n))
    assert r.code == 0 and gh.reviews(REPO, n) == [], r.stderr


def test_job_summary_is_capped_at_one_mebibyte():
    big = "| row |\n" * 300_000
    capped = outputs.cap_summary(big)
    assert len(capped.encode()) <= outputs.SUMMARY_MAX_BYTES and "1 MiB limit" in capped
    assert outputs.cap_summary("short") == "short"
