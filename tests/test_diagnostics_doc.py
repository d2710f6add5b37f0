"""Every diagnostic code is documented, once, with its kind."""

import re
from pathlib import Path

from repair_engine.diagnostics import CODES, SUBCODES

DOC = (Path(__file__).resolve().parent.parent / "docs" / "diagnostics.md").read_text()


def test_every_code_documented_once_with_its_kind():
    for kind, code in CODES.items():
        headings = re.findall(rf"^## {code} `([a-z_]+)`", DOC, flags=re.M)
        assert headings == [kind], f"{code} ({kind}) must have exactly one heading in docs/diagnostics.md"


def test_every_subcode_documented_once_with_its_kind():
    for code, (kind, _) in SUBCODES.items():
        headings = re.findall(rf"^## {code} `([a-z_]+)`", DOC, flags=re.M)
        assert headings == [kind], f"{code} ({kind}) must have exactly one heading in docs/diagnostics.md"


def test_no_documented_code_without_kind():
    documented = set(re.findall(r"^## (NNR\d{3})", DOC, flags=re.M))
    assert documented == set(CODES.values()) | set(SUBCODES)


def test_codes_are_unique():
    assert len(set(CODES.values())) == len(CODES)
    assert not set(SUBCODES) & set(CODES.values())
