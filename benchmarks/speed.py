"""Speed: our static check versus building the same model with real Keras.

    python benchmarks/speed.py [--n 500] [--seed 0]

Times, in one run and on the same models, (a) repair_engine.checker.check and
(b) repair_engine.oracle.build (real Keras, imported beforehand), per model,
and prints the ratio; then times the check of a valid 100-layer model.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.modelgen import generate  # noqa: E402
from repair_engine import oracle  # noqa: E402
from repair_engine.checker import check  # noqa: E402
from repair_engine.ir import sequential  # noqa: E402


def deep_model(n_layers: int = 100):
    """A valid 100-layer CNN/MLP chain with known shapes."""
    layers = []
    for _i in range(n_layers // 4 - 1):
        layers.append(("Conv2D", {"filters": 8, "kernel_size": 3, "padding": "same"}))
        layers.append(("BatchNormalization", {}))
        layers.append(("Activation", {"activation": "relu"}))
        layers.append(("Dropout", {"rate": 0.1}))
    layers.append(("Flatten", {}))
    layers.append(("Dense", {"units": 64}))
    layers.append(("Dense", {"units": 32}))
    layers.append(("Dense", {"units": 10}))
    return sequential((None, 32, 32, 3), layers)


def _time(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    import logging

    logging.disable(logging.WARNING)
    have_keras = oracle.available()
    models = generate(args.n, seed=args.seed)
    ours, theirs = [], []
    for m in models:
        ours.append(_time(lambda m=m: check(m), 3))
        if have_keras:
            t0 = time.perf_counter()
            oracle.build(m)
            theirs.append(time.perf_counter() - t0)
    layers = sum(len(m.layers) for m in models)
    print(f"random models: {len(models)} ({layers} layers)")
    print(
        f"our check: mean {1000 * statistics.mean(ours):.3f} ms/model, median {1000 * statistics.median(ours):.3f} ms"
    )
    if theirs:
        print(
            f"keras build: mean {1000 * statistics.mean(theirs):.3f} ms/model, "
            f"median {1000 * statistics.median(theirs):.3f} ms"
        )
        print(f"ratio (keras / ours, mean per model): {statistics.mean(theirs) / statistics.mean(ours):.0f}x")
    deep = deep_model(100)
    res = check(deep)
    assert res.valid, [d.message for d in res.diagnostics]
    t = _time(lambda: check(deep), 20)
    print(f"100-layer model: our check {1000 * t:.3f} ms (best of 20); output {res.output_shapes}")
    if have_keras:
        t0 = time.perf_counter()
        ok = oracle.build(deep)
        print(f"100-layer model: keras build {1000 * (time.perf_counter() - t0):.1f} ms (ok={ok.ok})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
