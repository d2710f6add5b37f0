"""The engine API: files -> frontends -> checker -> (repair) -> Report.

    report = analyze_paths(["models/"], fix=True)
    report.to_json()          # the CLI contract's JSON v1
    report.exit_code("check") # the contract's exit codes
    report.fixed_texts        # path -> repaired file text (fix=True)

`analyze(sources)` does the same for in-memory contents (the bot passes the
files of a pull request). Nothing here raises for bad input: every failure is
a diagnostic, and internal errors are counted (exit code 2).
"""

from __future__ import annotations

import inspect
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any

from .config import Config
from .diagnostics import Diagnostic, code_selected
from .discover import MAX_BINARY_BYTES, MAX_TEXT_BYTES, SourceFile, collect, detect, display_path
from .frontends.python.project import Project, using
from .ir import Span

TOOL_NAME = "nnrepair"

_SUPPRESS_RE = re.compile(r"#\s*nnrepair\s*:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?")


_VERSION: str | None = None


def tool_version() -> str:
    """The installed package's version; from pyproject.toml when run from a checkout."""
    global _VERSION
    if _VERSION is None:
        _VERSION = _find_version()
    return _VERSION


def _find_version() -> str:
    pyproject = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pyproject.toml")
    try:
        with open(pyproject, encoding="utf-8") as f:
            m = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M)
        if m:
            return m.group(1)
    except OSError:
        pass
    try:
        from importlib.metadata import version

        return version("nnrepair")
    except ImportError:  # PackageNotFoundError: not installed, run from a checkout
        return "0.0.0"


@dataclass
class ModelReport:
    file: str
    name: str
    line: int | None
    status: str  # valid | invalid | unsupported
    input_shapes: list = field(default_factory=list)
    output_shapes: list = field(default_factory=list)
    diagnostics: list = field(default_factory=list)  # Diagnostic, after suppressions/config
    repair: dict | None = None
    # not serialized: for the bot and renderers
    model: Any = None
    check: Any = None
    format: str | None = None
    suppressed: int = 0

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "name": self.name,
            "line": self.line,
            "status": self.status,
            "input_shapes": [_shape_json(s) for s in self.input_shapes],
            "output_shapes": [_shape_json(s) for s in self.output_shapes],
            "diagnostics": [d.to_json(self.file) for d in self.diagnostics],
            "repair": _repair_json(self.repair),
        }

    @property
    def invalid(self) -> bool:
        return self.status == "invalid"


@dataclass
class Report:
    models: list = field(default_factory=list)
    fixed_texts: dict = field(default_factory=dict)  # path -> new text
    original_texts: dict = field(default_factory=dict)  # path -> text before the fix
    # messages for stderr: usage errors (missing PATHs), internal errors
    errors: list = field(default_factory=list)
    unreadable: int = 0
    internal_errors: int = 0
    fix: bool = False
    config: Config = field(default_factory=Config)
    file_results: dict = field(default_factory=dict)  # path -> FileResult
    # the Keras that judged the files and why (repair_engine/target.py); None = Keras 3, not resolved
    target: Any = None

    def to_json(self) -> dict:
        out = {
            "version": 1,
            "tool": {"name": TOOL_NAME, "version": tool_version()},
            "models": [m.to_json() for m in self.models],
        }
        if self.target is not None:  # an extension of JSON v1 (docs/cli.md)
            out["target"] = self.target.to_json()
        return out

    @property
    def diagnostics(self) -> list:
        return [d for m in self.models for d in m.diagnostics]

    def failing(self) -> bool:
        """An invalid model (or, with fail_on: warning, a warning) under the config's fail_on."""
        if self.config.fail_on == "none":
            return False
        if any(m.invalid for m in self.models):
            return True
        if self.config.fail_on == "warning":
            return any(d.severity == "warning" for d in self.diagnostics)
        return False

    def written(self, m: ModelReport) -> bool:
        """A repair exists and can be written into the file (a diff, or the file's fixed text)."""
        return m.repair is not None and bool(m.repair.get("diff") or m.file in self.fixed_texts)

    def unrepaired(self) -> list:
        """Invalid models left unrepaired: no repair, or one that cannot be written into the file."""
        return [m for m in self.models if m.invalid and not self.written(m)]

    def exit_code(self, command: str = "check") -> int:
        if self.errors or self.unreadable or self.internal_errors:
            return 2
        if command == "fix":
            if self.config.fail_on == "none":
                return 0
            return 1 if self.unrepaired() else 0
        return 1 if self.failing() else 0


