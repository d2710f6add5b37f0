"""The interpreter's expressions: names, attributes, operators, subscripts, literals, comprehensions.

A part of the Evaluator (evaluator.py): never executes the code it reads."""

from __future__ import annotations

import ast
import operator
from typing import Any

from ...ir import UNKNOWN, ArgSource
from . import budgets, classes, data_values, repo_imports, tensors
from .eval_support import (
    _BINOPS,
    _BUILTINS,
    _CMPOPS,
    _MAX_INT,
    _PLAIN,
    MAX_EXPR_DEPTH,
    MAX_LOOP,
    MAX_SEQ,
    Env,
    EvaluatorPart,
    _comparable,
    _const_equal,
    _ev_unknown,
    _fragment_guess,
    _is_tensor_like,
    _wants_sources,
)
from .imports import canonical, star_names
from .values import (
    ArrayVal,
    BoundMethod,
    ClassVal,
    FuncVal,
    InstanceVal,
    LayerObj,
    ModelObj,
    Ref,
    Tensor,
)


class ExpressionsPart(EvaluatorPart):
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
