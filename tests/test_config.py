"""`.nnrepair.yml`: parsing, validation messages, globs, and how the engine API applies it."""

from __future__ import annotations

import os

import pytest

from repair_engine.api import analyze, analyze_paths
from repair_engine.config import Config, ConfigError, find_config, glob_match, load_config, parse_config

BROKEN = b"""import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(28, 28)),
    layers.Conv2D(8, 3),
])
"""
VALID = b"""import keras
from keras import layers

model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(2)])
"""

FULL = """
include: ["models/**/*.py", "*.json"]
exclude: [models/legacy/]
ignore: [nnr402]
severity: {NNR105: warning, NNR101: info}
fail_on: warning
filter_mode: diff_context
max_comments: 5
commit: {enabled: true, message: "fix shapes"}
scan: {open_pr: true}
repair: {max_nodes: 100, time_budget_ms: 500, alternatives: 0, costs: {set_arg: 2, insert_layer: 3.5}}
"""


def test_defaults():
    c = load_config(None)
    assert c == Config()
    assert c.fail_on == "error" and c.filter_mode == "added" and c.max_comments == 20
    assert c.selects("anything/at/all.py")
    assert c.repair.max_nodes > 0 and c.repair.costs == {}


def test_full_config():
    c = parse_config(FULL)
    assert c.include == ("models/**/*.py", "*.json") and c.exclude == ("models/legacy/",)
    assert c.ignore == frozenset({"NNR402"})
    assert c.severity == {"NNR105": "warning", "NNR101": "info"}
    assert (c.fail_on, c.filter_mode, c.max_comments) == ("warning", "diff_context", 5)
    assert c.commit.enabled and c.commit.message == "fix shapes" and c.scan.open_pr
    assert (c.repair.max_nodes, c.repair.time_budget_ms, c.repair.alternatives) == (100, 500, 0)
    assert c.repair.costs == {"set_arg": 2, "insert_layer": 3.5}


def test_hyphenated_keys_and_empty_file():
    assert parse_config("fail-on: none\nmax-comments: 0\n").fail_on == "none"
    assert parse_config("") == Config()
    assert parse_config("# only a comment\n") == Config()


@pytest.mark.parametrize(
    "text, message",
    [
        ("fail_on: sometimes", "fail_on must be one of error, warning, none"),
        ("filter_mode: everything", "filter_mode must be one of added, diff_context, file, nofilter"),
        ("colour: blue", "unknown setting(s) colour"),
        ("ignore: [E501]", "'E501' is not a diagnostic code"),
        ("severity: {NNR101: fatal}", "severity of NNR101 must be one of error, warning, info"),
        ("severity: [NNR101]", "severity must be a mapping"),
        ("max_comments: -1", "max_comments must be an integer >= 0"),
        ("max_comments: true", "max_comments must be an integer >= 0"),
        ("include: 3", "include must be a list of strings"),
        ("commit: {enabled: maybe}", "commit.enabled must be true or false"),
        ("commit: {message: ''}", "commit.message must be a non-empty string"),
        ("commit: {push: true}", "commit: unknown key(s) push"),
        ("repair: {max_nodes: 0}", "repair.max_nodes must be an integer >= 1"),
        ("repair: {costs: {set_arg: -1}}", "repair.costs.set_arg must not be negative"),
        ("repair: {costs: [1]}", "repair.costs must be a mapping"),
        ("- just\n- a list", "the top level must be a mapping"),
        ("include: [a\nexclude: b", "invalid YAML (line"),
    ],
)
def test_validation_errors_are_clear(text, message):
    with pytest.raises(ConfigError) as e:
        parse_config(text, "cfg.yml")
    assert message in str(e.value) and str(e.value).startswith("cfg.yml")


