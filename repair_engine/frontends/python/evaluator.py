"""A small partial evaluator for Python model-building code (never executes it).

It walks the module's statements with abstract values: constants (with the
span where they were defined), symbolic tensors, layer objects, models under
construction, helper functions (inlined, bounded), user classes. Anything it
cannot follow becomes UNKNOWN; code under a condition or loop it cannot decide
runs once in "uncertain" mode, where names it assigns become UNKNOWN afterwards
and `model.add` records an opaque step, so nothing is ever guessed.

Every evaluation step counts against a budget (bounded time on hostile input).
"""

from __future__ import annotations

import ast
import math
import operator
import time
from typing import Any

from ...diagnostics import Diagnostic
from ...ir import UNKNOWN, ArgSource, Edge, InputNode, Layer, is_unknown
from ...semantics import attention, keras2, recurrent
from ...target import active as active_target
from . import budgets, builtin_calls, classes, data_values, layer_order, legacy, repo_imports, symbols, tensors
from .imports import canonical, is_keras, is_layer_class_name, runtime_submodules, star_names
from .project import BOUND_ATTR, SPANS_ATTR
from .signatures import MERGE_FUNCTIONS, SIGNATURES
from .source import Spans
from .values import (
    ArrayVal,
    Binding,
    BoundMethod,
    Budget,
    ClassVal,
    FuncVal,
    InputDecl,
    InstanceVal,
    LayerObj,
    ModelObj,
    Opaque,
    Ref,
    Tensor,
    snake,
)

MAX_STEPS = budgets.MAX_STEPS
MAX_SECONDS = budgets.MAX_SECONDS  # wall-clock safety net per file; the step budget decides
MAX_CALL_DEPTH = 12
MAX_EXPR_DEPTH = 150
MAX_LOOP = 256
MAX_SEQ = 10_000
_MAX_INT = 10**30

# arguments whose value decides shapes: an unknown one is worth a note
SHAPE_ARGS = {
    "units",
    "filters",
    "kernel_size",
    "strides",
    "pool_size",
    "padding",
    "target_shape",
    "dims",
    "axis",
    "output_dim",
    "input_dim",
    "size",
    "cropping",
    "return_sequences",
    "data_format",
    "dilation_rate",
    "n",
    "num_heads",
    "key_dim",
    "depth_multiplier",
    "output_size",
    "axes",
    "return_state",
}

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitOr: operator.or_,
    ast.BitAnd: operator.and_,
    ast.BitXor: operator.xor,
}
_CMPOPS = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}
_PLAIN = (int, float, str, bool, type(None), complex, bytes)
_MUTATORS = builtin_calls.MUTATORS


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Env:
    """One scope. Module scope has parent None; function scopes chain to the
    defining scope (closures)."""

    def __init__(self, parent: Env | None = None) -> None:
        self.vars: dict[str, Binding] = {}
        self.parent = parent
        self.stars: list[str] = []
        self.redirect: dict[str, Env] = {}  # `global`/`nonlocal` names -> the scope they live in

    def target(self, name: str) -> Env:
        return self.redirect.get(name, self)

    def lookup(self, name: str) -> Binding | None:
        env: Env | None = self
        while env is not None:
            b = env.vars.get(name)
            if b is not None:
                return b
            env = env.parent
        return None

    def module(self) -> Env:
        env = self
        while env.parent is not None:
            env = env.parent
        return env


class Graph:
    """Nodes created by layer calls, in creation (= topological) order."""

    def __init__(self) -> None:
        self.nodes: dict[str, Any] = {}
        self.calls: dict[str, int] = {}
        self.shapes: dict[str, list] = {}  # node id -> output shapes (None = unknown), filled on demand

    def shape_of(self, node_id: str, index: int = 0):
        """The static shape of a node's output, as Keras' symbolic `x.shape` gives
        it (computed with the layer semantics), or None when unknown."""
        from ...semantics.run import input_shapes_of, run_layer

        if node_id not in self.shapes:
            for nid, n in list(self.nodes.items()):
                if nid in self.shapes:
                    continue
                if isinstance(n, InputNode):
                    self.shapes[nid] = [n.shape]
                else:
                    try:
                        outs, violation, evaluated = run_layer(n, input_shapes_of(n, self.shapes))
                    except Exception:  # a semantics bug must not stop extraction
                        outs, violation, evaluated = [None], None, False
                    self.shapes[nid] = outs if (evaluated and violation is None) else [None] * max(len(outs), 1)
                if nid == node_id:
                    break
        outs = self.shapes.get(node_id) or []
        return outs[index] if index < len(outs) else None

    def fresh_id(self, base: str) -> str:
        if base not in self.nodes:
            return base
        k = self.calls.get("#" + base, 0)
        while True:
            k += 1
            cand = f"{base}_call{k}"
            if cand not in self.nodes:
                self.calls["#" + base] = k
                return cand


def _is_tensor_like(v) -> bool:
    if isinstance(v, Tensor):
        return True
    if isinstance(v, (list, tuple)):
        return any(_is_tensor_like(x) for x in v)
    if isinstance(v, dict):
        return any(_is_tensor_like(x) for x in v.values())
    return False


def _flat_tensors(v) -> list:
    if isinstance(v, Tensor):
        return [v]
    if isinstance(v, (list, tuple)):
        out = []
        for x in v:
            out.extend(_flat_tensors(x))
        return out
    if isinstance(v, dict):
        # Keras flattens dict structures in sorted key order (model.outputs)
        out = []
        for _, x in sorted(v.items(), key=lambda kv: str(kv[0])):
            out.extend(_flat_tensors(x))
        return out
    return []


def _const_equal(a, b) -> bool:
    if a is b:
        return True
    if isinstance(a, Ref) and isinstance(b, Ref):
        return a == b  # the same module or class imported in both branches (`if`/`try` imports)
    if isinstance(a, _PLAIN + (tuple, list)) and type(a) is type(b):
        try:
            return bool(a == b) and not is_unknown(a)
        except Exception:
            return False
    return False


