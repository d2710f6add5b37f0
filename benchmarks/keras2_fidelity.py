"""Fidelity under the keras2 target: agreement with tf-keras 2.21 (Keras 2) on random models.

    python benchmarks/fidelity.py --target keras2 --n 3000 --seed 0 [--show 20]
    python benchmarks/fidelity.py --target keras2 --open-world --n 3000 --seed 0

The same random models as the Keras 3 run (benchmarks/modelgen.py, closed world) and
the same mutated layer calls (benchmarks/open_world.py, open world), judged by our
checker under the keras2 target and labelled by tf-keras (benchmarks/keras2_oracle.py;
the open-world cases are written `import tf_keras as keras`, so nnrepair's `auto`
target picks Keras 2 from the import, as it does on a user's file).

As in the Keras 3 run, a model that Keras builds but that fails on its first forward
pass may be rejected by us. One more known divergence is counted apart:
tf-keras 2.21's SpectralNormalization fails to build whatever it wraps (a TypeError
about its InputSpec), a defect of that release rather than of the model, so the
verdict on it says nothing about our semantics.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter

from benchmarks import keras2_oracle
from benchmarks.modelgen import generate
from repair_engine.checker import check
from repair_engine.target import judging

KERAS2_BUILD_DEFECTS = ("SpectralNormalization",)


def _defective(model) -> bool:
    return any(l.kind in KERAS2_BUILD_DEFECTS for l in model.layers)


def run_closed(n: int, seed: int, max_layers: int = 6):
    """(outcomes, models skipped as tf-keras defects, seconds in tf-keras, seconds in our check)."""
    from benchmarks.fidelity import Outcome

    outcomes, defects, t_keras, t_ours = [], 0, 0.0, 0.0
    for m in generate(n, seed=seed, max_layers=max_layers):
        t0 = time.perf_counter()
        res = keras2_oracle.build(m)
        t1 = time.perf_counter()
        with judging("keras2"):
            ours = check(m)
        t_keras += t1 - t0
        t_ours += time.perf_counter() - t1
        if res.unsupported:
            continue
        if _defective(m) and not res.ok:
            defects += 1
            continue
        keras_runs = None
        if res.ok and not ours.valid:
            fwd = keras2_oracle.run_forward(m)
            keras_runs = None if fwd.unsupported else fwd.ok
        outcomes.append(
            Outcome(
                model=m,
                keras_ok=res.ok,
                keras_shapes=res.output_shapes,
                keras_error=res.error,
                ours_ok=ours.valid,
                ours_shapes=ours.output_shapes,
                ours_checked=not ours.unchecked,
                ours_messages=[f"{d.code} {d.message}" for d in ours.errors],
                keras_runs=keras_runs,
            )
        )
    return outcomes, defects, t_keras, t_ours


def report_closed(n: int, seed: int, max_layers: int, show: int) -> int:
    from benchmarks.fidelity import describe

    outcomes, defects, t_keras, t_ours = run_closed(n, seed, max_layers)
    total = len(outcomes)
    verdict = sum(o.verdict_agrees for o in outcomes)
    both_ok = [o for o in outcomes if o.keras_ok and o.ours_ok]
    shape = sum(o.shape_agrees for o in both_ok)
    agree = sum(o.agrees for o in outcomes)
    kinds = Counter(l.kind for o in outcomes for l in o.model.layers)
    valid = sum(1 for o in outcomes if o.keras_ok)
    print(f"target keras2 (tf-keras {_tf_keras_version()})")
    print(f"models generated: {n} (seed {seed}); labelled by tf-keras: {total}; valid per tf-keras: {valid}")
    print(f"  left out: {defects} models with SpectralNormalization (tf-keras 2.21 fails to build it)")
    print(f"layer kinds exercised: {len(kinds)}; layers: {sum(kinds.values())}")
    print(f"verdict agreement: {verdict}/{total} = {_pct(verdict, total)}")
    print(f"output-shape agreement (both valid): {shape}/{len(both_ok)} = {_pct(shape, len(both_ok))}")
    print(f"overall agreement: {agree}/{total} = {_pct(agree, total)}")
    misses = sum(1 for o in outcomes if not o.verdict_agrees and o.ours_ok)
    print(f"  misses (tf-keras rejects, we accept): {misses}; false alarms: {total - verdict - misses}")
    print(f"time: tf-keras build {t_keras:.2f}s, our check {t_ours:.3f}s")
    for i, o in enumerate([o for o in outcomes if not o.agrees][:show], 1):
        print(f"--- disagreement {i}: tf-keras ok={o.keras_ok} {o.keras_shapes or ''} {o.keras_error or ''}")
        print(f"    ours ok={o.ours_ok} {o.ours_shapes} {o.ours_messages[:2]}")
        print(describe(o.model))
    return 0 if agree == total else 1


# ---- open world ------------------------------------------------------------------

KERAS2_HEADER = "import tf_keras as keras\nfrom tf_keras import layers\n"


def as_keras2_source(source: str) -> str:
    """An open-world case as a Keras 2 user writes it (the import picks the target under auto)."""
    return source.replace("import keras\nfrom keras import layers\n", KERAS2_HEADER, 1)


def report_open(n: int, seed: int, show: int) -> int:
    from benchmarks import open_world

    cases = open_world.generate(n, seed)
    for c in cases:
        c.source = as_keras2_source(c.source)
    ours = [open_world.ours_label(c) for c in cases]
    labels = _labels(cases, [not ok for ok, _ in ours])
    outcomes = [
        open_world.OpenOutcome(
            case=c, keras_ok=label[0], keras_runs=label[1], keras_error=label[2], ours_ok=o_ok, ours_messages=msgs
        )
        for c, (o_ok, msgs), label in zip(cases, ours, labels)
        if label is not None and not (c.kind in KERAS2_BUILD_DEFECTS and not label[0])
    ]
    print(f"target keras2 (tf-keras {_tf_keras_version()}), open world")
    return open_world.report(outcomes, show)


def _labels(cases: list, forward: list) -> list:
    """tf-keras labels in a child process (a case that kills TensorFlow is left unlabelled)."""
    labels: list = []
    while len(labels) < len(cases):
        todo = list(zip(cases, forward))[len(labels) :]
        with tempfile.TemporaryFile("w+") as feed:
            feed.write(
                "".join(json.dumps({"source": c.source, "shape": list(c.shape), "forward": f}) + "\n" for c, f in todo)
            )
            feed.seek(0)
            proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.open_world", "--label"],
                stdin=feed,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            )
        assert proc.stdout is not None
        got = 0
        for line in proc.stdout:
            labels.append(tuple(json.loads(line)))
            got += 1
        proc.wait()
        if got < len(todo):
            labels.append(None)
    return labels


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / max(b, 1):.2f}%"


def _tf_keras_version() -> str:
    return keras2_oracle._load().__version__


def main(args) -> int:
    if not keras2_oracle.available():
        print("tf-keras is not installed: install the tensorflow extra", file=sys.stderr)
        return 2
    import logging

    logging.disable(logging.WARNING)
    t0 = time.perf_counter()
    if args.open_world:
        status = report_open(args.n, args.seed, args.show)
    else:
        status = report_closed(args.n, args.seed, args.max_layers, args.show)
    print(f"time: {time.perf_counter() - t0:.1f}s")
    return status
