"""Find model files and pick their frontend by content.

`collect(paths, config)` walks files and folders (skipping VCS folders, virtual
environments, node_modules, caches and hidden folders; never following a
symlink out of the tree) and returns `SourceFile`s: the bytes and the frontend
that understands them, or a diagnostic saying why a file could not be read.
`detect(path, data)` picks the frontend of in-memory contents (the bot uses it).

Never raises for a bad file: size limits, unreadable files and unknown formats
become diagnostics.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

from . import formats
from .diagnostics import Diagnostic
from .ir import Span

MAX_TEXT_BYTES = 5 * 1024 * 1024
# .keras / .h5 files carry weights; only their config is read, so allow more.
MAX_BINARY_BYTES = 200 * 1024 * 1024
MAX_FILES = 100_000

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "env",
    ".env",
    "node_modules",
    "__pycache__",
    "site-packages",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ipynb_checkpoints",
}
# Extensions worth a diagnostic when unreadable or unrecognised when named explicitly.
MODEL_EXTENSIONS = (".py", ".ipynb", ".json", ".keras", ".h5", ".hdf5")
_ZIP_MAGIC = b"PK\x03\x04"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


@dataclass
class SourceFile:
    path: str  # as displayed and reported (relative to the cwd when inside it)
    data: bytes | None = None
    frontend: ModuleType | None = None
    diagnostic: Diagnostic | None = None
    # True when the file could not be read at all (the contract's exit code 2)
    unreadable: bool = False


def _frontend(name: str) -> ModuleType | None:
    return formats.reader(name)  # the one format registry (formats.py)


def python_frontend() -> ModuleType | None:
    """The Python-source frontend; None when absent."""
    return formats.reader("python")


def _safe_sniff(mod: ModuleType | None, path: str, data: bytes) -> bool:
    if mod is None:
        return False
    try:
        return bool(mod.sniff(path, data))
    except Exception:  # a sniff must never break discovery
        return False


def detect(path: str, data: bytes, explicit: bool = False) -> ModuleType | None:
    """The frontend for these contents, or None. With `explicit` (a file the
    user named), fall back on the extension so a broken file still gets a
    parse diagnostic instead of being skipped."""
    if data.startswith(_ZIP_MAGIC):
        mod = _frontend("keras_archive")
        return mod if (_safe_sniff(mod, path, data) or explicit) else None
    if _safe_sniff(_frontend("h5"), path, data):
        return _frontend("h5")
    low = path.lower()
    if low.endswith((".py", ".pyw")):
        py = python_frontend()
        if py is not None and (_safe_sniff(py, path, data) or explicit or _indirect_keras(data)):
            return py
        return None
    if low.endswith(".ipynb"):
        nb = _frontend("notebook")
        return nb if (_safe_sniff(nb, path, data) or explicit) else None
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        kj, spec = _frontend("keras_json"), _frontend("exais_spec")
        if _safe_sniff(kj, path, data):
            return kj
        if _safe_sniff(spec, path, data):
            return spec
    if explicit:
        if low.endswith(".json"):
            return _frontend("keras_json")
        if low.endswith(".keras"):
            return _frontend("keras_archive")
        if low.endswith((".h5", ".hdf5")):
            return _frontend("h5")
    return None


# Keras reached without a direct `import keras`: Keras Core, submodules handed
# over at run time (keras-applications, segmentation_models), or a module of the
# same repository that re-exports Keras (`from .backend import layers`).
_INDIRECT_IMPORT_RE = re.compile(
    rb"^[ \t]*(?:from[ \t]+keras_core\b|import[ \t]+keras_core\b|from[ \t]+\.+[\w.]*[ \t]+import\b|from[ \t]+\w[\w.]*[ \t]+import[ \t]+\(?[^\n]*\b(?:layers|models|Model|Sequential|get_submodules_from_kwargs)\b)",
    re.M,
)
_INDIRECT_BUILD_RE = re.compile(rb"\b(?:layers\.[A-Z]\w*|models\.Model|Model|Sequential|Input)\s*\(")


def _indirect_keras(data: bytes) -> bool:
    """A Python file that builds Keras layers although it imports Keras only indirectly."""
    if b"get_submodules_from_kwargs" in data and _INDIRECT_BUILD_RE.search(data):
        return True
    return bool(_INDIRECT_IMPORT_RE.search(data)) and bool(_INDIRECT_BUILD_RE.search(data))


def display_path(path: str) -> str:
    """A stable, '/'-separated path: relative to the cwd when inside it."""
    ap = os.path.abspath(path)
    cwd = os.getcwd()
    try:
        if os.path.commonpath([ap, cwd]) == cwd:
            path = os.path.relpath(ap, cwd)
    except ValueError:
        pass
    return path.replace(os.sep, "/")


def _skip_dir(dirpath: str, name: str) -> bool:
    if name in SKIP_DIRS or name.startswith("."):
        return True
    # any virtual environment, whatever its name
    return os.path.isfile(os.path.join(dirpath, name, "pyvenv.cfg"))


def walk(root: str) -> Iterable[str]:
    """Files under `root`, sorted, skipping ignored folders and symlinks that leave the tree."""
    real_root = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=None):
        dirnames[:] = sorted(d for d in dirnames if not _skip_dir(dirpath, d))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            try:
                mode = os.lstat(full).st_mode
            except OSError:
                mode = 0
            if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
                continue
            if os.path.islink(full):
                target = os.path.realpath(full)
                if os.path.commonpath([target, real_root]) != real_root:
                    continue
            yield full


_SKIP = object()  # read_file's answer for a file that cannot be a model (not read further)
HEAD_BYTES = 64 * 1024
_BINARY_EXTENSIONS = (".keras", ".h5", ".hdf5")


def _could_be_model(shown: str, head: bytes) -> bool:
    """Cheap pre-filter for folder walks, on the first bytes: a Python source,
    JSON, or a binary model file with its usual extension."""
    low = shown.lower()
    if head.startswith((_ZIP_MAGIC, _HDF5_MAGIC)):
        return low.endswith(_BINARY_EXTENSIONS)
    if low.endswith((".py", ".pyw")):
        return True
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"["))


def read_file(path: str, shown: str, explicit: bool = True):
    """(data, diagnostic, unreadable). Bounded: the size is checked before
    reading, and at most the limit + 1 bytes are read. In folder walks
    (`explicit=False`) a file that cannot be a model gives data `_SKIP`."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # FIFOs and devices would block or never end
            return (
                None,
                Diagnostic(
                    kind="parse_error", severity="error", message="not a regular file; not read", span=Span(shown, 1, 1)
                ),
                True,
            )
        with open(path, "rb") as f:
            head = f.read(HEAD_BYTES)
            if not explicit and not _could_be_model(shown, head):
                return _SKIP, None, False
            limit = MAX_BINARY_BYTES if head.startswith((_ZIP_MAGIC, _HDF5_MAGIC)) else MAX_TEXT_BYTES
            too_big = st.st_size > limit
            data = b"" if too_big else head + f.read(limit + 1 - len(head))
    except OSError as e:
        why = e.strerror or type(e).__name__
        return (
            None,
            Diagnostic(
                kind="parse_error", severity="error", message=f"cannot read the file: {why}", span=Span(shown, 1, 1)
            ),
            True,
        )
    if too_big or len(data) > limit:  # (a file growing while read is caught too)
        return (
            None,
            Diagnostic(
                kind="limit_exceeded",
                severity="warning",
                message=f"the file is larger than {limit // (1024 * 1024)} MB; not checked",
                span=Span(shown, 1, 1),
            ),
            False,
        )
    return data, None, False


