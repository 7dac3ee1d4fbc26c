"""A local HTTP server on 127.0.0.1 playing a catalog feed (good, 304, 5xx, slow, cut
short, garbage, HTML, empty, much smaller, JSON, credentials, Space-Track's login form): the ``server`` fixture
yields its base URL; ``Handler.hits`` and ``Handler.seen_headers`` say what it was asked."""

from __future__ import annotations

import base64
import threading
import time
import urllib.parse
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from app.common.resources import default_catalog_paths

SECRET = "watch-officer:s3cret-Pa55"


def _tle_records(count: int) -> bytes:
    lines = Path(default_catalog_paths()[0]).read_text().splitlines()
    return ("\n".join(lines[:3 * count]) + "\n").encode()


GOOD = _tle_records(400)


class Handler(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}
    seen_headers: list[dict] = []
    forms: list[dict] = []

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None, length: int | None = None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        self.hits[path] = self.hits.get(path, 0) + 1
        self.seen_headers.append(dict(self.headers))
        if path == "/gp":
            if self.headers.get("If-None-Match") == '"v1"':
                return self._send(304, headers={"ETag": '"v1"'})
            return self._send(200, GOOD, {"ETag": '"v1"', "Last-Modified": "Tue, 11 Aug 2026 12:00:00 GMT"})
        if path == "/error":
            return self._send(500, b"server error")
        if path == "/flaky":
            return self._send(503, b"busy") if self.hits[path] == 1 else self._send(200, GOOD)
        if path == "/missing":
            return self._send(404, b"no such group")
        if path == "/slow":
            time.sleep(1.5)
            return self._send(200, GOOD)
        if path == "/cut":  # promises more than it sends, then hangs up
            return self._send(200, GOOD[: len(GOOD) // 2], length=len(GOOD))
        if path == "/garbage":
            return self._send(200, bytes(range(256)) * 40)
        if path == "/html":
            return self._send(200, b"<html><body><h1>Service unavailable</h1></body></html>")
        if path == "/empty":
            return self._send(200, b"")
        if path == "/small":
            return self._send(200, _tle_records(20))
        if path == "/json":
            return self._send(200, b'{"error": "wrong query"}')
        if path == "/private":
            expected = "Basic " + base64.b64encode(SECRET.encode()).decode()
            return self._send(200, GOOD) if self.headers.get("Authorization") == expected else self._send(401)
        return self._send(404)

    def do_POST(self):  # Space-Track's login form, the query in it answered at once
        path = self.path.split("?")[0]
        self.hits[path] = self.hits.get(path, 0) + 1
        self.seen_headers.append(dict(self.headers))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()))
        Handler.forms.append(form)
        if path != "/ajaxauth/login":
            return self._send(404)
        if f"{form.get('identity')}:{form.get('password')}" != SECRET:
            return self._send(200, b'{"Login":"Failed"}')
        if "/class/gp/" not in form.get("query", ""):
            return self._send(200, b"[]")
        return self._send(200, GOOD)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # a client that gave up (the slow case)
        pass


@contextmanager
def serve():
    """The server running on a free port; yields its base URL (the ``feed_server`` fixture)."""
    Handler.hits, Handler.seen_headers, Handler.forms = {}, [], []
    httpd = _QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
