"""Running `nnrepair github` in-process against the fake GitHub, as an Actions step would."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass

from bot import cli

REPO = "octo/models"
WRITE_TOKEN = "ghs_writeTOKEN0123456789abcdef"
READ_TOKEN = "ghs_readTOKEN0123456789abcdef"

BROKEN = """import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(28, 28)),
    layers.Conv2D(32, 3, activation="relu"),
    layers.Flatten(),
    layers.Dense(10),
])
"""
FIXED_LINE = "    keras.Input(shape=(28, 28, 1)),"
FIXED = BROKEN.replace("    keras.Input(shape=(28, 28)),", FIXED_LINE)


@dataclass
class BotRun:
    code: int
    stdout: str
    stderr: str
    outputs: dict
    summary: str
    sarif: dict | None


def pr_event(gh, number: int, action: str = "opened", repo: str = REPO) -> dict:
    pull = gh.pull(repo, number)
    return {"action": action, "number": number, "pull_request": pull, "repository": pull["base"]["repo"]}


def comment_event(gh, number: int, body: str, login: str, user_type: str = "User", repo: str = REPO) -> dict:
    pull = gh.pull(repo, number)
    return {
        "action": "created",
        "issue": {"number": number, "pull_request": {"url": pull["url"]}, "title": pull["title"]},
        "comment": {"id": 1, "body": body, "user": {"login": login, "type": user_type}},
        "repository": pull["base"]["repo"],
    }


def run_bot(gh, tmp_path, event_name: str, event: dict, *, token: str | None = WRITE_TOKEN, argv=(), inputs=None, extra_env=None) -> BotRun:
    tmp_path.mkdir(parents=True, exist_ok=True)
    n = len(list(tmp_path.glob("event-*.json")))
    event_path = tmp_path / f"event-{n}.json"
    event_path.write_text(json.dumps(event))
    out_file, summary_file, sarif_file = tmp_path / f"out-{n}.txt", tmp_path / f"summary-{n}.md", tmp_path / f"r-{n}.sarif"
    env = {
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_SHA": "",
        "GITHUB_API_URL": gh.api_url,
        "GITHUB_STEP_SUMMARY": str(summary_file),
        "GITHUB_OUTPUT": str(out_file),
        "INPUT_SARIF-FILE": str(sarif_file),
        "NNREPAIR_SECONDS_BETWEEN_WRITES": "0",
        "NNREPAIR_BACKOFF_BASE": "0.01",
        # no in-process TensorFlow import (runtime); the first e2e scenario builds the result with real Keras in a subprocess
        "INPUT_VERIFY": "false",
    }
    if token:
        env["GITHUB_TOKEN"] = token
    for k, v in (inputs or {}).items():
        env[f"INPUT_{k.upper()}"] = v
    env.update(extra_env or {})
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), environ=env, stdout=out, stderr=err)
    outputs = {}
    if out_file.exists():
        for line in out_file.read_text().splitlines():
            k, _, v = line.partition("=")
            outputs[k] = v
    sarif = json.loads(sarif_file.read_text()) if sarif_file.exists() else None
    return BotRun(code, out.getvalue(), err.getvalue(), outputs, summary_file.read_text() if summary_file.exists() else "", sarif)


def suggestion_of(body: str) -> list[str]:
    m = re.search(r"^(`{3,})suggestion\n(.*?)^\1$", body, re.S | re.M)
    assert m, body
    return m.group(2).splitlines()


def apply_suggestion(text: str, comment: dict) -> str:
    """What GitHub's 'Commit suggestion' button does: replace start_line..line by the block."""
    lines = text.splitlines()
    end = comment["line"]
    start = comment.get("start_line") or end
    lines[start - 1 : end] = suggestion_of(comment["body"])
    return "\n".join(lines) + "\n"


def writes(gh, since: int = 0) -> list[tuple[str, str, int]]:
    return [r for r in gh.requests[since:] if r[0] in ("POST", "PATCH", "PUT", "DELETE")]


def hide_success(monkeypatch, method: str, url_regex: str, count: int = 1, status: int = 502) -> dict:
    """The fake GitHub receives and applies the next `count` matching requests, but the bot
    is handed a `status` error instead of the answer: a 5xx hiding a write that took effect.
    (The fake's inject() fails requests before applying them; this wraps PyGithub's requester
    on the response path instead.) Returns a dict whose "hidden" counts the hidden successes."""
    from github import GithubException
    from github.Requester import Requester

    original = Requester.requestJsonAndCheck
    state = {"left": count, "hidden": 0}

    def request(self, verb, url, *args, **kwargs):
        answer = original(self, verb, url, *args, **kwargs)  # the server applies it for real
        if verb == method and re.search(url_regex, url) and state["left"] > 0:
            state["left"] -= 1
            state["hidden"] += 1
            raise GithubException(status, {"message": "Server Error"}, {})
        return answer

    monkeypatch.setattr(Requester, "requestJsonAndCheck", request)
    return state