class Evaluator:
    # value helpers the tensor/class modules use (kept here: they need the activation tables)
    plain = staticmethod(lambda v: _plain(v))
    nested_shape = staticmethod(lambda v: _nested_shape(v))
    CONTROL_FLOW = (_Return, _Break, _Continue)

    def __init__(
        self,
        tree: ast.Module,
        spans: Spans,
        file: str,
        max_steps: int = MAX_STEPS,
        max_seconds: float = MAX_SECONDS,
        project: Any = None,
    ) -> None:
        self.tree = tree
        self.spans = spans
        self.file = file
        self.base_steps = max_steps
        self.max_steps = budgets.step_budget(max_steps, len(spans.lines))
        self.steps = 0
        self.call_depth = 0
        self.expr_depth = 0
        self.uncertain = 0
        self.graph = Graph()
        self.models: list[ModelObj] = []
        self.file_notes: list[Diagnostic] = []
        self.layer_warnings: dict[str, list] = {}  # layer instance name -> legacy warnings
        self.layer_notes: dict[str, list] = {}  # layer instance name -> notes
        self.name_counts: dict[str, int] = {}
        self.used_names: set[str] = set()
        self.layer_objs: dict[str, LayerObj] = {}
        self.call_spans: dict = {}  # (graph id, node id) -> span of the `layer(x)` call
        self.used_layers: set[str] = set()  # instances placed in a model or called
        self.called: set[int] = set()
        self.fallback_used: set[str] = set()
        self.module_env = Env()
        self.bound_anywhere = set(getattr(tree, BOUND_ATTR, None) or _bound_names(tree))
        self.opaque_star = False
        self.frames: list[dict] = []
        self.serial = 0
        self._dispatch: dict = {}
        self.deadline = time.monotonic() + max_seconds
        # containers changed a number of times we do not know (id -> the container, kept alive)
        self.poisoned: dict[int, Any] = {}
        # the repository this file belongs to (project.py): other files' modules, evaluated on import
        self.project = project
        self.main_key = project.locate(file) if project is not None else file
        self.module_envs: dict[str, Env | None] = {}
        self.module_keys: dict[int, str] = {}  # id(module Env) -> its file
        self.import_depth = 0
        self.in_foreign = False  # evaluating a function of another file (repo_imports.foreign_call)
        self.foreign_steps = 0
        self.import_steps = 0  # steps spent evaluating imported modules' top levels

    # ------------------------------------------------------------------ driver
    def run(self) -> None:
        env = self.module_env
        env.vars["__name__"] = Binding("__main__")
        self.frames.append({"owner": None})  # module frame: records uncertain break/return too
        self.exec_block(self.tree.body, env, top=True)
        # functions defined at module level but never called still build models
        # in real code (fragments, `def build_model(): ...`): run them once
        for stmt in self.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and id(stmt) not in self.called:
                if _mentions_model(stmt):
                    fn = env.vars.get(stmt.name)
                    known = symbols.calls_of(self.file, stmt.name)  # constants it is called with elsewhere
                    if fn is not None and isinstance(fn.value, FuncVal) and known:
                        for pos, kw in known:
                            args = ([(v, None) for v in pos], [(k, v, None) for k, v in kw.items()])
                            self.within_budget(
                                stmt, env, lambda f=fn.value, s=stmt, a=args: self.call_function(f, a[0], a[1], s)
                            )
                    elif fn is not None and isinstance(fn.value, FuncVal):
                        self.within_budget(
                            stmt,
                            env,
                            lambda f=fn.value, s=stmt: self.call_function(f, [], [], s, unknown_missing=True),
                        )
            elif isinstance(stmt, ast.ClassDef):
                self.within_budget(stmt, env, lambda s=stmt: self.run_uncalled_methods(s, env))
        self.adopt_orphans()

    def run_uncalled_methods(self, stmt: ast.ClassDef, env: Env) -> None:
        """A plain class with a never-called `build_model(self)`-style method:
        run it once on an instance made with unknown constructor arguments."""
        b = env.vars.get(stmt.name)
        cls = b.value if b is not None else None
        if not isinstance(cls, ClassVal) or cls.kind != "other":
            return
        methods = [
            m
            for m in stmt.body
            if isinstance(m, ast.FunctionDef)
            and id(m) not in self.called
            and m.name != "__init__"
            and _mentions_model(m)
        ]
        if not methods:
            return
        inst = InstanceVal(cls)
        init = cls.method("__init__")
        if init is not None and id(init) not in self.called:
            self.call_function(FuncVal(init, cls.env, owner=inst), [], [], stmt)
        for m in methods:
            self.call_function(FuncVal(m, cls.env, owner=inst), [], [], m)

    def adopt_orphans(self) -> None:
        """A code fragment's bare `Conv2D(..., input_shape=...)` (a layer that
        declares an input but never joins a model) is a one-layer model's start;
        the layers written right after it in the same expression/statement list
        follow it."""
        orphans = [o for o in self.layer_objs.values() if o.name not in self.used_layers and not o.custom]
        if not orphans or any(m.style == "sequential" and m.entries for m in self.models):
            return
        start = next((i for i, o in enumerate(orphans) if o.input_decl is not None), None)
        if start is None:
            return
        self.serial += 1
        m = ModelObj(style="sequential", span=orphans[start].span, bound_name="model", serial=self.serial)
        m.entries = [o for o in orphans[start:] if o.kind != "InputLayer"]
        m.notes.append(
            self.note(
                "layers written outside any model (a code fragment); read as a Sequential model in source order",
                span=orphans[start].span,
            )
        )
        self.models.append(m)

    def tick(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.max_steps:
            raise Budget()
        if not self.steps & 1023 and time.monotonic() > self.deadline:
            raise Budget("time")

    def within_budget(self, stmt, env: Env, run) -> None:
        """Run a top-level statement; if it exhausts the step budget, abandon
        it (its names become UNKNOWN, the models it started are dropped) and
        give the next statement a fresh allowance (see budgets.py)."""
        models_before = len(self.models)
        try:
            run()
        except Budget as e:
            if e.args == ("time",):
                raise  # the safety net: stop the whole file
            dropped = self.models[models_before:]
            del self.models[models_before:]
            for name in _assigned_names(stmt) if not isinstance(stmt, ast.ClassDef) else ():
                env.vars[name] = Binding(UNKNOWN)
            self.max_steps = self.steps + budgets.statement_allowance(self.base_steps)
            self.file_notes.append(
                Diagnostic(
                    kind="limit_exceeded",
                    severity="warning" if dropped else "info",
                    span=self.span(stmt),
                    message=f"the statement at line {stmt.lineno} needs more than the evaluation step budget; "
                    "it is skipped (what it assigns is unknown"
                    + (f", {len(dropped)} model(s) it builds are not read" if dropped else "")
                    + ") and the rest of the file is read",
                )
            )

    def span(self, node):
        return self.spans_of(node).of(node)

    def spans_of(self, node) -> Spans:
        """The positions of `node`'s file: this one, or a module it imports (project.py)."""
        return getattr(node, SPANS_ATTR, None) or self.spans

    def text_of(self, node, limit: int) -> str:
        return self.spans_of(node).text(node, limit)

    def note(self, message: str, node=None, span=None) -> Diagnostic:
        return Diagnostic(
            kind="unsupported_construct",
            severity="info",
            message=message,
            span=span if span is not None else (self.span(node) if node is not None else None),
        )

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

    # ------------------------------------------------------------- expressions
    def ev(self, node, env: Env):
        if node is None:
            return None
        self.tick()
        self.expr_depth += 1
        try:
            if self.expr_depth > MAX_EXPR_DEPTH:
                return UNKNOWN
            t = type(node)
            method = self._dispatch.get(t)
            if method is None:
                method = self._dispatch[t] = getattr(self, "ev_" + t.__name__, None) or _ev_unknown
            value = method(node, env)
            if self.poisoned and id(value) in self.poisoned:
                return UNKNOWN
            return value
        finally:
            self.expr_depth -= 1

    def ev_src(self, node, env: Env) -> tuple:
        """Value plus (origin span, origin name) when it came through a name."""
        value = self.ev(node, env)
        if isinstance(node, ast.Name):
            b = env.lookup(node.id)
            if b is not None and b.origin is not None and not isinstance(value, (Tensor, LayerObj, ModelObj)):
                return value, b.origin, b.name
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            obj = self.ev(node.value, env)
            b = None
            if isinstance(obj, InstanceVal):
                b = obj.attrs.get(node.attr) or obj.cls.attr(node.attr)
            elif isinstance(obj, ClassVal):
                b = obj.attr(node.attr)
            if b is not None:
                if b is not None and b.origin is not None and isinstance(b.value, _PLAIN + (tuple, list)):
                    return value, b.origin, b.name
        if isinstance(node, (ast.Tuple, ast.List)) and isinstance(value, (tuple, list)):
            origin, oname = self.element_origin(node, value, env)
            return value, origin, oname
        return value, None, None

    def element_origin(self, node, value, env: Env) -> tuple:
        """A tuple literal whose elements came through names, e.g. `(batch, timesteps, 1)`:
        the origin of the element a shape fault is about. The one whose value is None
        (an undefined dimension) when exactly one named element is None, else the only
        named constant (it may repeat: `(size, size, 3)`); otherwise none (no guess)."""
        if len(node.elts) != len(value) or len(node.elts) > 16:
            return None, None
        named = []
        for elt, v in zip(node.elts, value):
            if isinstance(elt, ast.Name):
                b = env.lookup(elt.id)
                if b is not None and b.origin is not None and (v is None or isinstance(v, int)):
                    named.append((v, b.origin, b.name))
        named = list({(n[2], id(n[1])): n for n in named}.values())  # (size, size, 3): one constant
        undefined = [n for n in named if n[0] is None]
        pick = undefined if len(undefined) == 1 else named
        if len(pick) == 1:
            return pick[0][1], pick[0][2]
        return None, None

    def ev_Constant(self, node, env):
        return node.value

    def ev_Name(self, node, env):
        b = env.lookup(node.id)
        if b is not None:
            return b.value
        mod = env.module()
        for star in mod.stars:
            path = star_names(star).get(node.id)
            if path is not None:
                return Ref(canonical(path))
        if node.id in _BUILTINS:
            return Ref("builtins." + node.id)
        if node.id not in self.bound_anywhere and not self.opaque_star:
            guess = _fragment_guess(node.id)
            if guess is not None:
                self.fallback_used.add(node.id)
                return Ref(guess)
        return UNKNOWN

    def ev_Attribute(self, node, env):
        base = self.ev(node.value, env)
        attr = node.attr
        if isinstance(base, Ref):
            return Ref(canonical(f"{base.path}.{attr}"))
        if isinstance(base, repo_imports.ModuleVal):
            return repo_imports.attribute(self, base, attr)
        if isinstance(base, ClassVal):
            b = base.attr(attr)
            return b.value if b is not None else UNKNOWN
        if isinstance(base, InstanceVal):
            b = base.attrs.get(attr) or base.cls.attr(attr)
            if b is not None:
                return b.value
            m = base.cls.method(attr)
            if m is not None:
                return FuncVal(m, base.cls.env, owner=base)
            if base.model is not None and attr in ("add", "build", "summary", "compile"):
                return BoundMethod(base.model, attr)
            if attr in ("add_weight", "add_variable") and (base.layer is not None or base.model is not None):
                return BoundMethod(base, "add_weight")
            return UNKNOWN
        if isinstance(base, ModelObj):
            if attr in ("output", "outputs") and base.style == "functional":
                return (
                    base.outputs
                    if attr == "outputs" or not isinstance(base.outputs, list) or len(base.outputs) != 1
                    else base.outputs[0]
                )
            if attr in ("input", "inputs") and base.style == "functional":
                return base.inputs
            if attr == "layers":
                return self.model_layers(base)
            return BoundMethod(base, attr)
        if isinstance(base, BoundMethod) and base.name == "__super__":
            return BoundMethod(base.obj, "__super__." + attr)
        if isinstance(base, Tensor):
            if attr in ("shape", "get_shape", "ndim"):
                shape = tensors.shape_of(self, base)
                if shape is UNKNOWN:
                    return UNKNOWN
                if attr == "ndim":
                    return len(shape)
                return shape if attr == "shape" else BoundMethod(shape, "__value__")
            if attr == "T":
                return tensors.make_op(self, "transpose", {"x": base}, node)
            return UNKNOWN
        data = data_values.attribute(base, attr)
        if data is not NotImplemented:
            return data
        if isinstance(base, ArrayVal):
            if attr == "shape":
                return base.shape
            if attr == "ndim":
                return len(base.shape)
            if attr == "T":
                return ArrayVal(tuple(reversed(base.shape)))
            return BoundMethod(base, attr)
        if isinstance(base, LayerObj) and attr in ("output", "input"):
            return classes.layer_output(self, base, attr)
        if isinstance(base, (list, dict, str, tuple)) or isinstance(base, LayerObj):
            return BoundMethod(base, attr)
        return UNKNOWN

    def ev_Tuple(self, node, env):
        return tuple(self.ev_elts(node.elts, env))

    def ev_List(self, node, env):
        return list(self.ev_elts(node.elts, env))

    def ev_Set(self, node, env):
        return UNKNOWN

    def ev_elts(self, elts, env) -> list:
        out: list = []
        for e in elts:
            if isinstance(e, ast.Starred):
                v = self.ev(e.value, env)
                items = self.iterate(v)
                if items is None:
                    return [UNKNOWN] if not out else out + [UNKNOWN]
                out.extend(items)
            else:
                out.append(self.ev(e, env))
            if len(out) > MAX_SEQ:
                return [UNKNOWN]
        return out

    def ev_Dict(self, node, env):
        out = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                d = self.ev(v, env)
                if isinstance(d, dict):
                    out.update(d)
                else:
                    return UNKNOWN
                continue
            key = self.ev(k, env)
            if not isinstance(key, _PLAIN):
                return UNKNOWN
            out[key] = self.ev(v, env)
        return out

    def ev_JoinedStr(self, node, env):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            elif isinstance(v, ast.FormattedValue):
                x = self.ev(v.value, env)
                if not isinstance(x, _PLAIN) or v.format_spec is not None:
                    return UNKNOWN
                parts.append(str(x))
        return "".join(parts)

    def ev_BinOp(self, node, env):
        left = self.ev(node.left, env)
        right = self.ev(node.right, env)
        return self.binop(type(node.op), left, right, node)

    def binop(self, op, left, right, node):
        if _is_tensor_like(left) or _is_tensor_like(right):
            if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)) and op is ast.Add:
                return left + right
            if op is ast.Mult and isinstance(left, (list, tuple)) != isinstance(right, (list, tuple)):
                n, seq = (right, left) if isinstance(left, (list, tuple)) else (left, right)
                if isinstance(n, int) and not isinstance(n, bool) and 0 <= n * len(seq) <= MAX_SEQ:
                    return seq * n  # `[x] * 3`: list repetition, not a tensor product
            return tensors.binary(self, op, left, right, node)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        fn = _BINOPS.get(op)
        if fn is None:
            return UNKNOWN
        if isinstance(left, (list, tuple, str)) or isinstance(right, (list, tuple, str)):
            if op is ast.Mult:
                n = right if isinstance(right, int) else left
                seq = left if isinstance(right, int) else right
                if not isinstance(n, int) or n * max(len(seq), 1) > MAX_SEQ:
                    return UNKNOWN
            elif op is ast.Add and isinstance(left, type(right)) and len(left) + len(right) > MAX_SEQ:
                return UNKNOWN
        if op is ast.Pow and isinstance(right, (int, float)) and isinstance(left, (int, float)):
            if abs(right) > 64 or (isinstance(left, int) and abs(left) > 2**16 and right > 4):
                return UNKNOWN
        if op in (ast.LShift,) and isinstance(right, int) and right > 64:
            return UNKNOWN
        if isinstance(left, ArrayVal) or isinstance(right, ArrayVal):
            data = data_values.binop(left, right)  # NumPy broadcasting
            return UNKNOWN if data is NotImplemented else data
        if isinstance(left, Ref) or isinstance(right, Ref):
            return UNKNOWN
        try:
            result = fn(left, right)
        except Exception:
            return UNKNOWN
        if isinstance(result, int) and abs(result) > _MAX_INT:
            return UNKNOWN  # no shape is that large; stops x = x * x from eating memory
        return result

    def ev_UnaryOp(self, node, env):
        v = self.ev(node.operand, env)
        if isinstance(node.op, ast.Not):
            t = self.truth(v)
            return UNKNOWN if t is None else (not t)
        if _is_tensor_like(v):
            return tensors.unary(self, type(node.op), v, node)
        if not isinstance(v, (int, float, complex)) or isinstance(v, bool) and isinstance(node.op, ast.Invert):
            return UNKNOWN
        try:
            return {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert}[type(node.op)](v)
        except Exception:
            return UNKNOWN

    def ev_BoolOp(self, node, env):
        is_and = isinstance(node.op, ast.And)
        value = None
        for e in node.values:
            value = self.ev(e, env)
            t = self.truth(value)
            if t is None:
                return UNKNOWN
            if is_and and not t:
                return value
            if not is_and and t:
                return value
        return value

    def ev_Compare(self, node, env):
        left = self.ev(node.left, env)
        for op, comp in zip(node.ops, node.comparators):
            right = self.ev(comp, env)
            if (
                len(node.ops) == 1
                and type(op) in tensors.COMPARE_OPS
                and (isinstance(left, Tensor) or isinstance(right, Tensor))
            ):
                return tensors.binary(self, type(op), left, right, node)
            if not _comparable(left) or not _comparable(right):
                return UNKNOWN
            try:
                ok = _CMPOPS[type(op)](left, right)
            except Exception:
                return UNKNOWN
            if not ok:
                return False
            left = right
        return True

    def ev_IfExp(self, node, env):
        t = self.truth(self.ev(node.test, env))
        if t is True:
            return self.ev(node.body, env)
        if t is False:
            return self.ev(node.orelse, env)
        a, b = self.ev(node.body, env), self.ev(node.orelse, env)
        return a if _const_equal(a, b) else UNKNOWN

    def ev_Subscript(self, node, env):
        base = self.ev(node.value, env)
        key = self.ev(node.slice, env)
        if isinstance(base, Tensor):
            return tensors.subscript(self, base, key, node)
        if isinstance(base, (list, tuple, str)):
            if isinstance(key, int) and not isinstance(key, bool):
                return base[key] if -len(base) <= key < len(base) else UNKNOWN
            if isinstance(key, slice):
                try:
                    return base[key]
                except Exception:
                    return UNKNOWN
            return UNKNOWN
        if isinstance(base, dict):
            if isinstance(key, _PLAIN) and key in base:
                return base[key]
            return UNKNOWN
        data = data_values.subscript(base, key)  # None/.../tuple indexing, df[[cols]]
        if data is not NotImplemented:
            return data
        if isinstance(base, ArrayVal) and isinstance(key, ArrayVal) and len(base.shape) >= 1:
            return ArrayVal(tuple(key.shape) + tuple(base.shape[1:]))  # integer-array indexing (np.eye(k)[y])
        if isinstance(base, ArrayVal) and base.shape:
            if isinstance(key, int) and not isinstance(key, bool) and -base.shape[0] <= key < base.shape[0]:
                return ArrayVal(base.shape[1:])
            if isinstance(key, slice):
                return ArrayVal((len(range(*key.indices(base.shape[0]))),) + base.shape[1:])
            return UNKNOWN
        return UNKNOWN

    def ev_Slice(self, node, env):
        parts = [self.ev(p, env) if p is not None else None for p in (node.lower, node.upper, node.step)]
        if any(p is not None and not isinstance(p, int) for p in parts):
            return UNKNOWN
        return slice(*parts)

    def ev_Index(self, node, env):  # Python < 3.9
        return self.ev(node.value, env)

    def ev_Starred(self, node, env):
        return UNKNOWN

    def ev_Lambda(self, node, env):
        return FuncVal(node, env)

    def ev_NamedExpr(self, node, env):
        v = self.ev(node.value, env)
        self.assign(node.target, v, node.value, env)
        return v

    def ev_ListComp(self, node, env):
        return self.comprehension(node, env, list)

    def ev_GeneratorExp(self, node, env):
        return self.comprehension(node, env, tuple)

    def ev_DictComp(self, node, env):
        return UNKNOWN

    def ev_SetComp(self, node, env):
        return UNKNOWN

    def comprehension(self, node, env: Env, kind: type[list] | type[tuple]) -> Any:
        scope = Env(env)
        out: list = []
        built = budgets.progress(self)

        def gen(i: int) -> bool:
            if i == len(node.generators):
                out.append(self.ev(node.elt, scope))
                if len(out) > budgets.MAX_DATA_ELEMENTS and built == budgets.progress(self):
                    return False  # a big table of data, not layers: never decides a shape
                return len(out) <= MAX_SEQ
            g = node.generators[i]
            items = self.iterate(self.ev(g.iter, scope))
            if items is None or len(items) > MAX_LOOP:
                return False
            for item in items:
                self.tick()
                self.assign(g.target, item, None, scope)
                ok = True
                for cond in g.ifs:
                    t = self.truth(self.ev(cond, scope))
                    if t is None:
                        return False
                    ok = ok and t
                if ok and not gen(i + 1):
                    return False
            return True

        if not gen(0):
            return UNKNOWN
        return kind(out)

    def ev_Call(self, node: ast.Call, env: Env) -> Any:
        func = self.ev(node.func, env)
        # argument provenance is only needed where it can reach the IR (Keras
        # constructors, helpers, user classes, model methods): skip it elsewhere
        want = _wants_sources(func)
        pos: list = []
        kws: list = []
        for i, a in enumerate(node.args):
            if isinstance(a, ast.Starred):
                v = self.ev(a.value, env)
                items = self.iterate(v)
                if items is None:
                    return self.unknown_call(func, [(UNKNOWN, None)], [], node)
                for x in items:
                    pos.append((x, ArgSource(span=self.span(a), position=len(pos)) if want else None))
                continue
            if not want:
                pos.append((self.ev(a, env), None))
                continue
            v, origin, oname = self.ev_src(a, env)
            pos.append((v, ArgSource(span=self.span(a), position=i, origin=self.as_span(origin), origin_name=oname)))
        for k in node.keywords:
            if k.arg is None:
                d = self.ev(k.value, env)
                if not isinstance(d, dict):
                    return self.unknown_call(func, pos, kws, node)
                for key, val in d.items():
                    kws.append((str(key), val, ArgSource(span=self.span(k.value), keyword=str(key)) if want else None))
                continue
            if not want:
                kws.append((k.arg, self.ev(k.value, env), None))
                continue
            v, origin, oname = self.ev_src(k.value, env)
            kws.append(
                (
                    k.arg,
                    v,
                    ArgSource(span=self.span(k.value), keyword=k.arg, origin=self.as_span(origin), origin_name=oname),
                )
            )
        return self.call(func, pos, kws, node, env)

    def as_span(self, origin):
        """Binding origins are kept as ast nodes until a span is needed."""
        if isinstance(origin, ast.AST):
            return self.span(origin)
        return origin

    # ------------------------------------------------------------------- calls
    def call(self, func, pos: list, kws: list, node, env):
        self.tick()
        if isinstance(func, Ref):
            return self.call_ref(func.path, pos, kws, node, env)
        if isinstance(func, LayerObj):
            return self.apply_layer(func, pos, kws, node)
        if isinstance(func, ModelObj):
            return self.apply_model(func, pos, kws, node)
        if isinstance(func, FuncVal):
            return self.call_function(func, pos, kws, node)
        if isinstance(func, ClassVal):
            return self.instantiate(func, pos, kws, node)
        if isinstance(func, InstanceVal):
            return self.call_instance(func, pos, kws, node)
        if isinstance(func, BoundMethod):
            return self.call_method(func, pos, kws, node)
        return self.unknown_call(func, pos, kws, node)

    def unknown_call(self, func, pos, kws, node):
        args = [v for v, _ in pos] + [v for _, v, _ in kws]
        if _is_tensor_like(args):
            what = self.text_of(node.func, 40) if hasattr(node, "func") else "call"
            return self.opaque_tensor(what, args, node)
        return UNKNOWN

    def call_function(self, fn: FuncVal, pos, kws, node, unknown_missing: bool = False):
        if self.project is not None and not self.in_foreign and fn.env.module() is not self.module_env:
            return repo_imports.foreign_call(self, fn, pos, kws, node, unknown_missing)
        fdef = fn.node
        self.called.add(id(fdef))
        runtime = runtime_submodules(getattr(fdef, "name", ""))
        if runtime is not None:  # the library's own definition reads the caller's kwargs: see imports.py
            return tuple(Ref(m) for m in runtime)
        if self.call_depth >= MAX_CALL_DEPTH:
            return self.unknown_call(None, pos, kws, node)
        scope = Env(fn.env)
        args = fdef.args
        params = list(getattr(args, "posonlyargs", [])) + list(args.args)
        values = [(v, s) for v, s in pos]
        if fn.owner is not None:
            values = [(fn.owner, None)] + values
        defaults = list(args.defaults)
        first_default = len(params) - len(defaults)
        kwmap = {k: (v, s) for k, v, s in kws}
        for i, p in enumerate(params):
            if i < len(values):
                v, s = values[i]
                self.bind_param(scope, p.arg, v, s, node)
            elif p.arg in kwmap:
                v, s = kwmap.pop(p.arg)
                self.bind_param(scope, p.arg, v, s, node)
            elif i >= first_default:
                self.bind_default(scope, p.arg, defaults[i - first_default], fn.env)
            else:
                scope.vars[p.arg] = Binding(UNKNOWN)
        if args.vararg is not None:
            scope.vars[args.vararg.arg] = Binding(tuple(v for v, _ in values[len(params) :]))
        for p, d in zip(args.kwonlyargs, args.kw_defaults):
            if p.arg in kwmap:
                v, s = kwmap.pop(p.arg)
                self.bind_param(scope, p.arg, v, s, node)
            elif d is not None:
                self.bind_default(scope, p.arg, d, fn.env)
            else:
                scope.vars[p.arg] = Binding(UNKNOWN)
        if args.kwarg is not None:
            scope.vars[args.kwarg.arg] = Binding({k: v for k, (v, _) in kwmap.items()})
        self.call_depth += 1
        self.frames.append({"owner": fn.owner})
        try:
            if isinstance(fdef, ast.Lambda):
                result = self.ev(fdef.body, scope)
            else:
                try:
                    self.exec_block(fdef.body, scope)
                    result = None
                except _Return as r:
                    result = r.value
                except (_Break, _Continue):
                    result = UNKNOWN
            if self.frames[-1].get("uncertain_return"):
                result = UNKNOWN
        finally:
            self.frames.pop()
            self.call_depth -= 1
        return result

    def bind_default(self, scope: Env, name: str, default, env: Env) -> None:
        value, origin, oname = self.ev_src(default, env)
        if origin is None:
            origin, oname = default, name
        scope.vars[name] = Binding(value, origin, oname)

    def bind_param(self, scope: Env, name: str, value, src: ArgSource | None, node) -> None:
        oname: str | None  # a Binding may carry no name
        origin, oname = None, name
        if src is not None:
            if src.origin is not None:
                origin, oname = src.origin, src.origin_name
            else:
                origin = src.span
        scope.vars[name] = Binding(value, origin, oname)

    def call_method(self, bm: BoundMethod, pos, kws, node):
        obj, name = bm.obj, bm.name
        if name == "__value__":
            return obj
        if isinstance(obj, tuple) and name == "as_list":  # TensorShape.as_list()
            return list(obj)
        if name == "__super__.__init__" and isinstance(obj, InstanceVal):
            return self.functional_subclass_init(obj, pos, kws, node)
        if name == "add_weight" and isinstance(obj, InstanceVal):
            return classes.add_weight(self, pos, kws)
        vals = [v for v, _ in pos]
        data = data_values.call_method(self, obj, name, pos, kws, node)  # arrays, datasets, generators
        if data is not NotImplemented:
            return data
        if isinstance(obj, ModelObj):
            return self.model_method(obj, name, pos, kws, node)
        if isinstance(obj, LayerObj) and name == "set_weights" and pos and not self.uncertain:
            # weights given after construction: their shapes must match what the layer builds
            ws = pos[0][0]
            if isinstance(ws, (list, tuple)) and ws and all(isinstance(w, ArrayVal) for w in ws):
                obj.args["weights"] = list(ws)
                obj.arg_sources["weights"] = ArgSource(
                    span=self.span(node.args[0]) if getattr(node, "args", None) else self.span(node), position=0
                )
            return None
        if isinstance(obj, (list, dict)) and name in _MUTATORS:
            done, result = (False, None) if self.uncertain else builtin_calls.mutate(obj, name, vals, kws, self.iterate)
            if done:
                return result
            self.poison(obj)  # changed in a way (or a number of times) we do not know: contents unknown
            return UNKNOWN
        if isinstance(obj, dict):
            if name == "get" and vals and isinstance(vals[0], _PLAIN):
                return obj.get(vals[0], vals[1] if len(vals) > 1 else None)
            if name in ("items", "keys", "values"):
                return list(getattr(obj, name)())
        if isinstance(obj, str) and all(isinstance(v, _PLAIN) for v in vals) and not kws:
            if name in ("lower", "upper", "strip", "format", "join", "replace", "startswith", "endswith"):
                try:
                    return getattr(obj, name)(*vals)
                except Exception:
                    return UNKNOWN
        if isinstance(obj, ArrayVal) and name in ("astype", "copy"):
            return obj
        if isinstance(obj, ArrayVal) and name == "reshape":
            shape = vals[0] if len(vals) == 1 else tuple(vals)
            return _np_reshape(obj, shape)
        if isinstance(obj, (list, tuple)) and name in ("index", "count") and vals:
            try:
                return getattr(obj, name)(vals[0])
            except Exception:
                return UNKNOWN
        return self.unknown_call(None, pos, kws, node)

    # ----------------------------------------------------------- keras calls
    def call_ref(self, path: str, pos, kws, node, env):
        if path.startswith("builtins."):
            return self.call_builtin(path[9:], pos, kws, node, env)
        runtime = runtime_submodules(path)
        if runtime is not None:
            return tuple(Ref(m) for m in runtime)
        data = data_values.call_ref(self, path, pos, kws, node)  # data shapes (data_values.py)
        if data is not NotImplemented:
            return data
        if path.startswith("numpy.") or path.startswith("math."):
            return self.call_numeric(path, pos, kws, node)
        if path in ("sklearn.model_selection.train_test_split", "sklearn.cross_validation.train_test_split"):
            return self.train_test_split(pos, kws)
        if path == "keras.Sequential":
            return self.make_sequential(pos, kws, node)
        if path == "keras.Model":
            return self.make_functional(pos, kws, node)
        if path in ("keras.Input", "keras.layers.Input"):
            return self.make_input(pos, kws, node)
        if path in _DATASETS:
            (xa, ya), (xb, yb) = _DATASETS[path]
            return ((ArrayVal(xa), ArrayVal(ya)), (ArrayVal(xb), ArrayVal(yb)))
        if path in ("keras.losses.CategoricalCrossentropy", "keras.losses.BinaryCrossentropy"):
            return snake(path.rsplit(".", 1)[1]).replace("crossentropy", "_crossentropy").replace("__", "_")
        if path in ("keras.utils.to_categorical", "keras.utils.np_utils.to_categorical") and pos:
            arr, n = pos[0][0], (pos[1][0] if len(pos) > 1 else {k: v for k, v, _ in kws}.get("num_classes"))
            if isinstance(arr, ArrayVal) and isinstance(n, int) and arr.shape:
                base = arr.shape[:-1] if len(arr.shape) > 1 and arr.shape[-1] == 1 else arr.shape
                return ArrayVal(tuple(base) + (n,))
            return UNKNOWN
        if path in _SHAPE_FUNCTIONS and pos and isinstance(pos[0][0], Tensor):
            shape = tensors.shape_of(self, pos[0][0])
            if path in ("keras.ops.ndim", "keras.backend.ndim", "tensorflow.rank") and shape is not UNKNOWN:
                return len(shape)
            return shape
        if path in ("keras.backend.image_data_format", "keras.config.image_data_format"):
            return "channels_last"
        if path == "keras.backend.image_dim_ordering":
            return "tf"
        if path.startswith("keras.layers."):
            name = path[len("keras.layers.") :]
            if name in MERGE_FUNCTIONS or name == "merge":
                return self.merge_function(name, pos, kws, node)
            if name == "Merge":
                return self.keras1_merge_layer(pos, kws, node)
            if "." not in name and (name[:1].isupper()):
                return self.make_layer(name, pos, kws, node)
        if path.startswith(("keras.ops.", "keras.backend.", "keras.activations.", "tensorflow.")):
            out = tensors.call_op(self, path, pos, kws, node)
            if out is not NotImplemented:
                return out
        if path.startswith("keras.applications."):
            out = classes.application(self, path, pos, kws, node)
            if out is not NotImplemented:
                return out
        return self.unknown_call(Ref(path), pos, kws, node)

    def make_layer(self, written: str, pos, kws, node, custom: bool = False) -> LayerObj:
        span = self.span(node)
        if custom:
            norm = legacy.Normalized(kind=written, written_kind=None, args={}, arg_sources={}, legacy={})
            for k, v, s in kws:
                norm.args[k] = v
                norm.arg_sources[k] = s
        else:
            norm = self.normalize_layer(written, pos, [(k, v, s) for k, v, s in kws], span)
        explicit = norm.args.get("name")
        base = explicit if isinstance(explicit, str) and explicit else snake(norm.kind)
        name = self.unique_name(base)
        inner = None
        if norm.kind in ("TimeDistributed", "Bidirectional") and isinstance(norm.args.get("layer"), LayerObj):
            inner = norm.args.pop("layer")
        decl = None
        if norm.input_decl is not None:
            d = norm.input_decl
            src = d["source"]
            decl = InputDecl(
                shape=d["shape"],
                span=span,
                shape_span=src.span if src else None,
                shape_source=src,
                declared_as=d["declared_as"],
            )
            if d["shape"] is UNKNOWN and d.get("key") == "input_shape":  # `input_shape=(h, w, 3)`, h and w unknown
                decl.shape, decl.symbols = self.symbolic_decl(kws, node, "input_shape")
        if norm.kind == "InputLayer":
            decl = self.input_layer_decl(norm, span)
        obj = LayerObj(
            kind=norm.kind,
            written_kind=norm.written_kind,
            args=norm.args,
            arg_sources=norm.arg_sources,
            legacy=norm.legacy,
            span=span,
            name=name,
            inner=inner,
            input_decl=decl,
            custom=custom,
        )
        self.layer_objs[name] = obj
        if norm.warnings:
            self.layer_warnings[name] = legacy.diagnostics(norm, name, span, self.spans.segment)
        return obj

    @staticmethod
    def normalize_layer(written: str, pos, kws, span) -> legacy.Normalized:
        """Keras 3's reading, or Keras 2's under the keras2 target (semantics/keras2.py)."""
        if active_target() == "keras2":
            return keras2.normalize(
                written, pos, kws, span, legacy.normalize, lambda k: legacy.SIGNATURES.get(k, ()), legacy.Finding
            )
        return keras2.keras3_normalize(written, pos, kws, span, legacy.normalize, legacy.Finding)

    def input_layer_decl(self, norm, span) -> InputDecl:
        args = norm.args
        for key, batch in (
            ("batch_shape", False),
            ("batch_input_shape", False),
            ("shape", True),
            ("input_shape", True),
        ):
            if key in args:
                value = args[key]
                shape = legacy._as_shape(value, with_batch=batch)
                src = norm.arg_sources.get(key)
                return InputDecl(
                    shape=shape, span=span, shape_span=src.span if src else None, shape_source=src, declared_as="Input"
                )
        if norm.input_decl is not None:
            d = norm.input_decl
            return InputDecl(
                shape=d["shape"],
                span=span,
                shape_span=d["source"].span,
                shape_source=d["source"],
                declared_as=d["declared_as"],
            )
        return InputDecl(shape=UNKNOWN, span=span, shape_span=None, shape_source=None, declared_as="Input")

    def symbolic_decl(self, kws, node, key: str) -> tuple:
        """(shape, symbols) of a declared shape that is known only in part (symbols.py)."""
        value = next((v for k, v, _ in kws if k == key), UNKNOWN)
        expr = next((k.value for k in getattr(node, "keywords", ()) if k.arg == key), None)
        found = symbols.symbolic_input(value, expr, self.text_of)
        return found if found is not None else (UNKNOWN, None)

    def unique_name(self, base: str) -> str:
        """Keras-like names (dense, dense_1, ...), unique across the file: a layer
        instance is identified by its name (Layer.instance)."""
        k = self.name_counts.get(base, 0)
        while True:
            name = base if k == 0 else f"{base}_{k}"
            k += 1
            if name not in self.used_names:
                break
        self.name_counts[base] = k
        self.used_names.add(name)
        return name

    def make_input(self, pos, kws, node) -> Tensor:
        kw = {k: (v, s) for k, v, s in kws}
        if pos:
            kw.setdefault("shape", pos[0])
        batch = kw.get("batch_size", (None, None))[0]
        if "batch_shape" in kw or "batch_input_shape" in kw:
            key = "batch_shape" if "batch_shape" in kw else "batch_input_shape"
            value, src = kw[key]
            shape = legacy._as_shape(value, with_batch=False)
        elif "shape" in kw:
            value, src = kw["shape"]
            shape = legacy._as_shape(value, with_batch=True, batch=batch if isinstance(batch, int) else None)
            if isinstance(value, int) and not isinstance(value, bool):
                shape = (None, value)
        else:
            value, src = UNKNOWN, None
            shape = UNKNOWN if "tensor" in kw else None
        name = kw.get("name", (None, None))[0]
        dtype = kw.get("dtype", (None, None))[0]
        iid = self.graph.fresh_id(self.unique_name(name if isinstance(name, str) and name else "input_layer"))
        span = self.span(node)
        note = None
        symbolic = symbols.symbolic_input(value, symbols.shape_node(node), self.text_of) if "shape" in kw else None
        if symbolic is not None:  # checked for every value of the unknown dims (semantics/dims.py)
            shape, syms = symbolic
        elif shape is UNKNOWN or shape is None:
            note = self.note(
                f"the shape of this Input could not be determined statically "
                f"({self.text_of(node, 60)}); layers fed by it are not checked",
                node,
            )
            shape = None
        inp = InputNode(
            id=iid,
            shape=shape,
            span=span,
            shape_span=src.span if src else None,
            shape_source=src,
            declared_as="Input",
            dtype=dtype if isinstance(dtype, str) else None,
            name=name if isinstance(name, str) else None,
            symbols=syms if symbolic is not None else None,
        )
        self.graph.nodes[iid] = inp
        if note is not None:
            self.layer_notes[iid] = [note]
        return Tensor(iid, id(self.graph))

    def merge_function(self, name: str, pos, kws, node):
        if name == "merge":  # Keras 1: merge(tensors, mode='concat', concat_axis=-1)
            kw = {k: (v, s) for k, v, s in kws}
            mode = kw.pop("mode", ("sum", None))[0]
            cls = _KERAS1_MODES.get(mode if isinstance(mode, str) else "", None)
            if cls is None:
                return self.unknown_call(None, pos, kws, node)
            rest = []
            for k, (v, s) in kw.items():
                if k == "concat_axis":
                    rest.append(("axis", v, s))
                elif k == "dot_axes":
                    rest.append(("axes", v, s))
                elif k in ("name",):
                    rest.append((k, v, s))
            layer = self.make_layer(cls, [], rest, node)
            layer.written_kind = "merge"
            self.layer_warnings.setdefault(layer.name, []).append(
                Diagnostic(
                    kind="legacy_api",
                    severity="warning",
                    layer=layer.name,
                    layer_kind=cls,
                    message=f"`merge(..., mode={mode!r})` is Keras 1; Keras 3 has no `merge`. "
                    f"Write `keras.layers.{cls}()([...])`",
                    span=self.span(node),
                )
            )
            return self.apply_layer(layer, pos[:1], [], node)
        cls = MERGE_FUNCTIONS[name]
        tensors = pos[:1]
        rest = [(k, v, s) for k, v, s in kws if k != "inputs"]
        if not tensors:
            tensors = [(v, s) for k, v, s in kws if k == "inputs"]
        layer = self.make_layer(cls, pos[1:], rest, node)
        return self.apply_layer(layer, tensors, [], node)

    def keras1_merge_layer(self, pos, kws, node):
        """Keras 1 `Merge([branch_a, branch_b], mode='concat')`, the first layer of a Sequential."""
        kw = {k: (v, s) for k, v, s in kws}
        branches = pos[0][0] if pos else kw.get("layers", (None, None))[0]
        mode = kw.get("mode", ("sum", None))[0]
        cls = _KERAS1_MODES.get(mode if isinstance(mode, str) else "", None)
        rest = [("axis", v, s) for k, (v, s) in kw.items() if k == "concat_axis"]
        rest += [("axes", v, s) for k, (v, s) in kw.items() if k == "dot_axes"]
        obj = self.make_layer(cls or "Merge", [], rest, node, custom=cls is None)
        obj.written_kind = "Merge"
        self.layer_warnings.setdefault(obj.name, []).append(
            Diagnostic(
                kind="legacy_api",
                severity="warning",
                layer=obj.name,
                layer_kind=obj.kind,
                span=self.span(node),
                message="`Merge` is a Keras 1 layer that Keras 3 does not have; build the branches with the "
                f"functional API and merge them with `keras.layers.{cls or 'Concatenate'}()([...])`",
            )
        )
        items = self.iterate(branches)
        if cls is not None and items and all(isinstance(b, ModelObj) for b in items):
            obj.branches = list(items)
            for b in items:
                b.consumed = True
        return obj

    # ------------------------------------------------------------ layer calls
    def apply_layer(self, obj: LayerObj, pos, kws, node):
        if obj.kind == "InputLayer":
            return UNKNOWN
        if obj.kind == "Lambda":
            traced = classes.call_lambda(self, obj, pos, kws, node)
            if traced is not None:
                return traced
        if not pos:
            inputs_kw = [(v, s) for k, v, s in kws if k in ("inputs", "x", "input", "query")]
            pos = inputs_kw[:1]
        if not pos:
            return UNKNOWN
        first = pos[0][0]
        list_input = isinstance(first, (list, tuple))
        if not list_input and not isinstance(first, Tensor) and obj.kind in _LIST_KINDS:
            # called on something we could not follow: a list, since Keras requires one here
            list_input = True
        tensor_args = [first] + [v for v, _ in pos[1:] if _is_tensor_like(v)]
        if obj.kind in ("MultiHeadAttention", "GroupQueryAttention"):
            # the IR's positional order is query, value, key, whatever the keyword order written
            by_kw = {k: v for k, v, _ in kws if k in ("value", "key") and _is_tensor_like(v)}
            for i, role in ((1, "value"), (2, "key")):
                if role in by_kw and len(tensor_args) == i:
                    tensor_args.append(by_kw[role])
        edges = []
        for t in (list(first) if isinstance(first, (list, tuple)) else [first]) + tensor_args[1:]:
            edges.append(self.edge_of(t, node))
        call_args = {}
        for k, v, _ in kws:
            if k in ("training", "mask", "inputs", "x", "input", "query"):
                continue
            if not _is_tensor_like(v) and isinstance(v, _PLAIN):
                call_args[k] = v
        lid = self.graph.fresh_id(obj.name)
        self.used_layers.add(obj.name)
        self.call_spans[(id(self.graph), lid)] = self.span(node)
        layer = self.ir_layer(obj, lid, tuple(edges), list_input, call_args)
        self.graph.nodes[lid] = layer
        n_out = output_count(layer)
        if n_out == 1:
            return Tensor(lid, id(self.graph))
        return tuple(Tensor(lid, id(self.graph), i) for i in range(n_out))

    def ir_layer(self, obj: LayerObj, lid: str, edges: tuple, list_input: bool, call_args: dict) -> Layer:
        args = {k: _plain(v) for k, v in obj.args.items()}
        if isinstance(obj.args.get("backward_layer"), LayerObj):
            args["backward_layer"] = self.ir_layer(
                obj.args["backward_layer"], obj.args["backward_layer"].name, (), False, {}
            )
        inner = self.ir_layer(obj.inner, obj.inner.name, (), False, {}) if obj.inner is not None else None
        weights = None
        w = obj.args.get("weights")
        if isinstance(w, (list, tuple)) and w and all(isinstance(a, ArrayVal) for a in w):
            weights = tuple(a.shape for a in w)
            args.pop("weights", None)
        elif "weights" in args:
            args.pop("weights", None)
        return Layer(
            id=lid,
            kind=obj.kind,
            args=args,
            inputs=edges,
            span=obj.span,
            arg_sources=dict(obj.arg_sources),
            call_args=call_args,
            instance=obj.name,
            inner=inner,
            weights=weights,
            list_input=list_input,
            legacy=dict(obj.legacy),
            written_kind=obj.written_kind,
        )

    def edge_of(self, value, node) -> Edge:
        if isinstance(value, Tensor) and value.graph == id(self.graph):
            return Edge(value.node, value.index)
        t = self.opaque_tensor("a value that could not be followed", [], node, what_node=node)
        return Edge(t.node, 0)

    def opaque_tensor(self, what: str, deps, node, what_node=None) -> Tensor:
        edges = tuple(Edge(t.node, t.index) for t in _flat_tensors(deps) if t.graph == id(self.graph))
        lid = self.graph.fresh_id(self.unique_name("opaque"))
        self.graph.nodes[lid] = Layer(id=lid, kind=tensors.opaque_kind(what), inputs=edges, span=self.span(node))
        return Tensor(lid, id(self.graph))

    def apply_model(self, m: ModelObj, pos, kws, node):
        m.consumed = True
        if not pos:
            return UNKNOWN
        x = pos[0][0]
        self.note_built_by_call(m, x, node)
        if m.style == "sequential":
            for entry in list(m.entries):
                self.tick()
                if isinstance(entry, LayerObj):
                    if entry.kind == "InputLayer":
                        continue
                    x = self.apply_layer(entry, [(x, None)], [], node)
                elif isinstance(entry, ModelObj):
                    x = self.apply_model(entry, [(x, None)], [], node)
                elif isinstance(entry, InputDecl):
                    continue
                else:
                    x = self.opaque_tensor(getattr(entry, "what", "unknown layer"), [x], node)
            return x
        if m.style == "functional":
            return self.replay(m, x, node)
        if m.style == "subclassed" and m.instance is not None:
            return self.call_instance(m.instance, pos, kws, node)
        return self.unknown_call(None, pos, kws, node)

    def note_built_by_call(self, m: ModelObj, x, node=None) -> None:
        """Calling an unbuilt model on an Input (or on an array) builds it with that shape."""
        if m.input_decl is None and isinstance(x, ArrayVal) and x.shape and m.style != "functional":
            m.input_decl = InputDecl(
                shape=(None,) + tuple(x.shape[1:]),
                span=self.span(node),
                shape_span=self.span(node),
                shape_source=None,
                declared_as="data",
            )
            return
        if m.input_decl is None and isinstance(x, Tensor) and x.graph == id(self.graph):
            n = self.graph.nodes.get(x.node)
            if isinstance(n, InputNode):
                m.input_decl = InputDecl(
                    shape=n.shape,
                    span=n.span,
                    shape_span=n.shape_span,
                    shape_source=n.shape_source,
                    declared_as="Input",
                    dtype=n.dtype,
                    name=n.name,
                )

    def replay(self, m: ModelObj, x, node):
        """Call a functional model on new tensors: copy its layer calls (same instances)."""
        src: Graph = m.graph
        ins = _flat_tensors(m.inputs)
        given = _flat_tensors(x) if _is_tensor_like(x) else []
        mapping: dict[str, Edge] = {}
        for i, t in enumerate(ins):
            mapping[t.node] = self.edge_of(given[i], node) if i < len(given) else self.edge_of(UNKNOWN, node)
        needed = _reachable(src, _flat_tensors(m.outputs))
        for nid, n in list(src.nodes.items()):
            if nid not in needed or nid in mapping:
                continue
            self.tick()
            if isinstance(n, InputNode):
                mapping[nid] = self.edge_of(UNKNOWN, node)
                continue
            new_id = self.graph.fresh_id(n.instance_id)
            edges = tuple(Edge(mapping[e.node].node, e.index) if e.node in mapping else e for e in n.inputs)
            from dataclasses import replace

            self.graph.nodes[new_id] = replace(n, id=new_id, inputs=edges)
            mapping[nid] = Edge(new_id, 0)

        def remap(v):
            if isinstance(v, Tensor):
                e = mapping.get(v.node)
                return Tensor(e.node, id(self.graph), v.index) if e else self.opaque_tensor("model output", [], node)
            if isinstance(v, (list, tuple)):
                return type(v)(remap(a) for a in v)
            if isinstance(v, dict):
                return {k: remap(a) for k, a in v.items()}
            return v

        out = remap(m.outputs)
        if isinstance(out, list) and len(out) == 1:
            return out[0]
        return out

    # ---------------------------------------------------------------- models
    def new_model(self, style: str, node, kws) -> ModelObj:
        name = {k: v for k, v, _ in kws}.get("name")
        self.serial += 1
        m = ModelObj(
            style=style, span=self.span(node), keras_name=name if isinstance(name, str) else None, serial=self.serial
        )
        self.models.append(m)
        return m

    def make_sequential(self, pos, kws, node) -> ModelObj:
        m = self.new_model("sequential", node, kws)
        layers = pos[0][0] if pos else {k: v for k, v, _ in kws}.get("layers")
        if layers is not None:
            items = self.iterate(layers)
            if items is None:
                m.entries.append(Opaque("a layer list that could not be followed", self.span(node)))
                m.notes.append(self.note("the layer list of this Sequential could not be followed", node))
            else:
                for item in items:
                    self.seq_add(m, item, node)
        return m

    def seq_add(self, m: ModelObj, item, node) -> None:
        if self.uncertain:
            m.entries.append(
                Opaque(
                    f"{self.text_of(node, 50)} (inside a condition or loop that could not be followed)",
                    self.span(node),
                )
            )
            m.notes.append(
                self.note(
                    "a layer is added under a condition or loop nnrepair could not follow; "
                    "shapes after it are not checked",
                    node,
                )
            )
            return
        if isinstance(item, Tensor):
            n = self.graph.nodes.get(item.node)
            if isinstance(n, InputNode) and not m.entries:
                m.entries.append(
                    InputDecl(
                        shape=n.shape,
                        span=n.span,
                        shape_span=n.shape_span,
                        shape_source=n.shape_source,
                        declared_as="Input",
                        dtype=n.dtype,
                        name=n.name,
                        symbols=n.symbols,
                    )
                )
                return
        if isinstance(item, (LayerObj, ModelObj)):
            if isinstance(item, ModelObj):
                item.consumed = True
            else:
                self.used_layers.add(item.name)
            m.entries.append(item)
            return
        if isinstance(item, InstanceVal) and item.model is not None:
            item.model.consumed = True
            m.entries.append(item.model)
            return
        if isinstance(item, InstanceVal) and item.layer is not None:
            m.entries.append(item.layer)
            return
        # anything else (an instance of a class whose base is not known to be a Layer): unknown
        m.entries.append(Opaque(self.text_of(node, 50) if node is not None else "unknown layer", self.span(node)))

    def model_method(self, m: ModelObj, name: str, pos, kws, node):
        if (
            name
            in ("fit", "predict", "evaluate", "train_on_batch", "fit_generator", "predict_on_batch", "test_on_batch")
            and not self.uncertain
        ):
            x = pos[0] if pos else next(((v, s) for k, v, s in kws if k == "x"), (None, None))
            y = pos[1] if len(pos) > 1 else next(((v, s) for k, v, s in kws if k == "y"), (None, None))
            data_values.record_feed(self, m, name, pos, kws, node)
            if isinstance(x[0], ArrayVal):
                m.data_calls.append((name, x[0], x[1], self.span(node)))
            if isinstance(y[0], ArrayVal) and name in ("fit", "evaluate", "train_on_batch", "test_on_batch"):
                m.label_calls.append((name, y[0], y[1], self.span(node)))
            return UNKNOWN
        if name == "compile" and not self.uncertain:
            loss = pos[1][0] if len(pos) > 1 else {k: v for k, v, _ in kws}.get("loss")
            m.loss = loss if isinstance(loss, str) else None
            data_values.record_compile(m, pos, kws, node, self)
            return None
        if name == "add" and pos:
            if m.style == "sequential":
                self.seq_add(m, pos[0][0], node.args[0] if getattr(node, "args", None) else node)
            return None
        if name == "pop" and m.style == "sequential" and m.entries and not self.uncertain:
            m.entries.pop()
            return None
        if name == "build":
            value, src = pos[0] if pos else next(((v, s) for k, v, s in kws if k == "input_shape"), (None, None))
            if value is None:
                return None
            shape = legacy._as_shape(value, with_batch=False)
            if shape is UNKNOWN:
                shape = None
                m.notes.append(self.note("the shape given to build() could not be determined statically", node))
            m.input_decl = InputDecl(
                shape=shape,
                span=self.span(node),
                shape_span=src.span if src else None,
                shape_source=src,
                declared_as="build",
            )
            return None
        if name == "__call__" or name == "call":
            return self.apply_model(m, pos, kws, node)
        if name == "get_layer":
            want = pos[0][0] if pos else {k: v for k, v, _ in kws}.get("name")
            layers = self.model_layers(m)
            if isinstance(want, str) and isinstance(layers, list):
                return next((l for l in layers if getattr(l, "name", None) == want), UNKNOWN)
            if isinstance(want, int) and isinstance(layers, list) and -len(layers) <= want < len(layers):
                return layers[want]
            return UNKNOWN
        return self.unknown_call(None, pos, kws, node)

    def model_layers(self, m: ModelObj):
        """`model.layers` as Keras 3 lists it (functional: InputLayers first)."""
        if m.style == "sequential":
            entries = [e for e in m.entries if not isinstance(e, InputDecl)]
            if all(isinstance(e, (LayerObj, ModelObj)) for e in entries):
                return [e for e in entries if not (isinstance(e, LayerObj) and e.kind == "InputLayer")]
            return UNKNOWN
        if m.style != "functional":
            return UNKNOWN
        order = layer_order.keras_order(m.graph.nodes, [t.node for t in _flat_tensors(m.outputs)])
        out, seen = [], set()
        for nid in order:
            n = m.graph.nodes[nid]
            if isinstance(n, InputNode):
                out.append(
                    LayerObj(
                        kind="InputLayer", written_kind=None, args={}, arg_sources={}, legacy={}, span=n.span, name=n.id
                    )
                )
                continue
            obj = self.layer_objs.get(n.instance_id)
            if obj is None:
                return UNKNOWN
            if n.instance_id not in seen:
                seen.add(n.instance_id)
                out.append(obj)
        return out

    def functional_subclass_init(self, inst: InstanceVal, pos, kws, node):
        m = inst.model
        if m is None or m.style != "subclassed":
            return None
        kw = {k: v for k, v, _ in kws}
        inputs = kw.get("inputs", pos[0][0] if pos else None)
        outputs = kw.get("outputs", pos[1][0] if len(pos) > 1 else None)
        if inputs is None or outputs is None:
            return None
        m.style, m.inputs, m.outputs, m.graph = "functional", inputs, outputs, self.graph
        return None

    def make_functional(self, pos, kws, node):
        kw = {k: v for k, v, _ in kws}
        inputs = kw.get("inputs", kw.get("input", pos[0][0] if pos else None))
        outputs = kw.get("outputs", kw.get("output", pos[1][0] if len(pos) > 1 else None))
        if inputs is None and outputs is None:
            return UNKNOWN
        m = self.new_model("functional", node, kws)
        m.inputs, m.outputs, m.graph = inputs, outputs, self.graph
        if "input" in kw or "output" in kw:
            m.notes.append(
                Diagnostic(
                    kind="legacy_api",
                    severity="warning",
                    span=self.span(node),
                    message="`Model(input=..., output=...)` is Keras 1; Keras 3 rejects it. "
                    "Write `Model(inputs=..., outputs=...)`",
                )
            )
        return m

    # ---------------------------------------------------------------- classes
    def make_class(self, stmt: ast.ClassDef, env: Env) -> ClassVal:
        bases = [self.ev(b, env) for b in stmt.bases]
        kind = "other"
        for b in bases:
            if isinstance(b, Ref) and b.path in ("keras.Model", "keras.Sequential"):
                kind = "model"
            elif isinstance(b, Ref) and b.path.startswith("keras.layers."):
                kind = "layer"
            elif isinstance(b, ClassVal) and b.kind != "other":
                kind = b.kind
        cls = ClassVal(stmt, env, bases, kind)
        # class-body constants (`class Config: units = 64`); methods are looked up from the ast
        scope = Env(env)
        for item in stmt.body:
            if isinstance(item, (ast.Assign, ast.AnnAssign)):
                self.exec_stmt(item, scope)
        cls.attrs = {k: b for k, b in scope.vars.items() if isinstance(b.value, _PLAIN + (tuple, list, dict))}
        return cls

    def instantiate(self, cls: ClassVal, pos, kws, node):
        inst = InstanceVal(cls)
        if cls.kind == "model":
            m = self.new_model("subclassed", node, kws)
            m.instance = inst
            inst.model = m
        elif cls.kind == "layer":
            inst.layer = self.make_layer(_custom_kind(cls.node.name), [], [], node, custom=True)
        init = cls.method("__init__")
        if init is not None:
            self.call_function(FuncVal(init, cls.env, owner=inst), pos, kws, node)
        return inst

    def call_instance(self, inst: InstanceVal, pos, kws, node):
        if inst.layer is not None:
            inlined = self.inline_custom_layer(inst, pos, kws, node)
            if inlined is not None:
                return inlined
            return self.apply_layer(inst.layer, pos, kws, node)
        if inst.model is not None:
            if inst.model.style == "functional":
                return self.apply_model(inst.model, pos, kws, node)
            inst.model.consumed = True
            if pos:
                self.note_built_by_call(inst.model, pos[0][0], node)
            call = inst.cls.method("call")
            if call is None:
                return self.unknown_call(None, pos, kws, node)
            return self.call_function(FuncVal(call, inst.cls.env, owner=inst), pos, kws, node)
        call = inst.cls.method("__call__")
        if call is not None:
            out = self.call_function(FuncVal(call, inst.cls.env, owner=inst), pos, kws, node)
            if _is_tensor_like(out) or not _is_tensor_like([v for v, _ in pos]):
                return out
            # tensors in, nothing we could follow out: only this call's output is unknown
        return self.unknown_call(None, pos, kws, node)

    def inline_custom_layer(self, inst: InstanceVal, pos, kws, node):
        """A custom Layer whose `call` only wires Keras layers (trivially
        resolvable) is inlined; otherwise None (it stays one unknown-kind node)."""
        call = inst.cls.method("call")
        if call is None or not pos or not _is_tensor_like(pos[0][0]):
            return None
        before = set(self.graph.nodes)
        uncertain_before = self.uncertain
        try:
            classes.run_build(self, inst, pos[0][0], node)
            out = classes.declared_output(self, inst, pos, kws, node)
            if out is None:
                out = self.call_function(FuncVal(call, inst.cls.env, owner=inst), pos, kws, node)
        except (_Return, _Break, _Continue):
            out = UNKNOWN
        new = [n for nid, n in self.graph.nodes.items() if nid not in before]
        outs = _flat_tensors(out)
        ok = (
            self.uncertain == uncertain_before
            and outs
            and (
                isinstance(out, Tensor) or (isinstance(out, (tuple, list)) and all(isinstance(t, Tensor) for t in out))
            )
            and classes.inlinable(self, new)
            and all(t.graph == id(self.graph) for t in outs)
        )
        if ok:
            return out
        for nid in [nid for nid in self.graph.nodes if nid not in before]:
            del self.graph.nodes[nid]
        return None

    # --------------------------------------------------------------- builtins
    def call_builtin(self, name: str, pos, kws, node, env):
        vals = [v for v, _ in pos]
        if name == "super":
            # super() inside a method of a keras.Model subclass: its __init__ may
            # take (inputs, outputs), the "functional subclass" idiom
            owner = next((f.get("owner") for f in reversed(self.frames) if f.get("owner") is not None), None)
            return BoundMethod(owner, "__super__") if isinstance(owner, InstanceVal) else UNKNOWN
        if name == "range":
            if all(isinstance(v, int) and not isinstance(v, bool) for v in vals) and 1 <= len(vals) <= 3:
                try:
                    r = range(*vals)
                except ValueError:
                    return UNKNOWN
                return r
            return UNKNOWN
        return builtin_calls.call(name, vals, [(k, v) for k, v, _ in kws], self.iterate)

    def train_test_split(self, pos, kws):
        """sklearn's split keeps each array's per-sample shape; sizes follow its rounding."""
        kw = {k: v for k, v, _ in kws}
        arrays = [v for v, _ in pos]
        test = kw.get("test_size")
        train = kw.get("train_size")
        out = []
        for a in arrays:
            if not isinstance(a, ArrayVal) or not a.shape:
                out += [UNKNOWN, UNKNOWN]
                continue
            n = a.shape[0]
            if n is None:
                out += [ArrayVal(a.shape), ArrayVal(a.shape)]  # rows unknown, per-sample shape kept
                continue
            if isinstance(test, float):
                n_test = math.ceil(test * n)
            elif isinstance(test, int) and not isinstance(test, bool):
                n_test = test
            elif test is None and train is None:
                n_test = math.ceil(0.25 * n)
            else:
                out += [UNKNOWN, UNKNOWN]  # ArrayVal shapes are always fully known
                continue
            if not 0 < n_test < n:
                out += [UNKNOWN, UNKNOWN]
                continue
            out += [ArrayVal((n - n_test,) + a.shape[1:]), ArrayVal((n_test,) + a.shape[1:])]
        return out

    def call_numeric(self, path: str, pos, kws, node):
        vals = [v for v, _ in pos]
        last = path.rsplit(".", 1)[-1]
        if path.startswith("math."):
            if (
                last in ("ceil", "floor", "sqrt", "log2", "prod")
                and vals
                and all(isinstance(v, (int, float)) for v in vals)
            ):
                try:
                    return getattr(math, last)(*vals)
                except Exception:
                    return UNKNOWN
            return UNKNOWN
        # numpy.*: data_numpy.py models the calls it knows (data_values.call_ref runs first)
        return self.unknown_call(None, pos, kws, node)

    # ---------------------------------------------------------------- helpers
    def poison(self, container) -> None:
        """`container` was changed in a way we cannot follow: from now on its
        contents are unknown (every expression that evaluates to it gives UNKNOWN)."""
        self.poisoned[id(container)] = container

    def iterate(self, v) -> list | None:
        if self.poisoned and id(v) in self.poisoned:
            return None
        if isinstance(v, ArrayVal):
            return data_values.iterate(v)
        if isinstance(v, range):
            return list(v) if len(v) <= MAX_SEQ else None
        if isinstance(v, (list, tuple)):
            return list(v)
        if isinstance(v, str):
            return list(v) if len(v) <= MAX_SEQ else None
        if isinstance(v, dict):
            return list(v.keys())
        return None

    def truth(self, v) -> bool | None:
        if v is UNKNOWN:
            return None
        if isinstance(v, Ref):
            # Keras classes and functions are truthy; `sys.argv`, `os.environ`... are values we do not know
            return True if (is_keras(v.path) or v.path.startswith("builtins.")) else None
        if isinstance(v, (LayerObj, ModelObj, FuncVal, ClassVal, BoundMethod)):
            return True  # plain objects are truthy
        if isinstance(v, InstanceVal):
            return True if v.cls.method("__bool__") is None and v.cls.method("__len__") is None else None
        if isinstance(v, _PLAIN + (tuple, list, dict, range)):
            if isinstance(v, (tuple, list, dict)) and is_unknown(v) and len(v) == 0:
                return None
            return bool(v)
        return None


