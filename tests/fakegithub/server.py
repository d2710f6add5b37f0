"""HTTP side of the fake GitHub: a threaded server, auth, injected failures, headers, request log."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
import time
import traceback
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import openapi_check
from .context import Ctx, RawBody, _int
from .handlers import RAW_ROUTE, _raw_file, route
from .render import Renderer
from .state import ApiError, World

SECONDARY_RATE_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
# POSTs that create content (GitHub's secondary limit counts these separately).
CONTENT_CREATION = re.compile(r"/(issues|pulls|comments|reviews|replies)$")
MAX_REQUEST_BYTES = 100 * 1024 * 1024  # larger bodies are refused before being read


# --- HTTP ------------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakegithub/1.0"
    disable_nagle_algorithm = True  # header and body go out in separate writes
    timeout = 30  # idle keep-alive connections die instead of holding a thread forever

    def log_message(self, format, *args):  # noqa: A002 - silence stderr noise in tests
        pass

    def do_GET(self):
        self._handle()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_GET

    def _handle(self):
        world: World = self.server.world  # type: ignore[attr-defined]
        started = time.monotonic()
        split = urllib.parse.urlsplit(self.path)
        raw_path = split.path
        path = urllib.parse.unquote(raw_path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(split.query, keep_blank_values=True).items()}
        length = _int(self.headers.get("Content-Length"), 0)
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True
            self._send(413, {"message": "Payload Too Large"}, {})
            return
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            try:
                raw_body = self._read_chunked()
            except ValueError:
                raw_body = None
            if raw_body is None:
                self.close_connection = True
                self._send(400, {"message": "Problems parsing the chunked request body"}, {})
                return
        else:
            raw_body = self.rfile.read(length) if length > 0 else b""
        method = self.command
        headers: dict[str, str] = {}
        body_for_log = None
        with world.lock:
            injection = world.take_injection(method, path)
        if injection is not None and injection.delay:
            time.sleep(injection.delay)  # outside the lock: other clients go on
        with world.lock:
            try:
                status, payload, headers = self._dispatch(world, method, path, raw_path, query, raw_body, injection)
            except ApiError as error:
                status, payload, headers = error.status, error.body(), dict(error.headers)
            except Exception as error:  # a bug in the fake must show up as a 500, not a dropped connection
                world.errors.append(traceback.format_exc())
                status, payload, headers = 500, {"message": f"Server Error: {type(error).__name__}: {error}"[:300]}, {}
            try:
                body_for_log = json.loads(raw_body) if raw_body else None
            except ValueError:
                body_for_log = raw_body[:200]
            if world.validate_openapi and not (injection is not None and injection.status is not None):
                world.openapi_violations += _openapi_violations(method, path, query, raw_body, status, payload)
            sent = {k: v for k, v in self.headers.items() if k.lower() != "authorization"}  # never keep tokens
            world.log(method, raw_path, status, split.query, body_for_log, started, sent)
        self._send(status, payload, headers)

    def _read_chunked(self) -> bytes | None:
        """A Transfer-Encoding: chunked body (None past the size limit; ValueError when malformed)."""
        body = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(body)
            body += self.rfile.read(size)
            self.rfile.readline()
            if len(body) > MAX_REQUEST_BYTES:
                return None

    def _dispatch(self, world: World, method, path, raw_path, query, raw_body, injection):
        if injection is not None and injection.status is not None:
            return _injected_failure(injection)
        raw_match = RAW_ROUTE.match(path)
        if raw_match and method == "GET":
            # raw_url / download_url: public file bytes, no token needed (as raw.githubusercontent.com).
            return 200, _raw_file(world, **raw_match.groupdict()), {}
        token = world.authenticate(self.headers.get("Authorization"))
        handler, params = route("GET" if method == "HEAD" else method, path)
        world.charge(token, content_creation=method == "POST" and CONTENT_CREATION.search(path) is not None)
        rate = world.rate_headers(token)
        try:
            body = json.loads(raw_body) if raw_body.strip() else None
        except ValueError:
            raise ApiError(400, "Problems parsing JSON")
        ctx = Ctx(world, self.server.renderer, method, raw_path, query, body, token, params)  # type: ignore[attr-defined]
        ctx.accept = self.headers.get("Accept", "")
        try:
            status, payload = handler(ctx)
        except ApiError as error:
            error.headers = {**rate, **error.headers}
            raise
        ctx.headers.update(rate)
        if method == "GET" and status == 200 and not isinstance(payload, RawBody):
            etag = 'W/"%s"' % hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()
            ctx.headers["ETag"] = etag
            if self.headers.get("If-None-Match") == etag:
                token.used -= 1  # GitHub does not charge a 304
                ctx.headers.update(world.rate_headers(token))
                return 304, None, ctx.headers
        return status, payload, ctx.headers

    def _send(self, status: int, payload, headers: dict):
        content_type = "application/json; charset=utf-8"
        if isinstance(payload, RawBody):
            data, content_type = payload.data, payload.content_type
        else:
            data = b"" if payload is None or status in (204, 304) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            if status not in (204, 304):
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
            elif status == 204:
                self.send_header("Content-Length", "0")
            self.send_header("X-GitHub-Api-Version-Selected", "2022-11-28")
            self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
            self.send_header("X-GitHub-Request-Id", uuid.uuid4().hex[:16].upper())
            for name, value in headers.items():
                self.send_header(name, value)
            # Headers and body leave in one write: two small writes cost a delayed-ACK round trip.
            self._headers_buffer.append(b"\r\n")
            if data and self.command != "HEAD":
                self._headers_buffer.append(data)
            self.flush_headers()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _openapi_violations(method: str, path: str, query: dict, raw_body: bytes, status: int, payload) -> list[str]:
    """GitHub's published description, applied to one exchange (REST only: GraphQL and raw
    file URLs are not in it)."""
    if path == "/graphql" or RAW_ROUTE.match(path) or method == "HEAD":
        return []
    try:
        body = json.loads(raw_body) if raw_body.strip() else None
    except ValueError:
        body = None
    op, errors = openapi_check.check_request(method, path, query, body)
    if not isinstance(payload, RawBody):
        errors += openapi_check.check_response(method, path, op, status, payload)
    return errors


def _injected_failure(injection):
    headers = {}
    if injection.retry_after is not None:
        headers["Retry-After"] = str(injection.retry_after)
    if injection.status in (403, 429):
        if injection.secondary_rate_limit:
            message = SECONDARY_RATE_LIMIT_MESSAGE.format(request_id=uuid.uuid4().hex[:20].upper())
            doc = f"{RATE_LIMIT_DOCS}#about-secondary-rate-limits"
        else:
            message = "API rate limit exceeded for installation ID 1."
            doc = f"{RATE_LIMIT_DOCS}#about-the-primary-rate-limit"
            headers.update({
                "X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "X-RateLimit-Used": "5000",
                "X-RateLimit-Reset": str(int(time.time()) + (injection.retry_after or 1)), "X-RateLimit-Resource": "core",
            })
        return injection.status, {"message": message, "documentation_url": doc}, headers
    if injection.status >= 500:
        return injection.status, {"message": "Server Error"}, headers
    return injection.status, {"message": "Injected failure", "documentation_url": "https://docs.github.com/rest"}, headers


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, world: World):
        super().__init__(("127.0.0.1", 0), Handler)
        self.world = world
        self.renderer = Renderer(world)
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        self._handler_threads: list[threading.Thread] = []

    def process_request(self, request, client_address):
        with self._conn_lock:
            self._connections.add(request)
            self._handler_threads = [t for t in self._handler_threads if t.is_alive()]
        thread = threading.Thread(target=self.process_request_thread, args=(request, client_address), daemon=True)
        self._handler_threads.append(thread)
        thread.start()

    def shutdown_request(self, request):
        with self._conn_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_all(self) -> None:
        """Stop accepting, cut idle keep-alive connections, and wait for handler threads."""
        self.shutdown()
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in list(self._handler_threads):
            thread.join(timeout=5)
        self.server_close()


__all__ = ["_Server"]
