"""bot.env: the Actions environment, inputs and their precedence over .nnrepair.yml."""

import json

from bot.cli import FIX_COMMAND_RE, pr_number
from bot.env import default_mode, from_environ, settings_from
from repair_engine.config import Config, load_config


def test_environment_and_token_sources(tmp_path):
    ev = tmp_path / "e.json"
    ev.write_text(json.dumps({"number": 7, "pull_request": {"number": 7}}))
    base = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(ev), "GITHUB_REPOSITORY": "o/r",
            "GITHUB_API_URL": "https://ghe.example/api/v3/"}
    e = from_environ({**base, "INPUT_GITHUB-TOKEN": "t1"})
    assert e.token == "t1" and e.api_url == "https://ghe.example/api/v3" and pr_number(e.event) == 7
    assert from_environ({**base, "INPUT_GITHUB_TOKEN": "t2"}).token == "t2"
    assert from_environ({**base, "GITHUB_TOKEN": "t3", "INPUT_GITHUB-TOKEN": "t1"}).token == "t1"  # explicit input wins
    assert from_environ({**base, "GITHUB_TOKEN": "t3"}).token == "t3"
    assert "t1" not in repr(from_environ({**base, "INPUT_GITHUB-TOKEN": "t1"}))
    assert from_environ({**base, "GITHUB_EVENT_PATH": str(tmp_path / "missing.json")}).event == {}


def test_default_modes():
    assert default_mode("pull_request", {}) == "review"
    assert default_mode("workflow_run", {}) == "review"
    assert default_mode("issue_comment", {}) == "commit"
    assert default_mode("schedule", {}) == "scan" and default_mode("workflow_dispatch", {}) == "scan"
    assert default_mode("push", {}) == "check"


def test_inputs_override_the_config_file(tmp_path):
    cfg = tmp_path / ".nnrepair.yml"
    cfg.write_text("fail_on: warning\nfilter_mode: diff_context\nmax_comments: 3\ncommit: {enabled: true}\nscan: {open_pr: true}\n")
    config = load_config(str(cfg))
    env = from_environ({})
    s = settings_from(config, env, None, False)
    assert (s.fail_on, s.filter_mode, s.max_comments, s.commit_enabled, s.scan_open_pr) == ("warning", "diff_context", 3, True, True)
    env = from_environ({"INPUT_FAIL-ON": "none", "INPUT_FILTER-MODE": "nofilter", "INPUT_MAX-COMMENTS": "9",
                        "INPUT_COMMIT": "false", "INPUT_OPEN-PR": "false", "INPUT_PATHS": "models/, nets\nmore/"})
    s = settings_from(config, env, "comment", True)
    assert (s.fail_on, s.filter_mode, s.max_comments, s.commit_enabled, s.scan_open_pr) == ("none", "nofilter", 9, False, False)
    assert s.paths == ["models", "nets", "more"] and s.mode == "comment" and s.dry_run
    assert settings_from(Config(), from_environ({"INPUT_FAIL-ON": "bogus"}), None, False).fail_on == "error"


def test_fix_command_syntax():
    assert FIX_COMMAND_RE.match("/nnrepair fix") and FIX_COMMAND_RE.match("/NNREPAIR  fix now")
    assert not FIX_COMMAND_RE.match("/nnrepair fixes") and not FIX_COMMAND_RE.match("see /nnrepair fix")
