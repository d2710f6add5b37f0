"""Repair: the globally minimal edit search over the IR and formatting-preserving patches.

Public entry points
  repair_model(model, config=None) -> RepairResult | None      (IR only)
  fix_file(file_result, check_results, config=None) -> FileFix  (IR + source patch + verification)

See docs/repair.md for the edit operators and the cost model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .. import formats
from ..checker import CheckResult, check
from ..ir import Model
from ..patch.protocol import Failure, Success
from .edits import Edit, LegacyBatchInput, LegacyKeyword
from .proposals import model_errors, propose
from .search import Candidate, Limits, SearchOutcome, limits_from, not_found_diagnostic, search
from .sites import site_moves


@dataclass
class RepairResult:
    """The outcome of `repair_model`: the cheapest valid model and ranked alternatives.

    found        a valid model was reached
    model        the repaired model (or the closest partial one when not found)
    edits        the edit sequence, in application order
    cost         its total cost under the cost model
    alternatives further valid repairs, cheapest first (Candidate objects)
    diagnostic   Diagnostic(kind="repair_not_found") when not found
    """

    found: bool
    model: Model
    edits: tuple
    cost: float
    check: CheckResult
    keeps_output: bool = True
    alternatives: list = field(default_factory=list)
    diagnostic: Any = None
    expanded: int = 0
    elapsed_ms: float = 0.0


def repair_model(model: Model, config: Any = None, original: CheckResult | None = None) -> RepairResult | None:
    """Search the cheapest repair of `model`. None when the model is already valid."""
    original = original or check(model)
    if not model_errors(original):
        return None
    limits, costs = limits_from(config)
    outcome = search(model, limits, costs, original=original)
    return result_from(model, outcome)


def result_from(model: Model, outcome: SearchOutcome) -> RepairResult:
    if outcome.best is not None:
        b = outcome.best
        return RepairResult(
            found=True,
            model=b.model,
            edits=b.edits,
            cost=b.cost,
            check=b.result,
            keeps_output=b.keeps_output,
            alternatives=list(outcome.alternatives),
            expanded=outcome.expanded,
            elapsed_ms=outcome.elapsed_ms,
        )
    p = outcome.partial
    return RepairResult(
        found=False,
        model=p.model if p else model,
        edits=p.edits if p else (),
        cost=p.cost if p else 0.0,
        check=p.result if p else check(model),
        diagnostic=not_found_diagnostic(model, outcome),
        expanded=outcome.expanded,
        elapsed_ms=outcome.elapsed_ms,
    )


# ---- files ----------------------------------------------------------------------


@dataclass
class FileFix:
    """All repairs of one file.

    new_text     the file with every found repair applied together (None when
                 nothing could be written back, or the format is not patchable)
    repairs      model index -> the contract's repair JSON, or None when no
                 repair was found (a diagnostic in `diagnostics` says why);
                 valid models have no entry
    diagnostics  repair_not_found and patch problems, as Diagnostic objects
    """

    path: str
    new_text: str | None = None
    repairs: dict = field(default_factory=dict)
    diagnostics: list = field(default_factory=list)


# Python source: one combined patch per file, legacy keywords rewritten (formats.py)
PATCHABLE_FORMATS = formats.source_formats()
# time spent verifying alternatives once the best repair is verified (they are
# dropped, never shown unverified, when it runs out)
ALTERNATIVES_VERIFY_MS = 400


def fix_file(file_result: Any, check_results: list, config: Any = None, verify: bool | None = None) -> FileFix:
    """Repair every invalid model of one file (see FileFix). `verify=False` skips
    the real-Keras build (the patched source is still re-read and re-checked)."""
    from ..patch.diffs import unified_diff
    from ..patch.python import Patcher, PatchError, patch_model
    from .verify import keras_enabled, prepare_keras

    path = file_result.path
    text = file_result.text
    fmt = file_result.format
    use_oracle = keras_enabled(config) if verify is None else bool(verify)
    limits, costs = limits_from(config)
    fix = FileFix(path=path)
    combined = (
        Patcher(text, file_result.models[0])
        if (text is not None and fmt in PATCHABLE_FORMATS and file_result.models)
        else None
    )
    combined_ok = combined is not None
    any_applied = False
    for idx, (model, res) in enumerate(zip(file_result.models, check_results)):
        if res is None:
            continue
        legacy = legacy_edits(model) if fmt in PATCHABLE_FORMATS else []
        if legacy or model_errors(res):
            prepare_keras(use_oracle)  # Keras imports in the worker while the search runs
        if not model_errors(res):
            if not legacy:
                continue
            # valid as read, but written with keywords Keras 3 rejects: the
            # repair is those keywords in their Keras 3 spelling
            outcome = SearchOutcome(best=Candidate(model=model, edits=(), cost=0.0, result=res))
        else:
            outcome = _search_file(model, res, limits, costs, fmt, text)
        candidates = ([outcome.best] if outcome.best else []) + list(outcome.alternatives)
        if legacy:
            candidates = [_with_legacy(c, legacy, costs) for c in candidates]
        if not candidates:
            fix.repairs[idx] = None
            fix.diagnostics.append(not_found_diagnostic(model, outcome))
            continue
        accepted, problems = verified_candidates(
            candidates, model, fmt, path, text, idx, use_oracle, want=1 + limits.alternatives
        )
        if not accepted:
            fix.repairs[idx] = None
            fix.diagnostics.append(_unpatchable(model, problems))
            continue
        best, best_text, ver = accepted[0]
        repair = _repair_json(path, model, res, best, text, best_text, ver)
        repair["alternatives"] = [
            {
                "cost": round(c.cost, 3),
                "edits": _edits_json(path, model, c.edits, text),
                "diff": unified_diff(text, t, path) if (t is not None and text is not None) else "",
                "verified_by": v.by,
            }
            for c, t, v in accepted[1:]
        ]
        fix.repairs[idx] = repair
        if combined_ok and best_text is not None:
            try:
                patch_model(text, model, best.model, patcher=combined)
                any_applied = True
            except PatchError:  # collisions between models' patches: fall back below
                combined_ok = False
    if combined is not None and combined_ok and any_applied:
        try:
            fix.new_text = combined.result().new_text
        except PatchError:
            fix.new_text = None
        verified_texts = {r.get("_new_text") for r in fix.repairs.values() if r}
        if fix.new_text is not None and fix.new_text not in verified_texts and not _whole_text_valid(fix, fmt):
            fix.new_text = None
    if fix.new_text is None:
        # repairs of different models collide (or a JSON file): the first one alone
        for r in fix.repairs.values():
            if r and r.get("_new_text"):
                fix.new_text = r["_new_text"]
                break
    for r in fix.repairs.values():
        if r:
            r.pop("_new_text", None)
    return fix


def _search_file(
    model: Model, res: CheckResult, limits: Limits, costs: Any, fmt: str, text: str | None
) -> SearchOutcome:
    return search(
        model,
        limits,
        costs,
        original=res,
        batch_inputs=batch_inputs(model, text),
        successors=site_moves(writable_moves(text) if fmt in PATCHABLE_FORMATS else propose, text),
    )


def legacy_edits(model: Model) -> list:
    """One report entry per call site written with a Keras 1/2 keyword Keras 3 rejects."""
    from ..patch.python import rejected_legacy

    out: list = []
    seen = set()
    for layer in model.layers:
        for modern, old in rejected_legacy(layer):
            key = (layer.span, old)
            if key not in seen:
                seen.add(key)
                out.append(LegacyKeyword(target=layer.id, arg=old, new_arg=modern))
    for inp in model.inputs:
        if inp.declared_as == "batch_input_shape" and isinstance(inp.shape, tuple):
            first = next((l for l in model.layers if any(e.node == inp.id for e in l.inputs)), None)
            if first is not None and (first.span, "batch_input_shape") not in seen:
                seen.add((first.span, "batch_input_shape"))
                out.append(LegacyBatchInput(target=first.id, shape=inp.shape))
    return out


def _with_legacy(cand: Candidate, legacy: list, costs: Any) -> Candidate:
    """The candidate with the legacy keyword rewrites reported as its edits (the
    patch writes them for every candidate; the IR already holds the Keras 3 names)."""
    from dataclasses import replace as dc_replace

    extra = round(costs.w("flagged_fix") * len(legacy), 6)
    return dc_replace(cand, edits=tuple(legacy) + tuple(cand.edits), cost=round(cand.cost + extra, 6))


def _whole_text_valid(fix: FileFix, fmt: str) -> bool:
    """Every model's repair written together still compiles and re-checks clean."""
    from .verify import compiles, reextract

    if fix.new_text is None or compiles(fix.new_text, fix.path) is not None:
        return False
    for idx, rep in fix.repairs.items():
        if not rep:
            continue
        m, _ = reextract(fmt, fix.path, fix.new_text, idx, None)
        if m is None or model_errors(check(m)):
            return False
    return True


