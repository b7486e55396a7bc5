"""A loopback HTTP relay that lets the Elasticsearch 8 client talk to OpenSearch.

The ES 8 client sends ``application/vnd.elasticsearch+json; compatible-with=8``
content types and insists on ``X-Elastic-Product: Elasticsearch`` in every
response; OpenSearch neither accepts the first nor sends the second.  This
relay rewrites both and passes everything else through.

It must hold up under a benchmark on a loaded machine (100,000 documents in
bulk requests, queries back to back), so: one thread per client connection
(``ThreadingHTTPServer``), HTTP/1.1 keep-alive on both sides (each relay
thread keeps its own upstream connection instead of opening one per
request), a generous upstream timeout (``timeout``, 300 s by default: a bulk
request on a busy machine can take a minute), and a failed upstream call
answered ``502`` with a JSON error — the client sees an error it can report,
never a connection dropped without an answer.

Every socket it holds, towards the client and towards the engine, has
``TCP_NODELAY`` set.  Without it, an answer written in two pieces (the
headers, then the body) on a kept-alive connection waits for the peer's
delayed acknowledgement before its second piece leaves: about 40 ms added
to every request (Nagle's algorithm meeting delayed ACKs).
"""
from __future__ import annotations

import http.client
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_VENDOR = re.compile(r"application/vnd\.elasticsearch\+(json|x-ndjson)(\s*;\s*compatible-with=\d+)?")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


def _plain(value: str) -> str:
    return _VENDOR.sub(lambda m: f"application/{m.group(1)}", value)


def _no_delay(sock: socket.socket) -> None:
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _UpstreamConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _no_delay(self.sock)


class Relay:
    """``Relay(upstream_url)`` listens on 127.0.0.1 (a free port); ``.url`` is what the ES client gets."""

    def __init__(self, upstream: str, timeout: float = 300.0) -> None:
        target = urlsplit(upstream)
        host, port = target.hostname, target.port
        self.paused = threading.Event()  # set: answer 503 (the engine is "down")
        upstream_connections = threading.local()  # one kept-alive upstream connection per relay thread

        relay = self

        def forward(method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, list, bytes]:
            """Send one request upstream on this thread's connection; a stale kept-alive connection is retried once."""
            for attempt in (1, 2):
                conn = getattr(upstream_connections, "conn", None)
                fresh = conn is None
                if fresh:
                    conn = upstream_connections.conn = _UpstreamConnection(host, port, timeout=timeout)
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    if response.will_close:
                        conn.close()
                        upstream_connections.conn = None
                    return response.status, response.getheaders(), data
                except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                    conn.close()
                    upstream_connections.conn = None
                    if fresh or attempt == 2:
                        raise
                except Exception:
                    conn.close()
                    upstream_connections.conn = None
                    raise
            raise AssertionError("unreachable")

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = None  # a client connection may sit idle between requests as long as the client likes

            def setup(self) -> None:
                super().setup()
                _no_delay(self.connection)

            def log_message(self, *args) -> None:  # quiet
                pass

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if relay.paused.is_set():
                    self._answer(503, {"Content-Type": "application/json"}, b'{"error":"relay paused"}')
                    return
                headers = {k: _plain(v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                try:
                    status, upstream_headers, data = forward(self.command, self.path, body, headers)
                except (OSError, http.client.HTTPException) as error:
                    reason = f"the relay could not reach the search server: {type(error).__name__}: {error}"
                    payload = {"error": {"type": "relay_error", "reason": reason}, "status": 502}
                    self._answer(502, {"Content-Type": "application/json"}, json.dumps(payload).encode())
                    return
                out = {k: v for k, v in upstream_headers if k.lower() not in _HOP_BY_HOP}
                self._answer(status, out, data)

            def _answer(self, status: int, headers: dict, data: bytes) -> None:
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        if key.lower() != "x-elastic-product":
                            self.send_header(key, value)
                    self.send_header("X-Elastic-Product", "Elasticsearch")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (its own timeout)
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Relay":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
