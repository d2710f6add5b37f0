"""Every layer unit's EXAMPLES, checked against our semantics and against real Keras."""

import pytest

from repair_engine.checker import check
from repair_engine.semantics import REGISTRY, all_examples
from tests.example_models import example_model

EXAMPLES = all_examples()


def _id(item):
    fam, ex = item
    args = ",".join(f"{k}={v}" for k, v in ex.args.items())
    return f"{fam}:{ex.kind}({args})<-{ex.inputs}"


def _expected_outputs(ex):
    return ex.out if isinstance(ex.out, list) else [ex.out]


@pytest.mark.parametrize("item", EXAMPLES, ids=[_id(i) for i in EXAMPLES])
def test_semantics_match_example(item):
    _, ex = item
    assert ex.kind in REGISTRY, f"{ex.kind} has examples but no registered unit"
    result = check(example_model(ex))
    errors = result.errors
    if ex.error is None:
        assert not errors, [d.message for d in errors]
        assert result.shapes["layer"] == [tuple(s) for s in _expected_outputs(ex)]
    else:
        assert [d.kind for d in errors] == [ex.error], [d.message for d in result.diagnostics]


@pytest.mark.parametrize("item", EXAMPLES, ids=[_id(i) for i in EXAMPLES])
def test_keras_matches_example(item, keras_oracle):
    _, ex = item
    res = keras_oracle.build(example_model(ex))
    assert not res.unsupported, res.error
    if ex.error is None:
        assert res.ok, res.error
        assert res.output_shapes == [tuple(s) for s in _expected_outputs(ex)]
    else:
        assert not res.ok, f"Keras accepts this example (output {res.output_shapes}); expected {ex.error}"


def test_every_example_kind_is_registered():
    kinds = {ex.kind for _, ex in EXAMPLES}
    assert kinds <= set(REGISTRY)


def test_every_registered_kind_has_valid_and_invalid_examples():
    by_kind_valid = {ex.kind for _, ex in EXAMPLES if ex.error is None}
    missing = sorted(k for k in REGISTRY if k not in by_kind_valid)
    assert not missing, f"kinds without a valid example: {missing}"
    by_kind_invalid = {ex.kind for _, ex in EXAMPLES if ex.error is not None}
    missing = sorted(k for k in REGISTRY if k not in by_kind_invalid)
    assert not missing, f"kinds without an invalid example: {missing}"
