"""Repairs of ExAIS specs / Keras JSON written back as text through the
writers' patch_text (repair_engine/patch/), structural ones (an inserted layer) included."""

from pathlib import Path

from repair_engine.checker import check
from repair_engine.frontends import exais_spec
from repair_engine.repair import fix_file

FIXTURES = Path(__file__).parent / "fixtures" / "repair"


def test_structural_repair_of_an_exais_spec_is_written_as_text():
    path = FIXTURES / "exais_dense_into_conv1d.json"
    text = path.read_text()
    fr = exais_spec.load(path.name, path.read_bytes())
    checks = [check(m) for m in fr.models]
    assert not checks[0].valid  # a Dense output (rank 2) feeds a Conv1D (rank 3)
    ff = fix_file(fr, checks, verify=False)
    rep = ff.repairs[0]
    assert rep is not None and any(e["op"] == "insert_layer" for e in rep["edits"]), rep["edits"]
    assert rep["diff"].startswith("--- a/")
    assert ff.new_text is not None and ff.new_text != text
    assert rep["verified"] is True
    # the written text, read again, holds a valid model with one more layer
    again = exais_spec.load(path.name, ff.new_text.encode())
    assert check(again.models[0]).valid
    assert len(again.models[0].layers) == len(fr.models[0].layers) + 1
    # every line of the original survives (only lines were added)
    new_lines = ff.new_text.splitlines()
    assert all(line in new_lines for line in text.splitlines())
