"""action.yml against GitHub's documented metadata keys; the Dockerfile's entry point, run for real
(without a Docker engine: the same console script, in a subprocess, in an Actions-like environment)."""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# docs.github.com "Metadata syntax for GitHub Actions"
TOP_KEYS = {"name", "author", "description", "inputs", "outputs", "runs", "branding"}
INPUT_KEYS = {"description", "required", "default", "deprecationMessage"}
DOCKER_RUNS_KEYS = {"using", "image", "env", "args", "pre-entrypoint", "entrypoint", "post-entrypoint", "pre-if", "post-if"}
INPUT_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def load_action():
    with open(os.path.join(ROOT, "action.yml")) as fh:
        return yaml.safe_load(fh)


def test_action_metadata_is_well_formed():
    a = load_action()
    assert set(a) <= TOP_KEYS
    assert isinstance(a["name"], str) and a["name"] and isinstance(a["description"], str) and a["description"]
    assert a["runs"]["using"] == "docker" and a["runs"]["image"] == "Dockerfile"
    assert set(a["runs"]) <= DOCKER_RUNS_KEYS
    for name, spec in a["inputs"].items():
        assert INPUT_ID.match(name), name
        assert set(spec) <= INPUT_KEYS and spec.get("description"), name
        if "default" in spec:
            assert isinstance(spec["default"], str), name  # inputs are strings
    for name, spec in a["outputs"].items():
        assert set(spec) == {"description"}, name  # docker actions declare no `value`
    assert set(a["outputs"]) == {"findings", "fixed", "sarif-file"}
    assert {"github-token", "mode", "config", "fail-on", "filter-mode", "max-comments", "paths"} <= set(a["inputs"])


def test_every_action_input_is_read_by_the_bot():
    code = "".join(open(os.path.join(ROOT, "bot", f)).read() for f in os.listdir(os.path.join(ROOT, "bot")) if f.endswith(".py"))
    for name in load_action()["inputs"]:
        assert f'"{name}"' in code, f"input {name} is declared but never read"


def dockerfile():
    return open(os.path.join(ROOT, "Dockerfile")).read()


def test_dockerfile_shape():
    d = dockerfile()
    assert re.search(r"^FROM python:3\.11-slim\s*$", d, re.M)
    assert re.search(r'pip install "\.\[tensorflow\]"', d)
    users = re.findall(r"^USER\s+(\S+)", d, re.M)
    assert users and users[-1] not in ("root", "0")
    # every path the Dockerfile copies exists
    for src in re.findall(r"^COPY\s+(.+?)\s+\S+\s*$", d, re.M):
        for p in src.split():
            assert os.path.exists(os.path.join(ROOT, p)), p


def test_pre_commit_hook_runs_check():
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml")) as fh:
        hooks = yaml.safe_load(fh)
    assert hooks[0]["id"] == "nnrepair" and hooks[0]["entry"] == "nnrepair check" and hooks[0]["language"] == "python"
    assert re.search(hooks[0]["files"], "models/cnn.py") and not re.search(hooks[0]["files"], "README.md")


BROKEN = """import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(28, 28)),
    layers.Conv2D(32, 3, activation="relu"),
    layers.Flatten(),
    layers.Dense(10),
])
"""


def docker_layout(dest):
    """Replay the Dockerfile's COPY steps into `dest` (its WORKDIR), as the image build would."""
    for src, dst in re.findall(r"^COPY\s+(\S+)\s+(\S+)\s*$", dockerfile(), re.M):
        s = os.path.join(ROOT, src)
        if os.path.isdir(s):
            shutil.copytree(s, os.path.join(dest, dst), ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_docker_entrypoint_runs_the_bot(tmp_path):
    entry = json.loads(re.search(r"^ENTRYPOINT\s+(\[.*\])\s*$", dockerfile(), re.M).group(1))
    image = docker_layout(str(tmp_path / "opt"))
    assert os.path.isfile(os.path.join(image, "templates", "summary_comment.md.j2"))
    assert entry[:2] == ["nnrepair", "github"]
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        target = tomllib.load(fh)["project"]["scripts"][entry[0]]
    module, func = target.split(":")
    ws = tmp_path / "workspace"
    (ws / "models").mkdir(parents=True)
    (ws / "models" / "cnn.py").write_text(BROKEN)
    (ws / "notes.txt").write_text("not a model\n")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"ref": "refs/heads/main", "after": "a" * 40}))
    out, summary = tmp_path / "output", tmp_path / "summary.md"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": image,  # the image's layout, not the checkout
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "octo/models",
        "GITHUB_SHA": "a" * 40,
        "GITHUB_WORKSPACE": str(ws),
        "GITHUB_API_URL": "http://127.0.0.1:9",  # nothing listens: a push check must not need the API
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(out),
        "INPUT_FAIL-ON": "error",
        "INPUT_VERIFY": "false",  # keep the subprocess free of a TensorFlow import
    }
    code = f"import sys; from {module} import {func} as m; sys.exit(m(sys.argv[1:]))"
    proc = subprocess.run([sys.executable, "-c", code, *entry[1:]], cwd=ws, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr  # fail-on error with an invalid model
    assert "::error file=models/cnn.py,line=6" in proc.stdout
    values = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert values["findings"] == "1" and values["fixed"] == "1"
    assert values["sarif-file"] == "nnrepair.sarif"  # relative: the container's and the runner's workspace paths differ
    assert json.loads((ws / "nnrepair.sarif").read_text())["runs"][0]["results"][0]["ruleId"] == "NNR101"
    assert "## nnrepair (check): 1 finding" in summary.read_text()
    assert "No GitHub token" in proc.stderr
    assert "bot/templates" not in proc.stderr
