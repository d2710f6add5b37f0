"""The package import rule of docs/architecture.md, read from the source with `ast`.

Every module of repair_engine/ and bot/ belongs to one component; a component
imports only the components the rule allows (plus itself). Imports are read
everywhere in a file: module level, inside functions, and the strings given to
`importlib.import_module` / `__import__` (an f-string counts by its constant
prefix, `f"repair_engine.frontends.{name}"` is an import of the frontends).

Known violations are listed below. The list can only shrink: a new violation
fails, and so does a listed one that no longer exists (delete it from the list).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# component -> the module prefixes it holds; the longest matching prefix wins
COMPONENTS: dict[str, tuple[str, ...]] = {
    "ir": ("repair_engine.ir",),
    "diagnostics": ("repair_engine.diagnostics", "repair_engine.messages"),  # findings: codes, hints
    "config": ("repair_engine.config",),
    "target": ("repair_engine.target",),  # which Keras judges the code (a contextvar read by all)
    "semantics": ("repair_engine.semantics",),
    "frontends": ("repair_engine.frontends",),
    "checker": ("repair_engine.checker",),
    "formats": ("repair_engine.formats",),  # the format registry: name -> reader, writer
    "oracle": ("repair_engine.oracle", "repair_engine.keras_worker"),
    "repair": ("repair_engine.repair",),
    "patch": ("repair_engine.patch",),
    "api": ("repair_engine.api", "repair_engine.discover", "repair_engine.migration"),
    "render": ("repair_engine.render",),
    # the image's entry point dispatches the whole command line
    "cli": ("repair_engine", "repair_engine.cli", "repair_engine.__main__", "bot.entrypoint"),
    "bot": ("bot",),
}

VOCABULARY = {"ir", "diagnostics", "config", "target"}

# who may import whom (besides itself): the flow runs one way, downstream may
# import upstream, never the reverse
ALLOWED: dict[str, set[str]] = {
    "ir": set(),
    "target": set(),
    "diagnostics": {"ir"},
    "config": {"ir", "diagnostics"},
    "semantics": {"ir", "diagnostics", "target"},
    "frontends": {"ir", "diagnostics", "semantics", "target"},
    "checker": VOCABULARY | {"semantics"},
    "oracle": {"ir"},
    "patch": {"ir", "diagnostics", "frontends"},
    # the registry names the modules of readers and writers (imported on first use)
    "formats": {"ir", "frontends", "patch"},
    "repair": VOCABULARY | {"semantics", "checker", "oracle", "patch", "formats"},
    "api": VOCABULARY | {"semantics", "frontends", "checker", "oracle", "repair", "patch", "formats"},
    "render": VOCABULARY | {"api"},
    "cli": set(COMPONENTS) - {"cli"},
    "bot": VOCABULARY | {"api", "render"},
}

# Known violations (issue 8, "a one-way pipeline"), as (importing module, imported
# module). Remove an entry when its import goes away; never add one.
ALLOWED_VIOLATIONS: set[tuple[str, str]] = set()  # none left (issue 8's were removed in session 2)

# Known import cycles between modules (none left: issue 8's search.py <-> proposals.py
# cycle was removed by moving their shared evidence into repair/evidence.py)
ALLOWED_CYCLES: set[frozenset[str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_modules() -> dict[str, Path]:
    files = sorted((ROOT / "repair_engine").rglob("*.py")) + sorted((ROOT / "bot").rglob("*.py"))
    return {module_name(p): p for p in files}


def _dynamic_target(node: ast.Call, module: str) -> str | None:
    """The module named by `importlib.import_module(...)` / `__import__(...)`, if readable."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name not in ("import_module", "__import__") or not node.args:
        return None
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values:
        first = arg.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value.rstrip(".") or None
        if isinstance(first, ast.FormattedValue) and isinstance(first.value, ast.Name):
            if first.value.id == "__name__":  # f"{__name__}.{x}": a submodule of this one
                return module
    return None


