"""The checker: runs the layer semantics over a model graph in topological order.

Pure function of the IR: `check(model) -> CheckResult`. After a failed
precondition the layer's output becomes unknown, so later layers that depend
only on it are not reported again (one root cause, one diagnostic), while
independent branches are still checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Diagnostic, Related, fmt_shape
from .ir import InputNode, Layer, Model, Shape
from .semantics import REGISTRY, dims
from .semantics.base import Ctx, Unknown, Violation

# one layer's semantics, run by the checker here and by the Python frontend while it
# evaluates `x.shape` (semantics/run.py: the frontends call nothing downstream)
from .semantics.run import expected_weights, input_shapes_of, run_layer, unit_of

__all__ = ["CheckResult", "check", "expected_weights", "input_shapes_of", "root_inputs", "run_layer", "unit_of"]

# Above these sizes a model is not checked (bounded time and memory).
MAX_LAYERS = 20000
MAX_ELEMENTS = 10**15  # per-sample elements, far above any real model


@dataclass
class CheckResult:
    model: Model
    diagnostics: list = field(default_factory=list)
    # node id -> list of output shapes (None entries are unknown)
    shapes: dict = field(default_factory=dict)
    output_shapes: list = field(default_factory=list)
    # layer ids whose semantics could not be evaluated (unknown kind/values)
    unchecked: list = field(default_factory=list)

    @property
    def errors(self) -> list:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def status(self) -> str:
        if self.errors:
            return "invalid"
        if self.model.layers and all(l.id in self.unchecked for l in self.model.layers):
            return "unsupported"
        if not self.model.layers and not self.model.inputs:
            return "unsupported"
        return "valid"

    @property
    def input_shapes(self) -> list:
        return [inp.shape for inp in self.model.inputs]


def _diag_from_violation(v: Violation, layer: Layer, model: Model, inputs: list) -> Diagnostic:
    span = layer.span
    related: list[Related] = []
    if v.argument and v.argument in layer.arg_sources:
        src = layer.arg_sources[v.argument]
        if src.span is not None:
            span = src.span
        if src.origin is not None:
            related.append(Related(src.origin, f"the value of `{v.argument}` is defined here"))
    if v.kind in ("rank_mismatch", "non_positive_dim", "incompatible_shape", "undefined_dim", "reshape_size"):
        # the root cause is often the declared input shape (or the constant or
        # data it came from), not the layer that fails
        for inp in root_inputs(model, layer):
            where = inp.shape_span or inp.span
            if where is not None and where != span:
                related.append(
                    Related(where, f"the input shape {fmt_shape(inp.shape)} declared here flows into {layer.id}")
                )
            origin = inp.shape_source.origin if inp.shape_source is not None else None
            if inp.shape_source is not None and origin is not None and origin != where and origin != span:
                name = inp.shape_source.origin_name
                what = f"`{name}`" if name else "the input shape"
                related.append(Related(origin, f"the value of {what} is defined here"))
    return Diagnostic(
        kind=v.kind,
        message=v.message,
        severity="error",
        span=span,
        layer=layer.id,
        layer_kind=layer.kind,
        argument=v.argument,
        expected=v.expected,
        actual=v.actual,
        related=tuple(related),
        hint=v.hint,
        subcode=v.code,
    )


def root_inputs(model: Model, layer: Layer) -> list[InputNode]:
    """The model inputs that (transitively) feed `layer`."""
    by_id = {l.id: l for l in model.layers}
    inputs = {i.id: i for i in model.inputs}
    seen: set[str] = set()
    found: list[InputNode] = []
    stack = [e.node for e in layer.inputs]
    while stack:
        nid = stack.pop()
        if nid in seen:
            continue
        seen.add(nid)
        if nid in inputs:
            found.append(inputs[nid])
        elif nid in by_id:
            stack.extend(e.node for e in by_id[nid].inputs)
    return found


def check(model: Model) -> CheckResult:
    if dims.has_symbols(model):  # an input shape that is not a constant (semantics/dims.py)
        return dims.check_symbolic(model, _check_concrete, run_layer)
    return _check_concrete(model)


def _check_concrete(model: Model) -> CheckResult:
    result = CheckResult(model=model)
    result.diagnostics.extend(model.notes)
    if len(model.layers) > MAX_LAYERS:
        result.diagnostics.append(
            Diagnostic(
                kind="limit_exceeded",
                severity="warning",
                message=f"model has {len(model.layers)} layers, more than the limit of {MAX_LAYERS}; not checked",
                span=model.span,
            )
        )
        result.unchecked = [l.id for l in model.layers]
        return result

    shapes: dict[str, list] = {}
    for inp in model.inputs:
        shapes[inp.id] = [inp.shape]
    # shared layers: instance -> (first layer id, expected weight shapes)
    built: dict[str, tuple[str, list | None, dict | None]] = {}
    calls: dict[str, int] = {}
    for l in model.layers:
        calls[l.instance_id] = calls.get(l.instance_id, 0) + 1
    shared = {iid for iid, n in calls.items() if n > 1}
    known_ids = set(shapes)
    for layer in model.layers:
        for e in layer.inputs:
            if e.node not in known_ids:
                # Edges to later or missing nodes: a cycle or a dangling reference.
                result.diagnostics.append(
                    Diagnostic(
                        kind="unsupported_construct",
                        severity="warning",
                        message=f"{layer.id} takes an input '{e.node}' that is not defined before it "
                        "(cyclic or dangling reference); shapes from here on are not checked",
                        span=layer.span,
                        layer=layer.id,
                        layer_kind=layer.kind,
                    )
                )
        known_ids.add(layer.id)
        inputs = input_shapes_of(layer, shapes)
        unit = unit_of(layer.kind)
        if unit is None:
            shapes[layer.id] = [None]
            result.unchecked.append(layer.id)
            result.diagnostics.append(
                Diagnostic(
                    kind="unsupported_construct",
                    severity="info",
                    message=f"{layer.kind} is not modelled by nnrepair; shapes after {layer.id} are not checked",
                    span=layer.span,
                    layer=layer.id,
                    layer_kind=layer.kind,
                )
            )
            continue
        first = built.get(layer.instance_id)
        if first is not None and first[0] != layer.id and first[2] is not None:
            # a later call of a built layer: Keras checks the input spec the
            # first call fixed (e.g. Dense's last axis), not the weights
            diag = _shared_spec_diag(layer, first, inputs)
            if diag is not None:
                result.diagnostics.append(diag)
                shapes[layer.id] = [None]
                continue
        warnings: list[Violation] = []
        outs, violation, evaluated = run_layer(layer, inputs, warnings)
        for w in warnings:
            d = _diag_from_violation(w, layer, model, inputs)
            result.diagnostics.append(Diagnostic(**{**d.__dict__, "severity": "warning"}))
        if violation is not None:
            result.diagnostics.append(_diag_from_violation(violation, layer, model, inputs))
            shapes[layer.id] = outs
            continue
        if not evaluated:
            result.unchecked.append(layer.id)
        # Weight shapes: supplied weights and shared layers must match what the
        # layer builds from this input.
        if evaluated and (layer.weights is not None or first is not None):
            expected = expected_weights(layer, inputs)
            if expected is not None:
                diag = _weight_diag(layer, expected, first)
                if diag is not None and diag.severity == "error":
                    result.diagnostics.append(diag)
                    shapes[layer.id] = [None] * len(outs)
                    continue
                if diag is not None:
                    result.diagnostics.append(diag)
        if evaluated and first is None and layer.instance_id in shared:
            built[layer.instance_id] = (layer.id, expected_weights(layer, inputs), _input_spec(layer, inputs))
        bad = _too_large(outs)
        if bad is not None:
            result.diagnostics.append(
                Diagnostic(
                    kind="limit_exceeded",
                    severity="warning",
                    message=f"{layer.id} outputs {fmt_shape(bad)}, too large to check further",
                    span=layer.span,
                    layer=layer.id,
                    layer_kind=layer.kind,
                )
            )
            outs = [None] * len(outs)
        shapes[layer.id] = outs

    result.shapes = shapes
    result.output_shapes = []
    for e in model.outputs:
        node_outs = shapes.get(e.node)
        result.output_shapes.append(node_outs[e.index] if node_outs and e.index < len(node_outs) else None)
    if model.feeds:  # the data fed to fit/predict, through the loss (semantics/feeds.py)
        from .semantics.feeds import check_feeds

        result.diagnostics.extend(check_feeds(model, result, check))
    return result


def _input_spec(layer: Layer, inputs: list) -> dict | None:
    """The input spec a layer keeps after its first call (None: accepts anything)."""
    spec_fn = getattr(REGISTRY.get(layer.kind), "input_spec", None)
    if spec_fn is None or len(inputs) != 1 or inputs[0] is None:
        return None
    try:
        return spec_fn(Ctx(layer=layer, inputs=list(inputs)))
    except (Unknown, Violation):
        return None


def _shared_spec_diag(layer: Layer, first_call: tuple, inputs: list) -> Diagnostic | None:
    from .semantics.base import input_spec_violation

    if len(inputs) != 1 or inputs[0] is None:
        return None
    reason = input_spec_violation(first_call[2], inputs[0])
    if reason is None:
        return None
    return Diagnostic(
        kind="incompatible_shape",
        message=f"{layer.id} calls the layer first called as {first_call[0]} again, on {fmt_shape(inputs[0])}: "
        f"{reason}; make the inputs agree or use a separate layer",
        span=layer.span,
        layer=layer.id,
        layer_kind=layer.kind,
        expected=str(first_call[2]),
        actual=fmt_shape(inputs[0]),
        hint={"shared_with": first_call[0], "spec": first_call[2]},
    )


def _too_large(outs: list) -> Shape | None:
    for s in outs:
        if s is None:
            continue
        n = 1
        for d in s[1:]:
            if d is not None:
                n *= d
        if n > MAX_ELEMENTS:
            return s
    return None


def _weight_diag(layer: Layer, expected: list, first_call: tuple | None) -> Diagnostic | None:
    if layer.weights is not None:
        # a None entry is a weight whose shape was not given (e.g. a spec that
        # supplies the bias only): it is compared as what the layer builds
        given = [
            tuple(w) if w is not None else (expected[i] if i < len(expected) else None)
            for i, w in enumerate(layer.weights)
        ]
        if given != expected:
            return Diagnostic(
                kind="weight_shape",
                message=f"{layer.kind} {layer.id} builds weights of shapes "
                f"{', '.join(map(fmt_shape, expected))} for its input, but the supplied weights have shapes "
                f"{', '.join(map(fmt_shape, given))}",
                span=(weights_src.span if (weights_src := layer.arg_sources.get("weights")) else None) or layer.span,
                layer=layer.id,
                layer_kind=layer.kind,
                argument="weights",
                expected=", ".join(map(fmt_shape, expected)),
                actual=", ".join(map(fmt_shape, given)),
                hint={"expected_weights": expected, "given_weights": given},
            )
    if first_call is not None and first_call[0] != layer.id and first_call[1] is not None and first_call[1] != expected:
        # Keras builds this call (its input spec holds) but the weights of the
        # first call do not fit this input: it fails when the model runs
        return Diagnostic(
            kind="incompatible_shape",
            severity="warning",
            message=f"{layer.id} shares the layer first called as {first_call[0]}, whose weights have shapes "
            f"{', '.join(map(fmt_shape, first_call[1]))}; this input would need "
            f"{', '.join(map(fmt_shape, expected))}, so the model fails when it runs",
            span=layer.span,
            layer=layer.id,
            layer_kind=layer.kind,
            expected=", ".join(map(fmt_shape, first_call[1])),
            actual=", ".join(map(fmt_shape, expected)),
        )
    return None
