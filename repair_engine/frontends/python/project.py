"""A repository is one program: its Python modules, found and parsed as data.

`from models.common import Conv` or `from .layers import PatchEmbed` in one
file of a repository names a definition in another file. The evaluator asks the
active `Project` which file that is, reads it (parsed once per run, never
imported or executed) and evaluates its top level in a scope of its own
(repo_imports.py). A module that is not in the repository (Keras, NumPy, the
standard library, a package that is not checked out) resolves to nothing and
the import keeps its old reading: a reference nnrepair may know (Keras) or an
unknown value.

Resolution follows Python's: a relative import from the importing file's
package; an absolute one from the importing file's folder (a script's
`sys.path[0]`) and then from each folder above it up to the repository root
(the usual roots of a repository's packages). `pkg/mod.py`, then
`pkg/mod/__init__.py`, then a namespace package `pkg/mod/` (a folder holding
Python files). Nothing outside the root is read.

The project is set for a run with `using(project)` (a contextvar, as the Keras
target is): `nnrepair check DIR` and the bot's analysis of a pull request give
every file the same project, so each module is read and parsed once.
"""

from __future__ import annotations

import ast
import os
import posixpath
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from .source import Spans, decode

MAX_MODULE_BYTES = 1_000_000  # a larger module is not read (generated code, vendored data)
MAX_MODULES = 2_000  # modules parsed (and kept) per run; later ones stay unresolved
SPANS_ATTR = "_nnr_spans"  # set on every node of a parsed module: which file's positions it has
BOUND_ATTR = "_nnr_bound"  # set on a parsed module: the names it binds anywhere


@dataclass
class ParsedModule:
    key: str  # absolute path on disk, or the in-memory file name
    name: str  # dotted module name as imported (`models.common`)
    tree: ast.Module
    spans: Spans
    package: bool  # an __init__.py (its folder holds submodules)
    bound: frozenset  # every name the module binds anywhere (the evaluator guesses no other)
    digest: int  # hash of the bytes parsed (a file re-read with other contents is parsed anew)


@dataclass
class Resolved:
    """What an import names: a module file, or a namespace package (a folder only)."""

    name: str
    file: str | None  # the module's key (None for a namespace package)
    folder: str | None  # the package folder's key, when it is a package


