"""Typed findings (repair_engine/messages.py): codes, hints, and the examples of
docs/diagnostics.md, each run through nnrepair and through real Keras."""

import ast
import importlib.util
from pathlib import Path

import pytest

from repair_engine.api import analyze
from repair_engine.diagnostics import CODES, SUBCODES, Diagnostic, family_of
from repair_engine.messages import _HINT_FIELDS, _KEY_TO_FIELD, ABSENT, FACT_KEYS, FINDINGS, Hint
from repair_engine.semantics.base import Violation
from tests.keras_runner import run_in_keras

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [(cls, i, ex) for cls in FINDINGS.values() for i, ex in enumerate(cls.examples)]
IDS = [f"{cls.code}-{i}" for cls, i, _ in EXAMPLES]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_diagnostics_doc", ROOT / "scripts" / "gen_diagnostics_doc.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_diagnostics_doc_is_generated_from_the_classes():
    assert (ROOT / "docs" / "diagnostics.md").read_text() == _generator().render(), (
        "docs/diagnostics.md is out of date: run python scripts/gen_diagnostics_doc.py"
    )


def test_every_code_has_a_class_and_every_class_an_example():
    assert set(CODES.values()) | set(SUBCODES) == set(FINDINGS)
    for cls in FINDINGS.values():
        assert cls.title and cls.about, cls.code
        assert cls.examples or cls.code == "NNR601", f"{cls.code} has no example"
        if cls.family is not None:
            assert family_of(cls.code) == cls.family and FINDINGS[cls.family].kind == cls.kind


def _codes(src: str) -> list[str]:
    return [d.code for d in analyze({"example.py": src}).diagnostics]


@pytest.mark.parametrize("cls,i,ex", EXAMPLES, ids=IDS)
def test_example_gives_its_code_and_the_fix_removes_it(cls, i, ex):
    found = _codes(ex.code)
    assert cls.code in found, found
    if ex.fixed is not None:
        report = analyze({"example.py": ex.fixed})
        assert [m.status for m in report.models] == ["valid"], [d.message for d in report.diagnostics]
        assert cls.code not in [d.code for d in report.diagnostics]


def test_examples_fail_in_keras_and_their_fixes_build(tmp_path):
    names = []
    for cls, i, ex in EXAMPLES:
        if ex.keras is None:
            continue
        for suffix, text in (("bad", ex.code), ("fixed", ex.fixed)):
            if text is not None:
                name = f"{cls.code}_{i}_{suffix}.py"
                (tmp_path / name).write_text(text)
                names.append(name)
    results = run_in_keras(tmp_path, names)
    for name in names:
        rec = results[name]
        if name.endswith("_bad.py"):
            assert rec["raises"], f"{name}: Keras accepts the example of {name[:6]}"
        else:
            assert not rec["raises"], f"{name}: Keras rejects the fixed example: {rec['error']}"


# ---- typed hints --------------------------------------------------------------


def test_a_misspelled_hint_key_raises_where_it_is_written():
    with pytest.raises(TypeError, match="unknown hint key 'mxa'"):
        Violation("invalid_argument", "m", hint={"arg": "pool_size", "mxa": 3})
    with pytest.raises(TypeError):
        Hint(arg="pool_size", mxa=3)  # type: ignore[call-arg]


def test_hint_keys_map_to_typed_fields():
    h = Hint.of({"arg": "pool_size", "max": 3, "or": {"padding": "same"}, "len": 2, "input_dim": 2})
    assert (h.arg, h.max, h.alternative, h.length) == ("pool_size", 3, {"padding": "same"}, 2)
    assert h.facts == {"input_dim": 2} and h.value is ABSENT and not h.has("value")
    assert Hint.of({"arg": "a", "value": None}).has("value")  # None is a value a fix may set
    assert h.as_dict() == {"arg": "pool_size", "max": 3, "or": {"padding": "same"}, "len": 2, "input_dim": 2}


def test_a_misspelled_kind_or_subcode_raises_instead_of_nnr999():
    with pytest.raises(ValueError, match="unknown diagnostic kind"):
        Diagnostic(kind="rank_mismach", message="m")
    with pytest.raises(ValueError, match="not a sub-code"):
        Diagnostic(kind="rank_mismatch", message="m", subcode="NNR202")
    with pytest.raises(ValueError):
        Violation("rank_mismatch", "m", code="NNR202")
    assert Diagnostic(kind="invalid_argument", message="m", subcode="NNR206").finding is FINDINGS["NNR206"]


def _literal_hint_keys() -> dict[str, str]:
    """Keys of every dict literal in the engine that looks like a hint (holds a hint key)."""
    hintish = {"arg", "need_rank", "choices", "expected_weights", "feed", "or", "len", "remove", "suggest"}
    found: dict[str, str] = {}
    for path in (ROOT / "repair_engine").rglob("*.py"):
        if path.name.startswith(("keras2", "signature_data", "applications_table")):
            continue
        tree = ast.parse(path.read_text())
        passed = {id(kw.value) for kw in ast.walk(tree) if isinstance(kw, ast.keyword) and kw.arg == "hint"}
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
                if set(keys) & hintish or id(node) in passed:
                    for k in keys:
                        found.setdefault(k, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_hint_key_written_in_the_engine_is_known():
    """A hint written on a path no test runs is still checked: statically."""
    known = set(_HINT_FIELDS) | set(_KEY_TO_FIELD) | FACT_KEYS
    unknown = {k: where for k, where in _literal_hint_keys().items() if k not in known}
    assert not unknown, f"hint keys that Hint.of would reject: {unknown}"


def test_sarif_rules_name_a_subcode_by_its_kind():
    from repair_engine.render import _KIND_OF

    assert all(_KIND_OF[code] == cls.kind for code, cls in FINDINGS.items())
