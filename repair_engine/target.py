"""Which Keras judges a repository: Keras 3 (the default) or Keras 2 (tf.keras / tf-keras).

    target = resolve("auto", root)          # reads the repository's manifests as text
    with judging(target.for_file(text)):    # the frontends and the checker consult active()
        ...

`auto` reads, never executes: requirements*.txt, pyproject.toml, setup.py,
setup.cfg, environment.yml, Pipfile, poetry.lock (a `tensorflow` pin below
2.16, a `keras` pin below 3, or a `tf-keras` dependency), `TF_USE_LEGACY_KERAS=1`
in workflow files, and `import tf_keras` in the analysed files. Without
evidence the target is Keras 3, as before targets existed.

How the evidence combines (docs/targets.md):
- "strong" Keras 2 evidence (TF_USE_LEGACY_KERAS=1, tensorflow < 2.16, keras < 3) wins;
- else Keras 3 evidence (tensorflow >= 2.16, keras >= 3) wins over a `tf-keras`
  dependency: with TensorFlow 2.16+ installed, `keras` and `tf.keras` are Keras 3
  and only files that `import tf_keras` run on Keras 2 (`for_file`);
- else a `tf-keras` dependency means Keras 2;
- else Keras 3.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

TARGETS = ("keras3", "keras2", "auto")
DEFAULT = "keras3"
LEGACY_KERAS_LINE = (2, 16)  # TensorFlow 2.16 made Keras 3 its `tf.keras`
MAX_MANIFEST_BYTES = 1_000_000

_ACTIVE: ContextVar[str] = ContextVar("nnrepair_target", default=DEFAULT)


def active() -> str:
    """The Keras the code being analysed runs on: "keras3" or "keras2"."""
    return _ACTIVE.get()


@contextmanager
def judging(name: str) -> Iterator[None]:
    """Run the frontends and the checker for `name` ("keras3" | "keras2")."""
    token = _ACTIVE.set(name if name in ("keras3", "keras2") else DEFAULT)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


@dataclass(frozen=True)
class Evidence:
    file: str  # relative to the repository root
    line: int | None
    text: str  # what was read, e.g. "tensorflow==2.12.0"
    means: str  # "keras2" | "keras3"
    strength: str = "strong"  # "strong" | "weak" (a tf-keras dependency)

    def to_json(self) -> dict:
        return {"file": self.file, "line": self.line, "text": self.text, "means": self.means}


@dataclass(frozen=True)
class Target:
    name: str  # "keras3" | "keras2": the repository-level verdict
    requested: str = "auto"  # what the user asked for: keras3 | keras2 | auto
    evidence: tuple[Evidence, ...] = ()
    root: str | None = None
    # files that import tf_keras (judged by Keras 2 under auto whatever the repository says)
    tf_keras_files: tuple[str, ...] = field(default=())

    def for_file(self, text: str | None) -> str:
        if self.requested == "auto" and self.name == "keras3" and text and imports_tf_keras(text):
            return "keras2"
        return self.name

    def describe(self) -> str:
        """One line for the text report."""
        how = "from --target/config" if self.requested != "auto" else "auto"
        if self.requested != "auto":
            return f"target: {self.name} ({how})"
        if not self.evidence:
            return f"target: {self.name} (auto: no Keras version evidence found; Keras 3 assumed)"
        shown = "; ".join(f"{e.file}:{e.line or '-'} {e.text}" for e in self.evidence[:3])
        more = f" (+{len(self.evidence) - 3} more)" if len(self.evidence) > 3 else ""
        return f"target: {self.name} (auto: {shown}{more})"

    def to_json(self) -> dict:
        out: dict[str, Any] = {
            "name": self.name,
            "requested": self.requested,
            "evidence": [e.to_json() for e in self.evidence],
        }
        if self.tf_keras_files:
            out["keras2_files"] = list(self.tf_keras_files)
        return out


def resolve(requested: str, root: str | None, texts: dict | None = None) -> Target:
    """The target for `requested` (keras3 | keras2 | auto); auto reads `root`'s manifests,
    or, without a root, the manifests among `texts`, and the analysed file texts
    {path: text} (for tf_keras imports)."""
    if requested in ("keras3", "keras2"):
        return Target(name=requested, requested=requested, root=root)
    evidence = list(read_repository(root)) if root else list(read_texts(texts or {}))
    tf_keras_files = tuple(sorted(p for p, t in (texts or {}).items() if t and imports_tf_keras(t)))
    return Target(
        name=decide(evidence), requested="auto", evidence=tuple(evidence), root=root, tf_keras_files=tf_keras_files
    )


def decide(evidence: list) -> str:
    if any(e.means == "keras2" and e.strength == "strong" for e in evidence):
        return "keras2"
    if any(e.means == "keras3" for e in evidence):
        return "keras3"
    if any(e.means == "keras2" for e in evidence):
        return "keras2"
    return DEFAULT


_TF_KERAS_IMPORT = re.compile(r"^\s*(?:import\s+tf_keras\b|from\s+tf_keras\b)", re.M)


def imports_tf_keras(text: str) -> bool:
    return _TF_KERAS_IMPORT.search(text) is not None


# ---------------------------------------------------------------------------
# finding the repository root


def repository_root(path: str) -> str:
    """The nearest folder at or above `path` holding a manifest, stopping at the git root."""
    d = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path) or ".")
    first = d
    while True:
        if any(os.path.exists(os.path.join(d, n)) for n in _ROOT_MARKERS) or _requirements_files(d):
            return d
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return first
        d = parent


_ROOT_MARKERS = (
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "environment.yml",
    "environment.yaml",
    "Pipfile",
    "poetry.lock",
    ".nnrepair.yml",
    ".nnrepair.yaml",
)


def _requirements_files(root: str) -> list:
    found = glob.glob(os.path.join(glob.escape(root), "requirements*.txt"))
    found += glob.glob(os.path.join(glob.escape(root), "requirements", "*.txt"))
    return sorted(found)


# ---------------------------------------------------------------------------
# reading the manifests (text, TOML, YAML: never executed)


def read_repository(root: str) -> Iterator[Evidence]:
    """Evidence from the manifests and workflow files found in `root`."""
    paths = _requirements_files(root)
    paths += [os.path.join(root, n) for n in _MANIFESTS if os.path.isfile(os.path.join(root, n))]
    for pattern in ("*.yml", "*.yaml"):
        paths += sorted(glob.glob(os.path.join(glob.escape(root), ".github", "workflows", pattern)))
    yield from read_texts({_rel(root, p): _read(p) for p in paths})


def read_texts(files: dict) -> Iterator[Evidence]:
    """Evidence from in-memory files {repository-relative path: text} (the bot's view)."""
    for rel in sorted(files):
        reader = _reader_for(rel)
        if reader is not None and isinstance(files[rel], str):
            yield from reader(rel, files[rel])


def _reader_for(rel: str):
    rel = rel.replace(os.sep, "/")
    base = rel.rsplit("/", 1)[-1]
    if re.fullmatch(r"(?:requirements/[^/]+|requirements[^/]*)\.txt", rel) or (
        base.startswith("requirements") and base.endswith(".txt")
    ):
        return _from_requirement_lines
    if rel.startswith(".github/workflows/") and base.endswith((".yml", ".yaml")):
        return _from_workflow
    return _MANIFESTS.get(rel)


def is_manifest(path: str) -> bool:
    """A file `auto` reads for evidence (requirements*.txt, pyproject.toml, workflows ...)."""
    return _reader_for(path) is not None


def _read(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return f.read(MAX_MANIFEST_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _rel(root: str, path: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


def _from_requirement_lines(rel: str, text: str) -> Iterator[Evidence]:
    for i, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if line.startswith(("install_requires", "tests_require")) and "=" in line:
            line = line.split("=", 1)[1].strip()  # setup.cfg: `install_requires = tensorflow==2.12`
        e = requirement_evidence(line, rel, i)
        if e is not None:
            yield e


_QUOTED = re.compile(r"""["']((?:tensorflow|keras|tf[-_]keras)[A-Za-z0-9._-]*[^"'\n]*)["']""", re.I)


def _from_quoted_strings(rel: str, text: str) -> Iterator[Evidence]:
    """setup.py (and pyproject.toml without tomllib): requirement strings found as text."""
    for i, line in enumerate(text.splitlines(), 1):
        for m in _QUOTED.finditer(line):
            e = requirement_evidence(m.group(1), rel, i)
            if e is not None:
                yield e


def _toml(text: str) -> dict | None:
    try:
        import tomllib  # Python 3.11+
    except ImportError:  # Python 3.10: fall back to reading the strings
        return None
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None


def _from_pyproject(rel: str, text: str) -> Iterator[Evidence]:
    data = _toml(text)
    if data is None:
        yield from _from_quoted_strings(rel, text)
        return
    project = data.get("project") or {}
    reqs: list = list(project.get("dependencies") or [])
    for group in (project.get("optional-dependencies") or {}).values():
        reqs.extend(group or [])
    for group in (data.get("dependency-groups") or {}).values():
        reqs.extend(g for g in group or [] if isinstance(g, str))
    for req in reqs:
        if isinstance(req, str):
            e = requirement_evidence(req, rel, _line_of(text, req))
            if e is not None:
                yield e
    poetry = (data.get("tool") or {}).get("poetry") or {}
    tables = [poetry.get("dependencies") or {}, poetry.get("dev-dependencies") or {}]
    tables += [(g or {}).get("dependencies") or {} for g in (poetry.get("group") or {}).values()]
    for table in tables:
        yield from _from_name_table(text, rel, table)


def _from_pipfile(rel: str, text: str) -> Iterator[Evidence]:
    data = _toml(text)
    if data is None:
        yield from _from_quoted_strings(rel, text)
        return
    for section in ("packages", "dev-packages"):
        yield from _from_name_table(text, rel, data.get(section) or {})


def _from_name_table(text: str, rel: str, table: dict) -> Iterator[Evidence]:
    """{name: "==2.12" | "^2.12" | "*" | {version = "..."}} (Poetry, Pipfile)."""
    for name, spec in table.items():
        if isinstance(spec, dict):
            spec = spec.get("version", "*")
        if not isinstance(spec, str):
            continue
        spec = spec.strip()
        if spec and spec[0].isdigit():
            spec = "==" + spec  # Poetry: a bare version is an exact pin
        e = requirement_evidence(f"{name}{'' if spec == '*' else spec}", rel, _line_of(text, str(name)))
        if e is not None:
            yield e


def _from_poetry_lock(rel: str, text: str) -> Iterator[Evidence]:
    data = _toml(text)
    if data is None:
        return
    for pkg in data.get("package") or []:
        if isinstance(pkg, dict) and isinstance(pkg.get("name"), str) and isinstance(pkg.get("version"), str):
            req = f"{pkg['name']}=={pkg['version']}"
            e = requirement_evidence(req, rel, _line_of(text, f'name = "{pkg["name"]}"'))
            if e is not None:
                yield e


def _from_environment(rel: str, text: str) -> Iterator[Evidence]:
    import yaml  # pyyaml is a declared dependency

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return
    deps = data.get("dependencies") if isinstance(data, dict) else None
    items: list = []
    for d in deps or []:
        if isinstance(d, str):
            items.append(_conda_spec(d))
        elif isinstance(d, dict):
            items.extend(p for p in d.get("pip") or [] if isinstance(p, str))
    for req in items:
        e = requirement_evidence(req, rel, _line_of(text, req.split("=", 1)[0].split(" ", 1)[0]))
        if e is not None:
            yield e


def _conda_spec(dep: str) -> str:
    """conda-forge::tensorflow=2.12 / `tensorflow 2.12.*` -> pip syntax."""
    dep = dep.split("::", 1)[-1].strip()
    m = re.match(r"^([A-Za-z0-9._-]+)\s*(?:=|\s)\s*([0-9][0-9A-Za-z.*]*)(?:=.*)?$", dep)
    if m and not re.match(r"^[A-Za-z0-9._-]+\s*(==|>=|<=|<|>|!=|~=)", dep):
        return f"{m.group(1)}=={m.group(2)}"
    return dep


_LEGACY_ENV = re.compile(r"""TF_USE_LEGACY_KERAS["']?\s*[:=]\s*["']?(1|true|True|TRUE)\b""")


def _from_workflow(rel: str, text: str) -> Iterator[Evidence]:
    for i, line in enumerate(text.splitlines(), 1):
        if _LEGACY_ENV.search(line.split("#", 1)[0]):
            yield Evidence(rel, i, line.strip()[:80], "keras2")


_MANIFESTS = {
    "pyproject.toml": _from_pyproject,
    "setup.py": _from_quoted_strings,
    "setup.cfg": _from_requirement_lines,
    "environment.yml": _from_environment,
    "environment.yaml": _from_environment,
    "Pipfile": _from_pipfile,
    "poetry.lock": _from_poetry_lock,
}


def _line_of(text: str, needle: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        if needle and needle in line:
            return i
    return None


# ---------------------------------------------------------------------------
# one requirement -> evidence

_TF_NAMES = {"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos", "tensorflow-intel"}
_SPEC = re.compile(r"(===|==|~=|!=|<=|>=|<|>|\^|~|=)\s*([0-9][0-9A-Za-z.*+!-]*)")


def requirement_evidence(line: str, file: str, lineno: int | None) -> Evidence | None:
    m = _REQ.match(line or "")
    if m is None:
        return None
    name = m.group(1).lower().replace("_", "-")
    spec = m.group(2).split(";", 1)[0].strip()
    shown = f"{m.group(1)}{spec}".strip()[:80]
    if name == "tf-keras":
        return Evidence(file, lineno, shown, "keras2", strength="weak")
    if name in _TF_NAMES:
        means = _version_side(spec, LEGACY_KERAS_LINE)
    elif name == "keras":
        means = _version_side(spec, (3, 0))
    else:
        return None
    return Evidence(file, lineno, shown, means) if means else None


def _version_side(spec: str, line: tuple) -> str | None:
    """'keras2' when every version `spec` allows is below `line`, 'keras3' when every one is at
    or above it, None when the specifier allows both (or says nothing)."""
    below = above = False
    for op, ver in _SPEC.findall(spec):
        v = _version(ver)
        if v is None:
            continue
        if op in ("==", "===", "="):
            (below, above) = (True, False) if v < line else (False, True)
            break
        if op == "<":
            below = below or v <= line
        elif op == "<=":
            below = below or v < line
        elif op in (">=", ">"):
            above = above or v >= line
        elif op in ("~=", "~", "^"):
            upper = _compatible_upper(op, ver)
            below = below or (upper is not None and upper <= line)
            above = above or v >= line
    if below and not above:
        return "keras2"
    if above and not below:
        return "keras3"
    return None


def _version(text: str) -> tuple | None:
    parts = []
    for p in text.split("."):
        m = re.match(r"\d+", p)
        if m is None:
            break
        parts.append(int(m.group()))
        if m.group() != p:
            break
    return tuple(parts) if parts else None


def _compatible_upper(op: str, ver: str) -> tuple | None:
    v = _version(ver)
    if v is None:
        return None
    if op == "~=":  # ~=2.12.0 -> <2.13; ~=2.12 -> <3
        return (*v[:-2], v[-2] + 1) if len(v) >= 2 else None
    if op == "~":  # Poetry ~2.12 -> <2.13; ~2 -> <3
        return (v[0], v[1] + 1) if len(v) >= 2 else (v[0] + 1,)
    # Poetry ^2.12 -> <3; ^0.5 -> <0.6
    for i, d in enumerate(v):
        if d != 0:
            return (*v[:i], d + 1)
    return None