# keras.datasets loaders with fixed shapes: ((x_train, y_train), (x_test, y_test))
_DATASETS = {
    "keras.datasets.mnist.load_data": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "keras.datasets.fashion_mnist.load_data": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "keras.datasets.cifar10.load_data": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
    "keras.datasets.cifar100.load_data": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
    "keras.datasets.boston_housing.load_data": (((404, 13), (404,)), ((102, 13), (102,))),
}
# functions returning a tensor's static shape (tf.shape gives a tensor, whose entries are these sizes)
_SHAPE_FUNCTIONS = {
    "keras.backend.int_shape",
    "keras.ops.shape",
    "keras.ops.core.shape",
    "keras.backend.shape",
    "tensorflow.shape",
    "keras.ops.ndim",
    "keras.backend.ndim",
    "tensorflow.rank",
}
_KERAS1_MODES = {
    "sum": "Add",
    "concat": "Concatenate",
    "mul": "Multiply",
    "ave": "Average",
    "max": "Maximum",
    "dot": "Dot",
    "cos": "Dot",
}
_LIST_KINDS = {
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Dot",
    "Attention",
    "AdditiveAttention",
}
_OPNAMES = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.MatMult: "@", ast.Pow: "**"}
_BUILTINS = {
    "range",
    "len",
    "int",
    "float",
    "str",
    "bool",
    "abs",
    "round",
    "tuple",
    "list",
    "sorted",
    "reversed",
    "sum",
    "min",
    "max",
    "enumerate",
    "zip",
    "dict",
    "print",
    "super",
}


