"""A small partial evaluator for Python model-building code (never executes it).

It walks the module's statements with abstract values: constants (with the
span where they were defined), symbolic tensors, layer objects, models under
construction, helper functions (inlined, bounded), user classes. Anything it
cannot follow becomes UNKNOWN; code under a condition or loop it cannot decide
runs once in "uncertain" mode, where names it assigns become UNKNOWN afterwards
and `model.add` records an opaque step, so nothing is ever guessed.

Every evaluation step counts against a budget (bounded time on hostile input).

The class is assembled from parts, a small Python interpreter apart from the
Keras domain model: interp_statements, interp_expressions, interp_calls (the
interpreter), keras_calls, keras_models (the domain); eval_support holds what
they share. This module keeps the state, the driver and the step budget.
"""

from __future__ import annotations

import ast
import time
from typing import Any

from ...diagnostics import Diagnostic
from ...ir import UNKNOWN, is_unknown
from . import budgets, data_values, symbols
from .eval_support import (
    _PLAIN,
    KERAS_ACTIVATIONS,
    MAX_SECONDS,
    MAX_SEQ,
    MAX_STEPS,
    SHAPE_ARGS,
    TF_ACTIVATIONS,
    Env,
    Graph,
    _assigned_names,
    _bound_names,
    _Break,
    _Continue,
    _flat_tensors,
    _mentions_model,
    _nested_shape,
    _plain,
    _reachable,
    _Return,
    output_count,
)
from .imports import is_keras
from .interp_calls import CallsPart
from .interp_expressions import ExpressionsPart
from .interp_statements import StatementsPart
from .keras_calls import KerasCallsPart
from .keras_models import ModelsPart
from .project import BOUND_ATTR, SPANS_ATTR
from .signatures import SIGNATURES
from .source import Spans
from .values import (
    ArrayVal,
    Binding,
    BoundMethod,
    Budget,
    ClassVal,
    FuncVal,
    InstanceVal,
    LayerObj,
    ModelObj,
    Ref,
)


class Evaluator(StatementsPart, ExpressionsPart, CallsPart, KerasCallsPart, ModelsPart):
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


__all__ = [
    "Evaluator",
    "Graph",
    "Env",
    "SHAPE_ARGS",
    "MAX_STEPS",
    "KERAS_ACTIVATIONS",
    "TF_ACTIVATIONS",
    "SIGNATURES",
    "_flat_tensors",
    "_reachable",
    "output_count",
]
