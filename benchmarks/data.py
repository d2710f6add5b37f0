"""Data-vs-model benchmark on SFData (../shared/benchmarks/sfdata-keras, README section 2).

For every data-vs-model program (fault_location == "data-vs-model") prints:
detected (an error from the static check of the runnable context), the side the
repair changes (model / data / none), and whether the repaired program runs in
Keras 3; and for every ground truth that runs, whether it is flagged (a false alarm).

"Runs" executes SFData's own programs (trusted benchmark inputs, never code under
analysis) in a subprocess with a timeout, cut down as the benchmarks README says:
fit for 1 epoch on at most 256 samples, no validation and no callbacks, generators
and datasets for 1 step; the manifest's Keras 3 translations (lr=, nb_epoch=,
fit_generator, predict_classes, np.float, ...) and offline stubs (sklearn helpers,
MNIST readers) are applied by a prelude, never by editing the program.

Usage: python benchmarks/data.py [--no-run] [--verbose] [--jobs N] [--only ID,ID]
Running the programs needs `pip install -e ".[tensorflow,bench]"` (pillow, scipy: two
programs read images with flow_from_directory and augment them).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from repair_engine.checker import check  # noqa: E402
from repair_engine.frontends import python_source  # noqa: E402
from repair_engine.repair import fix_file  # noqa: E402


def bench_root() -> Path:
    env = os.environ.get("NNREPAIR_BENCHMARKS")
    for p in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "benchmarks", Path("/work/shared/benchmarks")]:
        if (p / "sfdata-keras" / "manifest.json").is_file():
            return p
    return ROOT.parent / "shared" / "benchmarks"


DATA_KINDS = ("data_shape_mismatch", "data_target_mismatch", "data_label_encoding", "data_sample_count")
TIMEOUT = 240

# Executed before each program in the subprocess: the README's cut-down and translations.
PRELUDE = r"""
import math, os, sys, types
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
if not hasattr(np, "float"):
    np.float = float
def _tts(*arrays, test_size=None, train_size=None, random_state=None, shuffle=True, stratify=None):
    n = len(arrays[0])
    if isinstance(test_size, float):
        t = math.ceil(test_size * n)
    elif isinstance(test_size, int):
        t = test_size
    elif isinstance(train_size, float):
        t = n - math.floor(train_size * n)
    else:
        t = math.ceil(0.25 * n)
    out = []
    for a in arrays:
        out += [a[: n - t], a[n - t :]]
    return out
class _Scaler:
    def __init__(self, *a, **k): pass
    def fit(self, x, y=None): return self
    def fit_transform(self, x, y=None): return np.asarray(x, dtype="float64")
    def transform(self, x): return np.asarray(x, dtype="float64")
_sk = types.ModuleType("sklearn"); _ms = types.ModuleType("sklearn.model_selection")
_pp = types.ModuleType("sklearn.preprocessing")
_ms.train_test_split = _tts
_pp.StandardScaler = _pp.MinMaxScaler = _Scaler
_sk.model_selection, _sk.preprocessing = _ms, _pp
sys.modules.update({"sklearn": _sk, "sklearn.model_selection": _ms, "sklearn.preprocessing": _pp})
class _Split:
    def __init__(self, one_hot): self.one_hot = one_hot
    def next_batch(self, n):
        y = np.random.randint(0, 10, n)
        return np.random.random((n, 784)).astype("float32"), (np.eye(10)[y] if self.one_hot else y)
class _Sets:
    def __init__(self, one_hot): self.train = self.test = self.validation = _Split(one_hot)
_names = ["tensorflow.examples", "tensorflow.examples.tutorials", "tensorflow.examples.tutorials.mnist",
          "tensorflow.examples.tutorials.mnist.input_data"]
_mods = [types.ModuleType(n) for n in _names]
_mods[3].read_data_sets = lambda path=None, one_hot=False, **k: _Sets(one_hot)
for _i in range(3):
    setattr(_mods[_i], _names[_i + 1].rsplit(".", 1)[1], _mods[_i + 1])
import tensorflow as tf
sys.modules.update(dict(zip(_names, _mods)))
import keras
def _mnist(path=None):
    return ((np.random.randint(0, 256, (60000, 28, 28)).astype("uint8"), np.random.randint(0, 10, 60000)),
            (np.random.randint(0, 256, (10000, 28, 28)).astype("uint8"), np.random.randint(0, 10, 10000)))
keras.datasets.mnist.load_data = _mnist
try:
    import keras.src.datasets.mnist as _m; _m.load_data = _mnist
except Exception:
    pass