def candidate_text(cand: Candidate, model: Model, fmt: str, text: str | None) -> tuple[str | None, str | None]:
    """(the file's text with this repair written in, or None; why it could not be written).

    The format's writer (formats.py, patch/protocol.py) writes it; a refusal of a
    Python source drops the candidate, a refusal of a config leaves the repair
    without a diff. A crash of the writer is a bug: it reaches api's boundary."""
    outcome = formats.write(fmt, text, model, cand.model)
    if isinstance(outcome, Success):
        return outcome.text, None
    if fmt in PATCHABLE_FORMATS and isinstance(outcome, Failure):
        return None, outcome.reason
    return None, None


def verified_candidates(
    candidates: list, model: Model, fmt: str, path: str, text: str | None, idx: int, use_oracle: bool, want: int
) -> tuple[list, list]:
    """The candidates, cheapest first, whose exact text passes the end-to-end
    verification (see verify.verify), up to `want` of them; and why the others
    were refused. A candidate that fails is never suggested: the next one is tried."""
    import time

    from .verify import verify as run_verify

    accepted: list = []
    problems: list = []
    start = time.perf_counter()
    for cand in candidates:
        if accepted and (time.perf_counter() - start) * 1000 > ALTERNATIVES_VERIFY_MS:
            break  # alternatives are a courtesy; an unverified one is never shown
        new_text, problem = candidate_text(cand, model, fmt, text)
        if problem is not None:
            problems.append(problem)
            continue
        ver = run_verify(cand.model, fmt if new_text is not None else None, path, new_text, idx, use_oracle)
        if not ver.verified:
            problems.append(ver.reason or "the repair could not be verified")
            continue
        accepted.append((cand, new_text, ver))
        if len(accepted) >= want:
            break
    return accepted, problems


