"""One argument-checking dialect: every wrong verdict of issue 8's table, sub-codes,
suppressions, and the legacy rules tested against every Keras 3 signature."""

import pytest

from repair_engine.api import analyze
from repair_engine.config import Config
from repair_engine.diagnostics import SUBCODES, code_selected, family_of
from repair_engine.frontends.python import legacy
from repair_engine.ir import ArgSource
from repair_engine.semantics.signature_data import SIGNATURES

HEAD = "import keras\nimport numpy as np\nfrom keras import layers\n"


def source(layer: str, shape: str) -> str:
    return HEAD + f"model = keras.Sequential([keras.Input(shape={shape}), {layer}])\n"


def ours(src: str, config: Config | None = None):
    report = analyze({"m.py": src}, config=config)
    (model,) = report.models
    return model.status, [d.code for d in model.diagnostics if d.severity == "error"]


def keras_verdict(src: str, shape: tuple) -> bool:
    """Build the snippet with real Keras and run one forward pass."""
    import numpy as np

    env: dict = {}
    try:
        exec(compile(src, "<snippet>", "exec"), env)  # our own snippet, never user code
        env["model"](np.zeros((2, *shape), dtype="float32" if shape != (1,) else "object"))
    except Exception:
        return False
    return True


# (layer call, input shape, nnrepair code or None when valid)
ISSUE_TABLE = [
    ("layers.LSTM(4, retrun_sequences=True)", (5, 3), "NNR202"),
    ('layers.Resizing(4, 4, interpolaton="bilinear")', (8, 8, 3), "NNR202"),
    ('layers.Conv2D(8, 3, kernel_initializer="Constant")', (8, 8, 3), "NNR204"),
    ("layers.Dense(4, weights=[np.zeros((3, 4)), np.zeros((4,))])", (3,), "NNR202"),
    ('layers.RandomFlip(mode="horizontal")', (8, 8, 3), None),
    ('layers.Conv2D(16, 3, 1, padding="same")', (8, 8, 3), None),
    ("layers.Dense(4, units=5)", (3,), "NNR205"),
    ('layers.Conv2D(16, 3, kernel_initializer="identity")', (8, 8, 3), "NNR204"),
    ('layers.Dense(4, bias_initializer="orthogonal")', (3,), "NNR204"),
    ('layers.Dense(4, kernel_initializer="identity")', (3,), None),
    ('layers.Dense(4, kernel_initializer="keras.initializers.GlorotUniform")', (3,), "NNR204"),
    ('layers.Dense(4, activity_regularizer="l3")', (3,), "NNR204"),
    ('layers.Dense(4, activity_regularizer="L1L2")', (3,), None),
    ('layers.LSTM(4, recurrent_activation="Sigmoid")', (5, 3), "NNR204"),
    ('layers.Conv2D(16, 3, border_mode="same")', (8, 8, 3), "NNR401"),
    ("layers.Dense(4, batch_size=3)", (3,), "NNR401"),
    ('layers.Dense(4, W_regularizer="l2")', (3,), "NNR401"),
    ("layers.Dense(4, batch_input_shape=(None, 3))", (3,), "NNR401"),
    ('layers.Dense(4, kernel_initializer={"class_name": "GlorotUniform", "config": {}})', (3,), None),
    ('layers.Dense(4, kernel_initializer={"config": {}})', (3,), "NNR204"),
    ('layers.GRU(4, kernel_initializer="he_normal", recurrent_initializer="Orthogonal")', (5, 3), None),
    ("layers.Embedding(10, 4, weights=[np.zeros((10, 4))])", (3,), None),
    ("layers.LeakyReLU(alpha=0.2)", (3,), None),
    ("layers.Dropout(0.5, 1, 2, 3)", (3,), "NNR205"),
]


@pytest.mark.parametrize("layer,shape,code", ISSUE_TABLE, ids=[c[0] for c in ISSUE_TABLE])
def test_issue_table_ours(layer, shape, code):
    status, codes = ours(source(layer, repr(shape)))
    if code is None:
        assert status == "valid", codes
    else:
        assert status == "invalid" and codes[:1] == [code], codes


@pytest.mark.parametrize("layer,shape,code", ISSUE_TABLE, ids=[c[0] for c in ISSUE_TABLE])
def test_issue_table_keras(layer, shape, code, keras_oracle):
    assert keras_verdict(source(layer, repr(shape)), shape) == (code is None)


TEXT = 'layers.TextVectorization(output_mode="binary", vocabulary=["a", "b"])'


def test_deprecated_enum_alias_builds():
    src = HEAD + f"inp = keras.Input(shape=(1,), dtype='string')\nout = {TEXT}(inp)\nmodel = keras.Model(inp, out)\n"
    assert ours(src)[0] == "valid"


