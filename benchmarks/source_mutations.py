"""Source-level mutation suite: Python files in the styles users write, one injected fault each.

    from benchmarks.source_mutations import generate_files, real_code_mutants
    cases = generate_files(n=1000, seed=0)   # list[SourceCase]

Every case is a whole Python file with the line the fault was injected at.
Styles (how the model is written): Sequential list, Sequential `.add`,
functional, subclassed, a helper function called several times, a loop body,
a list comprehension, a constant shared by several layers. Import styles:
`import keras`, `from tensorflow import keras`, `from tensorflow.keras import
layers`, `from keras.layers import Conv2D, ...`, `import tensorflow as tf`
(`tf.keras.layers.X`), `from keras import layers, models`, `from keras.models
import Sequential`. Faults: a window larger than its input, an input shape
missing its channel axis, a misspelled padding, a stacked LSTM without
return_sequences, a 1-D layer in a 2-D stack, a Keras 1 keyword Keras 3
rejects (`border_mode=`), a wrong Reshape target.

`real_code_mutants(paths)` mutates real public code (the keras-io examples in
/work/shared/benchmarks, read in place): a pooling window or kernel made larger
than any input, one mutant per layer call line that can take it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

STYLES = (
    "sequential_list",
    "sequential_add",
    "functional",
    "subclassed",
    "helper",
    "loop",
    "comprehension",
    "constant",
)
IMPORTS = ("keras", "tf_keras_module", "tf_keras_layers", "keras_layer_names", "tf_alias", "keras_layers_models")
FAULTS = ("window", "input_channels", "padding_typo", "legacy_keyword", "rank_sibling", "rnn_sequences", "reshape")


@dataclass
class SourceCase:
    text: str
    line: int  # the line the fault was injected at (1-based)
    style: str
    imports: str
    fault: str
    name: str = ""


# ---- imports: header text and how a class is spelled ------------------------------


def header(imports: str, kinds: list[str]) -> tuple[str, str, str]:
    """(header lines, layer prefix, the Input/Model/Sequential prefix)."""
    if imports == "keras":
        return "import keras\nfrom keras import layers\n", "layers.", "keras."
    if imports == "tf_keras_module":
        return "from tensorflow import keras\n", "keras.layers.", "keras."
    if imports == "tf_keras_layers":
        return "from tensorflow import keras\nfrom tensorflow.keras import layers\n", "layers.", "keras."
    if imports == "keras_layer_names":
        names = ", ".join(sorted(set(kinds) | {"Input"}))
        return f"import keras\nfrom keras.layers import {names}\n", "", "keras."
    if imports == "tf_alias":
        return "import tensorflow as tf\n", "tf.keras.layers.", "tf.keras."
    return "import keras\nfrom keras import layers, models\n", "layers.", "keras."


# ---- the model: a 2-D CNN, a stacked RNN, or an MLP with a Reshape ---------------


def arch(r: random.Random, fault: str) -> dict:
    if fault == "rnn_sequences":
        return {"kind": "rnn", "t": r.choice([10, 20, 30]), "f": r.choice([4, 8, 16]), "units": r.choice([16, 32])}
    if fault == "reshape":
        return {"kind": "mlp", "d": r.choice([16, 32, 64]), "units": r.choice([32, 64, 128])}
    return {
        "kind": "cnn",
        "h": r.choice([28, 32, 48, 64]),
        "c": r.choice([1, 3]),
        "filters": [r.choice([8, 16, 32]) for _ in range(3)],
        "k": r.choice([3, 5]),
        "p": 2,
    }


def cnn_layers(a: dict, fault: str, n_blocks: int) -> list[tuple[str, str, bool]]:
    """(kind, argument text, is the faulty layer) for a plain chain."""
    out = []
    k, p = a["k"], a["p"]
    for i in range(n_blocks):
        faulty_conv = i == 1 and fault in ("padding_typo", "legacy_keyword", "rank_sibling")
        kind = "Conv1D" if faulty_conv and fault == "rank_sibling" else "Conv2D"
        pad = 'padding="sam"' if faulty_conv and fault == "padding_typo" else 'padding="same"'
        if faulty_conv and fault == "legacy_keyword":
            pad = 'border_mode="same"'
        out.append((kind, f'{a["filters"][i]}, {k}, {pad}, activation="relu"', faulty_conv))
        big = fault == "window" and i == n_blocks - 1
        out.append(("MaxPooling2D", str(a["h"] * 2 if big else p), big))
    out.append(("Flatten", "", False))
    out.append(("Dense", '10, activation="softmax"', False))
    return out


def input_shape(a: dict, fault: str) -> str:
    if a["kind"] == "rnn":
        return f"({a['t']}, {a['f']})"
    if a["kind"] == "mlp":
        return f"({a['d']},)"
    if fault == "input_channels":
        return f"({a['h']}, {a['h']})"
    return f"({a['h']}, {a['h']}, {a['c']})"


def chain(a: dict, fault: str) -> list[tuple[str, str, bool]]:
    if a["kind"] == "rnn":
        u = a["units"]
        return [
            ("LSTM", f"{u}" + ("" if fault == "rnn_sequences" else ", return_sequences=True"), True),
            ("LSTM", f"{u}", False),
            ("Dense", "1", False),
        ]
    if a["kind"] == "mlp":
        u = a["units"]
        return [
            ("Dense", f'{u}, activation="relu"', False),
            ("Reshape", f"({u // 4}, 5)", True),
            ("Flatten", "", False),
            ("Dense", "1", False),
        ]
    return cnn_layers(a, fault, 3)


# ---- rendering in each style -------------------------------------------------------


def render(style: str, imports: str, a: dict, fault: str) -> tuple[str, int]:
    """(file text, fault line)."""
    layers = chain(a, fault)
    kinds = sorted({k for k, _, _ in layers} | {"Conv2D", "MaxPooling2D"})
    head, lp, kp = header(imports, kinds)
    shape = input_shape(a, fault)
    lines = head.splitlines() + [""]
    fault_line = 0
    in_fault = fault == "input_channels"

    def mark(is_fault: bool) -> None:
        nonlocal fault_line
        if is_fault and not fault_line:
            fault_line = len(lines)  # the line just appended

    def call(kind: str, args: str) -> str:
        return f"{lp}{kind}({args})"

    if style in ("helper", "loop", "constant") and a["kind"] == "cnn":
        return render_repeated(style, lines, lp, kp, a, fault, shape)
    if style == "comprehension" and a["kind"] == "cnn":
        return render_comprehension(lines, lp, kp, a, fault, shape)
    if style in ("sequential_list", "comprehension", "helper", "loop", "constant"):
        lines.append(f"model = {kp}Sequential([")
        lines.append(f"    {kp}Input(shape={shape}),")
        mark(in_fault)
        for kind, args, bad in layers:
            lines.append(f"    {call(kind, args)},")
            mark(bad and not in_fault)
        lines.append("])")
    elif style == "sequential_add":
        lines.append(f"model = {kp}Sequential()")
        lines.append(f"model.add({kp}Input(shape={shape}))")
        mark(in_fault)
        for kind, args, bad in layers:
            lines.append(f"model.add({call(kind, args)})")
            mark(bad and not in_fault)
    elif style == "functional":
        lines.append(f"inputs = {kp}Input(shape={shape})")
        mark(in_fault)
        lines.append("x = inputs")
        for kind, args, bad in layers:
            lines.append(f"x = {call(kind, args)}(x)")
            mark(bad and not in_fault)
        lines.append(f"model = {kp}Model(inputs, x)")
    else:  # subclassed
        lines.append(f"class Net({kp}Model):")
        lines.append("    def __init__(self):")
        lines.append("        super().__init__()")
        for i, (kind, args, bad) in enumerate(layers):
            lines.append(f"        self.l{i} = {call(kind, args)}")
            mark(bad and not in_fault)
        lines.append("")
        lines.append("    def call(self, x):")
        for i in range(len(layers)):
            lines.append(f"        x = self.l{i}(x)")
        lines.append("        return x")
        lines.append("")
        lines.append("")
        lines.append(f"inputs = {kp}Input(shape={shape})")
        mark(in_fault)
        lines.append("model = Net()")
        lines.append("outputs = model(inputs)")
    return "\n".join(lines) + "\n", fault_line


def render_repeated(style, lines, lp, kp, a, fault, shape) -> tuple[str, int]:
    """A 2-D CNN whose conv/pool block is written once: a helper called three
    times, a loop over the filter counts, or constants shared by every block."""
    k, p, fs = a["k"], a["p"], a["filters"]
    big = a["h"] * 2
    pool = str(big) if fault == "window" else str(p)
    pad = {"padding_typo": 'padding="sam"', "legacy_keyword": 'border_mode="same"'}.get(fault, 'padding="same"')
    conv_kind = "Conv1D" if fault == "rank_sibling" else "Conv2D"
    fault_line = 0
    if style == "constant":
        lines.append(f"KERNEL = {k}")
        lines.append(f"POOL = {pool}")
        if fault == "window":
            fault_line = len(lines)
        lines.append("")
        pool, ktext = "POOL", "KERNEL"
    else:
        ktext = str(k)
    if style == "helper":
        lines.append("")
        lines.append("def block(x, filters):")
        lines.append(f'    x = {lp}{conv_kind}(filters, {ktext}, {pad}, activation="relu")(x)')
        if fault in ("padding_typo", "legacy_keyword", "rank_sibling"):
            fault_line = len(lines)
        lines.append(f"    x = {lp}MaxPooling2D({pool})(x)")
        if fault == "window":
            fault_line = len(lines)
        lines.append("    return x")
        lines.append("")
        lines.append("")
        lines.append(f"inputs = {kp}Input(shape={shape})")
        if fault == "input_channels":
            fault_line = len(lines)
        lines.append("x = inputs")
        for f in fs:
            lines.append(f"x = block(x, {f})")
        lines.append(f"x = {lp}Flatten()(x)")
        lines.append(f'outputs = {lp}Dense(10, activation="softmax")(x)')
        lines.append(f"model = {kp}Model(inputs, outputs)")
        return "\n".join(lines) + "\n", fault_line
    lines.append(f"model = {kp}Sequential()")
    lines.append(f"model.add({kp}Input(shape={shape}))")
    if fault == "input_channels":
        fault_line = len(lines)
    lines.append(f"for filters in {fs}:")
    lines.append(f'    model.add({lp}{conv_kind}(filters, {ktext}, {pad}, activation="relu"))')
    if fault in ("padding_typo", "legacy_keyword", "rank_sibling"):
        fault_line = len(lines)
    lines.append(f"    model.add({lp}MaxPooling2D({pool}))")
    if fault == "window" and not fault_line:
        fault_line = len(lines)
    lines.append(f"model.add({lp}Flatten())")
    lines.append(f'model.add({lp}Dense(10, activation="softmax"))')
    return "\n".join(lines) + "\n", fault_line


def render_comprehension(lines, lp, kp, a, fault, shape) -> tuple[str, int]:
    """Sequential([Input, *[Conv2D(f, ...) for f in FILTERS], pool, ...])."""
    k, fs = a["k"], a["filters"]
    pad = {"padding_typo": 'padding="sam"', "legacy_keyword": 'border_mode="same"'}.get(fault, 'padding="same"')
    conv_kind = "Conv1D" if fault == "rank_sibling" else "Conv2D"
    pool = str(a["h"] * 2) if fault == "window" else "2"
    lines.append(f"model = {kp}Sequential(")
    lines.append(f"    [{kp}Input(shape={shape})]")
    fault_line = len(lines) if fault == "input_channels" else 0
    lines.append(f'    + [{lp}{conv_kind}(f, {k}, {pad}, activation="relu") for f in {fs}]')
    if fault in ("padding_typo", "legacy_keyword", "rank_sibling"):
        fault_line = len(lines)
    lines.append(f"    + [{lp}MaxPooling2D({pool}), {lp}Flatten(), {lp}Dense(10)]")
    if fault == "window":
        fault_line = len(lines)
    lines.append(")")
    return "\n".join(lines) + "\n", fault_line


def generate_files(n: int = 1000, seed: int = 0) -> list[SourceCase]:
    """`n` cases cycling through styles x faults, imports and sizes at random."""
    r = random.Random(seed)
    out: list[SourceCase] = []
    combos = [(s, f) for s in STYLES for f in FAULTS]
    i = 0
    while len(out) < n:
        style, fault = combos[i % len(combos)]
        i += 1
        imports = r.choice(IMPORTS)
        a = arch(r, fault)
        text, line = render(style, imports, a, fault)
        if not line:
            continue
        out.append(SourceCase(text, line, style, imports, fault, name=f"{style}-{fault}-{len(out)}"))
    return out


# ---- mutants of real public code --------------------------------------------------

_WINDOW = re.compile(r"\b((?:Max|Average)Pooling[12]D|Conv[12]D)\((\s*)(\d+)\s*,?")
_POOL_KW = re.compile(r"\b(pool_size|kernel_size)\s*=\s*(\(\s*\d+\s*,\s*\d+\s*\)|\d+)")


def real_code_mutants(paths: list[Path], per_file: int = 3) -> list[SourceCase]:
    """Up to `per_file` mutants of each file: one window argument (a pool size or
    kernel size written as a literal) made 99, larger than any input there."""
    out = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        lines = text.splitlines(keepends=True)
        made = 0
        for i, line in enumerate(lines):
            if made >= per_file:
                break
            m = _POOL_KW.search(line)
            if m:
                new_line = line[: m.start(2)] + "99" + line[m.end(2) :]
            else:
                mw = _WINDOW.search(line)
                if not mw or mw.group(1).startswith("Conv"):
                    continue
                new_line = line[: mw.start(3)] + "99" + line[mw.end(3) :]
            mutated = "".join(lines[:i]) + new_line + "".join(lines[i + 1 :])
            out.append(
                SourceCase(mutated, i + 1, "real:" + path.stem, "as written", "window", name=f"{path.stem}:{i + 1}")
            )
            made += 1
    return out