def collect(paths: list, config=None) -> tuple[list, list]:
    """(source files, usage errors). A usage error (a PATH that does not exist)
    is a message for stderr and the contract's exit code 2."""
    files: list[SourceFile] = []
    errors: list[str] = []
    seen: set[str] = set()
    for given in paths:
        if not os.path.lexists(given):
            errors.append(f"{given}: no such file or directory")
            continue
        if os.path.isdir(given):
            found: list[SourceFile] = []
            skipped: dict[str, tuple[str, bytes]] = {}  # Python files not recognised: full path -> (shown, data)
            order: dict[str, int] = {}
            for full in walk(given):
                if len(files) + len(found) >= MAX_FILES:
                    errors.append(f"more than {MAX_FILES} files; stopped walking")
                    break
                shown = display_path(full)
                if shown in seen or not _selected(full, config):
                    continue
                seen.add(shown)
                order[shown] = len(order)
                sf = _inspect(full, shown, explicit=False, skipped=skipped)
                if sf is not None:
                    found.append(sf)
            found.extend(_through_repository(given, found, skipped))
            files.extend(sorted(found, key=lambda f: order[f.path]))  # in walk order
        else:
            shown = display_path(given)
            if shown in seen or not _selected(given, config):
                continue
            seen.add(shown)
            sf = _inspect(given, shown, explicit=True)
            if sf is not None:
                files.append(sf)
    return files, errors