@pytest.mark.parametrize(
    "path, pattern, expected",
    [
        ("models/a.py", "models/**/*.py", True),
        ("models/x/y/a.py", "models/**/*.py", True),
        ("other/a.py", "models/**/*.py", False),
        ("deep/dir/m.json", "*.json", True),  # no '/': matches the name anywhere
        ("m.json", "*.json", True),
        ("models/legacy/old.py", "models/legacy/", True),
        ("models/legacy.py", "models/legacy/", False),
        ("a/b.py", "a/?.py", True),
        ("a/bc.py", "a/?.py", False),
        ("a/m1.py", "a/m[0-9].py", True),
    ],
)
def test_globs(path, pattern, expected):
    assert glob_match(path, pattern) is expected


def test_load_config_file_and_find_config(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".nnrepair.yml").write_text("ignore: [NNR101]\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    found = find_config(str(sub))
    assert found == str(tmp_path / ".nnrepair.yml")
    c = load_config(found)
    assert c.ignore == frozenset({"NNR101"}) and c.source == found
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(str(tmp_path / "missing.yml"))
    (tmp_path / "bin.yml").write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(str(tmp_path / "bin.yml"))


def test_find_config_stops_at_the_repository_root(tmp_path):
    (tmp_path / ".nnrepair.yml").write_text("ignore: [NNR101]\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert find_config(str(repo)) is None


# ---------------------------------------------------------------------------
# applied by the engine API


def _only(report):
    (m,) = report.models
    return m


def test_ignore_and_severity_change_status_and_exit_code():
    base = analyze({"m.py": BROKEN})
    assert _only(base).status == "invalid" and base.exit_code("check") == 1
    ignored = analyze({"m.py": BROKEN}, config=parse_config("ignore: [NNR101]"))
    assert _only(ignored).status == "valid" and _only(ignored).diagnostics == [] and ignored.exit_code("check") == 0
    warned = analyze({"m.py": BROKEN}, config=parse_config("severity: {NNR101: warning}"))
    m = _only(warned)
    assert m.status == "valid" and [d.severity for d in m.diagnostics] == ["warning"]
    assert warned.exit_code("check") == 0
    strict = analyze({"m.py": BROKEN}, config=parse_config("severity: {NNR101: warning}\nfail_on: warning"))
    assert strict.exit_code("check") == 1
    lax = analyze({"m.py": BROKEN}, config=parse_config("fail_on: none"))
    assert _only(lax).status == "invalid" and lax.exit_code("check") == 0


def test_inline_suppressions():
    for comment, suppressed in (
        ("  # nnrepair: ignore[NNR101]", True),
        ("  # nnrepair: ignore", True),
        ("  # nnrepair: ignore[NNR102, NNR103]", False),
        ("  # nnrepair:ignore[nnr101,NNR999]", True),
    ):
        src = BROKEN.replace(b"layers.Conv2D(8, 3),", b"layers.Conv2D(8, 3)," + comment.encode())
        m = _only(analyze({"m.py": src}))
        assert (m.status == "valid") is suppressed, comment
        assert (m.suppressed == 1) is suppressed


def test_suppression_comment_applies_only_to_python_sources():
    from repair_engine.api import filter_diagnostics
    from repair_engine.diagnostics import Diagnostic
    from repair_engine.ir import Span

    d = Diagnostic(kind="rank_mismatch", message="m", span=Span("f", 1, 1))
    text = 'x  # nnrepair: ignore'
    assert filter_diagnostics([d], Config(), text, "python") == ([], 1)
    assert filter_diagnostics([d], Config(), text, "keras_json") == ([d], 0)


def test_include_exclude_select_files(tmp_path):
    (tmp_path / "models" / "legacy").mkdir(parents=True)
    (tmp_path / "models" / "net.py").write_bytes(BROKEN)
    (tmp_path / "models" / "legacy" / "old.py").write_bytes(BROKEN)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "s.py").write_bytes(VALID)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        cfg = parse_config('include: ["models/**/*.py"]\nexclude: [models/legacy/]')
        files = sorted({m.file for m in analyze_paths(["."], config=cfg).models})
        assert files == ["models/net.py"]
        assert sorted({m.file for m in analyze_paths(["."]).models}) == [
            "models/legacy/old.py", "models/net.py", "scripts/s.py"]
    finally:
        os.chdir(cwd)
    mem = analyze({"models/net.py": BROKEN, "scripts/s.py": VALID}, config=cfg)
    assert [m.file for m in mem.models] == ["models/net.py"]


def test_globs_are_relative_to_the_config_file_and_apply_to_named_files(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "net.py").write_bytes(BROKEN)
    (tmp_path / "models" / "skip.py").write_bytes(BROKEN)
    (tmp_path / ".nnrepair.yml").write_text("exclude: [models/skip.py]\n")
    cfg = load_config(str(tmp_path / ".nnrepair.yml"))
    cwd = os.getcwd()
    os.chdir(tmp_path / "models")  # run from a subfolder: globs still match from the root
    try:
        assert sorted({m.file for m in analyze_paths(["."], config=cfg).models}) == ["net.py"]
        assert analyze_paths(["skip.py"], config=cfg).models == []
    finally:
        os.chdir(cwd)


def test_fix_without_a_repair_engine_keeps_the_findings(monkeypatch):
    import repair_engine.api as api

    monkeypatch.setattr(api, "_fix_file_function", lambda: None)
    r = analyze({"m.py": BROKEN}, fix=True)
    m = _only(r)
    assert m.status == "invalid" and m.repair is None
    assert [d.code for d in m.diagnostics] == ["NNR101", "NNR601"]
    assert r.exit_code("fix") == 1

    def broken():
        raise SyntaxError("half-written module")

    monkeypatch.setattr(api, "_fix_file_function", broken)
    r = analyze({"m.py": BROKEN}, fix=True)
    assert r.exit_code("fix") == 2 and "internal error while loading the repair engine" in r.errors[0]


def test_a_repair_that_cannot_be_written_leaves_the_model_unrepaired(monkeypatch):
    import repair_engine.api as api

    class FileFix:
        new_text = None
        diagnostics = []

        def __init__(self, diff):
            self.repairs = {0: {"cost": 1.0, "verified": True, "edits": [], "diff": diff, "alternatives": []}}

    monkeypatch.setattr(api, "_fix_file_function", lambda: (lambda fr, checks, config, **kw: FileFix("")))
    r = analyze({"m.py": BROKEN}, fix=True)
    assert _only(r).repair is not None and r.unrepaired() == r.models and r.exit_code("fix") == 1
    monkeypatch.setattr(api, "_fix_file_function", lambda: (lambda fr, checks, config, **kw: FileFix("--- a/m.py")))
    r = analyze({"m.py": BROKEN}, fix=True)
    assert r.unrepaired() == [] and r.exit_code("fix") == 0


SPEC_RANK_BUG = b"""{
  "model": {
    "shape": "(1,16)",
    "layers": [
      {"type": "linear", "nodes": "8"},
      {"type": "Conv1D", "nodes": "4", "kernel_size": "(3)"},
      {"type": "flatten"}
    ]
  }
}
"""


def test_fix_writes_repairs_into_exais_specs():
    r = analyze({"s.json": SPEC_RANK_BUG}, fix=True, verify=False)
    m = _only(r)
    assert m.status == "invalid" and m.repair is not None
    assert r.exit_code("fix") == 0 and m.repair["diff"].startswith("--- a/s.json\n+++ b/s.json\n")
    fixed = r.fixed_texts["s.json"]
    again = analyze({"s.json": fixed.encode()})
    assert _only(again).status == "valid"
    # a local edit: the untouched lines are kept byte for byte
    import difflib

    before, after = SPEC_RANK_BUG.decode().splitlines(), fixed.splitlines()
    removed = [l for l in difflib.ndiff(before, after) if l.startswith("- ")]
    assert after != before and len(removed) <= 2