def _ev_unknown(node, env):
    return UNKNOWN


def _wants_sources(func) -> bool:
    if isinstance(func, (FuncVal, ClassVal, LayerObj, ModelObj, InstanceVal)):
        return True
    if isinstance(func, Ref):
        return is_keras(func.path)
    if isinstance(func, BoundMethod):
        return isinstance(func.obj, (ModelObj, InstanceVal))
    return False


_ASSIGNED_CACHE: dict = {}


def output_count(layer: Layer) -> int:
    """How many tensors one call returns (the semantics decide: return_state,
    Bidirectional merge_mode=None, return_attention_scores). An unknown flag
    counts as 1: unpacking still works (see assign)."""
    return max(
        recurrent.output_count(layer.kind, layer.args, layer.inner), attention.output_count(layer.kind, layer.call_args)
    )


def _shape_of_name(node) -> ast.Name | None:
    """`X.shape`, `X[0].shape`, `X.shape[1:]`: the name X whose shape is read, else None."""
    seen_shape = False
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        if isinstance(node, ast.Attribute):
            if node.attr != "shape" or seen_shape:
                return None
            seen_shape = True
        node = node.value
    return node if seen_shape and isinstance(node, ast.Name) else None


def _comparable(v) -> bool:
    if v is UNKNOWN:
        return False
    if isinstance(v, _PLAIN):
        return True
    if isinstance(v, (tuple, list)):
        return not is_unknown(v) and all(_comparable(x) for x in v)
    return False


