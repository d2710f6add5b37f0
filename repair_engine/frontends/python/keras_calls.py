"""The Keras domain: calls into keras/tf (layers, ops, Input, datasets) and layer calls on tensors.

A part of the Evaluator (evaluator.py): never executes the code it reads."""

from __future__ import annotations

from ...diagnostics import Diagnostic
from ...ir import UNKNOWN, Edge, InputNode, Layer
from ...semantics import keras2
from ...target import active as active_target
from . import classes, data_values, legacy, symbols, tensors
from .eval_support import (
    _DATASETS,
    _KERAS1_MODES,
    _LIST_KINDS,
    _PLAIN,
    _SHAPE_FUNCTIONS,
    EvaluatorPart,
    Graph,
    _flat_tensors,
    _is_tensor_like,
    _plain,
    _reachable,
    output_count,
)
from .imports import runtime_submodules
from .signatures import MERGE_FUNCTIONS
from .values import (
    ArrayVal,
    InputDecl,
    LayerObj,
    ModelObj,
    Ref,
    Tensor,
    snake,
)


class KerasCallsPart(EvaluatorPart):
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
