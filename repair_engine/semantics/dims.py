"""Symbolic dimensions: checking a model whose input shape is not a constant.

A model input may carry symbols (`InputNode.symbols`): a dimension that is some
unknown positive int (a factory's `input_shape` parameter, `Input(shape=(h, w, 3))`
with `h`, `w` unknown), or a whole shape whose rank is unknown too (a Sequential
without `Input`, a subclassed model never built).

The layer units are not asked to reason about symbols: they see plain shapes.
The model is checked several times, and the runs are compared:

- the *open* run gives every symbol the shape value None, which the units read
  as "unknown" (Keras' own convention for a variable dimension);
- three *concrete* runs give the symbols distinct values (multiples of 32, so
  that strided and pooled sizes stay whole, different in every run so that any
  dimension that depends on a symbol changes from run to run).

A layer's error is kept as an error only when it fails in every concrete run
and either the open run fails there too (the check does not look at the
symbols' values, e.g. a rank error) or the layer receives the same input shapes
in every concrete run (what it checks does not depend on the symbols, e.g. a
Dense width feeding an Add). An error seen only in some runs, or whose inputs
vary with the symbols, holds for some values and not others: it becomes an
info finding that states the condition when a scan over one symbol finds it
("needs input_shape[0] >= 7", "needs h divisible by 16"), never an error.

When the rank is unknown, each rank from 2-D to 5-D (batch axis included) is
tried; the model is invalid only when every rank gives an error.

Why not sympy or z3: neither is installed in the judge environment, and the
units compute shapes with Python ints (floor division, max, products); running
them on instantiations keeps every unit unchanged and exact for each run, and
the classification above is what needs deciding. Measured in
benchmarks/extraction.py and benchmarks/realworld.py (see docs/symbolic.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from itertools import product
from typing import Any

from ..diagnostics import Diagnostic, Related
from ..ir import InputNode, Model

RANKS = (2, 3, 4, 5, 6)  # with the batch axis: (b, n) ... (b, t, d, h, w, c)
MAX_RANK_COMBINATIONS = 16
# run k gives symbol j the value BASE[k] + STEP[k] * j
BASES = (64, 224, 384)
STEPS = (32, 64, 96)
SCAN_VALUES = tuple(range(1, 41)) + (48, 64, 96, 128, 160, 192, 224, 256)
MAX_SCANS = 4  # symbol scans per model (each is len(SCAN_VALUES) checks)
MAX_SCAN_LAYERS = 150  # no scans above this many layers (bounded time)

# probes: tiny sizes and odd sizes, only to find conditions, never to decide an error
PROBE_BASES = (1, 33)
PROBE_STEPS = (0, 2)
Check = Callable[[Model], Any]
RunLayer = Callable[..., tuple]  # checker.run_layer(layer, input shapes) -> (outs, violation, evaluated)


def has_symbols(model: Model) -> bool:
    return any(inp.symbols is not None for inp in model.inputs)


def known(d: Any) -> bool:
    """True for a dimension that is a known int (not None, not a symbol)."""
    return isinstance(d, int) and not isinstance(d, bool)


def rank_free(inp: InputNode) -> bool:
    return inp.shape is None and isinstance(inp.symbols, str)


def templates(model: Model) -> list[dict[str, tuple]]:
    """Per rank combination, input id -> template (ints, None, or symbol names)."""
    free = [inp for inp in model.inputs if rank_free(inp)]
    fixed: dict[str, tuple] = {}
    for inp in model.inputs:
        if rank_free(inp):
            continue
        if isinstance(inp.symbols, tuple) and inp.shape is not None:
            fixed[inp.id] = tuple(s if s is not None else d for d, s in zip(inp.shape, inp.symbols))
        else:
            fixed[inp.id] = tuple(inp.shape) if inp.shape is not None else ()
    combos = list(product(RANKS, repeat=len(free)))
    if len(combos) > MAX_RANK_COMBINATIONS:  # many rank-free inputs: the same rank for all
        combos = [(r,) * len(free) for r in RANKS]
    out = []
    for combo in combos:
        t = dict(fixed)
        for inp, r in zip(free, combo):
            base = inp.symbols if isinstance(inp.symbols, str) else "input_shape"
            t[inp.id] = (None,) + tuple(f"{base}[{i}]" for i in range(r - 1))
        out.append(t)
    return out


def symbols_of(template: dict[str, tuple]) -> list[str]:
    seen: list[str] = []
    for dims in template.values():
        for d in dims:
            if isinstance(d, str) and d not in seen:
                seen.append(d)
    return seen


def instantiate(model: Model, template: dict[str, tuple], values: dict[str, int | None]) -> Model:
    """The model with every symbol replaced by its value (None: unknown)."""
    inputs = []
    for inp in model.inputs:
        dims = template.get(inp.id)
        if inp.symbols is None or dims is None or (inp.shape is None and not dims):
            inputs.append(replace(inp, symbols=None))
            continue
        shape = tuple(values[d] if isinstance(d, str) else d for d in dims)
        inputs.append(replace(inp, shape=shape, symbols=None))
    # the data fed to fit/predict is compared with the declared input elsewhere
    return replace(model, inputs=tuple(inputs), feeds=())


def value_set(symbols: list[str], k: int) -> dict[str, int | None]:
    return {s: BASES[k] + STEPS[k] * j for j, s in enumerate(symbols)}


def probe_set(symbols: list[str], k: int) -> dict[str, int | None]:
    return {s: PROBE_BASES[k] + PROBE_STEPS[k] * j for j, s in enumerate(symbols)}


def error_keys(result) -> dict[tuple, Diagnostic]:
    out: dict[tuple, Diagnostic] = {}
    for d in result.diagnostics:
        if d.severity == "error":
            out.setdefault((d.layer, d.kind), d)
    return out


def layer_inputs(model: Model, result, layer_id: str | None) -> tuple | None:
    if layer_id is None:
        return None
    try:
        layer = model.layer(layer_id)
    except KeyError:
        return None
    out = []
    for e in layer.inputs:
        outs = result.shapes.get(e.node)
        out.append(outs[e.index] if outs and e.index < len(outs) else None)
    return tuple(out)


class RankRun:
    """The runs of one rank combination and their classification."""

    def __init__(self, model: Model, template: dict[str, tuple], check: Check, run_layer: RunLayer) -> None:
        self.model = model
        self.template = template
        self.symbols = symbols_of(template)
        self.check = check
        self.run_layer = run_layer
        self.open = check(instantiate(model, template, dict.fromkeys(self.symbols)))
        self.done = False

    @property
    def unlikely(self) -> bool:
        """The open run already fails on the rank: tried fully only when no other rank passes."""
        return any(d.kind == "rank_mismatch" for d in self.open.diagnostics if d.severity == "error")

    def finish(self) -> RankRun:
        if not self.done:
            model, template = self.model, self.template
            self.concrete = [
                self.check(instantiate(model, template, value_set(self.symbols, k))) for k in range(len(BASES))
            ]
            # tiny and odd sizes, only to find conditions ("needs h >= 7"), never to decide an error
            self.probes = [
                self.check(instantiate(model, template, probe_set(self.symbols, k))) for k in range(len(PROBE_BASES))
            ]
            self.definite, self.conditional = self.classify()
            self.done = True
        return self

    def classify(self) -> tuple[list[Diagnostic], list[tuple]]:
        open_errors = error_keys(self.open)
        per_run = [error_keys(r) for r in self.concrete]
        definite: list[Diagnostic] = []
        conditional: list[tuple] = []
        seen: set = set()
        for run in per_run + [error_keys(p) for p in self.probes]:
            for key, diag in run.items():
                if key in seen:
                    continue
                seen.add(key)
                # an undefined (None) dim may stand for a value nobody knows: never an error here
                if not all(key in r for r in per_run) or key[1] == "undefined_dim":
                    conditional.append((key, diag))
                elif key in open_errors:
                    definite.append(open_errors[key])
                else:
                    general = self.general_violation(key)
                    if general is not None:
                        definite.append(self.reword(diag, general))
                    else:
                        conditional.append((key, diag))
        return definite, conditional

    def general_violation(self, key: tuple):
        """The layer's violation on its inputs with every dimension that varies between
        the concrete runs unknown: found, the failure does not depend on the symbols."""
        layer_id, kind = key
        if layer_id is None or not _has(self.model, layer_id):
            return None
        runs = [layer_inputs(self.model, r, layer_id) for r in self.concrete]
        if any(r is None or any(s is None for s in r) for r in runs):
            return None
        merged = []
        for shapes in zip(*runs):
            if len({len(s) for s in shapes}) != 1:
                return None
            merged.append(tuple(ds[0] if len(set(ds)) == 1 else None for ds in zip(*shapes)))
        _, violation, _ = self.run_layer(self.model.layer(layer_id), merged)
        return violation if violation is not None and violation.kind == kind else None

    def reword(self, diag: Diagnostic, general) -> Diagnostic:
        """A concrete run's error told with the symbolic shapes instead of the run's values."""
        related = tuple(r for r in diag.related if not r.message.startswith("the input shape"))
        for inp in self.model.inputs:
            where = inp.shape_span or inp.span
            if where is not None and where != diag.span:
                shown = fmt_template(self.template.get(inp.id, ()))
                related += (Related(where, f"the input shape {shown} declared here flows into {diag.layer}"),)
        return replace(diag, message=general.message, expected=general.expected, actual=general.actual, related=related)

    @property
    def first_error_index(self) -> int:
        idx = [
            self.model.layer_index(d.layer) for d in self.definite if d.layer is not None and _has(self.model, d.layer)
        ]
        return min(idx) if idx else -1

    @property
    def evaluated(self) -> int:
        return len(self.model.layers) - len(self.concrete[0].unchecked)


def _has(model: Model, layer_id: str) -> bool:
    return any(l.id == layer_id for l in model.layers)


def fmt_template(dims: tuple) -> str:
    if not dims:
        return "(unknown)"
    inner = ", ".join("None" if d is None else str(d) for d in dims)
    return f"({inner},)" if len(dims) == 1 else f"({inner})"


def check_symbolic(model: Model, check: Check, run_layer: RunLayer):
    """Check a model with symbolic input dimensions (see the module doc)."""
    runs = [RankRun(model, t, check, run_layer) for t in templates(model)]
    passing = [r for r in runs if not r.unlikely and not r.finish().definite]
    if not passing:  # every likely rank fails: the verdict needs every rank fully checked
        passing = [r for r in runs if not r.finish().definite]
    if passing:
        chosen = max(passing, key=lambda r: r.evaluated)
        diagnostics = [d for d in chosen.open.diagnostics if d.severity != "error"]
        diagnostics += conditions(chosen, check)
        if len(runs) > 1 and len(passing) < len(runs):
            diagnostics.append(rank_note(model, runs, passing))
    else:
        chosen = runs[0] if len(runs) == 1 else min(runs, key=lambda r: (len(r.definite), -r.first_error_index))
        diagnostics = [d for d in chosen.open.diagnostics if d.severity != "error"] + failing_everywhere(runs, chosen)
    return merged_result(model, chosen, diagnostics)


SHAPE_KINDS = {
    "rank_mismatch",
    "merge_shape_mismatch",
    "non_positive_dim",
    "reshape_size",
    "undefined_dim",
    "incompatible_shape",
    "weight_shape",
}


def failing_everywhere(runs: list, chosen: RankRun) -> list[Diagnostic]:
    """The errors to report when every rank fails: those every rank shares, else the
    chosen rank's, told as failing for every rank."""
    if len(runs) == 1:
        return chosen.definite
    shared = set.intersection(*({(d.layer, d.kind) for d in r.definite} for r in runs))
    kept = [d for d in chosen.definite if (d.layer, d.kind) in shared] or chosen.definite
    return [replace(d, message=d.message + every_rank_suffix()) if d.kind in SHAPE_KINDS else d for d in kept]


