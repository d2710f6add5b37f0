"""Target detection (repair_engine/target.py): which Keras judges a repository, read from its files."""

import json
import subprocess
import sys

import pytest

from repair_engine.config import ConfigError, parse_config
from repair_engine.target import decide, read_texts, repository_root, requirement_evidence, resolve


def means(line):
    e = requirement_evidence(line, "requirements.txt", 1)
    return None if e is None else e.means


@pytest.mark.parametrize(
    "line, expected",
    [
        ("tensorflow==2.12.0", "keras2"),
        ("tensorflow-gpu==1.15", "keras2"),
        ("tensorflow-cpu>=2.4,<2.16", "keras2"),
        ("tensorflow<=2.15.1", "keras2"),
        ("tensorflow~=2.12.0", "keras2"),
        ("tensorflow==2.15.*", "keras2"),
        ("tensorflow==2.16.1", "keras3"),
        ("tensorflow>=2.16", "keras3"),
        ("tensorflow~=2.12", None),  # >=2.12, <3: both
        ("tensorflow>=2.4", None),
        ("tensorflow", None),
        ("keras==2.13.1", "keras2"),
        ("keras<3", "keras2"),
        ("keras>=3.0", "keras3"),
        ("tf-keras==2.15.0", "keras2"),
        ("tf_keras", "keras2"),
        ("tensorflow[and-cuda]==2.14.0 ; python_version > '3.8'", "keras2"),
        ("numpy==1.24", None),
        ("-r base.txt", None),
    ],
)
def test_requirement_lines(line, expected):
    assert means(line) == expected


def test_evidence_combination():
    files = {
        "requirements.txt": "numpy\ntensorflow-cpu==2.21.0\ntf-keras==2.21.0\n",
    }
    ev = list(read_texts(files))
    # TF 2.16+ with tf-keras installed: `keras` / `tf.keras` are Keras 3 there
    assert decide(ev) == "keras3"
    ev = list(read_texts({**files, ".github/workflows/ci.yml": "env:\n  TF_USE_LEGACY_KERAS: 1\n"}))
    assert decide(ev) == "keras2"
    assert [(e.file, e.line) for e in ev if e.file.startswith(".github")] == [(".github/workflows/ci.yml", 2)]
    assert decide(list(read_texts({"requirements.txt": "tf-keras\n"}))) == "keras2"
    assert decide([]) == "keras3"


def test_manifest_formats(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["numpy", "tensorflow>=2.10,<2.14"]\n'
    )
    t = resolve("auto", str(tmp_path))
    assert t.name == "keras2" and [(e.file, e.line, e.text) for e in t.evidence] == [
        ("pyproject.toml", 3, "tensorflow>=2.10,<2.14")
    ]
    cases = {
        "Pipfile": '[packages]\ntensorflow = "==2.11.0"\n',
        "poetry.lock": '[[package]]\nname = "tensorflow"\nversion = "2.13.1"\n',
        "environment.yml": "name: x\ndependencies:\n  - python=3.9\n  - tensorflow=2.10\n",
        "setup.py": "from setuptools import setup\nsetup(install_requires=['tensorflow==2.9.1'])\n",
        "setup.cfg": "[options]\ninstall_requires =\n    tensorflow==2.8\n",
    }
    for name, text in cases.items():
        ev = list(read_texts({name: text}))
        assert [e.means for e in ev] == ["keras2"], name
    ev = list(read_texts({"environment.yml": "dependencies:\n  - pip:\n    - tensorflow==2.17.0\n"}))
    assert [e.means for e in ev] == ["keras3"]
    ev = list(read_texts({"pyproject.toml": '[tool.poetry.dependencies]\ntensorflow = "^2.12"\nkeras = "2.12.0"\n'}))
    assert [(e.text, e.means) for e in ev] == [("keras==2.12.0", "keras2")]


