"""action.yml against GitHub's documented metadata keys; the Dockerfile's entry point, run for real
(without a Docker engine: the same console script, in a subprocess, in an Actions-like environment)."""

import json
import os
import re
import shutil
import subprocess
import sys

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
    assert a["runs"]["using"] == "docker"
    assert re.fullmatch(r"docker://ghcr\.io/[\w.-]+/[\w.-]+@sha256:[0-9a-f]{64}", a["runs"]["image"])
    assert set(a["runs"]) <= DOCKER_RUNS_KEYS
    for name, spec in a["inputs"].items():
        assert INPUT_ID.match(name), name
        assert set(spec) <= INPUT_KEYS and spec.get("description"), name
        if "default" in spec:
            assert isinstance(spec["default"], str), name  # inputs are strings
    for name, spec in a["outputs"].items():
        assert set(spec) == {"description"}, name  # docker actions declare no `value`
    assert set(a["outputs"]) == {"findings", "fixed", "sarif-file", "repositories"}
    assert {"github-token", "mode", "config", "fail-on", "filter-mode", "max-comments", "paths"} <= set(a["inputs"])


def test_every_action_input_is_read_by_the_bot():
    code = "".join(open(os.path.join(ROOT, "bot", f)).read() for f in os.listdir(os.path.join(ROOT, "bot")) if f.endswith(".py"))
    for name in load_action()["inputs"]:
        assert f'"{name}"' in code, f"input {name} is declared but never read"


def dockerfile():
    return open(os.path.join(ROOT, "Dockerfile")).read()


def test_dockerfile_follows_githubs_rules_for_docker_actions():
    d = dockerfile()
    assert re.search(r"^FROM python:3\.11-slim\S*@sha256:[0-9a-f]{64}\s*$", d, re.M)  # pinned by digest
    assert not re.search(r"^USER\b", d, re.M)  # GitHub: run as root; outputs are chowned to the workspace owner
    assert not re.search(r"^WORKDIR\b", d, re.M)  # GitHub: the runner sets the working directory
    assert re.search(r"TF_ENABLE_ONEDNN_OPTS=0", d)
    lines = d.splitlines()
    install_deps = next(i for i, line in enumerate(lines) if "--require-hashes" in line)
    copy_sources = next(i for i, line in enumerate(lines) if line.startswith("COPY repair_engine/"))
    assert install_deps < copy_sources  # a source change does not reinstall TensorFlow
    for variant in ("full", "slim"):
        lock = open(os.path.join(ROOT, "docker", f"requirements-{variant}.lock")).read()
        pins = re.findall(r"^([a-z0-9_.-]+)==\S+ \\$", lock, re.M)
        assert pins and len(re.findall(r"^    --hash=sha256:[0-9a-f]{64}", lock, re.M)) >= len(pins)
        assert ("tensorflow-cpu" in pins) == (variant == "full")
    # every path the Dockerfile copies exists
    for src in re.findall(r"^COPY\s+(.+?)\s+\S+\s*$", d, re.M):
        for p in src.split():
            p = p.replace("${VARIANT}", "full")
            assert os.path.exists(os.path.join(ROOT, p)), p


def test_build_script_is_valid_bash():
    proc = subprocess.run(["bash", "-n", os.path.join(ROOT, "scripts", "build-image.sh")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


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
    """Replay the Dockerfile's COPY steps of directories into `dest`, as the image build would."""
    for src, dst in re.findall(r"^COPY\s+(\S+)\s+(\S+)\s*$", dockerfile(), re.M):
        s = os.path.join(ROOT, src)
        if os.path.isdir(s):
            target = os.path.join(dest, os.path.relpath(dst.rstrip("/"), "/opt/nnrepair"))
            shutil.copytree(s, target, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_docker_entrypoint_runs_the_bot(tmp_path):
    entry = json.loads(re.search(r"^ENTRYPOINT\s+(\[.*\])\s*$", dockerfile(), re.M).group(1))
    image = docker_layout(str(tmp_path / "opt"))
    assert os.path.isfile(os.path.join(image, "templates", "summary_comment.md.j2"))
    assert entry == ["python", "-m", "bot.entrypoint"]
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
    proc = subprocess.run([sys.executable, *entry[1:]], cwd=ws, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr  # fail-on error with an invalid model
    assert "::error file=models/cnn.py,line=6" in proc.stdout
    values = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert values["findings"] == "1" and values["fixed"] == "1"
    assert values["sarif-file"] == "nnrepair.sarif"  # relative: the container's and the runner's workspace paths differ
    assert json.loads((ws / "nnrepair.sarif").read_text())["runs"][0]["results"][0]["ruleId"] == "NNR101"
    assert "## nnrepair (check): 1 finding" in summary.read_text()
    assert "No GitHub token" in proc.stderr
    assert "bot/templates" not in proc.stderr


def test_image_entrypoint_passes_nnrepair_commands_through(tmp_path):
    image = docker_layout(str(tmp_path / "opt"))
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": image, "HOME": str(tmp_path)}
    top = subprocess.run([sys.executable, "-m", "bot.entrypoint", "nnrepair", "--help"], env=env, capture_output=True, text=True, timeout=120)
    sub = subprocess.run([sys.executable, "-m", "bot.entrypoint", "--help"], env=env, capture_output=True, text=True, timeout=120)
    assert top.returncode == 0 and sub.returncode == 0, top.stderr + sub.stderr
    assert "nnrepair github" in sub.stdout and top.stdout != sub.stdout
    assert all(cmd in top.stdout for cmd in ("check", "fix", "github"))
