"""Random models over every supported layer: our verdict and output shapes must
equal real Keras's (the full N=3000 run is benchmarks/fidelity.py)."""

import os

import pytest

from benchmarks.fidelity import describe, run
from benchmarks.modelgen import generate
from repair_engine.semantics import REGISTRY

N = int(os.environ.get("NNREPAIR_FIDELITY_N", "300"))


def test_generator_exercises_many_kinds():
    models = generate(200, seed=1)
    kinds = {l.kind for m in models for l in m.layers}
    kinds_with_examples = {k for k in REGISTRY}
    # every kind with examples shows up in a few hundred models
    assert len(kinds) >= 0.8 * len(kinds_with_examples), sorted(kinds_with_examples - kinds)
    assert any(len(l.inputs) > 1 for m in models for l in m.layers) or len(REGISTRY) < 10


@pytest.mark.parametrize("seed", [11, 12])
def test_random_models_agree_with_keras(seed, keras_oracle):
    outcomes, _, _ = run(N // 2, seed)
    assert outcomes, "no model could be labelled by Keras"
    bad = [o for o in outcomes if not o.agrees]
    msg = "\n".join(
        f"keras ok={o.keras_ok} {o.keras_shapes} {o.keras_error}\nours ok={o.ours_ok} {o.ours_shapes} "
        f"{o.ours_messages}\n{describe(o.model)}"
        for o in bad[:5]
    )
    assert not bad, f"{len(bad)}/{len(outcomes)} disagreements, first ones:\n{msg}"
    # the suite must contain both verdicts to mean anything
    assert any(o.keras_ok for o in outcomes) and any(not o.keras_ok for o in outcomes)