def _shape_json(shape) -> list | None:
    if shape is None:
        return None
    return [d if isinstance(d, int) else None for d in shape]


def _repair_json(repair: dict | None) -> dict | None:
    if repair is None:
        return None
    return {k: v for k, v in repair.items() if k != "line_edits"}


# ---------------------------------------------------------------------------
# entry points


def analyze_paths(paths: list, *, fix: bool = False, config: Config | None = None, verify: bool = True) -> Report:
    config = config or Config()
    files, errors = collect(list(paths), config)
    report = Report(fix=fix, config=config, errors=list(errors))
    report.target = _resolve_target(config, paths, files)
    with using(_repository_on_disk(paths)):
        for sf in files:
            _analyze_file(sf, report, fix, config, verify)
    return report


def _repository_on_disk(paths: list) -> Project | None:
    """The repository the checked files belong to, for imports between its files
    (frontends/python/project.py): the folder given (or the common folder of
    several), a file's repository root when a file is given. Nothing above it is read."""
    from .target import repository_root

    roots = [os.path.abspath(p) if os.path.isdir(p) else repository_root(p) for p in paths if os.path.exists(p)]
    if not roots:
        return None
    try:
        root = os.path.commonpath(roots)
    except ValueError:  # different drives
        return None
    return Project(root=root, display=display_path)


def analyze(
    sources: dict,
    *,
    fix: bool = False,
    config: Config | None = None,
    verify: bool = True,
    context: dict | None = None,
) -> Report:
    """Analyze in-memory files {path: bytes}. Files that hold no model are skipped.
    `context` holds more files of the same repository {path: bytes} that are not
    checked but that the checked files may import (project.py)."""
    config = config or Config()
    report = Report(fix=fix, config=config)
    report.target = _resolve_target(config, [], [], sources)
    project = Project(sources={**_as_bytes(context or {}), **_as_bytes(sources)})
    with using(project):
        _analyze_sources(sources, report, fix, config, verify)
    return report


def _as_bytes(files: dict) -> dict:
    out = {}
    for path, data in files.items():
        key = os.path.normpath(str(path)).replace(os.sep, "/")
        out[key] = data.encode("utf-8") if isinstance(data, str) else data
    return out


def _analyze_sources(sources: dict, report: Report, fix: bool, config: Config, verify: bool) -> None:
    for path in sorted(sources):
        if not config.selects(path):
            continue
        data = sources[path]
        if isinstance(data, str):
            data = data.encode("utf-8")
        limit = MAX_BINARY_BYTES if data[:4] in (b"PK\x03\x04", b"\x89HDF") else MAX_TEXT_BYTES
        if len(data) > limit:
            sf = SourceFile(
                path=path,
                diagnostic=Diagnostic(
                    kind="limit_exceeded",
                    severity="warning",
                    message=f"the file is larger than {limit // (1024 * 1024)} MB; not checked",
                    span=Span(path, 1, 1),
                ),
            )
        else:
            mod = detect(path, data)
            if mod is None:
                continue
            sf = SourceFile(path=path, data=data, frontend=mod)
        _analyze_file(sf, report, fix, config, verify)


# ---------------------------------------------------------------------------
# one file


# The boundary (docs/architecture.md): the engine catches no broad exception
# inside; here, per file (reading it, repairing it) and per model (checking it),
# an unexpected exception is a bug, recorded as an internal error: exit code 2, a
# message on stderr, and an error diagnostic whose message starts "internal error"
# (kind unsupported_construct, a contract kind). Other files and models go on.
def _internal(report: Report, path: str, what: str, e: BaseException) -> Diagnostic:
    report.internal_errors += 1
    msg = f"internal error while {what}: {type(e).__name__}: {str(e)[:300]}"
    report.errors.append(f"{path}: {msg}")
    return Diagnostic(kind="unsupported_construct", severity="error", message=msg, span=Span(path, 1, 1))


def _resolve_target(config: Config, paths: list, files: list, sources: dict | None = None):
    """The target for this run: the config's (or --target's) choice, `auto` read from the repository."""
    from .target import repository_root, resolve

    if config.target != "auto":
        return resolve(config.target, None)
    existing = [p for p in paths if os.path.exists(p)]
    if config.source:
        root: str | None = os.path.dirname(os.path.abspath(config.source))
    else:
        root = repository_root(existing[0]) if existing else None
    texts = {sf.path: _head_text(sf.data) for sf in files if sf.data is not None}
    if sources is not None:  # in-memory files (the bot): no root (its config may be a temporary
        # file, so not even the config's folder); the manifests among them are the evidence
        texts = {p: _head_text(d if isinstance(d, bytes) else str(d).encode()) for p, d in sources.items()}
        root = None
    return resolve("auto", root, texts)