def _selected(path: str, config) -> bool:
    """include/exclude, matched relative to the folder of the config file (the
    repository root) when there is one, else to the current folder."""
    if config is None or not (config.include or config.exclude):
        return True
    base = os.path.dirname(os.path.abspath(config.source)) if getattr(config, "source", None) else os.getcwd()
    rel = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
    return config.selects(rel)


def _inspect(full: str, shown: str, explicit: bool, skipped: dict | None = None) -> SourceFile | None:
    candidate = explicit or shown.lower().endswith(MODEL_EXTENSIONS)
    data, diag, unreadable = read_file(full, shown, explicit)
    if data is _SKIP:
        return None
    if diag is not None:
        # unreadable/oversized files are reported only when they could be models
        return SourceFile(path=shown, diagnostic=diag, unreadable=unreadable) if candidate else None
    mod = detect(shown, data, explicit=explicit)
    if mod is None:
        if skipped is not None and shown.lower().endswith((".py", ".pyw")):
            skipped[os.path.abspath(full)] = (shown, data)
        if explicit:
            return SourceFile(
                path=shown,
                diagnostic=Diagnostic(
                    kind="unsupported_construct",
                    severity="warning",
                    message="not recognised as a model definition (Python source, Keras JSON, .keras, .h5 "
                    "or ExAIS spec); skipped",
                    span=Span(shown, 1, 1),
                ),
            )
        return None
    return SourceFile(path=shown, data=data, frontend=mod)


# `from <module> import a, b` / `import a.b` lines, read without parsing (discovery stays cheap)
_FROM_RE = re.compile(r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(?:\(([^)]*)\)|([^\n#]*))", re.M)
_IMPORT_LINE_RE = re.compile(r"^[ \t]*import[ \t]+([\w.]+)", re.M)


def _through_repository(folder: str, found: list, skipped: dict) -> list:
    """Python files whose only way to Keras is another file of the repository:
    `from models.common import Conv` then `Conv(...)`, `from .nets import unet`
    then `unet(...)`. A skipped file is taken when it calls a name it imports from
    a module of `folder` that is itself a model file or imports Keras
    (frontends/python/project.py resolves the module as Python would)."""
    py = python_frontend()
    if py is None or not skipped:
        return []
    from .frontends.python.project import Project

    project = Project(root=os.path.abspath(folder))
    kerasish = {os.path.abspath(sf.path) for sf in found if sf.frontend is py}
    kerasish.update(k for k, (_, data) in skipped.items() if _KERAS_IMPORT_RE.search(data))
    taken: list[SourceFile] = []
    for _ in range(2):  # one more round: a file importing a file taken in the first round
        for key in [k for k in skipped if _calls_repository_keras(project, k, skipped[k][1], kerasish)]:
            shown, data = skipped.pop(key)
            kerasish.add(key)
            taken.append(SourceFile(path=shown, data=data, frontend=py))
    return taken


_KERAS_IMPORT_RE = re.compile(rb"^[ \t]*(?:from|import)[ \t]+(?:keras|tensorflow|tf_keras|keras_core)\b", re.M)


def _calls_repository_keras(project, key: str, data: bytes, kerasish: set) -> bool:
    text = data[:MAX_TEXT_BYTES].decode("utf-8", errors="replace")
    for m in _FROM_RE.finditer(text):
        resolved = project.resolve(key, m.group(2), len(m.group(1)))
        if resolved is None:
            continue
        for name, bound in _imported_names(m.group(3) or m.group(4) or ""):
            sub = project.submodule(resolved, name)
            source = sub.file if sub is not None and sub.file else resolved.file
            if source is not None and os.path.abspath(source) in kerasish and _called(text, bound):
                return True
    for m in _IMPORT_LINE_RE.finditer(text):
        resolved = project.resolve(key, m.group(1), 0)
        if resolved is not None and resolved.file is not None and os.path.abspath(resolved.file) in kerasish:
            if re.search(rf"\b{re.escape(m.group(1))}\.\w+\s*\(", text):
                return True
    return False


def _imported_names(clause: str) -> list:
    """`a, b as c` -> [(a, a), (b, c)]; `*` -> [(*, *)]."""
    out = []
    for part in clause.split(","):
        words = part.split("#")[0].split()
        if not words:
            continue
        out.append((words[0], words[-1] if len(words) == 3 and words[1] == "as" else words[0]))
    return out


def _called(text: str, name: str) -> bool:
    if name == "*":
        return True
    return re.search(rf"\b{re.escape(name)}\s*\(", text) is not None
