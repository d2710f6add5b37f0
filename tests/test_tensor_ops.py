"""Every tensor-op unit's OP_EXAMPLES, checked against our semantics and against
real `keras.ops` called on symbolic KerasTensors (same verdict, same shapes)."""

from __future__ import annotations

import pytest

from repair_engine.checker import check
from repair_engine.ir import Edge, InputNode, Layer, Model
from repair_engine.semantics.ops import LIST_PARAMS, OP_EXAMPLES, OPS, PARAMS


def _id(ex) -> str:
    args = ",".join(f"{k}={v}" for k, v in ex.args.items())
    return f"{ex.op}({ex.tensors};{args})"


def op_model(ex) -> Model:
    """The example as an IR model: one InputNode per tensor, one op node."""
    inputs, edges, names = [], [], []
    for name, shape in ex.tensors.items():
        listed = LIST_PARAMS.get(ex.op) == name
        for j, s in enumerate(shape if listed else [shape]):
            iid = f"in_{name}_{j}"
            inputs.append(InputNode(id=iid, shape=tuple(s)))
            edges.append(Edge(iid))
            names.append(name)
    layer = Layer(id="layer", kind="ops." + ex.op, args={**ex.args, "_tensors": tuple(names)}, inputs=tuple(edges))
    return Model(name="m", inputs=tuple(inputs), layers=(layer,), outputs=(Edge("layer"),))


def _outs(ex) -> list:
    return [tuple(s) for s in (ex.out if isinstance(ex.out, list) else [ex.out])]


@pytest.mark.parametrize("ex", OP_EXAMPLES, ids=[_id(e) for e in OP_EXAMPLES])
def test_op_semantics_match_example(ex):
    res = check(op_model(ex))
    if ex.error is None:
        assert not res.errors, [d.message for d in res.errors]
        assert res.shapes["layer"] == _outs(ex)
    else:
        assert [d.kind for d in res.errors] == [ex.error], [d.message for d in res.diagnostics]


def _key(k):
    if isinstance(k, (tuple, list)) and len(k) == 4 and k[0] == "slice":
        return slice(*k[1:])
    return Ellipsis if k == "..." else k


def keras_call(ex):
    from tests.conftest import require_keras

    require_keras()
    import keras

    tensors = {
        n: ([keras.KerasTensor(s) for s in shape] if LIST_PARAMS.get(ex.op) == n else keras.KerasTensor(shape))
        for n, shape in ex.tensors.items()
    }
    if ex.op == "getitem":
        return tensors["x"][tuple(_key(k) for k in ex.args["key"])]
    fn = keras.ops
    for part in ex.op.split("."):
        fn = getattr(fn, part)
    kwargs = {**tensors, **ex.args}
    if ex.op == "meshgrid":
        return fn(*kwargs.pop("x"), **kwargs)
    if ex.op == "einsum":
        return fn(kwargs.pop("subscripts"), *kwargs.pop("operands"))
    return fn(**kwargs)


@pytest.mark.parametrize("ex", OP_EXAMPLES, ids=[_id(e) for e in OP_EXAMPLES])
def test_keras_matches_op_example(ex):
    if ex.error is None:
        out = keras_call(ex)
        got = [tuple(t.shape) for t in (out if isinstance(out, (list, tuple)) else [out])]
        assert got == _outs(ex)
    else:
        with pytest.raises((ValueError, TypeError, IndexError)):
            keras_call(ex)


# ops the frontend makes from declarations, tested through fixtures (custom layers, applications)
FRONTEND_ONLY = {"ops.weight", "ops.declared", "ops.application"}


def test_every_op_has_params_and_a_valid_example():
    covered = {"ops." + e.op for e in OP_EXAMPLES if e.error is None}
    assert set(PARAMS) == {k[4:] for k in OPS}
    # ops registered in bulk share one unit; each unit has at least one valid example
    units = {id(u) for k, u in OPS.items() if k in covered}
    missing = sorted({k for k, u in OPS.items() if id(u) not in units and k not in FRONTEND_ONLY})
    assert not missing, missing
