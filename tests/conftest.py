import os
import types

import pytest

# TensorFlow stays the judge in every test process (and the CLI subprocesses they
# start); `nnrepair fix` would otherwise build repairs on the numpy backend, and the
# first import fixes the backend of the whole process. tests/test_oracle_backend.py
# runs the numpy default in a subprocess of its own.
os.environ.setdefault("NNREPAIR_KERAS_BACKEND", "tensorflow")


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


# ---------------------------------------------------------------------------
# Markers, applied automatically (registered in pyproject.toml). The inner loop
# is `pytest -m "not keras and not e2e and not slow"`; CI runs everything.
#
# A test gets a marker when it, a fixture it uses, or a helper function of the
# tests package they call (followed through the code, not by file name) uses:
#   keras  the `keras_oracle` fixture or `require_keras()`: real Keras/TensorFlow
#   e2e    a subprocess (the CLI as users run it, git, pip) or the fake GitHub
#          server and the bot harness
#   slow   a hypothesis property test (decorated, or running `given` inside:
#          a random search over many examples), or a test listed below (a
#          size/time budget test that builds a large input on purpose, or h5py)

KERAS_NAMES = frozenset({"keras_oracle", "require_keras"})
E2E_NAMES = frozenset({"subprocess", "FakeGitHub", "run_bot"})
SLOW_NAMES = frozenset({"given"})

# node id prefixes of tests that are slow although they need neither Keras nor a process
SLOW_TESTS = (
    "tests/test_python_hostile.py::test_fifty_thousand_lines_is_fast",
    "tests/test_python_hostile.py::test_exponential_helper_recursion_is_bounded",
    "tests/test_repair_roundtrip.py::test_mutated_sources_never_crash_and_patches_always_parse",
    "tests/test_bot_templates.py::test_huge_summary_and_issue_fit_githubs_size_limit",
    "tests/test_checker.py::test_huge_model_is_bounded",
    "tests/test_fidelity.py::test_generator_exercises_many_kinds",
    "tests/test_frontends_files.py::test_h5_without_model_config_and_without_h5py",
)


def _code_names(code: types.CodeType, seen: set) -> set:
    """Every global/attribute name a code object (and the code nested in it) uses."""
    if code in seen:
        return set()
    seen.add(code)
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const, seen)
    return names


def _names_used(func, seen: set, depth: int = 3) -> set:
    """Names used by `func` and by the tests-package functions it calls (a few levels deep)."""
    func = getattr(func, "__wrapped__", func)
    code = getattr(func, "__code__", None)
    if code is None or code in seen:
        return set()
    names = _code_names(code, seen)
    if depth > 0:
        module_globals = getattr(func, "__globals__", {})
        for name in list(names):
            helper = module_globals.get(name)
            if isinstance(helper, types.FunctionType) and helper.__module__.startswith("tests"):
                names |= _names_used(helper, seen, depth - 1)
    return names


def _item_names(item: pytest.Item) -> set:
    seen: set = set()
    names = set(getattr(item, "fixturenames", ()))
    names |= _names_used(getattr(item, "function", None), seen)
    info = getattr(item, "_fixtureinfo", None)
    for defs in getattr(info, "name2fixturedefs", {}).values():
        for fixturedef in defs:
            names |= _names_used(fixturedef.func, seen)
    return names


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = _item_names(item)
        if names & KERAS_NAMES:
            item.add_marker(pytest.mark.keras)
        if names & E2E_NAMES:
            item.add_marker(pytest.mark.e2e)
        hypothesis_test = getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
        if hypothesis_test or names & SLOW_NAMES or item.nodeid.startswith(SLOW_TESTS):
            item.add_marker(pytest.mark.slow)
