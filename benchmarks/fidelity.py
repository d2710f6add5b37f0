"""Fidelity: agreement of our semantics with real Keras on random models.

    python benchmarks/fidelity.py --n 3000 --seed 0 [--show 20]
    python benchmarks/fidelity.py --open-world --n 3000 --seed 0 [--show 20]
    python benchmarks/fidelity.py --target keras2 [--open-world] --n 3000 --seed 0

Generates random Sequential and functional models over every layer kind that has
semantics examples (benchmarks/modelgen.py), labels each with real Keras
(repair_engine.oracle.build), checks it with our checker, and prints the
agreement of the verdict (builds / fails) and of the output shapes.
`--open-world` draws the layer calls' arguments from the Keras signatures
instead (benchmarks/open_world.py) and prints the agreement per category.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.modelgen import generate  # noqa: E402
from repair_engine import oracle  # noqa: E402
from repair_engine.checker import check  # noqa: E402
from repair_engine.diagnostics import fmt_shape  # noqa: E402


@dataclass
class Outcome:
    model: object
    keras_ok: bool | None
    keras_shapes: list | None
    keras_error: str | None
    ours_ok: bool
    ours_shapes: list
    ours_checked: bool  # every layer evaluated (no unknown parts)
    ours_messages: list
    # when Keras builds a model we reject: does it also run? (None: not asked)
    keras_runs: bool | None = None

    @property
    def verdict_agrees(self) -> bool:
        if self.keras_ok and not self.ours_ok and self.keras_runs is False:
            # Keras builds it symbolically but the model fails on its first
            # forward pass (documented in docs/keras-divergences.md)
            return True
        return self.keras_ok == self.ours_ok

    @property
    def shape_agrees(self) -> bool:
        if not (self.keras_ok and self.ours_ok):
            return True
        return [tuple(s) if s is not None else None for s in self.ours_shapes] == [tuple(s) for s in self.keras_shapes]

    @property
    def agrees(self) -> bool:
        return self.verdict_agrees and self.shape_agrees


def describe(model) -> str:
    lines = [f"  input {fmt_shape(model.inputs[0].shape)}"]
    for l in model.layers:
        inner = f" inner={l.inner.kind}{dict(l.inner.args)}" if l.inner else ""
        ins = ",".join(e.node + (f"#{e.index}" if e.index else "") for e in l.inputs)
        lines.append(f"  {l.id} = {l.kind}({dict(l.args)}){inner} <- {ins}")
    return "\n".join(lines)


def run(n: int, seed: int, max_layers: int = 6) -> tuple[list, float, float]:
    import logging

    logging.disable(logging.WARNING)
    models = generate(n, seed=seed, max_layers=max_layers)
    outcomes = []
    t_keras = 0.0
    t_ours = 0.0
    for m in models:
        t0 = time.perf_counter()
        res = oracle.build(m)
        t1 = time.perf_counter()
        ours = check(m)
        t2 = time.perf_counter()
        t_keras += t1 - t0
        t_ours += t2 - t1
        if res.unsupported:
            continue
        keras_runs = None
        if res.ok and not ours.valid:
            fwd = oracle.run_forward(m)
            keras_runs = None if fwd.unsupported else fwd.ok
        outcomes.append(
            Outcome(
                keras_runs=keras_runs,
                model=m,
                keras_ok=res.ok,
                keras_shapes=res.output_shapes,
                keras_error=res.error,
                ours_ok=ours.valid,
                ours_shapes=ours.output_shapes,
                ours_checked=not ours.unchecked,
                ours_messages=[f"{d.code} {d.message}" for d in ours.errors],
            )
        )
    return outcomes, t_keras, t_ours


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-layers", type=int, default=6)
    ap.add_argument("--show", type=int, default=10, help="print up to this many disagreements")
    ap.add_argument("--open-world", action="store_true", help="arguments drawn from the Keras signatures")
    ap.add_argument("--target", choices=("keras3", "keras2"), default="keras3", help="keras2: against tf-keras 2.21")
    args = ap.parse_args(argv)
    if args.target == "keras2":  # benchmarks/keras2_fidelity.py (the keras2 helper's part)
        from benchmarks.keras2_fidelity import main as keras2_main

        return keras2_main(args)
    if not oracle.available():
        print("real Keras is not installed: install the tensorflow extra", file=sys.stderr)
        return 2
    if args.open_world:
        from benchmarks.open_world import report, run_open

        t0 = time.perf_counter()
        open_outcomes = run_open(args.n, args.seed)
        status = report(open_outcomes, args.show)
        print(f"time: {time.perf_counter() - t0:.1f}s")
        return status
    outcomes, t_keras, t_ours = run(args.n, args.seed, args.max_layers)
    total = len(outcomes)
    valid = sum(1 for o in outcomes if o.keras_ok)
    verdict = sum(1 for o in outcomes if o.verdict_agrees)
    shape = sum(1 for o in outcomes if o.keras_ok and o.ours_ok and o.shape_agrees)
    both_ok = sum(1 for o in outcomes if o.keras_ok and o.ours_ok)
    agree = sum(1 for o in outcomes if o.agrees)
    kinds = Counter(l.kind for o in outcomes for l in o.model.layers)
    print(f"models generated: {args.n} (seed {args.seed}); labelled by Keras: {total}; valid per Keras: {valid}")
    print(f"layer kinds exercised: {len(kinds)}; layers: {sum(kinds.values())}")
    print(f"verdict agreement: {verdict}/{total} = {100.0 * verdict / max(total, 1):.2f}%")
    print(f"output-shape agreement (both valid): {shape}/{both_ok} = {100.0 * shape / max(both_ok, 1):.2f}%")
    print(f"overall agreement: {agree}/{total} = {100.0 * agree / max(total, 1):.2f}%")
    runtime = sum(1 for o in outcomes if o.keras_ok and not o.ours_ok and o.keras_runs is False)
    print(f"  of which Keras builds but the model fails on its first forward pass: {runtime}")
    print(f"time: keras build {t_keras:.2f}s, our check {t_ours:.3f}s, ratio {t_keras / max(t_ours, 1e-9):.0f}x")
    shown = 0
    for o in outcomes:
        if o.agrees or shown >= args.show:
            continue
        shown += 1
        print(f"--- disagreement {shown}: keras ok={o.keras_ok} {o.keras_shapes or ''} {o.keras_error or ''}")
        print(f"    ours ok={o.ours_ok} {o.ours_shapes} {o.ours_messages}")
        print(describe(o.model))
    return 0 if agree == total else 1


if __name__ == "__main__":
    sys.exit(main())
