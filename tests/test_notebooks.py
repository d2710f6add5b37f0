"""Jupyter notebooks (issue 10, item 6): cells read in order, magics skipped,
cell:line locations in text, raw JSON lines for SARIF/annotations and PR
suggestions, `fix --write` rewriting only the changed source strings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from repair_engine.api import analyze, analyze_paths
from repair_engine.frontends import notebook
from repair_engine.render import render

MODEL_CELL = [
    "model = keras.Sequential([\n",
    "    keras.Input(shape=(28, 28)),\n",
    "    layers.Conv2D(8, 3),  # café\n",
    "    layers.Flatten(),\n",
    "    layers.Dense(10),\n",
    "])",
]


def make_notebook(model_cell=None, language="python") -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# A notebook\n", "with text"]},
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": ["Collecting keras\n"]}],
            "source": ["%matplotlib inline\n", "!pip install keras\n", "import keras\n", "from keras import layers"],
        },
        {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [], "source": ["%%bash\n", "ls -l"]},
        {"cell_type": "code", "execution_count": 3, "metadata": {}, "outputs": [], "source": model_cell or MODEL_CELL},
        {"cell_type": "code", "execution_count": 4, "metadata": {}, "outputs": [], "source": ["model.summary()\n", "model?"]},
    ]
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "K", "language": language, "name": "k"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def raw_line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if fragment in line)


def test_cells_read_in_order_magics_skipped_and_lines_kept():
    virtual, nb, notes = notebook.read("nb.ipynb", make_notebook())
    lines = virtual.split("\n")
    assert lines[:4] == ["pass", "pass", "import keras", "from keras import layers"]
    assert "ls -l" not in virtual  # a %%bash cell is not Python
    assert lines[4:6] == ["", ""]
    assert lines[6] == "model = keras.Sequential(["
    assert any("cell 5" in n.message for n in notes)  # `model?` is IPython syntax
    assert nb.lines[8].cell == 4 and nb.lines[8].cell_line == 3


def test_text_gives_cell_and_line_sarif_and_github_give_the_raw_json_line(tmp_path):
    text = make_notebook()
    path = tmp_path / "nb.ipynb"
    path.write_text(text, encoding="utf-8")
    os.chdir(tmp_path)
    report = analyze_paths(["nb.ipynb"])
    assert [m.status for m in report.models if m.model is not None] == ["invalid"]
    out = render(report, "text")
    assert "nb.ipynb:cell 4:line 3: NNR101 error" in out
    assert "nb.ipynb:cell 4:line 2: note:" in out  # the Input declaration
    conv = raw_line_of(text, "layers.Conv2D(8, 3)")
    sarif = json.loads(render(report, "sarif"))
    region = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == conv
    raw = text.split("\n")[conv - 1]
    assert raw[region["startColumn"] - 1 :].startswith("layers.Conv2D(8, 3)")
    assert f"line={conv}," in render(report, "github")


def test_fix_rewrites_only_the_changed_source_string(tmp_path):
    text = make_notebook()
    report = analyze({"nb.ipynb": text.encode()}, fix=True, verify=False)
    new = report.fixed_texts["nb.ipynb"]
    old_lines, new_lines = text.split("\n"), new.split("\n")
    assert len(old_lines) == len(new_lines)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b]
    assert changed == [raw_line_of(text, "keras.Input(shape=(28, 28))") - 1]
    assert new_lines[changed[0]] == '    "    keras.Input(shape=(28, 28, 1)),\\n",'
    before, after = json.loads(text), json.loads(new)
    after["cells"][3]["source"][1] = before["cells"][3]["source"][1]
    assert after == before  # outputs, metadata, other cells untouched
    model = next(m for m in report.models if m.model is not None)
    edits = model.repair["line_edits"]
    assert edits == [{"file": "nb.ipynb", "start_line": changed[0] + 1, "end_line": changed[0] + 1,
                      "new_lines": [new_lines[changed[0]]]}]
    assert model.repair["diff"].startswith("--- a/nb.ipynb")
    assert json.dumps(report.to_json())  # the JSON output stays serialisable


def test_a_cell_that_grows_is_rewritten_in_the_writer_layout():
    from repair_engine.patch import notebook as notebook_writer

    text = make_notebook()
    virtual, nb, _ = notebook.read("nb.ipynb", text)
    lines = virtual.split("\n")
    lines.insert(8, "    layers.Reshape((26, 26, 8)),")
    new = notebook_writer.rewrite(nb, virtual, "\n".join(lines))
    src = json.loads(new)["cells"][3]["source"]
    assert src[2] == "    layers.Reshape((26, 26, 8)),\n" and len(src) == len(MODEL_CELL) + 1
    assert json.loads(new)["cells"][1] == json.loads(text)["cells"][1]
    assert '\n    "    layers.Reshape((26, 26, 8)),\\n",\n' in new


def test_source_written_as_one_string():
    text = make_notebook(model_cell="".join(MODEL_CELL))
    report = analyze({"nb.ipynb": text.encode()}, fix=True, verify=False)
    model = next(m for m in report.models if m.model is not None)
    assert model.status == "invalid"
    after = json.loads(report.fixed_texts["nb.ipynb"])
    assert "keras.Input(shape=(28, 28, 1))" in after["cells"][3]["source"]


def test_non_python_kernel_and_broken_json():
    report = analyze({"r.ipynb": make_notebook(language="R").encode()})
    assert not [m for m in report.models if m.model is not None]
    report = analyze({"bad.ipynb": b'{"cells": [ keras'})
    assert report.models and report.models[0].status == "unsupported"
    assert report.models[0].diagnostics[0].kind == "parse_error"


def test_folder_walk_finds_notebooks(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nb.ipynb").write_text(make_notebook(), encoding="utf-8")
    (tmp_path / "plain.ipynb").write_text(json.dumps({"cells": [], "metadata": {}}), encoding="utf-8")
    report = analyze_paths([str(tmp_path)])
    assert [m.file.endswith("sub/nb.ipynb") for m in report.models if m.model is not None] == [True]


_RUNNER = r"""
import json, os, sys, warnings
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.simplefilter("ignore")
out = []
for src in json.loads(sys.stdin.read()):
    try:
        exec(compile(src, "cells", "exec"), {})
        out.append(None)
    except Exception as e:
        out.append(type(e).__name__)
print("RESULT" + json.dumps(out))
"""


def test_keras_agrees_on_the_notebook_and_its_fix():
    """Keras runs our notebook's cells (magics dropped) before and after the
    fix: the original raises, the repaired one builds."""
    from tests.conftest import require_keras

    require_keras()
    text = make_notebook()
    fixed = analyze({"nb.ipynb": text.encode()}, fix=True, verify=False).fixed_texts["nb.ipynb"]
    programs = []
    for t in (text, fixed):
        cells = json.loads(t)["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"][:-1]  # drop `model?`
        lines = [l for l in "\n".join(code).split("\n") if not l.lstrip().startswith(("%", "!", "ls "))]
        programs.append("\n".join(lines))
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", _RUNNER], input=json.dumps(programs), capture_output=True,
                          text=True, timeout=300, env=env)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT")), None)
    assert line is not None, proc.stderr[-2000:]
    assert json.loads(line[len("RESULT"):]) == ["ValueError", None]


@pytest.mark.parametrize("line", ["%time x = 1", "  !ls", "%%capture"])
def test_magic_lines_become_pass(line):
    lines = ["if True:", line] if line.startswith(" ") else [line]
    assert notebook._python_lines(lines)[-1] in ("pass", "  pass", "")
