"""The Keras build worker (repair_engine/keras_worker.py): the IR it is sent,
its verdicts against the in-process oracle, and what happens when it cannot answer."""

import importlib.util
import json
import math
import os
import time

import pytest

from repair_engine import keras_worker
from repair_engine import oracle as oracle_mod
from repair_engine.ir import Edge, InputNode, Layer, Model, UNKNOWN
from repair_engine.repair import verify as verify_mod
from tests.conftest import require_keras


# the worker's transport is what these tests are about: the faster backend when
# installed (its verdicts are then compared with TensorFlow's in this process)
WORKER_BACKEND = "numpy" if all(importlib.util.find_spec(m) for m in oracle_mod.FAST_BACKEND_NEEDS) else "tensorflow"


def _chain(shape, layers) -> Model:
    inp = InputNode(id="in", shape=shape)
    out, prev = [], "in"
    for i, (kind, args) in enumerate(layers):
        out.append(Layer(id=f"l{i}", kind=kind, args=args, inputs=(Edge(prev),)))
        prev = f"l{i}"
    return Model(name="m", inputs=(inp,), layers=tuple(out), outputs=(Edge(prev),))


def test_encoding_keeps_tuples_lists_dicts_inner_layers_and_weights():
    inner = Layer(id="inner", kind="Dense", args={"units": 3})
    layer = Layer(
        id="l0",
        kind="TimeDistributed",
        args={"t": (1, 2), "l": [1, (2, 3)], "d": {"a": (1,), 2: None}, "f": 0.5, "s": "same", "b": True},
        inputs=(Edge("in", 0),),
        call_args={"training": False},
        instance="shared",
        inner=inner,
        weights=((4, 3), (3,)),
        list_input=True,
    )
    model = Model(name="m", inputs=(InputNode(id="in", shape=(None, 5, 4), dtype="float32"),), layers=(layer,),
                  outputs=(Edge("l0", 0),))
    back = keras_worker.decode(json.loads(json.dumps(keras_worker.encode(model))))
    got = back.layers[0]
    assert got.args == layer.args and type(got.args["t"]) is tuple and type(got.args["l"][1]) is tuple
    assert got.inner == inner and got.weights == layer.weights and got.instance == "shared"
    assert got.list_input and got.call_args == {"training": False} and got.inputs == layer.inputs
    assert back.inputs[0].shape == (None, 5, 4) and back.inputs[0].dtype == "float32"
    assert back.outputs == model.outputs


def test_nan_survives_and_unknown_values_are_refused():
    m = _chain((None, 4), [("Dropout", {"rate": float("nan")})])
    back = keras_worker.decode(json.loads(json.dumps(keras_worker.encode(m))))
    assert math.isnan(back.layers[0].args["rate"])
    with pytest.raises(TypeError):
        keras_worker.encode(_chain((None, 4), [("Dense", {"units": UNKNOWN})]))


@pytest.fixture
def worker(monkeypatch):
    oracle = require_keras()  # the worker imports the same Keras; the test compares with it
    w = keras_worker.Worker.spawn(WORKER_BACKEND)
    yield oracle, w
    w.close()


def test_the_worker_builds_as_the_oracle_does(worker):
    oracle, w = worker
    valid = _chain((None, 8, 8, 3), [("Conv2D", {"filters": 4, "kernel_size": (3, 3)}), ("Flatten", {}),
                                     ("Dense", {"units": 2})])
    invalid = _chain((None, 8), [("Conv2D", {"filters": 4, "kernel_size": 3})])
    for model in (valid, invalid):
        here = oracle.build(model)
        there = w.build(model)
        assert there is not None and there["ok"] == here.ok
    assert w.build(valid)["output_shapes"] == [[None, 2]]
    assert w.backend == WORKER_BACKEND


def test_a_build_out_of_time_ends_the_worker(worker):
    _, w = worker
    assert w.wait_ready()
    pid = w.proc.pid
    big = _chain((None, 64), [("Dense", {"units": 64})] * 200)
    assert w.build(big, timeout=1e-6) is None
    assert "did not finish in time" in w.why_not
    assert w.proc is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # ended and reaped, not left running


def test_a_dead_worker_is_no_verdict(worker):
    _, w = worker
    assert w.wait_ready()
    w.proc.kill()
    w.proc.wait()
    assert w.build(_chain((None, 4), [("Dense", {"units": 2})])) is None
    assert "died" in w.why_not


def test_verification_falls_back_to_the_semantics_when_the_worker_cannot_answer(monkeypatch):
    require_keras()
    monkeypatch.setattr(oracle_mod, "loaded_backend", lambda: None)  # as in a fresh `fix`
    monkeypatch.setattr(keras_worker, "BUILD_TIMEOUT_S", 1e-6)
    monkeypatch.setenv(oracle_mod.REPAIR_BACKEND_ENV, WORKER_BACKEND)
    monkeypatch.setattr(keras_worker, "_worker", None)
    model = _chain((None, 64), [("Dense", {"units": 64})] * 200)
    try:
        ver = verify_mod.verify(model)
    finally:
        w = keras_worker.current()
        if w is not None:
            w.close()
    assert ver.verified is True and ver.by == "semantics" and ver.backend is None
    assert "did not finish in time" in ver.reason


def test_the_worker_is_not_started_when_keras_is_off(monkeypatch):
    monkeypatch.setattr(keras_worker, "_worker", None)
    monkeypatch.setattr(oracle_mod, "loaded_backend", lambda: None)  # as in a fresh `fix`
    verify_mod.prepare_keras(use_oracle=False)
    assert keras_worker.current() is None
    monkeypatch.setenv(keras_worker.WORKER_ENV, "0")
    verify_mod.prepare_keras(use_oracle=True)
    assert keras_worker.current() is None


def test_closing_the_worker_ends_its_process():
    require_keras()
    w = keras_worker.Worker.spawn(WORKER_BACKEND)
    proc = w.proc
    w.close()
    assert proc.poll() is not None and w.proc is None


def test_a_warm_server_serves_one_run_after_another_and_ends_when_idle(tmp_path, monkeypatch):
    import stat
    import subprocess
    import sys

    require_keras()
    path = str(tmp_path / "keras.sock")
    server = subprocess.Popen(
        [sys.executable, "-m", "repair_engine.keras_worker", WORKER_BACKEND, "--socket", path, "--idle", "20"],
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        while not os.path.exists(path) and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.2)
        assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0  # only this user may connect
        valid = _chain((None, 8), [("Dense", {"units": 2})])
        invalid = _chain((None, 8), [("Conv2D", {"filters": 4, "kernel_size": 3})])
        for model, ok in ((valid, True), (invalid, False)):  # two runs, one after the other
            w = keras_worker.Worker.connect(path)
            assert w is not None
            reply = w.build(model)
            assert reply["ok"] is ok and w.backend == WORKER_BACKEND
            w.close()
        monkeypatch.setenv(keras_worker.SOCKET_ENV, path)
        monkeypatch.setattr(keras_worker, "_worker", None)
        monkeypatch.setattr(oracle_mod, "loaded_backend", lambda: None)  # as in a fresh `fix`
        ver = verify_mod.verify(valid)
        assert ver.by == "keras" and ver.backend == WORKER_BACKEND
        assert keras_worker.current().sock is not None  # the server answered, no child was started
        keras_worker.current().close()
        assert server.wait(timeout=120) == 0  # ended by itself once idle
        assert not os.path.exists(path)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
