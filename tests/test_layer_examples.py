"""Every layer unit's EXAMPLES, checked against our semantics and against real Keras."""

import dataclasses

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
        (d,) = errors
        assert (d.code, d.argument or "") == (ex.code, ex.argument), d.message
        if ex.fix is not None:
            assert d.hint is not None and d.hint.value == ex.fix[d.argument], d.hint
            assert check(example_model(_fixed(ex))).valid


def _fixed(ex):
    return dataclasses.replace(ex, args={**ex.args, **ex.fix}, error=None, code=None, argument=None, fix=None)


def test_every_invalid_example_states_its_finding_and_argument():
    unstated = [_id((f, ex)) for f, ex in EXAMPLES if ex.error is not None and (ex.code is None or ex.argument is None)]
    assert not unstated, f"invalid examples without code= and argument=: {unstated[:10]}"


# Keras's exception -> the diagnostic kind it is, by what Keras says (first line of
# the message, Keras 3.15). A constructor that raises rejects an argument; a call
# that raises says which shape rule failed. Messages matching none stay unmapped.
KERAS_CALL_ERRORS = (
    ("merge_shape_mismatch", ("matching shapes", "inputs with matching", "cannot be broadcast", "operands could not")),
    ("reshape_size", ("total size of the new array must be unchanged", "cannot reshape", "new array")),
    ("undefined_dim", ("should be defined", "must be defined", "found `none`", "found none")),
    ("rank_mismatch", ("expected ndim=", "expected min_ndim=", "expected max_ndim=")),
    ("incompatible_shape", ("expected axis",)),
    # "Negative dimensions are not allowed" is left out: a negative argument (output_shape=-2) says it too
    ("non_positive_dim", ("non-positive", "output size is too small", "computed output size")),
)
CONSTRUCTOR_KINDS = ("invalid_argument", "weight_shape", "legacy_api")


def keras_kind(error: str) -> str | None:
    """The kind a Keras call error reports, or None when the message is not recognised."""
    text = error.lower()
    for kind, needles in KERAS_CALL_ERRORS:
        if any(n in text for n in needles):
            return kind
    return None


def _constructor_raises(oracle, ex) -> bool:
    layer = example_model(ex).layers[0]
    try:
        oracle.make_layer(layer)
    except LookupError:
        return False
    except Exception:
        return True
    return False


@pytest.mark.parametrize("item", EXAMPLES, ids=[_id(i) for i in EXAMPLES])
def test_keras_matches_example(item, keras_oracle):
    _, ex = item
    res = keras_oracle.build(example_model(ex))
    assert not res.unsupported, res.error
    if ex.error is None:
        assert res.ok, res.error
        assert res.output_shapes == [tuple(s) for s in _expected_outputs(ex)]
        return
    assert not res.ok, f"Keras accepts this example (output {res.output_shapes}); expected {ex.error}"
    # the Keras half of the kind: what Keras's exception says it is
    if _constructor_raises(keras_oracle, ex):
        assert ex.error in CONSTRUCTOR_KINDS, f"Keras's constructor raises ({res.error}); expected {ex.error}"
    else:
        mapped = keras_kind(res.error or "")
        assert mapped in (None, ex.error), f"Keras says {mapped} ({res.error}); the example says {ex.error}"
    if ex.fix is not None:
        fixed = keras_oracle.build(example_model(_fixed(ex)))
        assert fixed.ok, f"the repair {ex.fix} does not build in Keras: {fixed.error}"


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
