"""Turn a semantics Example into a one-layer IR model (shared by tests and benchmarks)."""

from repair_engine.ir import Edge, InputNode, Layer, Model


def example_model(ex) -> Model:
    inputs = tuple(InputNode(id=f"in{i}", shape=tuple(s)) for i, s in enumerate(ex.input_list))
    inner = None
    if ex.inner is not None:
        inner = Layer(id="inner", kind=ex.inner[0], args=dict(ex.inner[1]))
    layer = Layer(
        id="layer",
        kind=ex.kind,
        args=dict(ex.args),
        inputs=tuple(Edge(i.id) for i in inputs),
        inner=inner,
        weights=tuple(tuple(w) for w in ex.weights) if ex.weights is not None else None,
        list_input=ex.called_with_list,
    )
    n_out = len(ex.out) if isinstance(ex.out, list) else 1
    outputs = tuple(Edge("layer", i) for i in range(n_out))
    return Model(name="example", inputs=inputs, layers=(layer,), outputs=outputs)
