"""A loopback HTTP relay that lets the Elasticsearch 8 client talk to osmem-server.

The ES 8 client sends ``application/vnd.elasticsearch+json; compatible-with=8``
content types and insists on ``X-Elastic-Product: Elasticsearch`` in every
response; osmem (OpenSearch-compatible) neither accepts the first nor sends
the second.  This relay rewrites both and passes everything else through.
"""
from __future__ import annotations

import http.client
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_VENDOR = re.compile(r"application/vnd\.elasticsearch\+(json|x-ndjson)(\s*;\s*compatible-with=\d+)?")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


def _plain(value: str) -> str:
    return _VENDOR.sub(lambda m: f"application/{m.group(1)}", value)


class Relay:
    """``Relay(upstream_url)`` listens on 127.0.0.1 (a free port); ``.url`` is what the ES client gets."""

    def __init__(self, upstream: str) -> None:
        target = urlsplit(upstream)
        host, port = target.hostname, target.port
        self.paused = threading.Event()  # set: answer 503 (the engine is "down")

        relay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if relay.paused.is_set():
                    self._answer(503, {"Content-Type": "application/json"}, b'{"error":"relay paused"}')
                    return
                headers = {k: _plain(v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream_conn = http.client.HTTPConnection(host, port, timeout=60)
                try:
                    upstream_conn.request(self.command, self.path, body=body, headers=headers)
                    response = upstream_conn.getresponse()
                    data = response.read()
                    out = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP}
                finally:
                    upstream_conn.close()
                self._answer(response.status, out, data)

            def _answer(self, status: int, headers: dict, data: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() != "x-elastic-product":
                        self.send_header(key, value)
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

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
