"""Open-world fidelity: layer calls with arguments drawn from the Keras signatures.

    python benchmarks/fidelity.py --open-world --n 3000 --seed 0 [--show 20]

Unlike the closed-world run (arguments from the units' own examples), each case
here starts from a valid example of a registered kind and changes its call the
way people get calls wrong, drawn from the constructor signature Keras itself
has (repair_engine/semantics/signature_data.py):

  valid        extra accepted keywords with their own default values, name=, trainable=
  unknown      a keyword no Keras layer takes
  misspelled   an accepted keyword with one typo
  legacy       a Keras 1/2 keyword (border_mode, W_regularizer, batch_size, ...)
  wrong_type   an accepted keyword with a value of the wrong type
  enum         a string choice in another spelling (case, deprecated alias, a near miss)
  identifier   an activation / initializer / regularizer / constraint spelling
  positional   arguments passed positionally, one too many, or one given twice

Each case is a small Python file (an Input and the layer). nnrepair reads it
statically, as it reads user code; real Keras executes it (this benchmark's
own generated code) and runs one forward pass on zeros. A verdict agrees when
both accept or both reject; as in the closed-world run, a model that Keras
builds but that fails on its first forward pass may be rejected by us.
"""

from __future__ import annotations

import json
import os
import random
import string
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass

from repair_engine.api import analyze
from repair_engine.frontends.python import legacy
from repair_engine.semantics import REGISTRY, all_examples
from repair_engine.semantics.arguments import identifier_family
from repair_engine.semantics.signature_data import IDENTIFIERS, SIGNATURES

CATEGORIES = ("valid", "unknown", "misspelled", "legacy", "wrong_type", "enum", "identifier", "positional")
_LITERAL = (str, int, float, bool, type(None), tuple, list, dict)


@dataclass
class Case:
    category: str
    kind: str
    source: str
    shape: tuple  # input shape with batch axis
    call: str


@dataclass
class OpenOutcome:
    case: Case
    keras_ok: bool
    keras_runs: bool | None
    keras_error: str
    ours_ok: bool
    ours_messages: list

    @property
    def keras_is_wrong(self) -> bool:
        """A documented divergence where Keras is the one that is wrong (docs/keras-divergences.md)."""
        return self.case.kind == "Equalization" and "is part of a cycle" in self.keras_error and self.ours_ok

    @property
    def agrees(self) -> bool:
        if self.keras_ok and not self.ours_ok and self.keras_runs is False:
            return True
        if self.keras_is_wrong:
            return True
        return self.keras_ok == self.ours_ok


def _literal(v) -> bool:
    if isinstance(v, (tuple, list)):
        return all(_literal(x) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _literal(x) for k, x in v.items())
    return isinstance(v, _LITERAL)


def bases() -> dict:
    """kind -> valid single-input examples (args, inner, input shape) usable as a start."""
    out = defaultdict(list)
    for _, ex in all_examples():
        if ex.error is not None or ex.weights is not None or ex.kind not in SIGNATURES or ex.kind not in REGISTRY:
            continue
        if len(ex.input_list) != 1 or ex.called_with_list or not _literal(ex.args):
            continue
        if ex.inner is not None and (ex.inner[0] not in SIGNATURES or not _literal(ex.inner[1])):
            continue
        shape = tuple(ex.input_list[0])
        if not shape or shape[0] is not None:
            continue
        out[ex.kind].append((dict(ex.args), ex.inner, shape))
    return dict(out)


def render(kind: str, pos: list, kws: list, inner=None) -> str:
    parts = [repr(v) for v in pos]
    if inner is not None:
        parts.insert(0, render(inner[0], [], list(inner[1].items())))
    parts += [f"{k}={v!r}" for k, v in kws]
    return f"layers.{kind}({', '.join(parts)})"


def source_of(call: str, shape: tuple) -> str:
    return (
        "import keras\nfrom keras import layers\n\n"
        f"inputs = keras.Input(shape={tuple(shape[1:])!r})\n"
        f"outputs = {call}(inputs)\n"
        "model = keras.Model(inputs, outputs)\n"
    )


# ---- mutations ----------------------------------------------------------------