def test_bad_manifests_are_no_evidence(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project\nthis is not toml")
    (tmp_path / "environment.yml").write_text("dependencies: [unclosed")
    (tmp_path / "requirements.txt").write_bytes(b"\xff\xfe tensorflow==\n")
    assert resolve("auto", str(tmp_path)).name == "keras3"


def test_explicit_target_and_tf_keras_imports():
    t = resolve("keras2", None)
    assert t.name == "keras2" and t.requested == "keras2" and t.for_file("import keras") == "keras2"
    t = resolve("auto", None, {"a.py": "import tf_keras as keras\n", "b.py": "import keras\n"})
    assert t.name == "keras3" and t.tf_keras_files == ("a.py",)
    assert t.for_file("from tf_keras import layers\n") == "keras2"
    assert t.for_file("import keras\n") == "keras3"
    assert resolve("keras3", None).for_file("import tf_keras\n") == "keras3"  # an explicit target is obeyed


def test_repository_root_stops_at_manifest(tmp_path):
    (tmp_path / "requirements.txt").write_text("tensorflow==2.12\n")
    sub = tmp_path / "models" / "deep"
    sub.mkdir(parents=True)
    (sub / "m.py").write_text("import keras\n")
    assert repository_root(str(sub / "m.py")) == str(tmp_path)


def test_config_target():
    assert parse_config("target: keras2\n").target == "keras2"
    assert parse_config("").target == "auto"
    with pytest.raises(ConfigError, match="target must be one of keras3, keras2, auto"):
        parse_config("target: keras4\n")


MODEL = """\
from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential([
    layers.Dense(32, input_shape=(10,)),
    layers.Dense(4),
])
"""


def cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "repair_engine", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_cli_reports_target(tmp_path):
    (tmp_path / "requirements.txt").write_text("tensorflow==2.12.0\n")
    (tmp_path / "model.py").write_text(MODEL)
    p = cli("check", "--format", "json", ".", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    t = json.loads(p.stdout)["target"]
    assert t == {
        "name": "keras2",
        "requested": "auto",
        "evidence": [{"file": "requirements.txt", "line": 1, "text": "tensorflow==2.12.0", "means": "keras2"}],
    }
    p = cli("check", "--target", "keras3", ".", cwd=tmp_path)
    lines = p.stdout.splitlines()
    assert lines[-2] == "target: keras3 (from --target/config)"
    assert lines[-1].startswith("1 model in 1 file")
    p = cli("check", "--target", "keras5", ".", cwd=tmp_path)
    assert p.returncode == 2 and "invalid choice" in p.stderr


MIGRATING = """\
import tensorflow as tf
from tensorflow.keras import layers
model = tf.keras.Sequential([
    layers.Dense(16, batch_input_shape=(None, 10), dynamic=False),
    layers.LeakyReLU(alpha=0.1),
    layers.Dense(1, border_mode="same"),
])
"""


def test_migration_report(tmp_path):
    (tmp_path / "requirements.txt").write_text("tensorflow==2.12.0\n")
    (tmp_path / "model.py").write_text(MIGRATING)
    p = cli("check", "--target", "keras3", "--report", "migration", "--format", "json", ".", cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    items = json.loads(p.stdout)["migration"]["items"]
    # border_mode fails on Keras 2 as well: a fault today, not a migration item; alpha is read by both
    assert [(i["line"], i["col"], i["severity"]) for i in items] == [(4, 40, "error"), (4, 60, "error")]
    # one coherent repair of the Dense call fixes both; each item names its own edit
    assert "Dense dense: remove the argument dynamic=False" in items[1]["repair"]
    assert any("keras.Input(batch_shape=(None, 10))" in r for r in items[0]["repair"])
    assert "keras.Input(batch_shape=(None, 10))" in items[0]["message"]
    p = cli("check", "--report", "migration", ".", cwd=tmp_path)
    assert p.stdout.splitlines()[-1] == (
        "migration keras2 -> keras3: 2 findings (2 that Keras 3 rejects, 0 read differently or deprecated)"
    )
    p = cli("check", "--target", "keras2", "--report", "migration", ".", cwd=tmp_path)
    assert p.returncode == 2 and "--target keras3" in p.stderr