def writable_moves(text: str | None):
    """The proposals, less weight changes the Python patch cannot write: supplied
    arrays are data; only a `set_weights([...])` call building them from literal
    shapes (np.zeros((64, 3, 3, 3))) can be rewritten."""
    from ..patch.python import weights_writable

    seen: dict = {}

    def writable(e) -> bool:
        key = (e.old, e.new)
        if key not in seen:
            seen[key] = weights_writable(text, e.old, e.new)
        return seen[key]

    def moves(m: Model, res: CheckResult) -> list:
        return [e for e in propose(m, res) if e.op != "set_weights" or writable(e)]

    return moves


def batch_inputs(model: Model, text: str | None) -> frozenset:
    """Inputs declared as `input_shape=X.shape`: the data's sample axis is in the shape."""
    from ..patch.python import PatchError, Source, declares_batch

    if text is None:
        return frozenset()
    src = Source(text)
    out = set()
    for inp in model.inputs:
        if inp.shape_span is None or declares_batch(inp):
            continue
        try:
            a, b = src.span(inp.shape_span)
        except PatchError:
            continue
        if re.search(r"\.shape\s*$", text[a:b]):
            out.add(inp.id)
    return frozenset(out)


def _unpatchable(model: Model, problems: list):
    from ..diagnostics import Diagnostic

    why = problems[0] if problems else "the repair cannot be written back"
    more = f" ({len(problems)} candidates refused)" if len(problems) > 1 else ""
    return Diagnostic(
        kind="repair_not_found",
        severity="warning",
        span=model.span,
        message=f"no verified repair of model {model.name}: the best candidate was refused because {why}{more}; the file is left unchanged",
    )