def _head_text(data: bytes | None) -> str:
    return data[:MAX_TEXT_BYTES].decode("utf-8", errors="replace") if data and data[:2] != b"PK" else ""


def _analyze_file(sf: SourceFile, report: Report, fix: bool, config: Config, verify: bool) -> None:
    from .target import judging

    name = report.target.for_file(_head_text(sf.data)) if report.target is not None else "keras3"
    with judging(name):
        _analyze_file_as(sf, report, fix, config, verify)


def _analyze_file_as(sf: SourceFile, report: Report, fix: bool, config: Config, verify: bool) -> None:
    if sf.diagnostic is not None:
        if sf.unreadable:
            report.unreadable += 1
        _file_entry(report, sf.path, [sf.diagnostic], config, None, None)
        return
    assert sf.frontend is not None  # discover gives a frontend or a diagnostic
    try:
        fr = sf.frontend.load(sf.path, sf.data)
    except Exception as e:  # the boundary, per file: a frontend bug must not stop the run
        _file_entry(report, sf.path, [_internal(report, sf.path, "reading the file", e)], config, None, None)
        return
    report.file_results[sf.path] = fr
    first_entry = len(report.models)
    text = fr.text
    from .checker import check

    checks = []
    entries = []
    for model in fr.models:
        try:
            result = check(model)
        except Exception as e:  # the boundary, per model
            result = None
            diag = _internal(report, sf.path, f"checking model {model.name}", e)
        entry = _model_entry(sf.path, model, result, config, text, fr.format)
        if result is None:
            entry.diagnostics.append(diag)
            entry.status = "unsupported"
        checks.append(result)
        entries.append(entry)
    if fix and any(e.invalid or _legacy_written(e) for e in entries):
        _repair(report, fr, checks, entries, config, verify)
    report.models.extend(entries)
    if fr.diagnostics and (not fr.models or any(d.severity in ("error", "warning") for d in fr.diagnostics)):
        _file_entry(report, sf.path, fr.diagnostics, config, text, fr.format)
    if getattr(fr, "notebook", None) is not None:  # notebook cells: locations and fixes back into the JSON
        from .patch import notebook

        notebook.finish(report, fr, report.models[first_entry:])


def _file_entry(report: Report, path: str, diags: list, config: Config, text, fmt) -> None:
    kept, suppressed = filter_diagnostics(diags, config, text, fmt)
    first = next((d.span.line for d in kept if d.span is not None), None)
    report.models.append(
        ModelReport(
            file=path,
            name=os.path.basename(path),
            line=first,
            status="unsupported",
            diagnostics=kept,
            format=fmt,
            suppressed=suppressed,
        )
    )


def _model_entry(path: str, model, result, config: Config, text, fmt) -> ModelReport:
    diags = list(result.diagnostics) if result is not None else list(model.notes)
    kept, suppressed = filter_diagnostics(diags, config, text, fmt, path)
    errors = [d for d in kept if d.severity == "error"]
    if result is None:
        status = "unsupported"
    elif errors and all(d.kind == "parse_error" for d in errors):
        status = "unsupported"  # the file is broken (e.g. a cyclic graph), not the model's shapes
    elif errors:
        status = "invalid"
    else:
        status = result.status
        if status == "invalid":  # every error was suppressed or downgraded
            status = "valid"
    line = model.span.line if model.span is not None else None
    if line is None and model.layers and model.layers[0].span is not None:
        line = model.layers[0].span.line
    return ModelReport(
        file=path,
        name=model.name,
        line=line,
        status=status,
        input_shapes=[i.shape for i in model.inputs],
        output_shapes=list(result.output_shapes) if result is not None else [],
        diagnostics=kept,
        model=model,
        check=result,
        format=fmt,
        suppressed=suppressed,
    )


