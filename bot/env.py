"""The GitHub Actions environment, the event payload and the effective settings.

Settings = defaults < .nnrepair.yml (repair_engine.config) < action inputs (INPUT_<NAME>).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FAIL_ON = ("none", "error", "warning")
MODES = ("review", "comment", "commit", "scan", "check", "org-list", "org-summary")


def input_value(environ: Mapping[str, str], name: str) -> str | None:
    """An action input as GitHub passes it: INPUT_<NAME upper-cased>, hyphens kept (and _ accepted)."""
    up = name.upper()
    for key in (f"INPUT_{up}", f"INPUT_{up.replace('-', '_')}"):
        v = environ.get(key)
        if v is not None and v.strip() != "":
            return v.strip()
    return None


@dataclass
class ActionEnv:
    event_name: str = ""
    event_path: str | None = None
    repository: str = ""
    sha: str = ""
    workspace: str | None = None
    api_url: str = "https://api.github.com"
    server_url: str = "https://github.com"
    step_summary: str | None = None
    output: str | None = None
    token: str | None = None
    actor: str = ""
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)
    event: dict = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:  # the token is deliberately absent
        return f"ActionEnv(event={self.event_name!r}, repository={self.repository!r}, sha={self.sha[:7]!r})"

    def input(self, name: str) -> str | None:
        return input_value(self.environ, name)


def load_event(path: str | None) -> dict:
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def from_environ(environ: Mapping[str, str] | None = None) -> ActionEnv:
    e = dict(os.environ if environ is None else environ)
    # an explicit `github-token` input (e.g. a PAT or an app token) wins over the job's GITHUB_TOKEN
    token = input_value(e, "github-token") or e.get("GITHUB_TOKEN") or None
    return ActionEnv(
        event_name=e.get("GITHUB_EVENT_NAME", ""),
        event_path=e.get("GITHUB_EVENT_PATH"),
        # `repository` input: an org scan's matrix job scans another repository than its own
        repository=input_value(e, "repository") or e.get("GITHUB_REPOSITORY", ""),
        sha=e.get("GITHUB_SHA", ""),
        workspace=e.get("GITHUB_WORKSPACE") or None,
        api_url=(e.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
        server_url=(e.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/"),
        step_summary=e.get("GITHUB_STEP_SUMMARY") or None,
        output=e.get("GITHUB_OUTPUT") or None,
        token=token,
        actor=e.get("GITHUB_ACTOR", ""),
        environ=e,
        event=load_event(e.get("GITHUB_EVENT_PATH")),
    )


def default_mode(event_name: str, event: dict) -> str:
    if event_name in ("pull_request", "pull_request_target", "workflow_run"):
        return "review"
    if event_name == "issue_comment":
        return "commit"
    if event_name in ("schedule", "workflow_dispatch"):
        return "scan"
    return "check"


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _bool(s: str | None, default: bool) -> bool:
    if s is None:
        return default
    return s.strip().lower() in ("1", "true", "yes", "on")


@dataclass
class Settings:
    mode: str = "review"
    fail_on: str = "error"
    filter_mode: str = "file"
    max_comments: int = 25
    summary: str = "findings"  # "findings": only when there is something to say; "always"
    commit_enabled: bool = False
    commit_message: str = "nnrepair: repair invalid model definitions"
    scan_open_pr: bool = False
    scan_upgrade: bool = False  # the scan issue's "upgrade to Keras 3" section
    paths: list[str] = field(default_factory=list)  # restrict to these path prefixes
    sarif_file: str = "nnrepair.sarif"
    results: str | None = None  # workflow_run: the artifact to read; other events: where to write it
    dry_run: bool = False
    verify: bool = True  # confirm repairs with real Keras when TensorFlow is installed


def settings_from(config: Any, env: ActionEnv, mode: str | None, dry_run: bool) -> Settings:
    s = Settings()
    # .nnrepair.yml (object or mapping; missing fields keep the defaults)
    for name in ("fail_on", "filter_mode", "max_comments", "summary"):
        v = _get(config, name)
        if v is not None:
            setattr(s, name, type(getattr(s, name))(v))
    commit = _get(config, "commit")
    if _get(commit, "enabled") is not None:
        s.commit_enabled = bool(_get(commit, "enabled"))
    if _get(commit, "message"):
        s.commit_message = str(_get(commit, "message"))
    scan = _get(config, "scan")
    if _get(scan, "open_pr") is not None:
        s.scan_open_pr = bool(_get(scan, "open_pr"))
    if _get(scan, "upgrade") is not None:
        s.scan_upgrade = bool(_get(scan, "upgrade"))
    # action inputs override
    value = env.input  # each returns the stripped input, or None when unset
    if (v := value("fail-on")) is not None:
        s.fail_on = v.lower()
    if (v := value("filter-mode")) is not None:
        s.filter_mode = v.lower().replace("-", "_")
    if (v := value("max-comments")) is not None:
        try:
            s.max_comments = int(v)
        except ValueError:
            pass
    if (v := value("summary")) is not None:
        s.summary = v.lower()
    if (v := value("commit")) is not None:
        s.commit_enabled = _bool(v, s.commit_enabled)
    if (v := value("open-pr")) is not None:
        s.scan_open_pr = _bool(v, s.scan_open_pr)
    if (v := value("paths")) is not None:
        s.paths = [p.strip().strip("/") for p in v.replace(",", "\n").splitlines() if p.strip()]
    if (v := value("sarif-file")) is not None:
        s.sarif_file = v
    s.results = env.input("results")
    s.verify = _bool(env.input("verify"), True)
    s.mode = (mode or env.input("mode") or default_mode(env.event_name, env.event)).lower()
    s.dry_run = dry_run or _bool(env.input("dry-run"), False)
    if s.fail_on not in FAIL_ON:
        s.fail_on = "error"
    return s
