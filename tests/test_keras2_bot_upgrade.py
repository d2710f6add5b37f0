"""The scan's optional "upgrade to Keras 3" section (`scan: {upgrade: true}`), end to end against
the fake GitHub: a repository pinned to tensorflow 2.12 whose models build on Keras 2 gets a scan
issue listing what Keras 3 rejects, with the fix of each; without the key, no such section."""

from __future__ import annotations

import pytest

from tests.bot_harness import READ_TOKEN, REPO, WRITE_TOKEN, run_bot, writes
from tests.fakegithub import FakeGitHub

KERAS2_MODEL = """\
import tensorflow as tf
from tensorflow.keras import layers

model = tf.keras.Sequential()
model.add(layers.Dense(8, input_shape=(10,), dynamic=False))
model.add(layers.LeakyReLU(alpha=0.1))
model.add(layers.Dense(1, activation="sigmoid"))
"""


@pytest.fixture
def gh():
    with FakeGitHub() as g:
        g.add_token(WRITE_TOKEN, login="github-actions[bot]", permissions="write")
        g.add_token(READ_TOKEN, login="github-actions[bot]", permissions="read")
        g.create_repo(REPO, files={"README.md": "# models\n", "requirements.txt": "tensorflow==2.12.0\n"})
        yield g


def test_upgrade_section_lists_what_breaks_on_keras3_with_its_fix(gh, tmp_path):
    gh.commit(REPO, "main", {"models/net.py": KERAS2_MODEL, ".nnrepair.yml": "scan: {upgrade: true}\n"}, "Add model")
    r = run_bot(gh, tmp_path, "schedule", {"schedule": "0 3 * * *"})
    assert r.code == 0, r.stderr  # valid on the Keras 2 the repository runs
    [issue] = gh.issues(REPO)
    body = issue["body"]
    assert issue["state"] == "open" and "<!-- nnrepair:scan -->" in body
    assert "## Upgrade to Keras 3" in body
    section = body.split("## Upgrade to Keras 3", 1)[1]
    lines = [l for l in section.splitlines() if l.startswith("- `models/net.py` line ")]
    assert len(lines) == 1 and "line 5:" in lines[0] and "dynamic" in lines[0]  # Layer(dynamic=) is Keras 2 only
    assert "  Fix: " in section.split(lines[0], 1)[1].splitlines()[1]  # the Keras 3 repair of that line
    # the same state again: nothing rewritten
    before = len(gh.requests)
    run_bot(gh, tmp_path, "schedule", {})
    assert writes(gh, before) == []


def test_no_upgrade_section_without_the_key(gh, tmp_path):
    gh.commit(REPO, "main", {"models/net.py": KERAS2_MODEL}, "Add model")
    r = run_bot(gh, tmp_path, "schedule", {"schedule": "0 3 * * *"})
    assert r.code == 0, r.stderr
    assert gh.issues(REPO) == []  # every model valid on Keras 2: no issue at all


def test_no_upgrade_section_on_a_keras3_repository(gh, tmp_path):
    gh.commit(
        REPO,
        "main",
        {
            "requirements.txt": "tensorflow==2.21.0\n",
            "models/ok.py": KERAS2_MODEL.replace(", dynamic=False", "").replace("alpha", "negative_slope"),
            ".nnrepair.yml": "scan: {upgrade: true}\n",
        },
        "Keras 3",
    )
    r = run_bot(gh, tmp_path, "schedule", {"schedule": "0 3 * * *"})
    assert r.code == 0, r.stderr
    assert gh.issues(REPO) == []
