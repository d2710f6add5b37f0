"""Speed of `nnrepair fix`: one file in a fresh process, and in one process.

    python benchmarks/fix_speed.py [--n 20] [--seed 0] [--instances 220]

(a) fresh process: `python -m repair_engine fix FILE --format json` on `n`
    files of the source mutation suite (benchmarks/source_mutations.py), with
    the Keras verification (TensorFlow imported only when a repair candidate
    exists) and with `--no-verify` (semantics only); a valid file too.
(b) one process: fix_file on the same files, verification included, all
    repairs verified in the one Keras session of the process.
(c) a model built from `instances` calls of one helper (4 layers each): the
    repair with the semantic verification, then with the Keras build.
Prints median and p95 wall-clock times.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.source_mutations import generate_files  # noqa: E402


def pct(xs: list, q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] if xs else float("nan")


def line(label: str, ms: list) -> str:
    return f"    {label:<44} n={len(ms):<4} median {statistics.median(ms):7.0f} ms   p95 {pct(ms, 0.95):7.0f} ms"


def fresh(paths: list, extra: list) -> list:
    out = []
    for p in paths:
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "repair_engine", "fix", str(p), "--format", "json", *extra],
            cwd=ROOT,
            capture_output=True,
        )
        out.append((time.perf_counter() - t0) * 1000)
    return out


def helper_model(instances: int) -> str:
    calls = "\n".join("x = unit(x)" for _ in range(instances))
    return (
        "import keras\nfrom keras import layers\n\n\ndef unit(x):\n"
        "    x = layers.Dense(32, activation='relu')(x)\n    x = layers.Reshape((4, 8))(x)\n"
        "    x = layers.Conv1D(8, 5)(x)\n    x = layers.Flatten()(x)\n    return x\n\n\n"
        f"inputs = keras.Input(shape=(32,))\nx = inputs\n{calls}\n"
        "outputs = layers.Dense(1)(x)\nmodel = keras.Model(inputs, outputs)\n"
    )


def in_process(texts: list, verify: bool) -> list:
    from repair_engine.checker import check
    from repair_engine.frontends import python_source
    from repair_engine.repair import fix_file

    out = []
    for t in texts:
        t0 = time.perf_counter()
        fr = python_source.load("model.py", t.encode("utf-8"))
        fix_file(fr, [check(m) for m in fr.models], None, verify=verify)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--instances", type=int, default=220)
    args = ap.parse_args(argv)
    cases = generate_files(args.n, args.seed)
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for i, c in enumerate(cases):
            p = Path(d) / f"case{i}.py"
            p.write_text(c.text)
            paths.append(p)
        valid = Path(d) / "valid.py"
        valid.write_text(
            "import keras\nfrom keras import layers\n\nmodel = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4)])\n"
        )
        print(f"(a) fresh process, one file each ({args.n} files of the source mutation suite)")
        print(line("fix, verified with Keras", fresh(paths, [])))
        print(line("fix --no-verify (semantics only)", fresh(paths, ["--no-verify"])))
        print(line("fix of a valid file (no TensorFlow import)", fresh([valid] * 5, [])))
    texts = [c.text for c in cases]
    print("(b) one process (one Keras session for every verification)")
    in_process(texts[:1], True)  # the session: TensorFlow imported once
    print(line("fix, verified with Keras", in_process(texts, True)))
    print(line("fix, semantics only", in_process(texts, False)))
    big = helper_model(args.instances)
    print(f"(c) {args.instances} calls of one helper ({4 * args.instances} layers)")
    print(line("fix, semantics verification", in_process([big] * 3, False)))
    print(line("fix, Keras build of the repaired model", in_process([big], True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
