"""Generate repair_engine/semantics/signature_data.py from the installed Keras.

    python scripts/gen_signatures.py [--check]

The engine never imports Keras; what it knows about constructor signatures and
identifier names is this generated data. `--check` compares the stored data
with the installed Keras and prints every drift (tests/test_arguments_data.py
does the same), so a Keras upgrade shows what changed.

What is extracted, per public `keras.layers` class:
- the positional parameters in order and the keyword-only ones;
- every keyword the constructor accepts: its own parameters, the parameters of
  the parent classes its `**kwargs` reach (minus those it passes explicitly to
  `super().__init__`, which would be given twice), the keywords an `__init__`
  pops from `**kwargs` itself (`kwargs.pop("alpha")`), and Layer's own keywords;
- the required parameters and the literal defaults.
And, for identifiers: every name `activations.get`, `initializers.get`,
`regularizers.get`, `constraints.get` resolve, the initializer names that fail
when resolved or when they build a weight of a given rank, and the rank of each
weight a layer kind builds (from its semantics examples).
"""

from __future__ import annotations

import argparse
import ast
import inspect
import os
import pprint
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "repair_engine" / "semantics" / "signature_data.py"
sys.path.insert(0, str(ROOT))

_POP_RE = re.compile(r"""kwargs\.pop\(\s*["'](\w+)["']|["'](\w+)["']\s+in\s+kwargs""")
_LITERALS = (str, int, float, bool, type(None))


def _keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    return keras


def _init_source_tree(cls) -> ast.FunctionDef | None:
    init = cls.__dict__.get("__init__")
    if init is None:
        return None
    try:
        src = textwrap.dedent(inspect.getsource(init))
    except (OSError, TypeError):
        return None
    fn = ast.parse(src).body[0]
    return fn if isinstance(fn, ast.FunctionDef) else None


def _super_call(fn: ast.FunctionDef) -> ast.Call | None:
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "__init__"
            and isinstance(node.func.value, ast.Call)
            and getattr(node.func.value.func, "id", None) == "super"
        ):
            return node
    return None


def _own_params(cls) -> list[inspect.Parameter]:
    return list(inspect.signature(cls.__init__).parameters.values())[1:]


def _popped(cls) -> set[str]:
    """Keywords an __init__ takes out of **kwargs itself."""
    init = cls.__dict__.get("__init__")
    if init is None:
        return set()
    try:
        src = inspect.getsource(init)
    except (OSError, TypeError):
        return set()
    return {a or b for a, b in _POP_RE.findall(src)}


def accepted_keywords(cls, layer_base) -> set[str]:
    """Every keyword `cls(...)` accepts without 'Unrecognized keyword arguments'."""
    blocked: set[str] = set()  # passed explicitly to a parent: giving them again fails
    out = _param_names(cls) | _popped(cls)
    current = cls
    while current is not layer_base and any(p.kind == p.VAR_KEYWORD for p in _own_params(current)):
        parent = next((c for c in current.__mro__[1:] if "__init__" in c.__dict__), None)
        if parent is None or not issubclass(parent, layer_base):
            break
        fn = _init_source_tree(current)
        call = _super_call(fn) if fn is not None else None
        if call is not None and not any(k.arg is None for k in call.keywords):
            break  # **kwargs is not passed on (IndexLookup): only what this class pops
        if call is not None:
            parent_params = [p.name for p in _own_params(parent)]
            n_pos = len([a for a in call.args if not isinstance(a, ast.Starred)])
            fixed = {k.arg for k in call.keywords if k.arg} | set(parent_params[:n_pos])
            blocked |= fixed - _param_names(current)
        out |= _param_names(parent) | _popped(parent)
        current = parent
    return out - blocked


def _param_names(cls) -> set[str]:
    return {p.name for p in _own_params(cls) if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}


def _default(p: inspect.Parameter):
    d = p.default
    if d is inspect.Parameter.empty:
        return None
    if isinstance(d, _LITERALS) or (isinstance(d, tuple) and all(isinstance(v, _LITERALS) for v in d)):
        return ("default", d)
    return None


def layer_classes(keras) -> dict:
    base = keras.layers.Layer
    out = {}
    for name in sorted(dir(keras.layers)):
        obj = getattr(keras.layers, name)
        if inspect.isclass(obj) and issubclass(obj, base) and not name.startswith("_"):
            out[name] = obj
    return out


