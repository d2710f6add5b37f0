"""The migration report: what in Keras 2 code breaks (or changes meaning) on Keras 3, with the fix of each.

    nnrepair check --target keras3 --report migration PATH...

The files are analysed twice, under keras2 (the Keras they run on today) and under keras3.
A migration item is a Keras 3 finding (error or warning) with no Keras 2 finding at the same
place: something that works today and breaks, or is read differently, after the upgrade.
Its fix is the finding's own advice (the diagnostic says what to write), plus the repair the
search finds under Keras 3 for the model (`nnrepair fix --target keras3`). Faults that fail on
both are not migration items: `nnrepair check` reports them.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, replace

from .config import Config

MIGRATION_FROM = "keras2"
MIGRATION_TO = "keras3"


@dataclass(frozen=True)
class Item:
    file: str
    model: str
    diagnostic: object  # Diagnostic under Keras 3
    repair: tuple = ()  # descriptions of the Keras 3 repair's edits for this model, if any

    def to_json(self) -> dict:
        d = self.diagnostic.to_json(self.file)  # type: ignore[attr-defined]
        d["model"] = self.model
        d["repair"] = list(self.repair)
        return d


def _place(file: str, d) -> tuple:
    s = d.span
    return (file, s.line, d.layer) if s is not None else (file, None, d.message)


def migration_items(paths: list, config: Config, fix: bool = True):
    """(Keras 3 report, items): the findings Keras 3 adds to the Keras 2 verdict of `paths`."""
    from .api import analyze_paths

    before = analyze_paths(paths, config=replace(config, target=MIGRATION_FROM), verify=False)
    after = analyze_paths(paths, fix=fix, config=replace(config, target=MIGRATION_TO), verify=False)
    return after, _new_findings(before, after)


def migration_items_of_sources(sources: dict, config: Config, fix: bool = True):
    """migration_items on in-memory files {path: text or bytes} (the bot's scan)."""
    from .api import analyze

    before = analyze(sources, config=replace(config, target=MIGRATION_FROM), verify=False)
    after = analyze(sources, fix=fix, config=replace(config, target=MIGRATION_TO), verify=False)
    return after, _new_findings(before, after)


def _new_findings(before, after) -> list:
    today = {_place(m.file, d) for m in before.models for d in m.diagnostics}
    items = []
    for m in after.models:
        edits = (m.repair or {}).get("edits") or []
        for d in m.diagnostics:
            if d.severity in ("error", "warning") and not _about_repair(d) and _place(m.file, d) not in today:
                items.append(Item(m.file, m.name, d, _edits_at(edits, d)))
    return items


def _about_repair(d) -> bool:
    """A note on the repair search itself (NNR6xx, e.g. no verified repair): not something Keras 3 rejects."""
    return d.code.startswith("NNR6")


def _edits_at(edits: list, d) -> tuple:
    """The repair's edits on the finding's line (a model's repair may also fix faults Keras 2 has too)."""
    line = d.span.line if d.span is not None else None
    return tuple(e.get("description", e.get("op", "")) for e in edits if line is not None and e.get("line") == line)


def render_text(items: list) -> str:
    lines = []
    for it in items:
        d = it.diagnostic
        loc = f"{it.file}:{d.span.line}:{d.span.col}" if d.span is not None else it.file
        lines.append(f"{loc}: {d.code} {d.severity} on Keras 3: {d.message}")
        for e in it.repair:
            lines.append(f"  repair: {e}")
    breaks = sum(1 for it in items if it.diagnostic.severity == "error")
    lines.append(
        f"migration keras2 -> keras3: {len(items)} finding{'s' if len(items) != 1 else ''} "
        f"({breaks} that Keras 3 rejects, {len(items) - breaks} read differently or deprecated)"
    )
    return "\n".join(lines) + "\n"


def render_json(report, items: list) -> str:
    out = report.to_json()
    out["migration"] = {
        "from": MIGRATION_FROM,
        "to": MIGRATION_TO,
        "items": [it.to_json() for it in items],
    }
    return json.dumps(out, indent=2) + "\n"


def run_migration(args, config: Config) -> int:
    """The CLI's `check --report migration`: 1 when something breaks on Keras 3, 0 otherwise."""
    if getattr(args, "target", None) not in (None, MIGRATION_TO):
        sys.stderr.write("nnrepair: --report migration lists what breaks on Keras 3: use it with --target keras3\n")
        return 2
    if args.format not in ("text", "json"):
        sys.stderr.write("nnrepair: --report migration prints text or json\n")
        return 2
    report, items = migration_items(args.paths, config)
    for msg in report.errors:
        sys.stderr.write(f"nnrepair: {msg}\n")
    sys.stdout.write(render_text(items) if args.format == "text" else render_json(report, items))
    if report.errors and not report.models:
        return 2
    return 1 if any(it.diagnostic.severity == "error" for it in items) else 0