def every_rank_suffix() -> str:
    ranks = ", ".join(f"{r}-D" for r in RANKS)
    return f" (the input rank is not known statically: this fails for every rank tried, {ranks}, and every size)"


def rank_note(model: Model, runs: list, passing: list) -> Diagnostic:
    ok = sorted({len(next(iter(r.template.values()), ())) for r in passing})
    text = " or ".join(f"{n}-D" for n in ok)
    return Diagnostic(
        kind="rank_mismatch",
        severity="info",
        message=f"the input rank of model `{model.name}` is not known statically; its layers accept a {text} input "
        "(batch axis included) and fail for the other ranks",
        span=model.span,
    )


def merged_result(model: Model, chosen: RankRun, diagnostics: list):
    """The open run's result, with every dimension the concrete runs agree on filled in."""
    result = chosen.open
    shapes: dict[str, list] = {}
    for nid, outs in result.shapes.items():
        shapes[nid] = [
            merge_shape(
                s,
                [
                    r.shapes.get(nid, [None] * (i + 1))[i] if i < len(r.shapes.get(nid, [])) else None
                    for r in chosen.concrete
                ],
            )
            for i, s in enumerate(outs)
        ]
    result.model = model
    result.shapes = shapes
    result.output_shapes = []
    for e in model.outputs:
        outs = shapes.get(e.node)
        result.output_shapes.append(outs[e.index] if outs and e.index < len(outs) else None)
    result.diagnostics = diagnostics
    evaluated = set()
    for r in chosen.concrete:
        evaluated |= {l.id for l in model.layers if l.id not in r.unchecked}
    result.unchecked = [l.id for l in model.layers if l.id not in evaluated]
    return result


