"""The automatic pytest markers of tests/conftest.py (the inner loop deselects them)."""

import ast
import subprocess
from pathlib import Path

import pytest

from tests import conftest

ROOT = Path(__file__).resolve().parent.parent


def _spawns():
    return subprocess.run


def _uses_a_helper_that_spawns():
    return _spawns()


def _pure():
    return sum([1, 2])


def test_names_are_followed_through_helpers_of_the_tests_package():
    assert "subprocess" in conftest._names_used(_uses_a_helper_that_spawns, set())
    assert not conftest._names_used(_pure, set()) & (conftest.E2E_NAMES | conftest.KERAS_NAMES)


def test_every_listed_slow_test_exists():
    # a renamed test would silently fall back into the inner loop
    for node_id in conftest.SLOW_TESTS:
        path, name = node_id.split("::")
        tree = ast.parse((ROOT / path).read_text())
        assert name in {f.name for f in tree.body if isinstance(f, ast.FunctionDef)}, node_id


def test_markers_land_on_the_tests_that_need_them(request):
    items = {item.nodeid: item for item in request.session.items}
    option = request.config.option
    if len(items) < 100 or option.markexpr or option.keyword:
        pytest.skip("needs the whole suite collected, nothing deselected")
    marked = {
        name: {nid for nid, it in items.items() if it.get_closest_marker(name)} for name in ("keras", "e2e", "slow")
    }
    assert any(n.startswith("tests/test_layer_examples.py::test_keras_matches_example") for n in marked["keras"])
    assert any(n.startswith("tests/test_cli.py::test_fix_diff_applies_with_git_apply") for n in marked["e2e"])
    assert any(n.startswith("tests/test_bot_e2e.py::") for n in marked["e2e"])
    assert "tests/test_python_hostile.py::test_fuzz_never_crashes" in marked["slow"]
    # pure unit tests stay in the inner loop
    assert "tests/test_cli.py::test_github_escaping" not in marked["e2e"] | marked["keras"] | marked["slow"]
