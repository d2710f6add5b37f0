"""Diagnostics: stable codes, kinds and the structured record every check returns.

Codes are stable and documented one per entry in docs/diagnostics.md, which is
generated from the finding classes of messages.py (NNR1xx shapes, NNR2xx
arguments, NNR3xx weights, NNR4xx source/legacy, NNR5xx data, NNR6xx repair).
Never renumber or rename; add new ones at the end of a group.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .ir import Span
from .messages import FINDINGS, Hint, family_classes

# kind -> code. Kinds are the CLI contract's stable `kind` values; the codes,
# titles and reference text are the finding classes' (messages.py).
CODES: dict[str, str] = {kind: cls.code for kind, cls in family_classes().items()}

# Sub-codes: a finer code inside one kind, so that a user can suppress
# "unknown keyword" apart from "value out of range". The family code (the
# kind's code) stays accepted wherever codes are selected: `ignore:` and
# `severity:` in .nnrepair.yml and `# nnrepair: ignore[...]` comments, so
# `ignore[NNR201]` still silences every NNR20x.
SUBCODES: dict[str, tuple[str, str]] = {
    code: (cls.kind, cls.title) for code, cls in FINDINGS.items() if cls.family is not None
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
    # the typed hint for the repair search (messages.Hint; a dict is read by
    # Hint.of, which rejects a misspelled key), e.g. Hint(arg="pool_size", max=3)
    hint: Any = None
    # a sub-code of the kind's code (SUBCODES), None for the kind's own code
    subcode: str | None = None

    def __post_init__(self) -> None:
        # a misspelled kind or sub-code is a bug where it is written, not an NNR999
        if self.kind not in CODES:
            raise ValueError(f"unknown diagnostic kind {self.kind!r}")
        if self.subcode is not None and SUBCODES.get(self.subcode, ("",))[0] != self.kind:
            raise ValueError(f"{self.subcode!r} is not a sub-code of {self.kind!r}")
        object.__setattr__(self, "hint", Hint.of(self.hint))

    @property
    def code(self) -> str:
        if self.subcode is not None:
            return self.subcode
        return CODES[self.kind]

    @property
    def finding(self):
        """The finding class (messages.py) of this diagnostic's code."""
        return FINDINGS[self.code]

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
