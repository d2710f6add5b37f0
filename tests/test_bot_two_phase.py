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


@pytest.mark.parametrize(
    "tamper,why",
    [
        (lambda d: d.update(head_sha="0" * 40), "head_sha"),
        (lambda d: d.update(repository="evil/models"), "not octo/models"),
        (lambda d: d.update(pull_request=99), "404"),
        (lambda d: d["report"]["models"].append(dict(d["report"]["models"][0], file="../../etc/passwd")), "unsafe"),
        (lambda d: d["report"]["models"].append(dict(d["report"]["models"][0], file="setup.py")), "does not change"),
        (lambda d: d["report"].update(version=2), "version-1"),
    ],
)
def test_tampered_artifact_is_rejected(fork_pr, tmp_path, tamper, why):
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
    assert artifact.load(str(p))["pull_request"] == 3
    bad = artifact.build(REPO, 3, "a" * 40, cnn_report())
    bad["report"]["models"][0]["repair"]["line_edits"][0]["new_lines"] = [1, 2]
    p.write_text(json.dumps(bad))
    with pytest.raises(artifact.ArtifactError, match="line_edits"):
        artifact.load(str(p))


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
    assert "NNR101" in results.read_text()
    gh.commit(REPO, "main", {".nnrepair.yml": "ignore: [NNR101]\n"}, "Config")
    r = run_bot(gh, tmp_path, "workflow_run", workflow_run_event(gh, n), inputs={"results": str(results)})
    assert r.code == 0, r.stderr
    assert gh.review_comments(REPO, n) == [] and gh.issue_comments(REPO, n) == []
    assert "NNR101" not in r.summary and "no findings" in r.summary and "✅ valid" in r.summary
    assert "NNR101" not in r.stdout and r.sarif["runs"][0]["results"] == []
    assert r.outputs["findings"] == "0" and r.outputs["fixed"] == "0"
