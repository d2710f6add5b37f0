"""Which Keras builds the repairs: numpy when installed, TensorFlow otherwise,
and none at all for a file with nothing to repair."""

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import pytest

from repair_engine import oracle
from tests.conftest import require_keras

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BROKEN = textwrap.dedent(
    """\
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(8,)), layers.Conv2D(4, 3), layers.Dense(2)])
    """
)
VALID = textwrap.dedent(
    """\
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4)])
    """
)


def _env(**changes) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NNREPAIR_KERAS_BACKEND", "KERAS_BACKEND")}
    env.update(changes)
    return env


def test_the_repair_backend_is_asked_for_or_numpy_when_installed(monkeypatch):
    monkeypatch.setenv(oracle.REPAIR_BACKEND_ENV, "JAX")
    assert oracle.repair_backend() == "jax"
    monkeypatch.setenv(oracle.REPAIR_BACKEND_ENV, "no-such-backend")
    found = {"jax": True, "scipy": True}
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object() if found.get(name) else None)
    assert oracle.repair_backend() == "numpy"
    found["scipy"] = False
    assert oracle.repair_backend() == "tensorflow"


def _fix_json(tmp_path, text: str, env: dict) -> dict:
    path = tmp_path / "model.py"
    path.write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "repair_engine", "fix", str(path), "--format", "json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_a_fresh_fix_builds_the_repair_on_the_numpy_backend(tmp_path):
    require_keras()
    if oracle.repair_backend() != "numpy" and not all(
        importlib.util.find_spec(m) for m in oracle.FAST_BACKEND_NEEDS
    ):
        if os.environ.get("NNREPAIR_REQUIRE_KERAS") == "1":
            pytest.fail("the numpy backend needs jax and scipy (the tensorflow extra installs them)")
        pytest.skip("jax/scipy not installed")
    repair = _fix_json(tmp_path, BROKEN, _env())["models"][0]["repair"]
    assert repair["verified"] is True
    assert repair["verified_by"] == "keras" and repair["keras_backend"] == "numpy"


def test_the_tensorflow_backend_can_be_asked_for(tmp_path):
    require_keras()
    repair = _fix_json(tmp_path, BROKEN, _env(NNREPAIR_KERAS_BACKEND="tensorflow"))["models"][0]["repair"]
    assert repair["verified_by"] == "keras" and repair["keras_backend"] == "tensorflow"


def test_a_valid_file_imports_no_keras_and_starts_no_worker(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(VALID)
    probe = textwrap.dedent(
        f"""\
        import sys
        from repair_engine import keras_worker
        from repair_engine.cli import main
        main(["fix", {str(path)!r}, "--format", "json"])
        heavy = sorted(m for m in ("keras", "tensorflow", "jax") if m in sys.modules)
        print("IMPORTED", heavy, "WORKER", keras_worker.current() is not None, file=sys.stderr)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300
    )
    assert "IMPORTED [] WORKER False" in proc.stderr, proc.stderr
    assert json.loads(proc.stdout)["models"][0]["status"] == "valid"
