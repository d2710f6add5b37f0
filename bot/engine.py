"""The bot's only door into the engine: sources in, (report JSON, fixed texts) out."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

# The engine finds models by content; the bot only avoids fetching files that cannot hold one.
CANDIDATE_SUFFIXES = (".py", ".json", ".keras", ".h5", ".hdf5")
MAX_FILE_BYTES = 20 * 1024 * 1024


def is_candidate(path: str, size: int | None = None) -> bool:
    if size is not None and size > MAX_FILE_BYTES:
        return False
    return path.lower().endswith(CANDIDATE_SUFFIXES)


def is_manifest(path: str) -> bool:
    """A file the `auto` target reads (requirements*.txt, pyproject.toml, workflows ...): fetched too."""
    try:
        from repair_engine.target import is_manifest as _is_manifest
    except ImportError:
        return False
    return _is_manifest(path)


def upgrade_items(sources: dict[str, bytes], config: Any = None) -> list[dict]:
    """What breaks on Keras 3 in a repository that runs on Keras 2, with the fix of each
    (repair_engine.migration); [] when the repository already runs on Keras 3."""
    from repair_engine.api import analyze as _analyze
    from repair_engine.config import Config
    from repair_engine.migration import migration_items_of_sources

    config = config if isinstance(config, Config) else Config()
    if config.target == "keras3":
        return []
    if (
        config.target == "auto"
        and getattr(_analyze(sources, config=config, verify=False).target, "name", "") != "keras2"
    ):
        return []
    _, items = migration_items_of_sources(sources, config)
    return [it.to_json() for it in items]


def in_paths(path: str, prefixes: list[str]) -> bool:
    return not prefixes or any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


@dataclass
class Result:
    report: dict
    fixed_texts: dict[str, str] = field(default_factory=dict)


def load_config(path: str | None = None, text: str | None = None) -> Any:
    """repair_engine.config.load_config on a file, or on text fetched through the API."""
    try:
        from repair_engine.config import load_config as _load
    except ImportError:
        return None
    if text is not None:
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False, encoding="utf-8") as fh:
            fh.write(text)
            tmp = fh.name
        try:
            return _load(tmp)
        finally:
            os.unlink(tmp)
    return _load(path)


def analyze(sources: dict[str, bytes], *, fix: bool, config: Any = None, verify: bool = True) -> Result:
    from repair_engine.api import analyze as _analyze

    report = _analyze(sources, fix=fix, config=config, verify=verify)
    data = report.to_json()
    # `line_edits` live on the in-memory repair dicts; the bot needs them for suggestions
    for entry, model in zip(getattr(report, "models", []), data.get("models", [])):
        ir_model = getattr(entry, "model", None)
        if ir_model is not None and isinstance(getattr(ir_model, "layers", None), (list, tuple)):
            model.setdefault("layers", len(ir_model.layers))
        rep = getattr(entry, "repair", None)
        if isinstance(rep, dict) and isinstance(model.get("repair"), dict) and "line_edits" not in model["repair"]:
            model["repair"]["line_edits"] = rep.get("line_edits", [])
    return Result(report=data, fixed_texts=dict(getattr(report, "fixed_texts", {}) or {}))


def apply_config(report: dict, config: Any) -> dict:
    """The report as `config` would have produced it: ignored codes dropped, severities
    overridden, a model left without errors no longer invalid (nor repaired). For reports
    that did not come from this run's analysis (the two-phase artifact); a no-op on ours."""
    if config is None or not hasattr(config, "is_ignored"):
        return report
    models = []
    for m in report.get("models", []) or []:
        diags = [d for d in m.get("diagnostics", []) or [] if isinstance(d, dict)]
        kept = [
            dict(d, severity=config.severity_of(d.get("code", ""), d.get("severity", "error")))
            for d in diags
            if not config.is_ignored(d.get("code", ""))
        ]
        if kept == diags:
            models.append(m)
            continue
        m = dict(m, diagnostics=kept)
        if m.get("status") == "invalid" and not any(d.get("severity") == "error" for d in kept):
            m["status"] = "valid"
            m.pop("repair", None)
        models.append(m)
    return dict(report, models=models)


def empty_report() -> dict:
    return {"version": 1, "tool": {"name": "nnrepair", "version": "0.1.0"}, "models": []}
