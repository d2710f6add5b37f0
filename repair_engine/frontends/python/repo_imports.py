"""Imports between files of one repository, for the evaluator (see project.py).

An import that names a module of the repository binds what that module
defines: its top level is evaluated once per file being read, in a scope of its
own, with a step allowance of its own and a bounded import depth. Models it
builds at its top level belong to that file, not to the importing one, and are
dropped; so are its file notes. A cyclic import sees the names defined so far
(as Python does); a module that cannot be read, too deep an import chain, or a
name the module does not define, keeps the reading an unresolved import has
always had (a reference, unknown unless it is Keras).
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from typing import Any

from .imports import canonical, is_keras, star_names
from .project import ParsedModule, Resolved
from .values import Binding, Budget, Ref

MAX_IMPORT_DEPTH = 4  # main file -> a -> b -> c -> d; deeper imports stay unresolved
MODULE_STEPS = 50_000  # evaluation steps for one imported module's top level
# per file read: modules evaluated and the steps all their top levels take (a package
# whose __init__ imports a whole model zoo must not cost the zoo for every file)
MAX_MODULES_PER_FILE = 48
IMPORT_STEPS = 40_000
# evaluation steps per file read for calls into functions and classes of other files:
# a file that instantiates a whole model zoo costs this much, not the zoo's own cost
FOREIGN_STEPS = 25_000

# never looked up in the repository: the libraries nnrepair models itself, and the
# standard library (a repository's `keras/` folder is Keras' own source, not the user's)
_LIBRARIES = {"keras", "tensorflow", "tf_keras", "keras_core", "numpy", "tf"} | set(sys.stdlib_module_names)


@dataclass(eq=False)
class ModuleVal:
    """A module of the repository, bound by `import pkg.mod` or `from pkg import mod`."""

    resolved: Resolved
    env: Any  # its evaluated top-level scope (None: a namespace package, or not readable)


def _library(module: str, level: int) -> bool:
    if level:
        return False
    top = module.split(".", 1)[0]
    return top in _LIBRARIES or is_keras(canonical(module))


def importer_of(ev, env) -> str:
    """The key of the file whose code `env` belongs to."""
    return ev.module_keys.get(id(env.module()), ev.main_key)


def import_from(ev, stmt: ast.ImportFrom, env) -> bool:
    """Bind `from <repo module> import ...`; False when the module is not in the repository."""
    module = stmt.module or ""
    if ev.project is None or _library(module, stmt.level):
        return False
    resolved = ev.project.resolve(importer_of(ev, env), module, stmt.level)
    if resolved is None:
        return False
    menv = load(ev, resolved)
    written = "." * stmt.level + module
    for alias in stmt.names:
        if alias.name == "*":
            _star(ev, menv, env)
            continue
        b = member(ev, resolved, menv, alias.name)
        env.vars[alias.asname or alias.name] = b or Binding(Ref(canonical(f"{written}.{alias.name}")))
    return True


def import_modules(ev, stmt: ast.Import, env) -> bool:
    """Bind `import pkg.mod [as m]` when `pkg` is in the repository; False otherwise."""
    if ev.project is None:
        return False
    importer = importer_of(ev, env)
    bound: list[tuple[str, Binding] | None] = []
    for alias in stmt.names:
        name = alias.name if alias.asname else alias.name.split(".", 1)[0]
        resolved = None if _library(alias.name, 0) else ev.project.resolve(importer, name, 0)
        if resolved is None:
            bound.append(None)
            continue
        bound.append((alias.asname or name, Binding(ModuleVal(resolved, load(ev, resolved)))))
    if not any(bound):
        return False
    for alias, b in zip(stmt.names, bound):
        if b is not None:
            env.vars[b[0]] = b[1]
        elif alias.asname:
            env.vars[alias.asname] = Binding(Ref(canonical(alias.name)))
        else:
            top = alias.name.split(".")[0]
            env.vars[top] = Binding(Ref(canonical(top)))
    return True


def member(ev, resolved: Resolved, menv, name: str) -> Binding | None:
    """What `resolved.name` holds: a definition of the module, a submodule, or a
    Keras name its star import brings; None when none of them."""
    if menv is not None:
        b = menv.vars.get(name)
        if b is not None:
            return b
    sub = ev.project.submodule(resolved, name)
    if sub is not None:
        return Binding(ModuleVal(sub, load(ev, sub)))
    if menv is not None:
        for star in menv.stars:
            path = star_names(star).get(name)
            if path is not None:
                return Binding(Ref(canonical(path)))
    return None


def attribute(ev, mod: ModuleVal, attr: str):
    """`mod.attr` for a repository module."""
    b = member(ev, mod.resolved, mod.env, attr)
    return b.value if b is not None else Ref(canonical(f"{mod.resolved.name}.{attr}"))


def _star(ev, menv, env) -> None:
    """`from <repo module> import *`: its public names (or `__all__`), and its own star imports."""
    if menv is None:
        ev.opaque_star = True  # names we cannot list: no fragment guessing from here on
        return
    listed = menv.vars.get("__all__")
    names = listed.value if listed is not None else None
    if isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names):
        chosen = [n for n in names if n in menv.vars]
    else:
        chosen = [n for n in menv.vars if not n.startswith("_")]
    for n in chosen:
        env.vars[n] = menv.vars[n]
    env.stars.extend(s for s in menv.stars if s not in env.stars)


def load(ev, resolved: Resolved):
    """The module's evaluated top-level scope (cached per file being read), or None."""
    key = resolved.file
    if key is None:
        return None
    if key == ev.main_key:
        return ev.module_env  # the file being read, imported back by one of its imports
    if key in ev.module_envs:
        return ev.module_envs[key]  # done, or in progress (a cycle: the names defined so far)
    if ev.import_depth >= MAX_IMPORT_DEPTH or len(ev.module_envs) >= MAX_MODULES_PER_FILE:
        return None
    if ev.import_steps >= IMPORT_STEPS:
        return None
    parsed = ev.project.parse(key, resolved.name)
    if parsed is None:
        ev.module_envs[key] = None
        return None
    menv = type(ev.module_env)()
    menv.vars["__name__"] = Binding(resolved.name)
    ev.module_envs[key] = menv
    ev.module_keys[id(menv)] = key
    _run_module(ev, parsed, menv)
    return menv