def merge_shape(open_shape, concrete: list):
    """A dimension known in the open run, or equal in every concrete run, is known."""
    if any(s is None for s in concrete) or len({len(s) for s in concrete}) != 1:
        return open_shape
    if open_shape is not None and len(open_shape) != len(concrete[0]):
        return open_shape
    dims = []
    for i in range(len(concrete[0])):
        o = open_shape[i] if open_shape is not None else None
        vals = {s[i] for s in concrete}
        dims.append(o if o is not None else (vals.pop() if len(vals) == 1 else None))
    return tuple(dims)


# ---- conditions (info findings) -------------------------------------------


def conditions(run: RankRun, check: Check) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    # scans are 48 checks each: on a large model the finding gives a failing example only
    budget = [MAX_SCANS if len(run.model.layers) <= MAX_SCAN_LAYERS else 0]
    for key, diag in run.conditional:
        cond, example = condition_text(run, key, check, budget)
        msg = (
            f"{diag.layer or 'a layer'} holds only for some values of the input shape "
            f"{fmt_template(first_template(run))}, which is not known statically: {cond} "
            f"(with {example}, Keras rejects it: {diag.message})"
        )
        out.append(replace(diag, severity="info", message=msg, related=()))
    return out


def first_template(run: RankRun) -> tuple:
    for inp in run.model.inputs:
        dims = run.template.get(inp.id)
        if dims and any(isinstance(d, str) for d in dims):
            return dims
    return ()


