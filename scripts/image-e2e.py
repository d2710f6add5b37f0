#!/usr/bin/env python3
"""Run the action's image as GitHub runs a Docker action, against the fake GitHub.

    python scripts/image-e2e.py IMAGE UID [--podman ARGS...]

The fake GitHub (tests/fakegithub) runs here with a same-repository PR holding a broken
model. The container gets /github/workspace and /github/file_commands owned by UID, the
event file, INPUT_* variables and the fake's URL (host network). Prints the time from
`podman run` to the first review the fake receives, and checks that the job summary, the
step outputs and the SARIF file were written and belong to UID."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tests.bot_harness import BROKEN, REPO, WRITE_TOKEN, pr_event  # noqa: E402
from tests.fakegithub import FakeGitHub  # noqa: E402


def main() -> int:
    image, uid, podman = sys.argv[1], int(sys.argv[2]), sys.argv[3:] or ["podman"]
    with FakeGitHub() as gh, tempfile.TemporaryDirectory(prefix="nnrepair-e2e-") as root:
        gh.add_token(WRITE_TOKEN, login="github-actions[bot]", permissions="write")
        gh.create_repo(REPO, files={"README.md": "# models\n"})
        gh.commit(REPO, "feature", {"models/cnn.py": BROKEN}, "Add a model")
        n = gh.create_pull(REPO, head="feature", base="main")
        ws, fc, home = (os.path.join(root, d) for d in ("workspace", "file_commands", "workflow"))
        for d in (ws, fc, home):
            os.makedirs(d)
        with open(os.path.join(home, "event.json"), "w") as fh:
            json.dump(pr_event(gh, n), fh)
        for name in ("output", "summary"):
            open(os.path.join(fc, name), "w").close()
        for d in (root, ws, fc, home):
            for base, _dirs, files in os.walk(d):
                for p in [base, *(os.path.join(base, f) for f in files)]:
                    os.chown(p, uid, uid)
        env = {
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": "/github/workflow/event.json",
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_WORKSPACE": "/github/workspace",
            "GITHUB_API_URL": gh.api_url,
            "GITHUB_OUTPUT": "/github/file_commands/output",
            "GITHUB_STEP_SUMMARY": "/github/file_commands/summary",
            "GITHUB_TOKEN": WRITE_TOKEN,
            "INPUT_FAIL-ON": "error",
            "INPUT_VERIFY": os.environ.get("VERIFY", "true"),
            "NNREPAIR_SECONDS_BETWEEN_WRITES": "0",
        }
        cmd = [
            *podman,
            "run",
            "--rm",
            "--network",
            "host",
            "-w",
            "/github/workspace",
            "-v",
            f"{ws}:/github/workspace",
            "-v",
            f"{fc}:/github/file_commands",
            "-v",
            f"{home}:/github/workflow",
        ]
        for k, v in env.items():
            cmd += ["-e", f"{k}={v}"]
        cmd.append(image)
        first_review: list[float] = []

        def watch(start: float) -> None:
            while not first_review and time.monotonic() - start < 600:
                if gh.reviews(REPO, n):
                    first_review.append(time.monotonic() - start)
                time.sleep(0.05)

        start = time.monotonic()
        t = threading.Thread(target=watch, args=(start,), daemon=True)
        t.start()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        total = time.monotonic() - start
        t.join(timeout=1)
        sarif = os.path.join(ws, "nnrepair.sarif")
        summary = open(os.path.join(fc, "summary")).read()
        outputs = open(os.path.join(fc, "output")).read()
        checks = {
            "exit 1 (an invalid model, fail-on error)": proc.returncode == 1,
            "one review posted": len(gh.reviews(REPO, n)) == 1,
            "job summary written": "nnrepair" in summary,
            "outputs written": "findings=" in outputs and "sarif-file=nnrepair.sarif" in outputs,
            "SARIF written": os.path.isfile(sarif),
            f"SARIF owned by uid {uid}": os.path.isfile(sarif) and os.stat(sarif).st_uid == uid,
        }
        print(
            f"uid {uid}: container run {total:.2f} s, start to first review {first_review[0]:.2f} s"
            if first_review
            else f"uid {uid}: no review after {total:.2f} s"
        )
        for what, ok in checks.items():
            print(f"  {'ok  ' if ok else 'FAIL'} {what}")
        if not all(checks.values()):
            print("command:", shlex.join(cmd[:6]), "...", "\nstderr:", proc.stderr[-3000:])
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
