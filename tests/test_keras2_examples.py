"""The keras2 target against tf-keras 2.21 (the Keras 2 oracle) and Keras 3.

Each TARGET_EXAMPLE states its verdict under both targets; it is built with Keras 3 and with
tf-keras, and checked by our semantics under each target. Every semantics example is also
built with tf-keras: under keras2 we never report an error on a layer Keras 2 builds, and a
shape we compute is the shape Keras 2 builds. The tf-keras half skips without tf_keras and
fails under NNREPAIR_REQUIRE_KERAS=1.
"""

import os

import pytest

from repair_engine.checker import check
from repair_engine.semantics import all_examples
from repair_engine.semantics.base import Example
from repair_engine.semantics.keras2_examples import BUILDS, TARGET_EXAMPLES
from repair_engine.target import judging
from tests.example_models import example_model


@pytest.fixture(scope="session")
def tf_keras_oracle():
    from benchmarks import keras2_oracle

    if keras2_oracle.available():
        return keras2_oracle
    if os.environ.get("NNREPAIR_REQUIRE_KERAS") == "1":
        pytest.fail("tf-keras is required (NNREPAIR_REQUIRE_KERAS=1) but cannot be imported")
    pytest.skip("tf-keras not installed")


def _model(te):
    return example_model(Example(te.kind, dict(te.args), te.inputs, out=(None,)))


def _ours(te, target):
    with judging(target):
        return check(_model(te))


def _assert_ours(result, verdict):
    errors = [d.kind for d in result.errors]
    if isinstance(verdict, str) and verdict != BUILDS:
        assert errors == [verdict], [d.message for d in result.diagnostics]
    elif verdict == BUILDS:
        assert errors == [] and result.output_shapes == [None]
    else:
        assert errors == [], [d.message for d in result.errors]
        assert result.output_shapes == [tuple(verdict)]


def _assert_keras(res, verdict):
    if isinstance(verdict, str) and verdict != BUILDS:
        # a class the Keras does not have is "unsupported" by the oracle: it rejects the layer as well
        assert not res.ok, f"Keras builds it: {res.output_shapes}"
    else:
        assert res.ok and not res.unsupported, res.error
        if verdict != BUILDS:
            assert res.output_shapes == [tuple(verdict)]


def _id(te):
    return f"{te.kind}({','.join(f'{k}={v}' for k, v in te.args.items())})<-{te.inputs}"


@pytest.mark.parametrize("te", TARGET_EXAMPLES, ids=[_id(t) for t in TARGET_EXAMPLES])
@pytest.mark.parametrize("target", ["keras3", "keras2"])
def test_target_example(te, target, request):
    verdict = te.keras3 if target == "keras3" else te.keras2
    _assert_ours(_ours(te, target), verdict)
    oracle = request.getfixturevalue("keras_oracle" if target == "keras3" else "tf_keras_oracle")
    _assert_keras(oracle.build(_model(te)), verdict)


def test_examples_differ_between_targets():
    assert sum(1 for te in TARGET_EXAMPLES if te.keras2 != te.keras3) >= 10


EXAMPLES = all_examples()


@pytest.mark.parametrize("item", EXAMPLES, ids=[f"{f}:{ex.kind}:{i}" for i, (f, ex) in enumerate(EXAMPLES)])
def test_semantics_example_under_keras2(item, tf_keras_oracle):
    _, ex = item
    model = example_model(ex)
    res = tf_keras_oracle.build(model)
    if res.unsupported:
        pytest.skip(f"tf-keras cannot build it: {res.error}")
    with judging("keras2"):
        ours = check(model)
    if ours.errors:
        assert not res.ok, f"Keras 2 builds {res.output_shapes}; we report {[d.message for d in ours.errors]}"
    elif res.ok:
        known = [s for s in ours.output_shapes if s is not None]
        if len(known) == len(ours.output_shapes):
            assert ours.output_shapes == res.output_shapes
