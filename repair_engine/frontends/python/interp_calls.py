"""The interpreter's calls: user functions (inlined, bounded), methods, and the builtins.

A part of the Evaluator (evaluator.py): never executes the code it reads."""

from __future__ import annotations

import ast
import math

from ...ir import UNKNOWN, ArgSource
from . import builtin_calls, classes, data_values, repo_imports
from .eval_support import (
    _MUTATORS,
    _PLAIN,
    MAX_CALL_DEPTH,
    Env,
    EvaluatorPart,
    _Break,
    _Continue,
    _is_tensor_like,
    _np_reshape,
    _Return,
)
from .imports import runtime_submodules
from .values import (
    ArrayVal,
    Binding,
    BoundMethod,
    ClassVal,
    FuncVal,
    InstanceVal,
    LayerObj,
    ModelObj,
    Ref,
)


class CallsPart(EvaluatorPart):
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
