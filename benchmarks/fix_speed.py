"""Speed of `nnrepair fix`: one file in a fresh process, a directory, one process.

    python benchmarks/fix_speed.py [--n 20] [--seed 0] [--instances 220] [--skip-tensorflow]

(0) the import of Keras alone, per backend (fresh process each).
(a) fresh process: `python -m repair_engine fix FILE --format json` on `n`
    files of the source mutation suite (benchmarks/source_mutations.py), with
    the Keras verification in each configuration (the default: the numpy
    backend in the worker process started when the search starts; the worker
    off, Keras imported in the fix process after the search; TensorFlow
    instead of numpy), with `--no-verify` (semantics only), and a valid file.
(w) fresh process per file, served by one warm worker on a Unix socket
    (`python -m repair_engine.keras_worker --socket PATH`, $NNREPAIR_KERAS_SOCKET).
(b) one fresh process for all `n` files (`fix DIR`, as the bot runs): total
    and per file, the Keras import paid once.
(c) one process: fix_file on the same files, verification included, all
    repairs verified in the one Keras session of the process.
(d) a model built from `instances` calls of one helper (4 layers each): the
    repair with the semantic verification, then with the Keras build.
Prints median and p95 wall-clock times, and the load average (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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


def line(label: str, samples: list) -> str:
    """Wall-clock median/p95; for child processes also their CPU time (user+sys,
    the worker they started included): on a shared machine the wall clock
    waits for other jobs, the CPU time does not."""
    if samples and isinstance(samples[0], tuple):
        wall = [w for w, _ in samples]
        cpu = [c for _, c in samples]
        return (
            f"    {label:<44} n={len(wall):<4} median {statistics.median(wall):7.0f} ms   p95 {pct(wall, 0.95):7.0f} ms"
            f"   cpu median {statistics.median(cpu):6.0f} ms   p95 {pct(cpu, 0.95):6.0f} ms"
        )
    return f"    {label:<44} n={len(samples):<4} median {statistics.median(samples):7.0f} ms   p95 {pct(samples, 0.95):7.0f} ms"


def run_child(cmd: list, env: dict | None) -> tuple[float, float]:
    """(wall ms, CPU ms of the process and its children) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, capture_output=True, env=_env(env))
    wall = (time.perf_counter() - t0) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def fresh(paths: list, extra: list, env: dict | None = None) -> list:
    return [
        run_child([sys.executable, "-m", "repair_engine", "fix", str(p), "--format", "json", *extra], env)
        for p in paths
    ]


def _env(changes: dict | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NNREPAIR_KERAS_BACKEND", "NNREPAIR_KERAS_WORKER")}
    env.update(changes or {})
    return env


def import_ms(backend: str, times: int = 3) -> list:
    env = {"KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return [run_child([sys.executable, "-c", "import keras"], env) for _ in range(times)]


def verified_by(path: Path, env: dict | None = None) -> str:
    """What built the repair of `path` (a sanity line: the figures are for real builds)."""
    proc = subprocess.run(
        [sys.executable, "-m", "repair_engine", "fix", str(path), "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(env),
    )
    try:
        rep = json.loads(proc.stdout)["models"][0]["repair"] or {}
    except (ValueError, KeyError, IndexError):
        return "?"
    return f"{rep.get('verified_by')}/{rep.get('keras_backend')}"


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


def fix_dir(d: Path, env: dict | None = None) -> tuple[float, float]:
    return run_child([sys.executable, "-m", "repair_engine", "fix", str(d), "--format", "json"], env)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f}"


def write_cases(d: Path, cases: list) -> list:
    paths = []
    for i, c in enumerate(cases):
        p = d / "files" / f"case{i}.py"
        p.parent.mkdir(exist_ok=True)
        p.write_text(c.text)
        paths.append(p)
    return paths


VALID = (
    "import keras\nfrom keras import layers\n\nmodel = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4)])\n"
)


def section_fresh(paths: list, valid: Path, n: int, tensorflow: bool) -> None:
    print(f"(a) fresh process, one file each ({n} files of the source mutation suite; {load()})")
    print(f"    built by: default {verified_by(paths[0])}")
    runs: list[tuple[str, list, dict | None]] = [
        ("fix, numpy backend, worker (default)", [], None),
        ("fix, numpy backend, no worker", [], {"NNREPAIR_KERAS_WORKER": "0"}),
    ]
    if tensorflow:
        runs += [
            ("fix, tensorflow backend, worker", [], {"NNREPAIR_KERAS_BACKEND": "tensorflow"}),
            (
                "fix, tensorflow backend, no worker (before)",
                [],
                {"NNREPAIR_KERAS_BACKEND": "tensorflow", "NNREPAIR_KERAS_WORKER": "0"},
            ),
        ]
    runs.append(("fix --no-verify (semantics only)", ["--no-verify"], None))
    for label, extra, env in runs:
        print(line(label, fresh(paths, extra, env)))
    print(line("fix of a valid file (no Keras import)", fresh([valid] * 5, [])))


def section_warm(paths: list, d: Path) -> None:
    """Fresh `fix` processes served by one warm worker (keras_worker --socket)."""
    sock = str(d / "keras.sock")
    t0 = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "repair_engine.keras_worker", "--socket", sock, "--idle", "600"],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
        env=_env(None),
    )
    try:
        while not os.path.exists(sock) and server.poll() is None and time.perf_counter() - t0 < 300:
            time.sleep(0.05)
        print(f"(w) fresh process per file, one warm worker on a socket (started in {time.perf_counter() - t0:.1f} s)")
        env = {"NNREPAIR_KERAS_SOCKET": sock}
        print(f"    built by: {verified_by(paths[0], env)}")
        print(line("fix, numpy backend, warm worker", fresh(paths, [], env)))
    finally:
        server.terminate()  # our own server, by its handle
        server.wait()


