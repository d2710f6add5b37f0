"""Frontends: files -> IR models.

Every frontend exposes `load(path: str, data: bytes) -> FileResult` and a cheap
`sniff(path: str, data: bytes) -> bool` that says whether the file holds a model
definition it understands (content-based, used for folder walks).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FileResult:
    path: str
    # "python" | "keras_json" | "keras_archive" | "h5" | "exais_spec"
    format: str
    models: list = field(default_factory=list)  # list[ir.Model]
    # file-level findings (parse errors, limits, unsupported constructs
    # outside any model), as diagnostics.Diagnostic
    diagnostics: list = field(default_factory=list)
    # the decoded text, for frontends that patch source (python, JSON)
    text: str | None = None