N = 256
def _cut(v):
    if isinstance(v, np.ndarray) or (hasattr(v, "shape") and hasattr(v, "__getitem__") and not isinstance(v, dict)):
        try:
            return v[:N]
        except Exception:
            return v
    if isinstance(v, (list, tuple)) and v and all(hasattr(a, "shape") for a in v):
        return type(v)(_cut(a) for a in v)
    if isinstance(v, dict):
        return {k: _cut(a) for k, a in v.items()}
    return v
def _stream(x):
    return not isinstance(x, (np.ndarray, list, tuple, dict)) and not hasattr(x, "shape")
_fit, _ev, _pr = keras.Model.fit, keras.Model.evaluate, keras.Model.predict
_DROP = ("validation_data", "validation_split", "callbacks", "nb_epoch", "validation_steps", "validation_freq",
         "initial_epoch", "steps_per_epoch", "epochs", "verbose", "max_queue_size", "workers",
         "use_multiprocessing", "samples_per_epoch", "nb_val_samples")
def fit(self, x=None, y=None, *a, **kw):
    for k in _DROP: kw.pop(k, None)
    if a: kw.setdefault("batch_size", a[0])
    if _stream(x):
        return _fit(self, x, epochs=1, steps_per_epoch=1, verbose=0, **kw)
    return _fit(self, _cut(x), _cut(y), epochs=1, verbose=0, **kw)
def evaluate(self, x=None, y=None, *a, **kw):
    for k in ("callbacks", "verbose", "steps"): kw.pop(k, None)
    if _stream(x):
        return _ev(self, x, steps=1, verbose=0, **kw)
    return _ev(self, _cut(x), _cut(y), verbose=0, **kw)
def predict(self, x=None, *a, **kw):
    for k in ("callbacks", "verbose", "steps"): kw.pop(k, None)
    if _stream(x):
        return _pr(self, x, steps=1, verbose=0, **kw)
    return _pr(self, _cut(x), verbose=0, **kw)
keras.Model.fit, keras.Model.evaluate, keras.Model.predict = fit, evaluate, predict
keras.Model.fit_generator = lambda self, g, *a, **kw: fit(self, g, **kw)
keras.Model.evaluate_generator = lambda self, g, *a, **kw: evaluate(self, g, **kw)
keras.Model.predict_generator = lambda self, g, *a, **kw: predict(self, g, **kw)
keras.Model.predict_classes = lambda self, x, *a, **kw: predict(self, x, **kw)
for _name in ("SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam"):
    _cls = getattr(keras.optimizers, _name)
    def _init(self, *a, __orig=_cls.__init__, **kw):
        if "lr" in kw: kw["learning_rate"] = kw.pop("lr")
        __orig(self, *a, **kw)
    _cls.__init__ = _init
class _NoCallback(keras.callbacks.Callback):
    def __init__(self, *a, **k): super().__init__()
keras.callbacks.ModelCheckpoint = _NoCallback
_dense_init = keras.layers.Dense.__init__
def _dense(self, units, *a, **kw):
    _dense_init(self, int(units) if isinstance(units, np.integer) else units, *a, **kw)
keras.layers.Dense.__init__ = _dense
_concat = tf.concat
def _tfconcat(values, axis, *a, **kw):
    if any(isinstance(v, keras.KerasTensor) for v in values):
        return keras.layers.concatenate(list(values), axis=axis)
    return _concat(values, axis, *a, **kw)
