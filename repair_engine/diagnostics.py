"""Diagnostics: stable codes, kinds and the structured record every check returns.

Codes are stable and documented one per entry in docs/diagnostics.md
(NNR1xx shapes, NNR2xx arguments, NNR3xx weights, NNR4xx source/legacy,
NNR5xx data). Never renumber or rename; add new ones at the end of a group.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .ir import Span

# kind -> code. Kinds are the CLI contract's stable `kind` values.
CODES: dict[str, str] = {
    "rank_mismatch": "NNR101",
    "merge_shape_mismatch": "NNR102",
    "non_positive_dim": "NNR103",
    "reshape_size": "NNR104",
    "undefined_dim": "NNR105",
    "incompatible_shape": "NNR106",  # a layer's input_spec (e.g. fixed last axis) is violated
    "invalid_argument": "NNR201",
    "weight_shape": "NNR301",
    "legacy_api": "NNR401",
    "unsupported_construct": "NNR402",
    "parse_error": "NNR403",
    "limit_exceeded": "NNR404",
    "data_shape_mismatch": "NNR501",  # the data vs a model input
    "data_target_mismatch": "NNR502",  # the targets vs the model output, through the loss
    "data_label_encoding": "NNR503",  # class indices vs one-hot targets for the loss
    "data_sample_count": "NNR504",  # arrays of one call hold different numbers of samples
    "repair_not_found": "NNR601",
}

# Sub-codes: a finer code inside one kind, so that a user can suppress
# "unknown keyword" apart from "value out of range". The family code (the
# kind's code) stays accepted wherever codes are selected: `ignore:` and
# `severity:` in .nnrepair.yml and `# nnrepair: ignore[...]` comments, so
# `ignore[NNR201]` still silences every NNR20x.
SUBCODES: dict[str, tuple[str, str]] = {
    # code: (kind, what it flags)
    "NNR202": ("invalid_argument", "a keyword argument the constructor does not accept"),
    "NNR203": ("invalid_argument", "a value outside the argument's choices"),
    "NNR204": ("invalid_argument", "an identifier (activation, initializer, regularizer, constraint) Keras cannot use"),
    "NNR205": ("invalid_argument", "too many positional arguments, or one given again by keyword"),
}


def family_of(code: str) -> str:
    """The family code a sub-code belongs to (NNR202 -> NNR201); a code is its own family."""
    sub = SUBCODES.get(code)
    return CODES[sub[0]] if sub is not None else code


def code_selected(code: str, selected) -> bool:
    """True when `code` or its family is among the `selected` codes."""
    return code in selected or family_of(code) in selected


SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Related:
    span: Span
    message: str

    def to_json(self) -> dict:
        d = self.span.to_json()
        return {"file": d["file"], "line": d["line"], "col": d["col"], "message": self.message}


@dataclass(frozen=True)
class Diagnostic:
    kind: str
    message: str
    severity: str = "error"
    span: Span | None = None
    layer: str | None = None  # layer id
    layer_kind: str | None = None
    argument: str | None = None  # the argument to blame, if any
    expected: str | None = None
    actual: str | None = None
    related: tuple[Related, ...] = ()
    # machine-readable hints for the repair search, e.g.
    # {"arg": "pool_size", "max": 3} or {"need_rank": 4, "got_rank": 3}
    hint: Any = None
    # a sub-code of the kind's code (SUBCODES), None for the kind's own code
    subcode: str | None = None

    @property
    def code(self) -> str:
        if self.subcode is not None:
            return self.subcode
        return CODES.get(self.kind, "NNR999")

    def at(self, span: Span | None) -> Diagnostic:
        return replace(self, span=span) if span is not None else self

    def to_json(self, file: str | None = None) -> dict:
        out: dict[str, Any] = {
            "code": self.code,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
        }
        if self.span is not None:
            out.update(self.span.to_json())
        else:
            out.update({"file": file, "line": None, "col": None, "end_line": None, "end_col": None})
        out["layer"] = self.layer
        out["expected"] = self.expected
        out["actual"] = self.actual
        if self.related:
            out["related"] = [r.to_json() for r in self.related]
        return out


def fmt_shape(shape) -> str:
    """(None, 28, 28) -> '(None, 28, 28)'; unknown rank -> '(unknown)'."""
    if shape is None:
        return "(unknown)"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    if len(shape) == 1:
        inner += ","
    return f"({inner})"