def _plain(v):
    """An argument value as the IR stores it: plain Python or UNKNOWN."""
    if isinstance(v, _PLAIN):
        return v
    if isinstance(v, (tuple, list)):
        out = [_plain(x) for x in v]
        return tuple(out) if isinstance(v, tuple) else out
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, Ref):
        # activations passed as functions: the Keras name when Keras knows one, else
        # UNKNOWN (any callable is a valid activation; a made-up name would be a false error)
        return _ACTIVATION_FUNCTIONS.get(v.path, UNKNOWN)
    return UNKNOWN


def _nested_shape(v) -> tuple | None:
    """Shape of a regular nested list/tuple of numbers, or None."""
    if isinstance(v, (int, float, bool)) and not is_unknown(v):
        return ()
    if not isinstance(v, (list, tuple)) or not v or len(v) > MAX_SEQ:
        return None if not isinstance(v, (list, tuple)) else ((0,) if not v else None)
    inner = _nested_shape(v[0])
    if inner is None:
        return None
    for x in v[1:]:
        if _nested_shape(x) != inner:
            return None
    return (len(v),) + inner


# activation functions whose name Keras 3 also accepts as a string
# keras.activations.ALL_OBJECTS_DICT (Keras 3.15) plus its aliases: names `activation=` accepts
KERAS_ACTIVATIONS = (
    "relu",
    "leaky_relu",
    "relu6",
    "softmax",
    "celu",
    "elu",
    "selu",
    "softplus",
    "softsign",
    "squareplus",
    "soft_shrink",
    "sparse_plus",
    "silu",
    "gelu",
    "glu",
    "tanh",
    "tanh_shrink",
    "threshold",
    "sigmoid",
    "sparse_sigmoid",
    "exponential",
    "hard_sigmoid",
    "hard_silu",
    "hard_tanh",
    "hard_shrink",
    "linear",
    "mish",
    "log_softmax",
    "log_sigmoid",
    "sparsemax",
    "swish",
    "hard_swish",
)
# TensorFlow functions that compute the same thing as a Keras activation -> its name.
# Not listed (tf.nn.crelu doubles the last axis, tf.math.exp, ...): UNKNOWN, never a guess.
TF_ACTIVATIONS = {
    "tensorflow.nn.relu": "relu",
    "tensorflow.nn.relu6": "relu6",
    "tensorflow.nn.leaky_relu": "leaky_relu",
    "tensorflow.nn.elu": "elu",
    "tensorflow.nn.selu": "selu",
    "tensorflow.nn.gelu": "gelu",
    "tensorflow.nn.silu": "silu",
    "tensorflow.nn.swish": "swish",
    "tensorflow.nn.softmax": "softmax",
    "tensorflow.nn.log_softmax": "log_softmax",
    "tensorflow.nn.sigmoid": "sigmoid",
    "tensorflow.nn.tanh": "tanh",
    "tensorflow.nn.softplus": "softplus",
    "tensorflow.nn.softsign": "softsign",
    "tensorflow.math.sigmoid": "sigmoid",
    "tensorflow.math.tanh": "tanh",
    "tensorflow.math.softplus": "softplus",
    "tensorflow.math.softsign": "softsign",
    "tensorflow.math.log_sigmoid": "log_sigmoid",
    "tensorflow.sigmoid": "sigmoid",
    "tensorflow.tanh": "tanh",
    "tensorflow.math.exp": "exponential",
    "tensorflow.exp": "exponential",
}
_ACTIVATION_FUNCTIONS = {**{f"keras.activations.{n}": n for n in KERAS_ACTIVATIONS}, **TF_ACTIVATIONS}