def _typo(rng: random.Random, name: str) -> str:
    i = rng.randrange(len(name))
    op = rng.choice(("drop", "swap", "double", "replace"))
    if op == "drop" and len(name) > 3:
        return name[:i] + name[i + 1 :]
    if op == "swap" and i < len(name) - 1:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if op == "double":
        return name[:i] + name[i] + name[i:]
    return name[:i] + rng.choice(string.ascii_lowercase) + name[i + 1 :]


_UNKNOWN = ("foo", "units_count", "hidden", "size", "nb_units", "verbose", "scale_factor", "num_layers", "shape")
_LEGACY_EXTRA = (
    ("batch_size", 8),
    ("batch_input_shape", None),
    ("input_length", 5),
    ("dim_ordering", "tf"),
    ("border_mode", "same"),
    ("init", "glorot_uniform"),
    ("W_regularizer", "l2"),
    ("b_regularizer", "l2"),
    ("W_constraint", "max_norm"),
    ("bias", True),
    ("output_dim", 4),
    ("nb_filter", 4),
    ("subsample", (1, 1)),
    ("consume_less", "cpu"),
    ("input_dtype", "float32"),
    ("p", 0.5),
    ("inner_init", "orthogonal"),
    ("dropout_W", 0.1),
)
_ENUM_SPELLINGS = {
    "padding": ("valid", "same", "causal", "full", "Same", "VALID", "sam", "Valid"),
    "data_format": ("channels_last", "channels_first", "Channels_Last", "CHANNELS_LAST", "channel_last", "NHWC"),
    "interpolation": ("bilinear", "nearest", "bicubic", "Bilinear", "NEAREST", "area", "lanczos3", "linear", "cubic"),
    "merge_mode": ("concat", "sum", "mul", "ave", "Concat", "average", None),
    "output_mode": ("int", "one_hot", "multi_hot", "count", "tf_idf", "binary", "tf-idf", "Int", "onehot"),
    "fill_mode": ("reflect", "wrap", "nearest", "constant", "Reflect", "mirror"),
    "mode": ("horizontal", "vertical", "horizontal_and_vertical", "Horizontal", "both"),
    "score_mode": ("dot", "concat", "Dot", "additive"),
    "split": ("whitespace", "character", "Whitespace", "space", None),
    "standardize": ("lower_and_strip_punctuation", "lower", "strip_punctuation", "Lower", None),
    "implementation": (1, 2, 3),
    "use_cudnn": ("auto", True, False, "Auto"),
    "crop_to_aspect_ratio": (True, False),
    "encoding": ("utf-8", "UTF-8", "ascii"),
}


def _identifier_values(family: str) -> list:
    ok: list = list(IDENTIFIERS[family][0])
    extra: list = {  # type: ignore[assignment]
        "activation": ["ReLU", "Relu", "RELU", "keras.activations.relu", "softmax", "Softmax", "leakyrelu", "gelu"],
        "initializer": [
            "Constant",
            "constant",
            "glorotUniform",
            "GLOROT_UNIFORM",
            "keras.initializers.GlorotUniform",
            "he_normal",
            "HeNormal",
            "identity",
            "orthogonal",
            "Orthogonal",
            "Initializer",
            {"class_name": "GlorotUniform", "config": {}},
            {"class_name": "Foo", "config": {}},
            {"config": {}},
            "he_nromal",
        ],
        "regularizer": ["l1_l2", "L1L2", "l2", "L2", "keras.regularizers.L2", "l3", {"class_name": "L2"}],
        "constraint": [
            "maxnorm",
            "MaxNorm",
            "non_neg",
            "nonneg",
            "unit_norm",
            "Constraint",
            "keras.constraints.NonNeg",
        ],
    }[family]
    return ok + extra * 3


def _wrong_type(v):
    if isinstance(v, bool):
        return "yes"
    if isinstance(v, int):
        return "3"
    if isinstance(v, float):
        return "0.5"
    if isinstance(v, str):
        return 3
    if isinstance(v, tuple):
        return "2"
    return [1]


