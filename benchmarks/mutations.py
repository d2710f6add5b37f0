"""Random mutation suite: valid Keras models with 1-2 injected, realistic faults.

    from benchmarks.mutations import generate_suite
    cases = generate_suite(n=500, seed=0)   # list[Case]

Each base model comes from a small set of architecture templates (CNN 2-D/1-D,
stacked RNN, MLP, text Embedding, residual MLP, Reshape front-end) with random
sizes, and is valid for our checker. Faults are the mistakes seen in the
benchmarks: a missing or extra axis in the input shape, channels-first input,
a window larger than its input, too large strides, a stacked RNN without
return_sequences, a non-positive size, a wrong-rank sibling class, a merge
whose branches disagree, a wrong Reshape target, a misspelled padding, an
Embedding given a pretrained matrix of another size. Every fault is recorded
with the edit that undoes it, so a benchmark can compare the repair's cost
with the cost of simply undoing the injected faults.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from repair_engine.checker import check
from repair_engine.ir import Edge, InputNode, Layer, Model, sequential
from repair_engine.repair.edits import ReplaceLayer, SetArg, SetInputShape

RANK2_TO_1 = {"Conv2D": "Conv1D", "MaxPooling2D": "MaxPooling1D", "Conv1D": "Conv2D", "MaxPooling1D": "MaxPooling2D"}


@dataclass
class Case:
    base: Model
    model: Model
    faults: list  # (description, undo Edit)
    template: str


# ---- valid bases -------------------------------------------------------------------


def cnn2d(r: random.Random) -> Model:
    h = r.choice([16, 28, 32, 48, 64])
    c = r.choice([1, 3])
    layers = []
    size = h
    for _ in range(r.randint(1, 3)):
        k = r.choice([3, 5])
        pad = r.choice(["valid", "same"])
        layers.append(
            (
                "Conv2D",
                {
                    "filters": r.choice([8, 16, 32]),
                    "kernel_size": (k, k) if r.random() < 0.5 else k,
                    "padding": pad,
                    "activation": "relu",
                },
            )
        )
        size = size - k + 1 if pad == "valid" else size
        if size >= 4:
            layers.append(("MaxPooling2D", {"pool_size": (2, 2)}))
            size //= 2
        if size < 6:
            break
    layers += [("Flatten", {}), ("Dense", {"units": r.choice([32, 64])}), ("Dense", {"units": r.choice([2, 10])})]
    return sequential((None, h, h, c), layers)


def cnn1d(r: random.Random) -> Model:
    t = r.choice([20, 50, 100])
    f = r.choice([1, 4, 8])
    layers: list[tuple[str, dict]] = [
        ("Conv1D", {"filters": 16, "kernel_size": r.choice([3, 5]), "activation": "relu"}),
        ("MaxPooling1D", {"pool_size": 2}),
        ("Conv1D", {"filters": 32, "kernel_size": 3, "padding": "same"}),
    ]
    layers.append(("GlobalAveragePooling1D", {}) if r.random() < 0.5 else ("Flatten", {}))
    layers.append(("Dense", {"units": r.choice([1, 3])}))
    return sequential((None, t, f), layers)


def rnn(r: random.Random) -> Model:
    kind = r.choice(["LSTM", "GRU", "SimpleRNN"])
    n = r.randint(2, 3)
    layers = [(kind, {"units": r.choice([16, 32]), "return_sequences": i < n - 1}) for i in range(n)]
    layers.append(("Dense", {"units": r.choice([1, 5])}))
    return sequential((None, r.choice([10, 30]), r.choice([3, 8])), layers)


def mlp(r: random.Random) -> Model:
    layers = [("Dense", {"units": r.choice([16, 32, 64]), "activation": "relu"}) for _ in range(r.randint(1, 3))]
    layers.append(("Dense", {"units": r.choice([1, 10])}))
    return sequential((None, r.choice([4, 20, 784])), layers)


def text(r: random.Random) -> Model:
    mid = r.choice([("Conv1D", {"filters": 32, "kernel_size": 5}), ("LSTM", {"units": 16, "return_sequences": True})])
    layers = [
        ("Embedding", {"input_dim": r.choice([1000, 5000]), "output_dim": r.choice([32, 64])}),
        mid,
        ("GlobalMaxPooling1D", {}),
        ("Dense", {"units": 1}),
    ]
    return sequential((None, r.choice([50, 100])), layers)


def residual(r: random.Random) -> Model:
    w = r.choice([16, 32, 64])
    inp = InputNode("input", (None, r.choice([8, 32])))
    a = Layer("dense_a", "Dense", {"units": w}, (Edge("input"),))
    b = Layer("dense_b", "Dense", {"units": w}, (Edge("dense_a"),))
    add = Layer("add", "Add", {}, (Edge("dense_a"), Edge("dense_b")), list_input=True)
    out = Layer("dense_out", "Dense", {"units": r.choice([1, 4])}, (Edge("add"),))
    return Model("residual", (inp,), (a, b, add, out), (Edge("dense_out"),))


def reshape_front(r: random.Random) -> Model:
    a, b = r.choice([(10, 10), (8, 4), (16, 3)])
    layers: list[tuple[str, dict]] = [
        ("Reshape", {"target_shape": (a, b)}),
        ("Conv1D", {"filters": 8, "kernel_size": 3}),
        ("Flatten", {}),
        ("Dense", {"units": 2}),
    ]
    return sequential((None, a * b), layers)


TEMPLATES: dict[str, Callable[[random.Random], Model]] = {
    "cnn2d": cnn2d,
    "cnn1d": cnn1d,
    "rnn": rnn,
    "mlp": mlp,
    "text": text,
    "residual": residual,
    "reshape": reshape_front,
}


# ---- faults -----------------------------------------------------------------------
# Each returns (mutated model, description, undo edit) or None when not applicable.


def _input(m: Model) -> InputNode:
    return m.inputs[0]


def drop_channel_axis(m, r):
    s = _input(m).shape
    if len(s) < 3 or s[-1] != 1:
        return None
    new = s[:-1]
    return _set_input(m, new, "input declared without its channel axis")


def batch_axis_in_shape(m, r):
    s = _input(m).shape
    return _set_input(m, (None, r.choice([32, 64])) + s[1:], "batch size written into the input shape")


def channels_first(m, r):
    s = _input(m).shape
    if len(s) != 4 or s[-1] == s[1]:
        return None
    return _set_input(m, (None, s[-1]) + s[1:-1], "channels-first input shape")


def _set_input(m, new, why):
    old = _input(m).shape
    mutated = SetInputShape(target="input", old=old, new=new).apply(m)
    return mutated, why, SetInputShape(target="input", old=new, new=old)


def window_too_large(m, r):
    res = check(m)
    cands = [l for l in m.layers if ("kernel_size" in l.args or "pool_size" in l.args) and "Global" not in l.kind]
    if not cands:
        return None
    l = r.choice(cands)
    arg = "kernel_size" if "kernel_size" in l.args else "pool_size"
    ins = res.shapes.get(l.inputs[0].node, [None])[0]
    if ins is None or len(ins) < 3:
        return None
    big = max(d for d in ins[1:-1] if d is not None) + r.choice([1, 2, 5])
    old = l.args[arg]
    new = (big,) * len(old) if isinstance(old, tuple) else big
    if l.args.get("padding") == "same":
        return None
    return _set_arg(m, l, arg, new, f"{arg} of {l.id} larger than its input")


def strides_too_large(m, r):
    cands = [l for l in m.layers if l.kind in ("Conv2D", "Conv1D") and l.args.get("padding", "valid") == "valid"]
    if not cands:
        return None
    l = r.choice(cands)
    return (
        _set_arg(m, l, "kernel_size", 40, f"kernel of {l.id} too large")
        if r.random() < 0.3
        else _set_arg(m, l, "strides", r.choice([8, 16]), f"strides of {l.id} too large")
    )


def no_return_sequences(m, r):
    cands = [l for l in m.layers if l.args.get("return_sequences") is True]
    if not cands:
        return None
    return _set_arg(m, r.choice(cands), "return_sequences", False, "stacked RNN without return_sequences")


def non_positive(m, r):
    cands = [l for l in m.layers if "units" in l.args or "filters" in l.args]
    l = r.choice(cands)
    arg = "units" if "units" in l.args else "filters"
    return _set_arg(m, l, arg, r.choice([0, -l.args[arg]]), f"non-positive {arg}")


def wrong_sibling(m, r):
    cands = [l for l in m.layers if l.kind in RANK2_TO_1]
    if not cands:
        return None
    l = r.choice(cands)
    new_kind = RANK2_TO_1[l.kind]
    mutated = ReplaceLayer(
        target=l.id, new_kind=new_kind, new_args=tuple(sorted(l.args.items())), old_kind=l.kind
    ).apply(m)
    undo = ReplaceLayer(target=l.id, new_kind=l.kind, new_args=tuple(sorted(l.args.items())), old_kind=new_kind)
    return mutated, f"{l.kind} written as {new_kind}", undo


def merge_mismatch(m, r):
    if not any(l.kind == "Add" for l in m.layers):
        return None
    l = m.node("dense_b")
    return _set_arg(m, l, "units", l.args["units"] // 2, "branches of a merge disagree")


def wrong_reshape(m, r):
    cands = [l for l in m.layers if l.kind == "Reshape"]
    if not cands:
        return None
    l = cands[0]
    a, b = l.args["target_shape"]
    return _set_arg(m, l, "target_shape", (a, b + 1), "Reshape target of the wrong size")


def bad_padding(m, r):
    cands = [l for l in m.layers if "padding" in l.args]
    if not cands:
        return None
    l = r.choice(cands)
    return _set_arg(m, l, "padding", r.choice(["sam", "Valid ", "full"]), "misspelled padding")


def embedding_weights(m, r):
    cands = [l for l in m.layers if l.kind == "Embedding"]
    if not cands:
        return None
    l = cands[0]
    given = ((l.args["input_dim"] + r.choice([-1, 7]), l.args["output_dim"]),)
    mutated = m.replace_layer(l.id, replace(l, weights=given))
    undo = SetArg(target=l.id, arg="input_dim", old=l.args["input_dim"], new=given[0][0])
    return mutated, "pretrained matrix of another vocabulary size", undo


KERAS_DEFAULTS = {"strides": 1, "padding": "valid", "return_sequences": False}


def _set_arg(m, l, arg, new, why):
    old = l.args.get(arg, KERAS_DEFAULTS.get(arg))
    mutated = SetArg(target=l.id, arg=arg, old=old, new=new).apply(m)
    return mutated, why, SetArg(target=l.id, arg=arg, old=new, new=old)


FAULTS = [
    drop_channel_axis,
    batch_axis_in_shape,
    channels_first,
    window_too_large,
    strides_too_large,
    no_return_sequences,
    non_positive,
    wrong_sibling,
    merge_mismatch,
    wrong_reshape,
    bad_padding,
    embedding_weights,
]


def generate_suite(n: int = 500, seed: int = 0) -> list[Case]:
    r = random.Random(seed)
    cases: list[Case] = []
    names = sorted(TEMPLATES)
    attempts = 0
    while len(cases) < n and attempts < n * 50:
        attempts += 1
        tname = r.choice(names)
        base = TEMPLATES[tname](r)
        if not check(base).valid:
            continue
        m = base
        faults = []
        for _ in range(1 if r.random() < 0.6 else 2):
            for _try in range(6):
                out = r.choice(FAULTS)(m, r)
                if out is not None:
                    m, why, undo = out
                    faults.append((why, undo))
                    break
        if not faults or check(m).valid:
            continue
        cases.append(Case(base=base, model=m, faults=faults, template=tname))
    return cases