def _run_module(ev, parsed: ParsedModule, menv) -> None:
    """Evaluate a module's top level as Python would at import, keeping the
    importing file's own state (its models, notes, budget, conditions) apart."""
    saved = (len(ev.models), len(ev.file_notes), set(ev.layer_objs), set(ev.fallback_used), ev.uncertain)
    saved_max, start = ev.max_steps, ev.steps
    outermost = ev.import_depth == 0
    ev.max_steps = min(saved_max, ev.steps + MODULE_STEPS, ev.steps + max(0, IMPORT_STEPS - ev.import_steps))
    ev.uncertain = 0  # an import under a condition still runs the module's code unconditionally
    ev.import_depth += 1
    ev.frames.append({"owner": None})
    ev.bound_anywhere |= parsed.bound
    try:
        for stmt in parsed.tree.body:
            try:
                ev.exec_stmt(stmt, menv)
            except Budget as e:
                if e.args == ("time",) or ev.steps > saved_max:
                    raise  # the importing file's own budget: its caller decides
                break  # the rest of this module stays undefined (its names unresolved)
            except RecursionError:
                break
            except ev.CONTROL_FLOW:  # a `return`/`break` outside any function or loop
                continue
    finally:
        n_models, n_notes, layer_ids, fallback, uncertain = saved
        del ev.models[n_models:]
        del ev.file_notes[n_notes:]
        ev.used_layers.update(k for k in ev.layer_objs if k not in layer_ids)  # not orphans of this file
        ev.fallback_used = fallback
        ev.uncertain = uncertain
        ev.max_steps = saved_max
        ev.import_depth -= 1
        if outermost:
            ev.import_steps += ev.steps - start
        ev.frames.pop()


def foreign_call(ev, fn, pos, kws, node, unknown_missing: bool):
    """Call a function defined in another file of the repository, within the
    file's allowance for such calls; past it the call's result is unknown (only
    its own output: tensors passed in give an opaque node)."""
    left = FOREIGN_STEPS - ev.foreign_steps
    if left <= 0:
        return ev.unknown_call(None, pos, kws, node)
    saved_max, start = ev.max_steps, ev.steps
    ev.max_steps = min(saved_max, ev.steps + left)
    ev.in_foreign = True
    try:
        return ev.call_function(fn, pos, kws, node, unknown_missing)
    except Budget as e:
        if e.args == ("time",) or ev.steps > saved_max:
            raise  # the file's own budget
        return ev.unknown_call(None, pos, kws, node)
    finally:
        ev.in_foreign = False
        ev.foreign_steps += ev.steps - start
        ev.max_steps = saved_max