def mutate(rng: random.Random, category: str, kind: str, args: dict) -> tuple[list, list] | None:
    """The (positional, keyword) arguments of the mutated call, or None when this kind has none to mutate."""
    sig: dict = SIGNATURES[kind]
    accepted = [a for a in sig["accepted"] if a not in legacy.INPUT_KEYS]
    defaults = {k: v for k, v in sig["defaults"].items() if k in accepted}
    kws = list(args.items())
    free = [k for k in defaults if k not in args]
    if category == "valid":
        extra = rng.sample(free, min(len(free), rng.randint(1, 3))) if free else []
        kws += [(k, defaults[k]) for k in extra]
        given = {k for k, _ in kws}
        if rng.random() < 0.3 and "name" not in given:
            kws.append(("name", f"layer_{rng.randint(0, 99)}"))
        if rng.random() < 0.2 and "trainable" not in given:
            kws.append(("trainable", rng.random() < 0.5))
        return [], kws
    if category == "unknown":
        name = rng.choice(_UNKNOWN)
        return ([], kws + [(name, rng.choice((1, "relu", True, 0.5)))]) if name not in accepted else None
    if category == "misspelled":
        if not free:
            return None
        name = rng.choice(free)
        typo = _typo(rng, name)
        return ([], kws + [(typo, defaults[name])]) if typo not in accepted else None
    if category == "legacy":
        name, legacy_value = rng.choice(_LEGACY_EXTRA)
        value: object = (None, 4) if name == "batch_input_shape" else legacy_value
        return [], kws + [(name, value)]
    if category == "wrong_type":
        cands = [k for k in defaults if defaults[k] is not None and k != "name" and k not in ("dtype",)]
        if not cands:
            return None
        name = rng.choice(cands)
        return [], [(k, v) for k, v in kws if k != name] + [(name, _wrong_type(args.get(name, defaults[name])))]
    if category == "enum":
        cands = [k for k in accepted if k in _ENUM_SPELLINGS]
        if not cands:
            return None
        name = rng.choice(cands)
        return [], [(k, v) for k, v in kws if k != name] + [(name, rng.choice(_ENUM_SPELLINGS[name]))]
    if category == "identifier":
        cands = [k for k in accepted if identifier_family(k) is not None]
        if not cands:
            return None
        name = rng.choice(cands)
        value = rng.choice(_identifier_values(identifier_family(name) or "activation"))
        return [], [(k, v) for k, v in kws if k != name] + [(name, value)]
    if category == "positional":
        return _positional(rng, sig, args)
    raise ValueError(category)


def _positional(rng: random.Random, sig: dict, args: dict) -> tuple[list, list] | None:
    params = list(sig["positional"])
    # the longest prefix of positional parameters the example gives
    n = 0
    while n < len(params) and params[n] in args:
        n += 1
    n = rng.randint(1, n) if n and rng.random() < 0.8 else n
    pos = [args[p] for p in params[:n]]
    kws = [(k, v) for k, v in args.items() if k not in params[:n]]
    choice = rng.random()
    if choice < 0.4 and len(params) <= n + 3:
        pos += [1] * (len(params) - n + 1)  # one more than the signature takes
    elif choice < 0.7 and n:
        dup = params[rng.randrange(n)]
        kws.append((dup, args[dup]))  # given again by keyword
    elif n < len(params) and params[n] in sig["defaults"]:
        pos.append(sig["defaults"][params[n]])  # a valid positional default
    return pos, kws


