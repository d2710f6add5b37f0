"""Run fixture programs in real Keras, in a child process, and read back what happened.

The fixtures are the tests' own trusted programs (never code under analysis);
running them in a child keeps TensorFlow's state out of the test process.
Per file: whether it raised (and the first line of the error), and the output
shapes of every keras.Model it left at module level.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_RUNNER = r"""
import json, os, runpy, sys, warnings
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.simplefilter("ignore")
import keras
out = {}
for path in sys.argv[1:]:
    rec = {"raises": False, "error": None, "models": {}}
    try:
        g = runpy.run_path(path, run_name="__main__")
    except Exception as e:
        rec["raises"] = True
        rec["error"] = type(e).__name__ + ": " + (str(e).splitlines() or [""])[0][:200]
        g = {}
    for name, v in g.items():
        if isinstance(v, keras.Model):
            try:
                rec["models"][name] = [list(t.shape) for t in v.outputs]
            except Exception:
                rec["models"][name] = None
    out[os.path.basename(path)] = rec
print("RESULT" + json.dumps(out))
"""


def run_in_keras(folder: Path, names: list[str], timeout: int = 900) -> dict:
    """{file name: {"raises", "error", "models": {name: output shapes}}} from real Keras."""
    from tests.conftest import require_keras

    require_keras()
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1")
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER] + [str(folder / n) for n in names],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=str(folder),
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")), None)
    assert line is not None, proc.stderr[-2000:]
    return json.loads(line[len("RESULT") :])