def imports_of(module: str, path: Path) -> set[str]:
    """Every module `module` imports (absolute names), wherever the import is written."""
    is_package = path.name == "__init__.py"
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            # `from pkg import name` imports the submodule pkg.name, or pkg itself
            # when name is not a module (`_own` walks back to the longest module)
            found.update(f"{target}.{alias.name}" if alias.name != "*" else target for alias in node.names)
        elif isinstance(node, ast.Call):
            target = _dynamic_target(node, module)
            if target:
                found.add(target)
    return found


def _own(name: str, modules: dict[str, Path]) -> str | None:
    """`name` as one of our modules (a `from m import f` adds `m.f`, which is no module)."""
    while name:
        if name in modules:
            return name
        if "." not in name:
            return None
        name = name.rsplit(".", 1)[0]
    return None


def component_of(module: str) -> str | None:
    best, best_len = None, -1
    for component, prefixes in COMPONENTS.items():
        for prefix in prefixes:
            # the bare package holds only itself: a new top-level module must be placed
            covers = module == prefix or (module.startswith(prefix + ".") and prefix != "repair_engine")
            if covers and len(prefix) > best_len:
                best, best_len = component, len(prefix)
    return best


def import_graph() -> dict[str, set[str]]:
    modules = source_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = {_own(t, modules) for t in imports_of(module, path)}
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def violations(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    out = set()
    for module, targets in graph.items():
        here = component_of(module)
        for target in targets:
            there = component_of(target)
            if here is None or there is None or there == here:
                continue
            if there not in ALLOWED[here]:
                out.add((module, target))
    return out


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            # a package imports its own submodules to re-export them: not a cycle
            if w.startswith(v + "."):
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                scc.add(w)
                if w == v:
                    break
            if len(scc) > 1:
                found.add(frozenset(scc))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


# ---------------------------------------------------------------------------


def test_every_module_belongs_to_a_component():
    lost = sorted(m for m in source_modules() if component_of(m) is None)
    assert not lost, f"add these modules to COMPONENTS here and to docs/architecture.md: {lost}"


def test_the_rule_table_is_complete():
    assert set(ALLOWED) == set(COMPONENTS)
    for component, allowed in ALLOWED.items():
        assert allowed <= set(COMPONENTS) - {component}, component


def test_no_new_import_against_the_rule():
    new = sorted(violations(import_graph()) - ALLOWED_VIOLATIONS)
    assert not new, "imports against docs/architecture.md's rule:\n" + "\n".join(
        f"  {a} ({component_of(a)}) imports {b} ({component_of(b)})" for a, b in new
    )


def test_listed_violations_still_exist():
    gone = sorted(ALLOWED_VIOLATIONS - violations(import_graph()))
    assert not gone, f"fixed, so delete them from ALLOWED_VIOLATIONS: {gone}"


def test_no_new_import_cycle():
    found = cycles(import_graph())
    new = [sorted(c) for c in found if c not in ALLOWED_CYCLES]
    assert not new, f"import cycles between modules: {new}"
    gone = [sorted(c) for c in ALLOWED_CYCLES if c not in found]
    assert not gone, f"fixed, so delete them from ALLOWED_CYCLES: {gone}"


def test_the_reader_sees_local_and_importlib_imports(tmp_path):
    # the test is only as good as its reader: function-local imports and importlib strings count
    pkg = tmp_path / "repair_engine" / "frontends"
    pkg.mkdir(parents=True)
    f = pkg / "sample.py"
    f.write_text(
        "import importlib\n"
        "def later(fmt):\n"
        "    from ..checker import check\n"
        "    return importlib.import_module(f'repair_engine.repair.{fmt}'), check\n"
    )
    found = imports_of("repair_engine.frontends.sample", f)
    assert "repair_engine.checker.check" in found and "repair_engine.repair" in found


def test_the_rule_catches_a_downstream_import():
    graph = {"repair_engine.semantics.core": {"repair_engine.checker"}, "repair_engine.checker": set()}
    assert violations(graph) == {("repair_engine.semantics.core", "repair_engine.checker")}
    assert cycles({"a": {"b"}, "b": {"a"}}) == {frozenset({"a", "b"})}