def generate(n: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    pool = bases()
    kinds = sorted(pool)
    cases: list[Case] = []
    attempts = 0
    while len(cases) < n and attempts < n * 20:
        attempts += 1
        category = CATEGORIES[len(cases) % len(CATEGORIES)]
        kind = rng.choice(kinds)
        args, inner, shape = rng.choice(pool[kind])
        mutated = mutate(rng, category, kind, dict(args))
        if mutated is None:
            continue
        pos, kws = mutated
        call = render(kind, pos, kws, inner)
        cases.append(Case(category, kind, source_of(call, shape), shape, call))
    return cases


# ---- labelling ------------------------------------------------------------------


def keras_label(case: Case, forward: bool = True) -> tuple[bool, bool | None, str]:
    """(builds, runs on zeros, error) with real Keras; runs only when `forward`."""
    import numpy as np

    env: dict = {}
    try:
        exec(compile(case.source, "<open-world case>", "exec"), env)  # our generated code only
    except Exception as e:
        return False, None, f"{type(e).__name__}: {str(e)[:400]}"
    if not forward:
        return True, None, ""
    shape = tuple(2 if d is None else d for d in case.shape)
    try:
        env["model"](np.zeros(shape, dtype="float32"))
    except Exception as e:
        return True, False, f"forward: {type(e).__name__}: {str(e)[:400]}"
    return True, True, ""


def ours_label(case: Case) -> tuple[bool, list]:
    report = analyze({"case.py": case.source})
    if not report.models:
        return True, ["(no model found)"]
    errors = [d for m in report.models for d in m.diagnostics if d.severity == "error"]
    return not errors, [f"{d.code} {d.message}" for d in errors]


def keras_labels(cases: list[Case], forward: list[bool]) -> list:
    """Label every case with real Keras in a child process (TensorFlow can die of a
    signal on odd arguments); a case that kills it is left unlabelled (None)."""
    labels: list = []
    while len(labels) < len(cases):
        todo = list(zip(cases, forward))[len(labels) :]
        # the cases go through a file: a pipe in both directions would deadlock once full
        with tempfile.TemporaryFile("w+") as feed:
            feed.write(
                "".join(json.dumps({"source": c.source, "shape": list(c.shape), "forward": f}) + "\n" for c, f in todo)
            )
            feed.seek(0)
            proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.open_world", "--label"],
                stdin=feed,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            )
        assert proc.stdout is not None
        got = 0
        for line in proc.stdout:
            labels.append(tuple(json.loads(line)))
            got += 1
        proc.wait()
        if got < len(todo):
            labels.append(None)  # the case that killed the child
    return labels


def _label_stream() -> int:
    import logging
    import warnings

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    for line in sys.stdin:
        d = json.loads(line)
        case = Case("", "", d["source"], tuple(d["shape"]), "")
        print(json.dumps(list(keras_label(case, d["forward"]))), flush=True)
    return 0


def run_open(n: int, seed: int) -> list[OpenOutcome]:
    import logging

    logging.disable(logging.WARNING)
    cases = generate(n, seed)
    ours = [ours_label(c) for c in cases]
    # the forward pass only decides a model Keras builds and we reject
    labels = keras_labels(cases, [not ok for ok, _ in ours])
    out = []
    for case, (o_ok, msgs), label in zip(cases, ours, labels):
        if label is None:
            continue  # TensorFlow crashed on it: says nothing about the arguments
        k_ok, k_runs, k_err = label
        out.append(OpenOutcome(case, k_ok, k_runs, k_err, o_ok, msgs))
    return out


def report(outcomes: list, show: int) -> int:
    by_cat: dict[str, list] = defaultdict(list)
    for o in outcomes:
        by_cat[o.case.category].append(o)
    total = len(outcomes)
    agree = sum(o.agrees for o in outcomes)
    false_alarms = [o for o in outcomes if not o.agrees and not o.ours_ok]
    misses = [o for o in outcomes if not o.agrees and o.ours_ok]
    kinds = Counter(o.case.kind for o in outcomes)
    documented = sum(o.keras_is_wrong for o in outcomes)
    print(f"open-world cases: {total} over {len(kinds)} layer kinds")
    print(f"verdict agreement: {agree}/{total} = {100.0 * agree / max(total, 1):.2f}%")
    print(f"misses (Keras rejects, we accept): {len(misses)}; false alarms (Keras accepts, we reject): "
          f"{len(false_alarms)}")  # fmt: skip
    print(f"  of which Keras is the one that is wrong (documented in docs/keras-divergences.md): {documented}")
    for cat in CATEGORIES:
        os_ = by_cat.get(cat, [])
        a = sum(o.agrees for o in os_)
        rej = sum(not o.keras_ok for o in os_)
        print(f"  {cat:<11} {a}/{len(os_)} = {100.0 * a / max(len(os_), 1):.2f}%  (Keras rejects {rej})")
    shown = 0
    for o in false_alarms + misses:
        if shown >= show:
            break
        shown += 1
        what = "FALSE ALARM" if not o.ours_ok else "miss"
        print(f"--- {what} [{o.case.category}] {o.case.call} on {o.case.shape}")
        print(f"    keras: ok={o.keras_ok} runs={o.keras_runs} {o.keras_error}")
        print(f"    ours: {o.ours_messages[:2]}")
    return 0 if agree == total else 1


if __name__ == "__main__":
    if sys.argv[1:] == ["--label"]:
        sys.exit(_label_stream())
    print("run: python benchmarks/fidelity.py --open-world --n N", file=sys.stderr)
    sys.exit(2)
