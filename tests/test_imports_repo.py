"""A repository is one program (issue 10, item 5): a block function, a custom
layer class or a constant defined in another file of the repository is read
from there, statically. The fixture repository tests/fixtures/repo_imports is
also run by real Keras (its scripts, as `python scripts/x.py` with the root on
PYTHONPATH would) and must give the same verdicts and output shapes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from repair_engine.api import analyze, analyze_paths
from repair_engine.frontends.python.project import Project

REPO = Path(__file__).parent / "fixtures" / "repo_imports"
SCRIPTS = ["train_ok.py", "train_bad.py", "scripts/train_patches.py", "scripts/train_patches_bad.py"]


def _report(root: Path, paths=(".",)):
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return analyze_paths(list(paths))
    finally:
        os.chdir(cwd)


def _by_file(report) -> dict:
    return {m.file: m for m in report.models if m.name == "model"}


def test_definitions_of_other_files_are_read():
    models = _by_file(_report(REPO))
    assert models["train_ok.py"].status == "valid"
    assert models["train_ok.py"].output_shapes == [(None, 10)]  # config.NUM_CLASSES, read from app/config.py
    assert models["scripts/train_patches.py"].output_shapes == [(None, 64, 2)]  # PatchEmbed from app/layers


def test_a_fault_in_an_imported_block_is_reported_in_its_file():
    models = _by_file(_report(REPO))
    bad = models["train_bad.py"]
    assert bad.status == "invalid"
    err = next(d for d in bad.diagnostics if d.severity == "error")
    assert err.kind == "rank_mismatch"
    assert (err.span.file, err.span.line) == ("app/blocks.py", 21)
    patches = models["scripts/train_patches_bad.py"]
    err = next(d for d in patches.diagnostics if d.severity == "error")
    assert (err.span.file, err.span.line) == ("app/layers/custom.py", 18)  # the Conv2D inside PatchEmbed


def test_models_built_by_an_imported_module_belong_to_it():
    report = _report(REPO)
    assert [m.file for m in report.models if m.name == "demo"] == ["app/blocks.py"]


def test_without_the_repository_the_import_stays_unknown(tmp_path):
    """The same file alone (no repository around it): nothing is guessed."""
    shutil.copy(REPO / "train_bad.py", tmp_path / "train_bad.py")
    (model,) = _report(tmp_path).models
    assert model.status != "invalid"


def test_checking_one_file_reads_its_repository():
    report = _report(REPO, ["train_bad.py"])
    (model,) = report.models
    assert model.status == "invalid"


def test_in_memory_sources_and_context():
    files = {str(p.relative_to(REPO)).replace(os.sep, "/"): p.read_bytes() for p in REPO.rglob("*.py")}
    only = {"train_bad.py": files["train_bad.py"]}
    report = analyze(only, context={k: v for k, v in files.items() if k.startswith("app/")})
    assert [m.status for m in report.models] == ["invalid"]
    report = analyze(only)  # no context: the imported names are unknown
    assert [m.status for m in report.models] != ["invalid"]


def test_fix_never_edits_another_file():
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        report = analyze_paths(["train_bad.py"], fix=True, verify=False)
    finally:
        os.chdir(cwd)
    assert report.fixed_texts == {} or set(report.fixed_texts) == {"train_bad.py"}
    (model,) = [m for m in report.models if m.name == "model"]
    for edit in (model.repair or {}).get("edits", []):
        assert edit.get("file", "train_bad.py") == "train_bad.py"


def test_cycles_depth_and_missing_modules_do_not_crash(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("from .a import *\n")
    (tmp_path / "pkg" / "a.py").write_text("from .b import *\nfrom keras import layers\nA = 1\n")
    (tmp_path / "pkg" / "b.py").write_text("from .a import *\nfrom .nowhere import x\nB = 2\n")
    for i in range(10):  # an import chain deeper than the bound
        nxt = f"from .m{i + 1} import V\n" if i < 9 else "V = 5\n"
        (tmp_path / "pkg" / f"m{i}.py").write_text(nxt)
    (tmp_path / "main.py").write_text(
        "import keras\nfrom keras import layers\nfrom pkg import A, B\nfrom pkg.m0 import V\n"
        "inputs = keras.Input((4,))\nmodel = keras.Model(inputs, layers.Dense(V)(layers.Dense(A + B)(inputs)))\n"
    )
    report = _report(tmp_path)
    (model,) = [m for m in report.models if m.file == "main.py"]
    assert report.internal_errors == 0
    assert model.status == "valid"
    assert model.output_shapes == [None]  # V is beyond the depth bound: unknown, not guessed
    dense = [l for l in model.model.layers if l.kind == "Dense"]
    assert dense[0].args["units"] == 3  # A + B through the star-import cycle


def test_resolution_follows_python(tmp_path):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "sub" / "mod.py").write_text("")
    (tmp_path / "pkg" / "sub" / "run.py").write_text("")
    (tmp_path / "util.py").write_text("")
    (tmp_path / "ns").mkdir()
    (tmp_path / "ns" / "x.py").write_text("")
    p = Project(root=str(tmp_path))
    run = str(tmp_path / "pkg" / "sub" / "run.py")
    assert p.resolve(run, "mod", 1).file == str(tmp_path / "pkg" / "sub" / "mod.py")
    assert p.resolve(run, "", 2).file == str(tmp_path / "pkg" / "__init__.py")
    assert p.resolve(run, "util", 0).file == str(tmp_path / "util.py")  # from a folder above
    assert p.resolve(run, "mod", 0).file == str(tmp_path / "pkg" / "sub" / "mod.py")  # the script's own folder
    ns = p.resolve(run, "ns", 0)
    assert ns.file is None and ns.folder == str(tmp_path / "ns")  # a namespace package
    assert p.resolve(run, "", 4) is None  # above the root: not read
    assert p.resolve(run, "numpy_missing", 0) is None


def test_keras_agrees():
    """Real Keras runs every script of the fixture repository: same verdicts, same output shapes."""
    from tests.conftest import require_keras

    require_keras()
    runner = (
        "import json, os, runpy, sys, types, warnings\nwarnings.simplefilter('ignore')\nout = {}\n"
        # scripts/train_patches.py imports an installed package that is not in the repository
        "sys.modules['extlib'] = types.SimpleNamespace(something=None)\n"
        "for script in json.loads(sys.stdin.read()):\n"
        "    sys.path[:0] = [os.path.dirname(os.path.abspath(script)), os.getcwd()]\n"
        "    try:\n"
        "        ns = runpy.run_path(script)\n"
        "        out[script] = ['ok', [list(ns['model'].output.shape)]]\n"
        "    except Exception as e:\n"
        "        out[script] = ['error', type(e).__name__]\n"
        "    del sys.path[:2]\n"
        "    for name in [m for m in sys.modules if m == 'app' or m.startswith('app.')]:\n"
        "        del sys.modules[name]\n"
        "print('RESULT' + json.dumps(out))\n"
    )
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, "-c", runner],
        input=json.dumps(SCRIPTS),
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=REPO,
    )
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT")), None)
    assert line is not None, proc.stderr[-2000:]
    keras_says = json.loads(line[len("RESULT") :])
    models = _by_file(_report(REPO))
    for script in SCRIPTS:
        verdict, detail = keras_says[script]
        ours = models[script]
        if verdict == "error":
            assert ours.status == "invalid", (script, detail)
        else:
            assert ours.status == "valid", script
            assert [list(s) for s in ours.output_shapes] == detail, script


@pytest.mark.parametrize("name", ["keras", "tensorflow", "os"])
def test_a_repository_folder_named_like_a_library_is_not_read_for_it(tmp_path, name):
    """keras-team/keras holds a `keras/` folder: `import keras` still means Keras."""
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text("Sequential = None\nInput = None\nModel = None\n")
    (tmp_path / "main.py").write_text(
        f"import {name}\nimport keras\nfrom keras import layers\n"
        "inputs = keras.Input((4,))\nmodel = keras.Model(inputs, layers.Dense(3)(inputs))\n"
    )
    (model,) = [m for m in _report(tmp_path).models if m.file == "main.py"]
    assert model.output_shapes == [(None, 3)]
