"""The stored Keras signatures and identifier names (signature_data.py) equal what
the installed Keras has: a Keras upgrade shows every drift here
(regenerate with `python scripts/gen_signatures.py`)."""

import importlib.util
from pathlib import Path

from repair_engine.frontends.python import signatures as frontend
from repair_engine.semantics import REGISTRY
from repair_engine.semantics import signature_data as stored

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("gen_signatures", ROOT / "scripts" / "gen_signatures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_signatures_match_installed_keras(keras_oracle):
    gen = _generator()
    live = gen.signatures(gen._keras())
    assert gen.diff(stored.SIGNATURES, live) == []


def test_identifier_names_match_installed_keras(keras_oracle):
    gen = _generator()
    ids = gen.identifiers(gen._keras())
    assert {k: v for k, v in ids.items() if k != "initializer_ranks"} == stored.IDENTIFIERS
    assert ids["initializer_ranks"] == stored.INITIALIZER_RANKS


def test_stored_version_is_the_installed_one(keras_oracle):
    import keras

    assert stored.KERAS_VERSION == keras.__version__


def test_every_registered_kind_has_a_signature():
    assert sorted(k for k in REGISTRY if k not in stored.SIGNATURES) == []


def test_frontend_positional_order_is_the_keras_one():
    """The Python frontend maps positional arguments with the same data."""
    for kind, params in frontend.SIGNATURES.items():
        if kind in stored.SIGNATURES:
            assert params == stored.SIGNATURES[kind]["positional"], kind