def _np_reshape(arr: ArrayVal, shape):
    if isinstance(shape, int):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(isinstance(d, int) for d in shape):
        return UNKNOWN
    total = math.prod(arr.shape)
    if list(shape).count(-1) == 1:
        rest = math.prod(d for d in shape if d != -1)
        if rest == 0 or total % rest:
            return UNKNOWN
        shape = tuple(total // rest if d == -1 else d for d in shape)
    if math.prod(shape) != total:
        return UNKNOWN
    return ArrayVal(tuple(shape))


def _custom_kind(name: str) -> str:
    """A user Layer subclass: keep its class name as the kind, unless it shadows
    a Keras class name (then Keras semantics would be applied by mistake)."""
    return f"{name} (custom layer)" if is_layer_class_name(name) else name


def _fragment_guess(name: str) -> str | None:
    """A name never bound in a code fragment: read it as the Keras object it names."""
    if name in ("Sequential", "Model", "Input"):
        return canonical("keras." + name)
    if name in ("layers", "models", "keras", "backend"):
        return "keras" if name == "keras" else "keras." + name
    if name == "tf":
        return "tensorflow"
    if name == "K":
        return "keras.backend"
    if name == "np":
        return "numpy"
    if is_layer_class_name(name) or name in MERGE_FUNCTIONS or name == "merge":
        return "keras.layers." + name
    return None


def _bound_names(tree: ast.AST) -> set:
    out: set = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.alias):
            out.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            out.add(node.arg)
    return out