def _shapes_json(shapes: list) -> list:
    return [list(s) if s is not None else None for s in shapes]


def _repair_json(
    path: str,
    model: Model,
    before: CheckResult,
    cand: Candidate,
    text: str | None,
    new_text: str | None,
    ver: Any,
) -> dict:
    from ..patch.diffs import line_edits, unified_diff

    diff = unified_diff(text, new_text, path) if (text is not None and new_text is not None) else ""
    return {
        "cost": round(cand.cost, 3),
        "verified": ver.verified,
        "verified_by": ver.by if ver.verified else None,
        "keras_backend": ver.backend if ver.verified else None,  # which Keras backend built it (docs/repair.md)
        "edits": _edits_json(path, model, cand.edits, text),
        "diff": diff,
        "alternatives": [],
        "line_edits": line_edits(text, new_text, path) if (text is not None and new_text is not None) else [],
        "output_shapes_before": _shapes_json(before.output_shapes),
        "output_shapes_after": _shapes_json(cand.result.output_shapes),
        "keeps_output_shape": cand.keeps_output,
        "_new_text": new_text,
    }


def edit_line(model: Model, edit: Edit, text: str | None = None) -> int | None:
    """The source line an edit points at: the argument (or the constant it is
    changed at), the input shape, or the layer call."""
    from ..patch.python import Source, origin_is_site

    try:
        node = model.node(edit.target)
    except KeyError:
        return model.span.line if model.span else None
    arg = getattr(edit, "arg", None)
    src = None
    if arg and hasattr(node, "arg_sources") and arg in node.arg_sources:
        src = node.arg_sources[arg]
    elif edit.op == "set_input_shape":
        src = getattr(node, "shape_source", None)
    if src is not None:
        if src.origin is not None and (
            src.span is None
            or (
                text is not None
                and src.origin_name
                and _written_as(text, src.span, src.origin_name)
                and origin_is_site(Source(text), model, src, _new_values(model, edit))
            )
        ):
            return src.origin.line
        if src.span is not None:
            return src.span.line
    span = getattr(node, "shape_span", None) or getattr(node, "span", None)
    return span.line if span is not None else (model.span.line if model.span else None)


def _new_values(model: Model, edit: Edit):
    """layer id, argument -> the value after `edit` (for the line a report points at)."""
    try:
        after = {l.id: l for l in edit.apply(model).layers}
    except Exception:
        after = {l.id: l for l in model.layers}

    def value(lid: str, arg: str) -> Any:
        layer = after.get(lid)
        return layer.args.get(arg, None) if layer is not None else None

    return value


def _written_as(text: str, span, name: str) -> bool:
    """The value at `span` is written as the bare name `name` (the patch then
    changes the constant's definition, see patch/python.py)."""
    from ..patch.python import PatchError, Source

    try:
        a, b = Source(text).span(span)
    except PatchError:
        return False
    return text[a:b].strip() == name


def _edits_json(path: str, model: Model, edits: tuple, text: str | None = None) -> list:
    out = []
    m = model
    for e in edits:
        out.append({"op": e.op, "file": path, "line": edit_line(model, e, text), "description": e.describe(m)})
        try:
            m = e.apply(m)
        except (KeyError, IndexError, TypeError, ValueError):  # as search.py: an edit that no longer applies
            pass
    return out


__all__ = ["RepairResult", "repair_model", "FileFix", "fix_file", "Edit", "Limits", "Candidate"]