def suppressed_codes(text, span: Span | None) -> set | None:
    """Codes suppressed by `# nnrepair: ignore[...]` comments on the span's lines;
    {"*"} for a bare `# nnrepair: ignore`; None when there is none.
    `text` is the file's text or its list of lines."""
    if not text or span is None or not span.line:
        return None
    lines = text.splitlines() if isinstance(text, str) else text
    last = span.end_line if span.end_line and span.end_line >= span.line else span.line
    found: set | None = None
    for ln in range(span.line, min(last, span.line + 50) + 1):
        if ln - 1 >= len(lines):
            break
        for m in _SUPPRESS_RE.finditer(lines[ln - 1]):
            found = found or set()
            if m.group(1) is None:
                found.add("*")
            else:
                found.update(c.strip().upper() for c in m.group(1).split(",") if c.strip())
    return found


def filter_diagnostics(
    diags: list, config: Config, text: str | None, fmt: str | None, path: str | None = None
) -> tuple[list, int]:
    """Apply config `ignore`/`severity` and inline suppressions (Python sources).
    With `path`, a diagnostic located in another file (a layer built by code
    imported from there) is not matched against this file's comments."""
    kept = []
    dropped = 0
    lines = text.splitlines() if (fmt == "python" and text and "nnrepair" in text) else None
    for d in diags:
        code = d.code
        if config.is_ignored(code):
            dropped += 1
            continue
        if lines is not None and (path is None or d.span is None or d.span.file == path):
            codes = suppressed_codes(lines, d.span)
            if codes is not None and ("*" in codes or code_selected(code, codes)):
                dropped += 1
                continue
        sev = config.severity_of(code, d.severity)
        kept.append(replace(d, severity=sev) if sev != d.severity else d)
    return kept, dropped


# ---------------------------------------------------------------------------
# repair


def _legacy_written(entry) -> bool:
    """The model is written with a Keras 1/2 keyword Keras 3 rejects (the repair rewrites it)."""
    m = getattr(entry, "model", None)
    if m is None:
        return False
    from .patch.python import rejected_legacy

    return any(rejected_legacy(l) for l in m.layers)


def _fix_file_function():
    try:
        from .repair import fix_file  # written separately; optional until it lands
    except ImportError:
        return None
    return fix_file


def _repair(report: Report, fr, checks: list, entries: list, config: Config, verify: bool) -> None:
    try:
        fix_file = _fix_file_function()
    except Exception as e:  # a broken installation: report it, keep the findings
        d = _internal(report, fr.path, "loading the repair engine", e)
        for entry in entries:
            if entry.invalid:
                entry.diagnostics.append(d)
        return
    if fix_file is None:
        for entry in entries:
            if entry.invalid:
                entry.diagnostics.append(
                    Diagnostic(
                        kind="repair_not_found",
                        severity="warning",
                        message="the repair engine is not available in this installation",
                        span=entry.model.span if entry.model is not None else None,
                    )
                )
        return
    # models whose check failed internally are not repaired
    usable = [c for c in checks]
    kwargs = {}
    try:
        if "verify" in inspect.signature(fix_file).parameters:
            kwargs["verify"] = verify
    except (TypeError, ValueError):
        pass
    try:
        ff = fix_file(fr, usable, config, **kwargs)
    except Exception as e:  # the boundary, per file: a crash while repairing or writing a patch
        d = _internal(report, fr.path, "searching a repair", e)
        for e2 in entries:
            if e2.invalid:
                e2.diagnostics.append(d)
                break
        return
    repairs = getattr(ff, "repairs", None) or {}
    for i, entry in enumerate(entries):
        if entry.invalid or repairs.get(i):
            entry.repair = repairs.get(i)
    new_text = getattr(ff, "new_text", None)
    if new_text is not None and new_text != fr.text:
        report.fixed_texts[fr.path] = new_text
        report.original_texts[fr.path] = fr.text or ""
    extra = list(getattr(ff, "diagnostics", None) or [])
    for d in extra:
        target = _entry_for(entries, d)
        kept, _ = filter_diagnostics([d], config, fr.text, fr.format)
        if target is not None:
            target.diagnostics.extend(kept)
        elif kept:
            report.models.append(
                ModelReport(
                    file=fr.path,
                    name=os.path.basename(fr.path),
                    line=d.span.line if d.span else None,
                    status="unsupported",
                    diagnostics=kept,
                    format=fr.format,
                )
            )


def _entry_for(entries: list, d: Diagnostic) -> ModelReport | None:
    """The model a repair diagnostic belongs to: the one holding its layer, else
    the first invalid model left unrepaired."""
    if d.layer:
        for e in entries:
            if e.model is not None and any(l.id == d.layer for l in e.model.layers):
                return e
    for e in entries:
        if e.invalid and e.repair is None:
            return e
    return entries[0] if entries else None