@dataclass
class Project:
    """The Python files of one repository. On disk (`root`) or in memory (`sources`)."""

    root: str | None = None
    sources: dict[str, bytes] | None = None
    # how a key is shown in spans (relative to the cwd, as discovery shows paths)
    display: Callable[[str], str] = lambda key: key
    _parsed: dict[str, ParsedModule | None] = field(default_factory=dict)
    _resolved: dict[tuple, Resolved | None] = field(default_factory=dict)
    _folders: set[str] | None = None

    # ------------------------------------------------------------- file system
    def locate(self, file: str) -> str:
        """The key of a file as the frontend was given it (its display path)."""
        if self.sources is not None:
            return posixpath.normpath(file.replace(os.sep, "/"))
        return os.path.abspath(file)

    def _inside(self, key: str) -> bool:
        if self.sources is not None:
            return not key.startswith("../") and key != ".."
        root = os.path.abspath(self.root or ".")
        return key == root or key.startswith(root.rstrip(os.sep) + os.sep)

    def _is_file(self, key: str) -> bool:
        if self.sources is not None:
            return key in self.sources
        return os.path.isfile(key)

    def _is_folder(self, key: str) -> bool:
        if self.sources is not None:
            if self._folders is None:
                self._folders = {posixpath.dirname(k) for k in self.sources}
                for k in list(self._folders):
                    while k:
                        k = posixpath.dirname(k)
                        self._folders.add(k)
            return key in self._folders
        return os.path.isdir(key)

    def _join(self, *parts: str) -> str:
        if self.sources is not None:
            return posixpath.normpath(posixpath.join(*parts))
        return os.path.normpath(os.path.join(*parts))

    def _dirname(self, key: str) -> str:
        return posixpath.dirname(key) if self.sources is not None else os.path.dirname(key)

    def _read(self, key: str) -> bytes | None:
        if self.sources is not None:
            data = self.sources.get(key)
            return data.encode("utf-8") if isinstance(data, str) else data
        try:
            if os.path.getsize(key) > MAX_MODULE_BYTES:
                return None
            with open(key, "rb") as f:
                return f.read(MAX_MODULE_BYTES + 1)
        except OSError:
            return None

    # -------------------------------------------------------------- resolution
    def resolve(self, importer: str, module: str, level: int = 0) -> Resolved | None:
        """The repository module `from <level dots><module> import ...` in `importer` names."""
        memo = (self._dirname(importer), module, level)
        if memo not in self._resolved:
            self._resolved[memo] = self._resolve(importer, module, level)
        return self._resolved[memo]

    def _resolve(self, importer: str, module: str, level: int) -> Resolved | None:
        parts = [p for p in module.split(".") if p]
        if level > 0:
            base = self._dirname(importer)
            for _ in range(level - 1):
                base = self._dirname(base)
            return self._find(base, parts, module) if self._inside(base) else None
        if not parts:
            return None
        for base in self._search_folders(importer):
            found = self._find(base, parts, module)
            if found is not None:
                return found
        return None

    def _search_folders(self, importer: str) -> Iterator[str]:
        """The importing file's folder, then every folder above it inside the root."""
        base = self._dirname(importer)
        while self._inside(base) or (self.sources is not None and base == ""):
            yield base
            if base in ("", os.sep) or (self.root is not None and base == os.path.abspath(self.root)):
                return
            parent = self._dirname(base)
            if parent == base:
                return
            base = parent

    def _find(self, base: str, parts: list[str], name: str) -> Resolved | None:
        if not parts:  # `from . import x`: the package itself
            init = self._join(base, "__init__.py") if base else "__init__.py"
            return Resolved(name, init if self._is_file(init) else None, base)
        path = self._join(base, *parts) if base else self._join(*parts)
        if not self._inside(path):
            return None
        if self._is_file(path + ".py"):
            return Resolved(name, path + ".py", None)
        init = self._join(path, "__init__.py")
        if self._is_file(init):
            return Resolved(name, init, path)
        if self._is_folder(path) and self._has_python(path):
            return Resolved(name, None, path)
        return None

    def _has_python(self, folder: str) -> bool:
        if self.sources is not None:
            return any(k.startswith(folder + "/") and k.endswith(".py") for k in self.sources)
        try:
            return any(n.endswith(".py") for n in os.listdir(folder))
        except OSError:
            return False

    def submodule(self, package: Resolved, attr: str) -> Resolved | None:
        """`pkg.attr` as a submodule of a package (a file or a folder in it)."""
        if package.folder is None:
            return None
        return self._find(package.folder, [attr], f"{package.name}.{attr}")

    # ----------------------------------------------------------------- parsing
    def parse(self, key: str, name: str, data: bytes | None = None) -> ParsedModule | None:
        """The module's tree (cached; None when it cannot be read or parsed)."""
        if key in self._parsed:
            return self._parsed[key]
        parsed = None
        if len(self._parsed) < MAX_MODULES and self._inside(key):
            parsed = self._parse(key, name, data)
        self._parsed[key] = parsed
        return parsed

    def tree_of(self, file: str, data: bytes) -> ast.Module | None:
        """The tree of a file being checked, shared with the modules that import it
        (parsed once); None when it is not the project's or does not parse."""
        key = self.locate(file)
        if self.display(key) != file:
            return None
        parsed = self.parse(key, "__main__", data)
        if parsed is None or parsed.digest != hash(data):  # e.g. a repaired text, re-read to verify it
            return None
        return parsed.tree

    def _parse(self, key: str, name: str, data: bytes | None) -> ParsedModule | None:
        data = self._read(key) if data is None else data
        if data is None or len(data) > MAX_MODULE_BYTES:
            return None
        text, _ = decode(data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text, filename=key)
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            return None
        spans = Spans(self.display(key), text)
        bound: set[str] = set()
        for node in ast.walk(tree):  # positions of these nodes are in this file, whoever evaluates them
            setattr(node, SPANS_ATTR, spans)
            bound.update(_binds(node))
        setattr(tree, BOUND_ATTR, frozenset(bound))
        package = os.path.basename(key) == "__init__.py"
        return ParsedModule(key, name, tree, spans, package, frozenset(bound), hash(data))


def _binds(node: ast.AST) -> tuple:
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return (node.id,)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (node.name,)
    if isinstance(node, ast.alias):
        return ((node.asname or node.name).split(".")[0],)
    if isinstance(node, ast.arg):
        return (node.arg,)
    return ()


_ACTIVE: ContextVar[Project | None] = ContextVar("nnrepair_project", default=None)


def active() -> Project | None:
    """The repository the file being read belongs to (None: the file alone)."""
    return _ACTIVE.get()


@contextmanager
def using(project: Project | None) -> Iterator[None]:
    token = _ACTIVE.set(project)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
