"""Property: whatever file `fix` writes compiles and re-checks as valid.

Random files in the styles users write (benchmarks/source_mutations.py: eight
model styles, six import styles, seven fault kinds, random sizes)."""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.source_mutations import FAULTS, IMPORTS, STYLES, arch, render
from repair_engine.checker import check
from repair_engine.frontends import python_source
from repair_engine.repair import fix_file
from repair_engine.patch.python import rejected_legacy


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    style=st.sampled_from(STYLES),
    imports=st.sampled_from(IMPORTS),
    fault=st.sampled_from(FAULTS),
    seed=st.integers(0, 10**6),
)
def test_every_written_file_compiles_and_rechecks_valid(style, imports, fault, seed):
    text, line = render(style, imports, arch(random.Random(seed), fault), fault)
    fr = python_source.load("model.py", text.encode("utf-8"))
    checks = [check(m) for m in fr.models]
    ff = fix_file(fr, checks, None, verify=False)
    if ff.new_text is None:
        # nothing written: the file is untouched and a finding says why
        assert all(r is None for r in ff.repairs.values()) and (ff.diagnostics or not ff.repairs)
        return
    compile(ff.new_text, "model.py", "exec", dont_inherit=True)  # never executed
    again = python_source.load("model.py", ff.new_text.encode("utf-8"))
    assert len(again.models) == len(fr.models)
    for m in again.models:
        res = check(m)
        assert not res.errors or all(d in m.notes and d.kind != "data_shape_mismatch" for d in res.errors), [
            d.message for d in res.errors
        ]
        assert not any(rejected_legacy(l) for l in m.layers)
    for rep in ff.repairs.values():
        assert rep is None or (rep["verified"] and rep["verified_by"] in ("semantics", "keras"))
