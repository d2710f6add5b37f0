import os

import pytest


def require_keras():
    """Real Keras is the judge: in CI (NNREPAIR_REQUIRE_KERAS=1) a missing
    TensorFlow is a failure, elsewhere the Keras half of a test is skipped."""
    from repair_engine import oracle

    if oracle.available():
        return oracle
    if os.environ.get("NNREPAIR_REQUIRE_KERAS") == "1":
        pytest.fail("TensorFlow/Keras is required (NNREPAIR_REQUIRE_KERAS=1) but cannot be imported")
    pytest.skip("TensorFlow/Keras not installed")


@pytest.fixture(scope="session")
def keras_oracle():
    return require_keras()