def test_deprecated_enum_alias_builds_in_keras(keras_oracle):
    import numpy as np

    env: dict = {}
    src = HEAD + f"inp = keras.Input(shape=(1,), dtype='string')\nout = {TEXT}(inp)\nmodel = keras.Model(inp, out)\n"
    exec(compile(src, "<snippet>", "exec"), env)
    assert tuple(env["model"](np.array([["a b"]])).shape) == (1, 3)


# ---- sub-codes and suppressions ----------------------------------------------


def test_subcodes_belong_to_their_family_kind():
    from repair_engine.diagnostics import CODES

    for code, (kind, _) in SUBCODES.items():
        assert family_of(code) == CODES[kind] != code
    assert {c for c, (k, _) in SUBCODES.items() if k == "invalid_argument"} >= {"NNR202", "NNR203", "NNR204", "NNR205"}
    assert code_selected("NNR202", {"NNR201"}) and not code_selected("NNR101", {"NNR201"})


@pytest.mark.parametrize("comment", ["# nnrepair: ignore[NNR201]", "# nnrepair: ignore[NNR202]"])
def test_family_code_still_suppresses_inline(comment):
    src = HEAD + f"model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4, activaton='relu')])  {comment}\n"
    assert ours(src) == ("valid", [])


def test_other_subcode_does_not_suppress():
    src = HEAD + "model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4, activaton='relu')])  "
    src += "# nnrepair: ignore[NNR204]\n"
    assert ours(src) == ("invalid", ["NNR202"])


@pytest.mark.parametrize("code", ["NNR201", "NNR202"])
def test_family_code_in_config(code):
    src = source("layers.Dense(4, activaton='relu')", "(3,)")
    assert ours(src, Config(ignore=frozenset({code}))) == ("valid", [])
    assert Config(severity={code: "warning"}).severity_of("NNR202", "error") == "warning"


# ---- legacy rules against every Keras 3 signature -----------------------------

_VALUES = {"mode": "horizontal", "padding": "same", "data_format": "channels_last", "init": "glorot_uniform"}


@pytest.mark.parametrize("kind", sorted(SIGNATURES))
def test_no_keras3_keyword_is_read_as_legacy(kind):
    for name in SIGNATURES[kind]["accepted"]:
        if name in legacy.INPUT_KEYS:
            continue  # the input declaration is taken out on purpose
        value = _VALUES.get(name, SIGNATURES[kind]["defaults"].get(name, 1))
        norm = legacy.normalize(kind, [], [(name, value, ArgSource(keyword=name))], None)
        assert norm.warnings == [], (kind, name, [f.message for f in norm.warnings])
        assert name in norm.args or (kind, name) in legacy._ACCEPTED_ALIASES, (kind, name, norm.args)


@pytest.mark.parametrize("kind", sorted(k for k in SIGNATURES if len(SIGNATURES[k]["positional"]) >= 3))
def test_keras3_positional_calls_are_not_read_as_keras1(kind):
    params = SIGNATURES[kind]["positional"]
    pos = [(16, ArgSource(position=0)), (3, ArgSource(position=1)), (1, ArgSource(position=2))]
    kw = [(p, "same", ArgSource(keyword=p)) for p in params[3:] if p == "padding"]
    norm = legacy.normalize(kind, pos, kw, None)
    if kw:
        assert not [f for f in norm.warnings if f.kind == "legacy_api"], [f.message for f in norm.warnings]


def test_keras1_kernel_reading_needs_a_keras1_call():
    pos = [(64, ArgSource(position=0)), (3, ArgSource(position=1)), (3, ArgSource(position=2))]
    keras1 = legacy.normalize("Convolution2D", pos, [("border_mode", "same", ArgSource(keyword="border_mode"))], None)
    assert any("Keras 1 way" in f.message for f in keras1.warnings)
    keras3 = legacy.normalize("Conv2D", pos, [("padding", "same", ArgSource(keyword="padding"))], None)
    assert not any("Keras 1 way" in f.message for f in keras3.warnings)


def test_rejected_legacy_keyword_is_an_error_with_the_modern_spelling():
    norm = legacy.normalize("Conv2D", [(8, ArgSource()), (3, ArgSource())], [("border_mode", "same", ArgSource())], None)
    (f,) = norm.warnings
    assert f.severity == "error" and f.hint == {"arg": "border_mode", "legacy": True, "rename": "padding"}
    assert norm.args["padding"] == "same"


def test_unknown_keyword_suggests_the_close_match():
    report = analyze({"m.py": source("layers.LSTM(4, retrun_sequences=True)", "(5, 3)")})
    (d,) = [d for d in report.models[0].diagnostics if d.severity == "error"]
    assert "did you mean `return_sequences`" in d.message
    assert d.hint.as_dict()["rename"] == "return_sequences"
