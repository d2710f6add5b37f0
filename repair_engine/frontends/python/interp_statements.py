"""The interpreter's statements: blocks, assignments, loops, conditions, functions, imports.

A part of the Evaluator (evaluator.py): never executes the code it reads."""

from __future__ import annotations

import ast

from ...diagnostics import Diagnostic
from ...ir import UNKNOWN
from . import budgets, repo_imports
from .eval_support import (
    _PLAIN,
    MAX_LOOP,
    Env,
    EvaluatorPart,
    _assigned_names,
    _Break,
    _const_equal,
    _Continue,
    _Return,
    _shape_of_name,
)
from .imports import canonical, is_keras, star_names
from .values import (
    ArrayVal,
    Binding,
    FuncVal,
    InstanceVal,
    ModelObj,
    Ref,
    Tensor,
)


class StatementsPart(EvaluatorPart):
    # -------------------------------------------------------------- statements
    def exec_block(self, stmts, env: Env, top: bool = False) -> None:
        frame = self.frames[-1] if self.frames else None
        raised = False
        try:
            for stmt in stmts:
                if not raised and frame and (frame.get("uncertain_loop") or frame.get("uncertain_return")):
                    # a break/return may have happened above: the rest may not run
                    self.uncertain += 1
                    raised = True
                if top:
                    self.within_budget(stmt, env, lambda s=stmt: self.exec_stmt(s, env))
                else:
                    self.exec_stmt(stmt, env)
        finally:
            if raised:
                self.uncertain -= 1

    def exec_stmt(self, stmt, env: Env) -> None:
        self.tick()
        if isinstance(stmt, ast.Expr):
            self.ev(stmt.value, env)
        elif isinstance(stmt, ast.Assign):
            value = self.ev(stmt.value, env)
            for target in stmt.targets:
                self.assign(target, value, stmt.value, env)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.ev(stmt.value, env), stmt.value, env)
        elif isinstance(stmt, ast.AugAssign):
            cur = self.ev(stmt.target, env) if isinstance(stmt.target, (ast.Name, ast.Attribute)) else UNKNOWN
            rhs = self.ev(stmt.value, env)
            value = self.binop(type(stmt.op), cur, rhs, stmt)
            self.assign(stmt.target, value, stmt, env, origin_ok=False)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            env.vars[stmt.name] = Binding(FuncVal(stmt, env))
        elif isinstance(stmt, ast.ClassDef):
            env.vars[stmt.name] = Binding(self.make_class(stmt, env))
        elif isinstance(stmt, ast.Import) and repo_imports.import_modules(self, stmt, env):
            pass  # modules of the same repository (repo_imports.py)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    env.vars[alias.asname] = Binding(Ref(canonical(alias.name)))
                else:
                    top = alias.name.split(".")[0]
                    env.vars[top] = Binding(Ref(canonical(top)))
        elif isinstance(stmt, ast.ImportFrom) and repo_imports.import_from(self, stmt, env):
            pass
        elif isinstance(stmt, ast.ImportFrom):
            mod = ("." * stmt.level) + (stmt.module or "")
            self.check_legacy_module(mod, stmt)
            for alias in stmt.names:
                if alias.name == "*":
                    names = star_names(mod)
                    if names:
                        env.stars.append(mod)
                    elif not is_keras(canonical(mod)):
                        self.opaque_star = True
                    continue
                env.vars[alias.asname or alias.name] = Binding(Ref(canonical(f"{mod}.{alias.name}")))
        elif isinstance(stmt, ast.Global):
            for name in stmt.names:
                env.redirect[name] = env.module()
        elif isinstance(stmt, ast.Nonlocal):
            for name in stmt.names:
                outer = env.parent
                while outer is not None and name not in outer.vars:
                    outer = outer.parent
                if outer is not None:
                    env.redirect[name] = outer
        elif isinstance(stmt, ast.If):
            self.exec_if(stmt, env)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self.exec_for(stmt, env)
        elif isinstance(stmt, ast.While):
            self.exec_while(stmt, env)
        elif isinstance(stmt, ast.Return):
            value = self.ev(stmt.value, env) if stmt.value is not None else None
            raise _Return(value)
        elif isinstance(stmt, ast.Break):
            raise _Break()
        elif isinstance(stmt, ast.Continue):
            raise _Continue()
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                v = self.ev(item.context_expr, env)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, UNKNOWN if not isinstance(v, ModelObj) else v, None, env)
            self.exec_block(stmt.body, env)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self.exec_block(stmt.body, env)
            self.exec_block(stmt.orelse, env)
            self.exec_block(stmt.finalbody, env)
        elif hasattr(ast, "Match") and isinstance(stmt, ast.Match):
            self.run_uncertain([c.body for c in stmt.cases], env)
        # Pass, Global, Nonlocal, Delete, Assert, Raise: no effect on models

    def check_legacy_module(self, mod: str, stmt) -> None:
        """Keras 1/2 module paths (keras.layers.core, keras.engine...) are gone in Keras 3."""
        parts = canonical(mod).split(".")
        legacy_path = (
            (parts[:2] == ["keras", "layers"] and len(parts) > 2)
            or (parts[:2] == ["keras", "engine"])
            or (parts[:2] == ["keras", "legacy"])
        )
        if legacy_path and not mod.startswith(("keras.src", "tensorflow")):
            target = "keras" if parts[1] == "engine" else "keras.layers"
            self.file_notes.append(
                Diagnostic(
                    kind="legacy_api",
                    severity="warning",
                    span=self.span(stmt),
                    message=f"`{mod}` is a Keras 1/2 module path that Keras 3 does not have "
                    f"(ModuleNotFoundError); import from `{target}` instead",
                )
            )

    def exec_if(self, stmt: ast.If, env: Env) -> None:
        test = self.truth(self.ev(stmt.test, env))
        if test is True:
            self.exec_block(stmt.body, env)
        elif test is False:
            self.exec_block(stmt.orelse, env)
        else:
            self.run_uncertain([stmt.body, stmt.orelse], env)

    def run_uncertain(self, branches: list, env: Env) -> None:
        """Run each branch on a copy of the scope; names the branches disagree
        on become UNKNOWN."""
        before = dict(env.vars)
        results = []
        self.uncertain += 1
        try:
            for body in branches:
                env.vars = dict(before)
                try:
                    self.exec_block(body, env)
                except _Return:
                    if self.frames:
                        self.frames[-1]["uncertain_return"] = True
                except (_Break, _Continue):
                    if self.frames:
                        self.frames[-1]["uncertain_loop"] = True
                results.append(env.vars)
        finally:
            self.uncertain -= 1
        if len(results) == 1:
            results.append(before)
        merged = dict(before)
        names = {n for r in results for n, b in r.items() if before.get(n) is not b}
        names |= {n for r in results for n in before if n not in r}
        for name in names:
            vals = [r.get(name) for r in results]
            first = vals[0]
            if first is not None and all(v is not None and _const_equal(v.value, first.value) for v in vals):
                merged[name] = first if all(v is first for v in vals) else Binding(first.value)
            else:
                merged[name] = Binding(UNKNOWN)
        env.vars = merged

    def exec_for(self, stmt, env: Env) -> None:
        it = self.ev(stmt.iter, env)
        items = self.iterate(it)
        if items is None or len(items) > MAX_LOOP:
            self.unknown_loop(stmt, env)
            return
        frame = self.frames[-1] if self.frames else {}
        start, built = self.steps, budgets.progress(self)
        for done, item in enumerate(items):
            if budgets.not_worth_unrolling(
                done, len(items) - done, self.steps - start, built == budgets.progress(self)
            ):
                self.unknown_loop(stmt, env)  # a loop that builds nothing: the rest is not unrolled
                return
            self.tick()
            self.assign(stmt.target, item, None, env)
            try:
                self.exec_block(stmt.body, env)
            except _Break:
                return
            except _Continue:
                continue
            if frame.get("uncertain_loop"):
                frame["uncertain_loop"] = False
                self.unknown_loop(stmt, env)
                return
        self.exec_block(stmt.orelse, env)

    def exec_while(self, stmt: ast.While, env: Env) -> None:
        """Iterate while the condition is known (each iteration really happens);
        past MAX_LOOP iterations or an unknown condition, the rest is uncertain."""
        frame = self.frames[-1] if self.frames else {}
        start, built = self.steps, budgets.progress(self)
        for done in range(MAX_LOOP):
            if budgets.not_worth_unrolling(done, MAX_LOOP - done, self.steps - start, built == budgets.progress(self)):
                break  # a loop that builds nothing: the rest is not unrolled
            self.tick()
            test = self.truth(self.ev(stmt.test, env))
            if test is False:
                self.exec_block(stmt.orelse, env)
                return
            if test is None:
                break
            try:
                self.exec_block(stmt.body, env)
            except _Break:
                return
            except _Continue:
                continue
            if frame.get("uncertain_loop"):
                frame["uncertain_loop"] = False
                break
        self.unknown_loop(stmt, env)

    def unknown_loop(self, stmt, env: Env) -> None:
        """A loop whose iterations are not known: run the body once in
        uncertain mode, then forget every name it assigns."""
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            self.assign(stmt.target, UNKNOWN, None, env)
        self.run_uncertain([stmt.body], env)
        if self.frames:
            self.frames[-1]["uncertain_loop"] = False  # a break ends this loop only
        for name in _assigned_names(stmt):
            env.vars[name] = Binding(UNKNOWN)

    def assign(self, target, value, value_node, env: Env, origin_ok: bool = True) -> None:
        if isinstance(target, ast.Name):
            oname: str | None  # a Binding may carry no name
            origin, oname = None, target.id
            if origin_ok and value_node is not None:
                origin = value_node
                if isinstance(value_node, ast.Name):
                    b = env.lookup(value_node.id)
                    if b is not None and b.origin is not None:
                        origin, oname = b.origin, b.name
                data = _shape_of_name(value_node)
                if data is not None:
                    # `input_shape = X[0].shape`: a shape fault is the data's, where its shape was last set
                    b = env.lookup(data.id)
                    if b is not None and b.origin is not None and isinstance(b.value, ArrayVal):
                        origin, oname = b.origin, b.name
            if self.uncertain and target.id in env.redirect:
                # a global written under a condition we cannot decide: no longer known
                env.target(target.id).vars[target.id] = Binding(UNKNOWN)
                return
            env.target(target.id).vars[target.id] = Binding(value, origin, oname)
            if isinstance(value, InstanceVal) and value.model is not None:
                value = value.model
            if isinstance(value, ModelObj) and value.bound_name is None:
                value.bound_name = target.id
        elif isinstance(target, (ast.Tuple, ast.List)):
            elts = target.elts
            star = [i for i, e in enumerate(elts) if isinstance(e, ast.Starred)]
            vals = value if isinstance(value, (tuple, list)) else None
            if isinstance(value, Tensor) and not star and value.index == 0:
                # `x, state = CustomLayer()(x)`: the outputs of a multi-output node
                vals = tuple(Tensor(value.node, value.graph, i) for i in range(len(elts)))
            src_elts = value_node.elts if isinstance(value_node, (ast.Tuple, ast.List)) else None
            if vals is not None and not star and len(vals) == len(elts):
                for i, e in enumerate(elts):
                    node_i = src_elts[i] if src_elts is not None and len(src_elts) == len(elts) else None
                    self.assign(e, vals[i], node_i, env, origin_ok=node_i is not None)
            else:
                for e in elts:
                    self.assign(e.value if isinstance(e, ast.Starred) else e, UNKNOWN, None, env)
        elif isinstance(target, ast.Attribute):
            obj = self.ev(target.value, env)
            if isinstance(obj, InstanceVal):
                origin = value_node if (origin_ok and value_node is not None) else None
                if self.uncertain:
                    old = obj.attrs.get(target.attr)
                    if old is None or not _const_equal(old.value, value):
                        obj.attrs[target.attr] = Binding(UNKNOWN)  # set under a condition we cannot decide
                        return
                obj.attrs[target.attr] = Binding(value, origin, target.attr)
                if isinstance(value, InstanceVal) and value.model is not None:
                    value = value.model
                if isinstance(value, ModelObj) and value.bound_name is None:
                    value.bound_name = target.attr
        elif isinstance(target, ast.Starred):
            self.assign(target.value, UNKNOWN, None, env)
        elif isinstance(target, ast.Subscript):
            obj = self.ev(target.value, env)
            key = self.ev(target.slice, env)
            if isinstance(obj, (dict, list)) and self.uncertain:
                self.poison(obj)
            elif isinstance(obj, dict) and isinstance(key, _PLAIN):
                obj[key] = value
            elif isinstance(obj, list) and isinstance(key, int) and -len(obj) <= key < len(obj):
                obj[key] = value
            elif isinstance(obj, (dict, list)):
                self.poison(obj)  # an unknown key or index: which entry changed is unknown
