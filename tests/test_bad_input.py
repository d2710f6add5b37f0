"""Bad input never crashes the CLI: a clear diagnostic, the contract's exit code, bounded time.

Every case runs `python -m repair_engine` in a subprocess and asserts on its
stdout/stderr/exit code (and that no traceback escapes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = os.path.join(ROOT, ".venv", "bin", "python")
if not os.path.exists(PY):
    PY = sys.executable


def run(*args, cwd, timeout=120):
    env = dict(os.environ, PYTHONPATH=ROOT)
    t0 = time.monotonic()
    p = subprocess.run([PY, "-m", "repair_engine", *args], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=timeout)
    p.elapsed = time.monotonic() - t0
    assert "Traceback" not in p.stderr + p.stdout, p.stderr
    return p


def check_json(path, cwd):
    p = run("check", "--format", "json", path, cwd=cwd)
    return p, json.loads(p.stdout)


def _dense_json(n_layers: int, input_shape=(None, 8), first=None) -> str:
    layers = [{"class_name": "InputLayer", "config": {"batch_shape": list(input_shape), "name": "in"}}]
    if first is not None:
        layers.append(first)
    for i in range(n_layers):
        layers.append({"class_name": "Dense", "config": {"name": f"d{i}", "units": 4}})
    return json.dumps({"class_name": "Sequential", "config": {"name": "deep", "layers": layers}})


def test_truncated_json_is_a_parse_error(tmp_path):
    full = _dense_json(3)
    (tmp_path / "t.json").write_text(full[: len(full) // 2])
    p, doc = check_json("t.json", tmp_path)
    assert p.returncode == 0  # nothing invalid was found; the file is reported as unsupported
    (m,) = doc["models"]
    assert m["status"] == "unsupported"
    assert m["diagnostics"][0]["code"] == "NNR403" and "invalid JSON" in m["diagnostics"][0]["message"]
    assert m["diagnostics"][0]["line"] == 1


def test_garbage_and_non_utf8(tmp_path):
    (tmp_path / "g.json").write_bytes(b"\x00\x01garbage\xff")
    (tmp_path / "latin.json").write_bytes(b'{"class_name": "Sequential", "config": {"name": "caf\xe9", "layers": []}}')
    (tmp_path / "bad.py").write_bytes(b"import keras\nmodel = keras.Sequential([\n  # caf\xe9 \xff\xfe\n")
    p = run("check", "g.json", "latin.json", "bad.py", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "g.json:1:1: NNR403 error: the file is not UTF-8 text" in out
    assert "latin.json:1:1: NNR403 error: the file is not UTF-8 text" in out
    assert "bad.py:" in out and "NNR403 error" in out.split("bad.py:", 1)[1]
    assert out.strip().splitlines()[-1].startswith("3 models in 3 files: 0 valid, 0 invalid, 3 unsupported")


def test_deeply_nested_json(tmp_path):
    (tmp_path / "deep.json").write_text('{"class_name": "Sequential", "config": ' + "[" * 100_000 + "]" * 100_000 + "}")
    p, doc = check_json("deep.json", tmp_path)
    assert p.returncode == 0
    (m,) = doc["models"]
    assert m["status"] == "unsupported" and m["diagnostics"][0]["kind"] == "parse_error"
    assert "nesting deeper" in m["diagnostics"][0]["message"]


def test_zip_bomb_keras_archive(tmp_path):
    bomb = tmp_path / "bomb.keras"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("config.json", "w", force_zip64=True) as f:
            chunk = b" " * (1 << 20)
            for _ in range(64):  # 64 MB of spaces, ~64 KB compressed
                f.write(chunk)
    assert bomb.stat().st_size < 1_000_000
    p, doc = check_json("bomb.keras", tmp_path)
    assert p.returncode == 0 and p.elapsed < 60
    (m,) = doc["models"]
    assert m["status"] == "unsupported"
    assert m["diagnostics"][0]["code"] == "NNR404" and "limit" in m["diagnostics"][0]["message"]


def test_reshape_to_10_12_elements(tmp_path):
    (tmp_path / "huge.py").write_text(
        "import keras\nfrom keras import layers\n\n"
        "model = keras.Sequential([\n"
        "    keras.Input(shape=(784,)),\n"
        "    layers.Reshape((1000000, 1000000)),\n"
        "    layers.Dense(10),\n"
        "])\n"
    )
    p, doc = check_json("huge.py", tmp_path)
    assert p.returncode == 1 and p.elapsed < 60
    (m,) = doc["models"]
    (d,) = [d for d in m["diagnostics"] if d["severity"] == "error"]
    assert d["kind"] == "reshape_size" and d["line"] == 6
    p = run("fix", "--no-verify", "--format", "json", "huge.py", cwd=tmp_path)
    assert p.returncode in (0, 1) and p.elapsed < 90
    assert json.loads(p.stdout)["models"][0]["status"] == "invalid"


def test_huge_valid_reshape_is_not_materialized(tmp_path):
    first = {"class_name": "Reshape", "config": {"name": "r", "target_shape": [1000000, 1000000]}}
    (tmp_path / "big.json").write_text(_dense_json(1, input_shape=(None, 10**12), first=first))
    p, doc = check_json("big.json", tmp_path)
    assert p.returncode == 0 and p.elapsed < 60
    assert doc["models"][0]["output_shapes"] == [[None, 1000000, 4]]


def test_ten_thousand_layers_in_bounded_time(tmp_path):
    (tmp_path / "deep.json").write_text(_dense_json(10_000))
    p, doc = check_json("deep.json", tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.elapsed < 60
    (m,) = doc["models"]
    assert m["status"] == "valid" and m["output_shapes"] == [[None, 4]]


def test_cyclic_graph_reference(tmp_path):
    cfg = {
        "class_name": "Functional",
        "config": {
            "name": "cyc",
            "layers": [
                {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [None, 4], "name": "x"},
                 "inbound_nodes": []},
                {"class_name": "Dense", "name": "a", "config": {"name": "a", "units": 4},
                 "inbound_nodes": [[["b", 0, 0, {}]]]},
                {"class_name": "Dense", "name": "b", "config": {"name": "b", "units": 4},
                 "inbound_nodes": [[["a", 0, 0, {}]]]},
            ],
            "input_layers": [["x", 0, 0]],
            "output_layers": [["b", 0, 0]],
        },
    }
    (tmp_path / "cyc.json").write_text(json.dumps(cfg))
    p, doc = check_json("cyc.json", tmp_path)
    assert p.returncode == 0 and p.elapsed < 60
    (m,) = doc["models"]
    assert m["status"] == "unsupported"
    msgs = [d["message"] for d in m["diagnostics"]]
    assert any("cycle" in msg and "a, b" in msg for msg in msgs)


def test_directory_with_unreadable_files(tmp_path):
    d = tmp_path / "models"
    d.mkdir()
    (d / "ok.json").write_text(_dense_json(2))
    os.symlink(d / "vanished.json", d / "dangling.json")  # inside the tree, target missing
    locked = d / "locked.json"
    locked.write_text(_dense_json(2))
    os.chmod(locked, 0)
    os.mkfifo(d / "pipe.json")  # must never be opened (it would block)
    (d / "notes.txt").write_text("not a model")
    try:
        p, doc = check_json("models", tmp_path)
    finally:
        os.chmod(locked, 0o644)
    assert p.returncode == 2  # unreadable input
    by_file = {m["file"]: m for m in doc["models"]}
    assert by_file["models/ok.json"]["status"] == "valid"
    dangling = by_file["models/dangling.json"]
    assert dangling["status"] == "unsupported" and "cannot read the file" in dangling["diagnostics"][0]["message"]
    assert "models/pipe.json" not in by_file and "models/notes.txt" not in by_file
    if os.geteuid() != 0:  # root reads mode-000 files
        assert "cannot read the file" in by_file["models/locked.json"]["diagnostics"][0]["message"]


def test_oversized_file_is_a_limit_diagnostic(tmp_path):
    (tmp_path / "big.py").write_text("x = 1\n" + "#" * (6 * 1024 * 1024))
    p = run("check", "big.py", cwd=tmp_path)
    assert p.returncode == 0
    assert "big.py:1:1: NNR404 warning: the file is larger than 5 MB; not checked" in p.stdout


def test_bad_config_file(tmp_path):
    (tmp_path / "m.json").write_text(_dense_json(1))
    (tmp_path / "c.yml").write_text("ignore: [NNR101\n")
    p = run("check", "--config", "c.yml", "m.json", cwd=tmp_path)
    assert p.returncode == 2 and "invalid YAML" in p.stderr
    p = run("check", "--config", "absent.yml", "m.json", cwd=tmp_path)
    assert p.returncode == 2 and "cannot read the config file" in p.stderr
