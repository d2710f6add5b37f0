"""Do Keras 3's lighter backends judge models as the TensorFlow backend does?

    python benchmarks/backend_agreement.py [--n 500] [--seed 0] [--backends jax,numpy]

The repair verification builds the repaired model in real Keras; TensorFlow's
import alone takes seconds. Keras 3 runs on other backends too (jax, numpy);
one of them may replace TensorFlow for the build only if its verdicts agree on
every model we can label. Labels each backend in its own child process (the
backend is fixed when Keras is imported), on the sets the fidelity benchmark
and the layer tests use:

  examples     every semantics example (tests/test_layer_examples.py), built
               with repair_engine.oracle.build
  closed       benchmarks/fidelity.py's random models (modelgen, `--n`,
               `--seed`), oracle.build, and oracle.run_forward where fidelity
               asks for it (Keras builds, our checker rejects)
  open         benchmarks/fidelity.py --open-world's cases (open_world,
               `--n`, `--seed`): the generated Keras source, built and run as
               open_world.keras_label does

A label is (builds, output shapes, runs) - the error text is not compared, only
the verdict. Prints per set and backend the agreement with TensorFlow, the
import time and the labelling time, then the disagreements.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

SETS = ("examples", "closed", "open")


# ---- the child: labels one set with the backend Keras was imported with ---------


def _cases(which: str, n: int, seed: int) -> list:
    if which == "examples":
        from repair_engine.semantics import all_examples
        from tests.example_models import example_model

        return [example_model(ex) for _, ex in all_examples()]
    if which == "closed":
        from benchmarks.modelgen import generate

        return generate(n, seed=seed, max_layers=6)
    from benchmarks.open_world import generate as generate_open

    return generate_open(n, seed)


def _shapes(shapes) -> list | None:
    return [list(s) for s in shapes] if shapes is not None else None


def _label(which: str, case) -> list:
    """[builds (None: cannot be built here), output shapes, runs (None: not asked)]."""
    from repair_engine import oracle
    from repair_engine.checker import check

    if which == "open":
        from benchmarks.open_world import keras_label, ours_label

        ours_ok, _ = ours_label(case)
        ok, runs, _ = keras_label(case, forward=not ours_ok)
        return [ok, None, runs]
    res = oracle.build(case)
    if res.unsupported:
        return [None, None, None]
    runs = None
    if which == "closed" and res.ok and not check(case).valid:
        fwd = oracle.run_forward(case)
        runs = None if fwd.unsupported else fwd.ok
    return [res.ok, _shapes(res.output_shapes), runs]


def child(which: str, n: int, seed: int, start: int) -> int:
    import logging
    import warnings

    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    t0 = time.perf_counter()
    from repair_engine import oracle

    oracle.available()
    print(json.dumps({"import_s": time.perf_counter() - t0}), flush=True)
    cases = _cases(which, n, seed)
    for case in cases[start:]:
        t1 = time.perf_counter()
        label = _label(which, case)
        print(json.dumps({"label": label, "s": time.perf_counter() - t1}), flush=True)
    return 0


# ---- the parent: one child per backend and set, then the comparison -------------


def label_set(backend: str, which: str, n: int, seed: int) -> tuple[list, float, float]:
    """The labels of one set (None where the backend's process died on a case),
    the import time and the labelling time."""
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    labels: list = []
    import_s, label_s = 0.0, 0.0
    total = len(_cases(which, n, seed))
    while len(labels) < total:
        with tempfile.TemporaryFile("w+") as err:
            cmd = [sys.executable, __file__, "--child", which, "--n", str(n), "--seed", str(seed)]
            proc = subprocess.Popen(
                [*cmd, "--start", str(len(labels))], stdout=subprocess.PIPE, stderr=err, text=True, env=env, cwd=ROOT
            )
            assert proc.stdout is not None
            got = 0
            for line in proc.stdout:
                d = json.loads(line)
                if "import_s" in d:
                    import_s = max(import_s, d["import_s"])
                    continue
                labels.append(d["label"])
                label_s += d["s"]
                got += 1
            proc.wait()
            if proc.returncode != 0 and got == 0 and len(labels) == 0:
                err.seek(0)
                tail = err.read().strip().splitlines()[-1:] or ["?"]
                raise SystemExit(f"the {backend} backend cannot run: {tail[0]}")
        if len(labels) < total:
            labels.append(None)  # the case that killed the child
    return labels, import_s, label_s


def _describe(which: str, case) -> str:
    if which == "open":
        return case.call
    if which == "examples":
        layer = case.layers[0]
        return f"{layer.kind}({layer.args}) <- {[i.shape for i in case.inputs]}"
    return " -> ".join(f"{l.kind}({l.args})" for l in case.layers) + f" on {case.inputs[0].shape}"


def compare(which: str, ref: list, other: list) -> tuple[int, int, list]:
    """(compared, agreeing, [(index, ref label, other label)]): cases that either
    backend cannot build (None) or whose process died are not compared."""
    compared, agree, diffs = 0, 0, []
    for i, (a, b) in enumerate(zip(ref, other)):
        if a is None or b is None or a[0] is None or b[0] is None:
            continue
        compared += 1
        if a == b:
            agree += 1
        else:
            diffs.append((i, a, b))
    return compared, agree, diffs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--backends", default="jax,numpy", help="compared with tensorflow")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--show", type=int, default=10)
    ap.add_argument("--child", choices=SETS, help=argparse.SUPPRESS)
    ap.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.child, args.n, args.seed, args.start)
    backends = [b for b in args.backends.split(",") if b]
    status = 0
    for which in args.sets.split(","):
        ref, ref_import, ref_s = label_set("tensorflow", which, args.n, args.seed)
        skipped = sum(1 for x in ref if x is None or x[0] is None)
        print(f"{which}: {len(ref)} cases (tensorflow cannot build or died on {skipped})")
        print(f"    {'tensorflow':<11} import {ref_import:5.2f} s   labelling {ref_s:6.1f} s")
        cases = None
        for backend in backends:
            try:
                got, imp, secs = label_set(backend, which, args.n, args.seed)
            except SystemExit as exc:
                print(f"    {backend:<11} {exc}")
                status = 1
                continue
            compared, agree, diffs = compare(which, ref, got)
            pct = 100.0 * agree / max(compared, 1)
            print(
                f"    {backend:<11} import {imp:5.2f} s   labelling {secs:6.1f} s   "
                f"agreement {agree}/{compared} = {pct:.2f}%"
            )
            status |= int(agree != compared)
            cases = cases if cases is not None else _cases(which, args.n, args.seed)
            for i, a, b in diffs[: args.show]:
                print(f"      - #{i} tensorflow {a} vs {backend} {b}: {_describe(which, cases[i])}")
    return status


if __name__ == "__main__":
    sys.exit(main())
