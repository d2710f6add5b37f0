"""A Keras build worker: a child process that imports Keras once and builds the
IR models it is sent (repair_engine.oracle.build), one at a time.

Why a process: importing Keras takes seconds (TensorFlow's more than numpy's),
while the repair search needs none of it. `nnrepair fix` starts the worker as
soon as it has a model to repair, so the import runs on the other core during
the search; every later repair of the run (`fix DIR`, the bot) uses the same
session. A build that hangs or runs out of time is ended with the worker, and
the repair falls back to the semantic verification (never reported as built by
Keras). The worker receives IR data (literal arguments and shapes) as JSON,
never code: it runs nothing of the user's.

Protocol (JSON lines on the worker's stdin/stdout): first the worker says
{"ready": backend} or {"error": why}; then one reply per request
{"model": encoded} -> {"ok", "output_shapes", "error", "unsupported"}.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import socket
import subprocess
import sys
import time
from typing import Any

from .ir import Edge, InputNode, Layer, Model

WORKER_ENV = "NNREPAIR_KERAS_WORKER"  # "0": build in this process instead
SOCKET_ENV = "NNREPAIR_KERAS_SOCKET"  # a warm worker's socket (`serve_socket`), used when it answers
READY_TIMEOUT_S = 120.0  # the import, on a loaded machine
BUILD_TIMEOUT_S = 60.0


# ---- the IR as JSON: what oracle.build reads, values tagged where JSON would lose them


def _value(v: Any) -> Any:
    if isinstance(v, tuple):
        return {"t": [_value(x) for x in v]}
    if isinstance(v, list):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {"d": [[_value(k), _value(x)] for k, x in v.items()]}
    if isinstance(v, Layer):
        return {"layer": _layer(v)}
    if isinstance(v, float) and v != v:
        return {"nan": True}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    raise TypeError(f"cannot send {type(v).__name__} to the Keras worker")


def _unvalue(v: Any) -> Any:
    if isinstance(v, list):
        return [_unvalue(x) for x in v]
    if isinstance(v, dict):
        if "t" in v:
            return tuple(_unvalue(x) for x in v["t"])
        if "d" in v:
            return {_unvalue(k): _unvalue(x) for k, x in v["d"]}
        if "layer" in v:
            return _unlayer(v["layer"])
        if "nan" in v:
            return float("nan")
    return v


def _layer(layer: Layer) -> dict:
    return {
        "id": layer.id,
        "kind": layer.kind,
        "args": _value(dict(layer.args)),
        "inputs": [[e.node, e.index] for e in layer.inputs],
        "call_args": _value(dict(layer.call_args)),
        "instance": layer.instance,
        "inner": _layer(layer.inner) if layer.inner is not None else None,
        "weights": _value(layer.weights),
        "list_input": layer.list_input,
    }


def _unlayer(d: dict) -> Layer:
    return Layer(
        id=d["id"],
        kind=d["kind"],
        args=_unvalue(d["args"]),
        inputs=tuple(Edge(n, i) for n, i in d["inputs"]),
        call_args=_unvalue(d["call_args"]),
        instance=d["instance"],
        inner=_unlayer(d["inner"]) if d["inner"] is not None else None,
        weights=_unvalue(d["weights"]),
        list_input=d["list_input"],
    )


def encode(model: Model) -> dict:
    """The part of `model` a Keras build reads, as JSON data (TypeError when an
    argument holds something else, e.g. an unknown value: built in process then)."""
    return {
        "name": model.name,
        "inputs": [[i.id, _value(i.shape), i.dtype] for i in model.inputs],
        "layers": [_layer(l) for l in model.layers],
        "outputs": [[e.node, e.index] for e in model.outputs],
    }


def decode(d: dict) -> Model:
    return Model(
        name=d["name"],
        inputs=tuple(InputNode(id=i, shape=_unvalue(s), dtype=t) for i, s, t in d["inputs"]),
        layers=tuple(_unlayer(l) for l in d["layers"]),
        outputs=tuple(Edge(n, i) for n, i in d["outputs"]),
    )


# ---- the parent's side ----------------------------------------------------------


class Worker:
    """A Keras session in another process: a child of this one (`spawn`) or a
    warm server started beforehand (`connect`, see `serve_socket`). `build`
    returns None when it cannot answer (died, timed out, Keras not importable
    there): the caller builds another way or not at all."""

    def __init__(self, backend: str, proc: subprocess.Popen | None = None, sock: socket.socket | None = None) -> None:
        self.backend = backend
        self.ready: bool | None = None  # None: still importing Keras
        self.why_not = ""
        self.proc = proc
        self.sock = sock
        self._buffer = b""

    @classmethod
    def spawn(cls, backend: str) -> Worker:
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"))
        proc = subprocess.Popen(
            [sys.executable, "-m", "repair_engine.keras_worker", backend],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
        )
        return cls(backend, proc=proc)

    @classmethod
    def connect(cls, path: str) -> Worker | None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
        except OSError:
            sock.close()
            return None
        return cls("?", sock=sock)

    @property
    def alive(self) -> bool:
        return self.proc is not None or self.sock is not None

    def _fd(self) -> int | None:
        if self.sock is not None:
            return self.sock.fileno()
        if self.proc is not None and self.proc.stdout is not None:
            return self.proc.stdout.fileno()
        return None

    def _send(self, data: bytes) -> None:
        if self.sock is not None:
            self.sock.sendall(data)
        elif self.proc is not None and self.proc.stdin is not None:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        else:
            raise OSError("no worker")

    def _line(self, deadline: float) -> dict | None:
        fd = self._fd()
        if fd is None:
            return None
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            return None

    def wait_ready(self, timeout: float | None = None) -> bool:
        if self.ready is None:
            msg = self._line(time.monotonic() + (READY_TIMEOUT_S if timeout is None else timeout))
            self.ready = bool(msg and msg.get("ready"))
            if not self.ready:
                self.why_not = (msg or {}).get("error") or "the Keras worker did not start"
                self.close()
            else:
                self.backend = str(msg.get("ready")) if msg else self.backend
        return bool(self.ready)

    def build(self, model: Model, timeout: float | None = None) -> dict | None:
        if not self.wait_ready():
            return None
        try:
            request = json.dumps({"model": encode(model)}) + "\n"
        except TypeError as exc:  # e.g. an unknown argument: nothing Keras could build
            return {"ok": False, "unsupported": True, "error": str(exc)}
        try:
            self._send(request.encode("utf-8"))
        except (OSError, ValueError):
            self.why_not = "the Keras worker died"
            self.close()
            return None
        reply = self._line(time.monotonic() + (BUILD_TIMEOUT_S if timeout is None else timeout))
        if reply is None:
            running = self.sock is not None or (self.proc is not None and self.proc.poll() is None)
            self.why_not = "the Keras build did not finish in time" if running else "the Keras worker died"
            self.close()
        return reply

    def close(self) -> None:
        sock, self.sock = self.sock, None
        if sock is not None:
            sock.close()  # a server goes on serving others
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()  # the worker ends at the end of its input
            proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


_worker: Worker | None = None


def enabled() -> bool:
    return os.environ.get(WORKER_ENV, "1") != "0"


def start(backend: str) -> Worker | None:
    """The process's worker: the warm server of $NNREPAIR_KERAS_SOCKET when one
    answers there, else a child process started now (importing Keras)."""
    global _worker
    if not enabled():
        return None
    if _worker is None or not _worker.alive:
        path = os.environ.get(SOCKET_ENV)
        _worker = Worker.connect(path) if path else None
        if _worker is None:
            try:
                _worker = Worker.spawn(backend)
            except OSError:
                return None
        atexit.register(_worker.close)
    return _worker


def current() -> Worker | None:
    return _worker if (_worker is not None and _worker.alive) else None


# ---- the worker's side -----------------------------------------------------------


def _replies(lines, write) -> None:
    """Answer each request line with one reply line (oracle.build on the decoded IR)."""
    from . import oracle

    for line in lines:
        try:
            res = oracle.build(decode(json.loads(line)["model"]))
            reply = {
                "ok": res.ok,
                "output_shapes": [list(s) for s in res.output_shapes] if res.output_shapes is not None else None,
                "error": res.error,
                "unsupported": res.unsupported,
            }
        except Exception as exc:  # a bad request or a Keras crash is no verdict
            reply = {"ok": False, "unsupported": True, "error": f"{type(exc).__name__}: {exc}"[:300]}
        write(json.dumps(reply) + "\n")


def _quiet() -> None:
    import logging
    import warnings

    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")


def serve(backend: str) -> int:
    """The child of one `nnrepair` process: requests on stdin, replies on stdout."""
    # replies go to the original stdout; whatever Keras prints goes to stderr
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    _quiet()
    from . import oracle

    def write(text: str) -> None:
        out.write(text)
        out.flush()

    if not oracle.available(backend):
        write(json.dumps({"error": "Keras cannot be imported"}) + "\n")
        return 1
    write(json.dumps({"ready": oracle.loaded_backend() or backend}) + "\n")
    _replies(sys.stdin, write)
    return 0


def serve_socket(path: str, backend: str, idle_s: float) -> int:
    """A warm Keras session for many `nnrepair` processes: one connection at a
    time on the Unix socket `path` (only this user may connect: umask 077), the
    same protocol as `serve`; ends by itself after `idle_s` seconds without one."""
    _quiet()
    from . import oracle

    if not oracle.available(backend):
        print("Keras cannot be imported", file=sys.stderr)
        return 1
    ready = json.dumps({"ready": oracle.loaded_backend() or backend}) + "\n"
    if os.path.exists(path):
        if Worker.connect(path) is not None:
            print(f"a Keras worker already serves {path}", file=sys.stderr)
            return 1
        os.unlink(path)  # left by a worker that was killed
    old = os.umask(0o077)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(path)
    finally:
        os.umask(old)
    server.listen(8)
    server.settimeout(idle_s)
    try:
        while True:
            try:
                conn, _ = server.accept()
            except TimeoutError:
                return 0
            with conn:
                _serve_connection(conn, ready)
    finally:
        server.close()
        if os.path.exists(path):
            os.unlink(path)


def _serve_connection(conn: socket.socket, ready: str) -> None:
    conn.settimeout(None)
    try:
        conn.sendall(ready.encode("utf-8"))
        with conn.makefile("r", encoding="utf-8") as lines:
            _replies(lines, lambda text: conn.sendall(text.encode("utf-8")))
    except OSError:
        pass  # the client went away (e.g. it timed out): serve the next one


def main(argv: list | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="the Keras build worker of nnrepair (repair verification)")
    ap.add_argument("backend", nargs="?", default=None, help="Keras backend (default: oracle.repair_backend())")
    ap.add_argument("--socket", help="serve many nnrepair runs on this Unix socket (set $NNREPAIR_KERAS_SOCKET to it)")
    ap.add_argument("--idle", type=float, default=900.0, help="seconds without a connection before the server ends")
    args = ap.parse_args(argv)
    from . import oracle

    backend = args.backend or oracle.repair_backend()
    if args.socket:
        return serve_socket(args.socket, backend, args.idle)
    return serve(backend)


if __name__ == "__main__":
    sys.exit(main())