def section_dir(paths: list, backends: list) -> None:
    print(f"(b) one fresh process for the {len(paths)} files (`fix DIR`, as the bot runs; {load()})")
    for b in backends:
        total, cpu = fix_dir(paths[0].parent, {"NNREPAIR_KERAS_BACKEND": b})
        print(
            f"    {'fix DIR, ' + b + ' backend':<44} total {total:7.0f} ms   per file {total / len(paths):7.0f} ms"
            f"   cpu total {cpu:7.0f} ms   per file {cpu / len(paths):6.0f} ms"
        )


def section_one_process(texts: list) -> None:
    print(f"(c) one process (one Keras session for every verification; {load()})")
    in_process(texts[:1], True)  # the session: Keras imported once
    print(line("fix, verified with Keras", in_process(texts, True)))
    print(line("fix, semantics only", in_process(texts, False)))


def section_helper(instances: int, backends: list) -> None:
    big = helper_model(instances)
    print(f"(d) {instances} calls of one helper ({4 * instances} layers; {load()})")
    print(line("fix, semantics verification", in_process([big] * 3, False)))
    print(line("fix, Keras build of the repaired model", in_process([big] * 3, True)))
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "big.py"
        p.write_text(big)
        for b in backends:
            print(line(f"fresh process fix, {b} backend", fresh([p], [], {"NNREPAIR_KERAS_BACKEND": b})))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--instances", type=int, default=220)
    ap.add_argument("--skip-tensorflow", action="store_true", help="leave out the TensorFlow-backend runs")
    ap.add_argument("--sections", default="0awbcd", help="which of the sections (0, a, w, b, c, d) to run")
    args = ap.parse_args(argv)
    cases = generate_files(args.n, args.seed)
    backends = ["numpy"] + ([] if args.skip_tensorflow else ["tensorflow"])
    if "0" in args.sections:
        print(f"(0) import of Keras alone, fresh process ({load()})")
        for b in backends:
            print(line(f"import keras (KERAS_BACKEND={b})", import_ms(b)))
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        paths = write_cases(d, cases)
        valid = d / "valid.py"
        valid.write_text(VALID)
        if "a" in args.sections:
            section_fresh(paths, valid, args.n, not args.skip_tensorflow)
        if "w" in args.sections:
            section_warm(paths, d)
        if "b" in args.sections:
            section_dir(paths, backends)
    if "c" in args.sections:
        section_one_process([c.text for c in cases])
    if "d" in args.sections:
        section_helper(args.instances, backends)
    return 0


if __name__ == "__main__":
    sys.exit(main())
