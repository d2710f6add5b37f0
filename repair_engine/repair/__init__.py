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

from ..checker import CheckResult, check
from ..ir import Model
from .edits import Edit
from .proposals import model_errors, propose
from .search import Candidate, Limits, SearchOutcome, limits_from, not_found_diagnostic, search


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


PATCHABLE_FORMATS = ("python",)
# formats whose frontend writes a repaired model back as text (`patch_text`)
TEXT_FRONTENDS = ("keras_json", "exais_spec")


def json_text(fmt: str, text: str, original: Model, repaired: Model) -> str | None:
    """The Keras JSON / ExAIS spec text with `repaired` written in (None when it
    cannot be written): the frontend's `patch_text` (values, inserted/removed/
    replaced layers of a chain, weights), then our value-only JSON patch."""
    import importlib

    try:
        mod = importlib.import_module(f"repair_engine.frontends.{fmt}")
        new_text = mod.patch_text(text, original, repaired)
    except Exception:  # a frontend failure only means no text for this candidate
        new_text = None
    if new_text is not None and new_text != text:
        return new_text
    if fmt == "keras_json":
        from .patch_json import patch_json

        try:
            return patch_json(text, original, repaired).new_text
        except Exception:
            return None
    return None


def fix_file(file_result: Any, check_results: list, config: Any = None, verify: bool | None = None) -> FileFix:
    """Repair every invalid model of one file (see FileFix). `verify=False` skips
    the real-Keras build (the patched source is still re-read and re-checked)."""
    from .diffs import unified_diff
    from .patch_python import Patcher, PatchError, patch_model
    from .verify import keras_enabled
    from .verify import verify as run_verify

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
        if res is None or not model_errors(res):
            continue
        outcome = search(
            model,
            limits,
            costs,
            original=res,
            batch_inputs=batch_inputs(model, text),
            successors=writable_moves(text) if fmt in PATCHABLE_FORMATS else propose,
        )
        candidates = ([outcome.best] if outcome.best else []) + list(outcome.alternatives)
        if not candidates:
            fix.repairs[idx] = None
            fix.diagnostics.append(not_found_diagnostic(model, outcome))
            continue
        written: list[tuple[Any, str | None]] = []  # (candidate, new_text or None)
        problems = []
        for cand in candidates:
            if text is not None and fmt in PATCHABLE_FORMATS:
                try:
                    patch = patch_model(text, model, cand.model).result()
                except PatchError as exc:
                    problems.append(str(exc))
                    continue
                except Exception as exc:  # unexpected source layout: this candidate is not writable
                    problems.append(f"{type(exc).__name__} while writing the patch")
                    continue
                written.append((cand, patch.new_text))
            elif text is not None and fmt in TEXT_FRONTENDS:
                # the frontend writes value and chain-structural edits in the file's
                # own conventions; a repair it cannot express stays IR-only
                written.append((cand, json_text(fmt, text, model, cand.model)))
            else:
                written.append((cand, None))
        if not written:
            fix.repairs[idx] = None
            fix.diagnostics.append(_unpatchable(model, problems))
            continue
        best, best_text = written[0]
        ver = run_verify(best.model, fmt if best_text is not None else None, path, best_text, idx, use_oracle)
        repair = _repair_json(path, model, res, best, text, best_text, ver.verified)
        repair["alternatives"] = [
            {
                "cost": round(c.cost, 3),
                "edits": _edits_json(path, model, c.edits, text),
                "diff": unified_diff(text, t, path) if (t is not None and text is not None) else "",
            }
            for c, t in written[1 : 1 + limits.alternatives]
        ]
        fix.repairs[idx] = repair
        if combined_ok and best_text is not None:
            try:
                patch_model(text, model, best.model, patcher=combined)
                any_applied = True
            except Exception:  # collisions between models' patches: fall back below
                combined_ok = False
    if combined is not None and combined_ok and any_applied:
        try:
            fix.new_text = combined.result().new_text
        except Exception:
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


def writable_moves(text: str | None):
    """The proposals, less weight changes the Python patch cannot write: supplied
    arrays are data; only a `set_weights([...])` call building them from literal
    shapes (np.zeros((64, 3, 3, 3))) can be rewritten."""
    from .patch_python import weights_writable

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
    from .patch_python import PatchError, Source, declares_batch

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
    return Diagnostic(
        kind="repair_not_found",
        severity="warning",
        span=model.span,
        message=f"a repair of model {model.name} was found but cannot be written into the source: {why}",
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
    verified: bool | None,
) -> dict:
    from .diffs import line_edits, unified_diff

    diff = unified_diff(text, new_text, path) if (text is not None and new_text is not None) else ""
    return {
        "cost": round(cand.cost, 3),
        "verified": verified,
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
    from .patch_python import count_name_uses

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
                and count_name_uses(text, src.origin_name) == 2
            )
        ):
            return src.origin.line
        if src.span is not None:
            return src.span.line
    span = getattr(node, "shape_span", None) or getattr(node, "span", None)
    return span.line if span is not None else (model.span.line if model.span else None)


def _written_as(text: str, span, name: str) -> bool:
    """The value at `span` is written as the bare name `name` (the patch then
    changes the constant's definition, see patch_python)."""
    from .patch_python import PatchError, Source

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
        except Exception:
            pass
    return out


__all__ = ["RepairResult", "repair_model", "FileFix", "fix_file", "Edit", "Limits", "Candidate"]
