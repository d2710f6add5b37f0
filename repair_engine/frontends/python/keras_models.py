"""The Keras domain: models (Sequential, functional, their methods) and user Layer/Model classes.

A part of the Evaluator (evaluator.py): never executes the code it reads."""

from __future__ import annotations

import ast

from ...diagnostics import Diagnostic
from ...ir import UNKNOWN, InputNode
from . import classes, data_values, layer_order, legacy
from .eval_support import (
    _PLAIN,
    Env,
    EvaluatorPart,
    _Break,
    _Continue,
    _custom_kind,
    _flat_tensors,
    _is_tensor_like,
    _Return,
)
from .values import (
    ArrayVal,
    ClassVal,
    FuncVal,
    InputDecl,
    InstanceVal,
    LayerObj,
    ModelObj,
    Opaque,
    Ref,
    Tensor,
)


class ModelsPart(EvaluatorPart):
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
