"""Org-wide scans as the reusable workflow runs them: org-list feeds the matrix, one scan per
repository (input `repository`), then org-summary. Real HTTP against the fake GitHub."""

from __future__ import annotations

import json

import yaml

from bot.org import ORG_MARKER
from tests.bot_harness import BROKEN, FIXED, WRITE_TOKEN, run_bot, writes
from tests.fakegithub import FakeGitHub

PATH = "models/cnn.py"
HOME = {"GITHUB_REPOSITORY": "acme/.github"}


def org_run(gh, tmp_path):
    """One run of the reusable workflow: list, scan each (the matrix), summarise."""
    r = run_bot(gh, tmp_path, "workflow_dispatch", {}, inputs={"mode": "org-list", "org": "acme"}, extra_env=HOME)
    assert r.code == 0, r.stderr
    names = json.loads(r.outputs["repositories"])
    for name in names:
        s = run_bot(gh, tmp_path, "workflow_dispatch", {}, inputs={"mode": "scan", "repository": name, "fail-on": "none"},
                    extra_env=HOME)
        assert s.code == 0 and "internal error" not in s.stderr, s.stderr
    summary = run_bot(gh, tmp_path, "workflow_dispatch", {},
                      inputs={"mode": "org-summary", "org": "acme", "summary-issue": "true"}, extra_env=HOME)
    assert summary.code == 0, summary.stderr
    return names, summary


def test_org_scan_gives_each_repository_its_issue_and_the_org_one_summary(tmp_path):
    with FakeGitHub() as gh:
        gh.add_token(WRITE_TOKEN, login="github-actions[bot]", permissions="write")
        gh.create_repo("acme/.github", files={"README.md": "org\n"})
        gh.create_repo("acme/vision", files={PATH: BROKEN})
        gh.create_repo("acme/audio", files={PATH: FIXED})
        gh.create_repo("acme/nlp", files={PATH: BROKEN.replace("(28, 28)", "(32, 32)")})
        gh.create_repo("acme/old", files={PATH: BROKEN})
        gh.configure_repo("acme/old", archived=True)
        gh.create_repo("acme/quiet", files={PATH: BROKEN})
        gh.configure_repo("acme/quiet", has_issues=False)
        gh.create_repo("other/vision", files={PATH: BROKEN})  # not in the org

        names, summary = org_run(gh, tmp_path)
        assert names == ["acme/.github", "acme/audio", "acme/nlp", "acme/quiet", "acme/vision"]  # archived left out
        assert [i["title"] for i in gh.issues("acme/vision")] == ["nnrepair: invalid model definitions on main"]
        assert len(gh.issues("acme/nlp")) == 1 and gh.issues("acme/audio") == [] and gh.issues("acme/old") == []
        assert gh.issues("other/vision") == []
        [org_issue] = gh.issues("acme/.github")
        body = org_issue["body"]
        assert ORG_MARKER in body and "2 of 5 repositories with invalid models" in body
        assert "| `acme/quiet` | issues disabled |" in body and "| `acme/audio` | clean |" in body
        assert gh.issues("acme/vision")[0]["html_url"] in body
        assert "2 of 5 repositories" in summary.summary  # the job summary has the table too

        # a second run with nothing changed writes nothing anywhere
        before = len(gh.requests)
        org_run(gh, tmp_path)
        assert writes(gh, before) == []

        # a repository fixed: its issue closes, the org summary follows
        gh.commit("acme/vision", "main", {PATH: FIXED}, "Fix")
        org_run(gh, tmp_path)
        assert gh.issues("acme/vision")[0]["state"] == "closed"
        [org_issue] = gh.issues("acme/.github")
        assert "1 of 5 repositories with invalid models" in org_issue["body"]


def test_reusable_workflow_is_a_bounded_matrix_over_the_listed_repositories():
    with open(".github/workflows/nnrepair-org-scan.yml") as fh:
        wf = yaml.safe_load(fh)
    on = wf.get("on", wf.get(True))
    assert "workflow_call" in on and "org" in on["workflow_call"]["inputs"]
    scan = wf["jobs"]["scan"]
    assert scan["needs"] == "list" and "fromJSON(needs.list.outputs.repositories)" in str(scan["strategy"]["matrix"])
    assert "max-parallel" in scan["strategy"] and scan["strategy"]["fail-fast"] is False
    assert "scan" in wf["jobs"]["summary"]["needs"]