def signatures(keras) -> dict:
    base = keras.layers.Layer
    out = {}
    for name, cls in layer_classes(keras).items():
        params = _own_params(cls)
        positional = tuple(p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
        required = tuple(
            p.name
            for p in params
            if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        )
        defaults = {p.name: d[1] for p in params if (d := _default(p)) is not None}
        out[name] = {
            "positional": positional,
            "accepted": tuple(sorted(accepted_keywords(cls, base))),
            "required": required,
            "defaults": defaults,
        }
    return out


def identifiers(keras) -> dict:
    from keras.src.activations import ALL_OBJECTS_DICT as acts
    from keras.src.constraints import ALL_OBJECTS_DICT as cons
    from keras.src.initializers import ALL_OBJECTS_DICT as inits
    from keras.src.regularizers import ALL_OBJECTS_DICT as regs

    def resolvable(getter, names):
        ok, failing, env = [], [], []
        for n in sorted(names):
            try:
                getter(n)
                ok.append(n)
            except ImportError:  # an optional dependency (scipy for STFT): depends on the machine
                env.append(n)
            except Exception:
                failing.append(n)
        return ok, failing, env

    a_ok, a_bad, a_env = resolvable(keras.activations.get, acts)
    i_ok, i_bad, i_env = resolvable(keras.initializers.get, inits)
    r_ok, r_bad, r_env = resolvable(keras.regularizers.get, regs)
    c_ok, c_bad, c_env = resolvable(keras.constraints.get, cons)
    ranks = {}
    for n in i_ok:
        init = keras.initializers.get(n)
        good = []
        for r in range(1, 6):
            try:
                init((3,) * r)
                good.append(r)
            except Exception:
                pass
        if good != [1, 2, 3, 4, 5]:
            ranks[n] = tuple(good)
    return {
        "activation": (tuple(a_ok), tuple(a_bad), tuple(a_env)),
        "initializer": (tuple(i_ok), tuple(i_bad), tuple(i_env)),
        "regularizer": (tuple(r_ok), tuple(r_bad), tuple(r_env)),
        "constraint": (tuple(c_ok), tuple(c_bad), tuple(c_env)),
        "initializer_ranks": ranks,
    }


def weight_ranks() -> dict:
    """kind -> {weight name: rank}, from building every valid semantics example."""
    import logging

    logging.disable(logging.WARNING)
    from repair_engine import oracle
    from repair_engine.semantics import all_examples
    from tests.example_models import example_model

    seen: dict[str, dict[str, set]] = {}
    for _, ex in all_examples():
        if ex.error is not None or ex.inner is not None:
            continue
        try:
            res, ins, outs = oracle._build(example_model(ex))
            if not res.ok:
                continue
            built = oracle._load().Model(ins, outs)
        except Exception:
            continue
        for layer in built.layers:
            if type(layer).__name__ != ex.kind:
                continue
            per = seen.setdefault(ex.kind, {})
            for w in layer.weights:
                per.setdefault(w.path.rsplit("/", 1)[-1], set()).add(len(w.shape))
    return {k: {w: min(r) for w, r in sorted(ws.items()) if len(r) == 1} for k, ws in sorted(seen.items())}


def render(keras, sigs: dict, ids: dict, ranks: dict) -> str:
    def block(name: str, value, comment: str) -> str:
        return f"# {comment}\n{name} = {pprint.pformat(value, width=118, sort_dicts=True)}\n\n"

    head = (
        '"""Keras 3 constructor signatures and identifier names, as data.\n\n'
        "GENERATED by scripts/gen_signatures.py from the installed Keras; do not edit.\n"
        "tests/test_arguments_data.py compares it with the installed Keras.\n"
        '"""\n\n# fmt: off\n'
        f"KERAS_VERSION = {keras.__version__!r}\n\n"
    )
    return (
        head
        + block(
            "SIGNATURES",
            sigs,
            "class -> positional parameters, every accepted keyword, required parameters, literal defaults",
        )
        + block(
            "IDENTIFIERS",
            {k: v for k, v in ids.items() if k != "initializer_ranks"},
            "family -> (names that resolve, names that fail when resolved, names that depend on the machine)",
        )
        + block(
            "INITIALIZER_RANKS", ids["initializer_ranks"], "initializer -> the only weight ranks it can build (1..5)"
        )
        + block("WEIGHT_RANKS", ranks, "class -> {weight name: rank} for the weights it always builds at that rank")
        + "# fmt: on\n"
    )


def current(keras) -> dict:
    return {"SIGNATURES": signatures(keras), "IDENTIFIERS": identifiers(keras)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true", help="compare the stored data with the installed Keras")
    args = ap.parse_args(argv)
    keras = _keras()
    sigs, ids = signatures(keras), identifiers(keras)
    if args.check:
        from repair_engine.semantics import signature_data as stored

        drift = diff(stored.SIGNATURES, sigs)
        for line in drift:
            print(line)
        print(f"{len(drift)} drifts against Keras {keras.__version__} (stored: {stored.KERAS_VERSION})")
        return 1 if drift else 0
    OUT.write_text(render(keras, sigs, ids, weight_ranks()))
    print(f"wrote {OUT.relative_to(ROOT)}: {len(sigs)} classes, Keras {keras.__version__}")
    return 0


def diff(stored: dict, live: dict) -> list[str]:
    out = []
    for name in sorted(set(stored) | set(live)):
        if name not in live:
            out.append(f"{name}: stored but gone from keras.layers")
        elif name not in stored:
            out.append(f"{name}: new in keras.layers")
        else:
            for key in ("positional", "accepted", "required", "defaults"):
                if stored[name][key] != live[name][key]:
                    out.append(f"{name}.{key}: stored {stored[name][key]!r}, Keras {live[name][key]!r}")
    return out


if __name__ == "__main__":
    sys.exit(main())