def _assigned_names(stmt) -> set:
    key = id(stmt)
    hit = _ASSIGNED_CACHE.get(key)
    if hit is not None and hit[0] is stmt:
        return hit[1]
    out = _assigned_names_walk(stmt)
    if len(_ASSIGNED_CACHE) > 4096:
        _ASSIGNED_CACHE.clear()
    _ASSIGNED_CACHE[key] = (stmt, out)
    return out


def _assigned_names_walk(stmt) -> set:
    out = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
    return out


def _mentions_model(fdef) -> bool:
    for node in ast.walk(fdef):
        if isinstance(node, ast.Name) and node.id in ("Sequential", "Model", "Input"):
            return True
        if isinstance(node, ast.Attribute) and node.attr in ("Sequential", "Model", "Input"):
            return True
    return False


def _reachable(graph: Graph, outputs: list) -> set:
    seen: set = set()
    stack = [t.node for t in outputs if isinstance(t, Tensor)]
    while stack:
        nid = stack.pop()
        if nid in seen or nid not in graph.nodes:
            continue
        seen.add(nid)
        n = graph.nodes[nid]
        if isinstance(n, Layer):
            stack.extend(e.node for e in n.inputs)
    return seen


# re-exported for extract.py
__all__ = ["Evaluator", "Graph", "Env", "SHAPE_ARGS", "_reachable", "SIGNATURES"]