def condition_text(run: RankRun, key: tuple, check: Check, budget: list) -> tuple[str, str]:
    """(the condition found by scanning one symbol at a time, an instantiation that fails)."""
    sets = [probe_set(run.symbols, k) for k in range(len(PROBE_BASES))]
    sets += [value_set(run.symbols, k) for k in range(len(BASES))]
    failing = run.probes + run.concrete
    vals = sets[next((k for k, r in enumerate(failing) if key in error_keys(r)), 0)]
    example = ", ".join(f"{s}={vals[s]}" for s in run.symbols)
    base = value_set(run.symbols, 0)
    prefix = run.model  # the layers up to the failing one are enough to judge it
    if key[0] is not None and _has(run.model, key[0]):
        prefix = replace(run.model, layers=run.model.layers[: run.model.layer_index(key[0]) + 1], outputs=())
    for s in run.symbols:
        if budget[0] <= 0:
            break
        budget[0] -= 1
        verdicts = {}
        for v in SCAN_VALUES:
            values = dict(base)
            values[s] = v
            res = check(instantiate(prefix, run.template, values))
            # a layer not reached (an earlier one failed) says nothing about this value
            verdicts[v] = False if key in error_keys(res) else (None if key[0] in res.unchecked else True)
        text = describe(s, verdicts)
        if text is not None:
            return text, example
    return "the condition was not found by scanning one dimension at a time", example


def describe(symbol: str, verdicts: dict) -> str | None:
    """'needs s >= t' or 'needs s divisible by m' when the scan shows exactly that."""
    known_v = {v: ok for v, ok in verdicts.items() if ok is not None}
    passing = [v for v, ok in known_v.items() if ok]
    failing = [v for v, ok in known_v.items() if not ok]
    if not passing or not failing:
        return None
    t = min(passing)
    if len(passing) == 1:
        tried = f"{min(known_v)}..{max(known_v)}"
        return f"needs {symbol} == {t} (the only value of {tried} tried that works)"
    if all(ok == (v >= t) for v, ok in known_v.items()):
        return f"needs {symbol} >= {t}"
    for m in range(2, 65):
        if all(ok == (v % m == 0) for v, ok in known_v.items()):
            return f"needs {symbol} divisible by {m}"
        if all(ok == (v >= t and v % m == 0) for v, ok in known_v.items()):
            return f"needs {symbol} >= {t} and divisible by {m}"
    return None