tf.concat = _tfconcat
import runpy
runpy.run_path(sys.argv[1], run_name="__main__")
"""


def run_program(text: str, folder: str, name: str, data_dir: Path) -> tuple[bool, str]:
    """Run one program (its text) cut down; (completed, last error line)."""
    with tempfile.TemporaryDirectory(prefix="nnr-data-") as tmp:
        base = Path(tmp)
        (base / folder).mkdir(parents=True)
        if data_dir.is_dir():
            (base / "data").symlink_to(data_dir)
        prog = base / folder / name
        prog.write_text(text)
        pre = base / "prelude.py"
        pre.write_text(PRELUDE)
        env = dict(os.environ, CUDA_VISIBLE_DEVICES="-1", TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="Agg")
        try:
            p = subprocess.run(
                [sys.executable, str(pre), str(prog)],
                cwd=str(base / folder),
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                env=env,
            )
        except subprocess.TimeoutExpired:
            return False, "timeout"
        lines = [l for l in p.stderr.strip().splitlines() if l.strip()]
        err = next((l for l in reversed(lines) if "Error" in l or "Exception" in l), lines[-1] if lines else "")
        return p.returncode == 0, err[:160]


def analyse(path: Path) -> dict:
    result = python_source.load(str(path), path.read_bytes())
    checks = [check(m) for m in result.models]
    errors = [d for r in checks for d in r.errors]
    out = {"errors": errors, "text": result.text, "side": "none", "new_text": None, "edits": []}
    if not errors or result.text is None:
        return out
    try:
        fix = fix_file(result, checks, verify=False)
    except Exception as exc:  # a repair crash is a benchmark finding, not a stop
        out["side"] = f"crash:{type(exc).__name__}"
        return out
    if fix.new_text and fix.new_text != result.text:
        out["new_text"] = fix.new_text
        ops = [e.get("op", "") for r in fix.repairs.values() if r for e in r.get("edits", [])]
        out["edits"] = ops
        out["side"] = "data" if ops and all(o.startswith("data_") for o in ops) else "model"
        if any(o.startswith("data_") for o in ops) and not all(o.startswith("data_") for o in ops):
            out["side"] = "both"
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-run", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    bench = bench_root()
    root = bench / "sfdata-keras"
    if not (root / "manifest.json").is_file():
        print(f"benchmarks folder {bench} absent; nothing to do")
        return 0
    t0 = time.monotonic()
    entries = [e for e in json.loads((root / "manifest.json").read_text()) if e["fault_location"] == "data-vs-model"]
    if args.only:
        entries = [e for e in entries if e["id"] in args.only.split(",")]
    rows = []
    for e in entries:
        ctx = bench / e["keras3_checked_files"]["original"]
        gt = bench / e["keras3_checked_files"]["ground_truth"]
        a, g = analyse(ctx), analyse(gt)
        rows.append((e, ctx, gt, a, g))
    runs: dict = {}
    if not args.no_run:
        jobs = []
        for e, ctx, _gt, a, _g in rows:
            if a["new_text"] and e["keras3_outcome"] != "runs_without_error":
                jobs.append((e["id"], a["new_text"], ctx))
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futs = {
                pid: pool.submit(run_program, text, ctx.parent.name, ctx.name, root / "data") for pid, text, ctx in jobs
            }
            runs = {pid: f.result() for pid, f in futs.items()}
    rejects = [r for r in rows if r[0]["keras3_outcome"] != "runs_without_error"]
    accepted = [r for r in rows if r[0]["keras3_outcome"] == "runs_without_error"]
    gts = [r for r in rows if r[0]["keras3_ground_truth_runs"]]
    print("sfdata-keras data-vs-model programs (static check of the runnable context, repair, Keras 3 run)")
    for e, _ctx, _gt, a, g in rows:
        ran = runs.get(e["id"])
        ran_s = "-" if ran is None else ("runs" if ran[0] else "fails")
        kinds = sorted({d.kind for d in a["errors"]})
        line = (
            f"  {e['id']:>9} {e['data_side'] or '-':<6} keras3={e['keras3_outcome']:<24} detected={bool(a['errors'])!s:<5} "
            f"fix_side={e['fix_side']:<5} repair={a['side']:<5} repaired_runs={ran_s:<5} gt_flagged={bool(g['errors'])!s:<5} "
            f"{','.join(kinds)}"
        )
        print(line)
        if args.verbose and a["errors"]:
            print(f"            {a['errors'][0].message[:200]}")
        if args.verbose and ran is not None and not ran[0]:
            print(f"            run: {ran[1]}")
    flagged = sum(1 for r in rejects if r[3]["errors"])
    fa = sum(1 for r in accepted if r[3]["errors"])
    gt_fa = sum(1 for r in gts if r[4]["errors"])
    repaired = sum(1 for r in rejects if r[3]["new_text"])
    sides_ok = sum(
        1 for r in rejects if r[3]["new_text"] and (r[3]["side"] == r[0]["fix_side"] or r[0]["fix_side"] == "both")
    )
    print(f"  flagged of the {len(rejects)} that Keras 3 rejects          {flagged}")
    print(f"  flagged of the {len(accepted)} that Keras 3 runs             {fa}")
    print(f"  flagged of the {len(gts)} ground truths that run        {gt_fa}")
    print(f"  repaired (a patch written) of the {len(rejects)} rejects     {repaired}")
    print(f"  repair on the manifest's fix_side            {sides_ok} of {repaired}")
    if runs:
        ok = sum(1 for r in rejects if runs.get(r[0]["id"], (False,))[0])
        print(
            f"  repaired into a program that runs            {ok} of {len(rejects)} ({100.0 * ok / max(1, len(rejects)):.0f}%)"
        )
    print(f"time {time.monotonic() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
