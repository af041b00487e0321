"""A local SMS gateway (the generic `http` backend's protocol) that refuses
every message for good, as a gateway does a number it will not serve."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Refuse(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.received += 1  # type: ignore[attr-defined]
        body = b'{"error": "number refused"}'
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


class RefusingSmsGateway:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuse)
        self.server.received = 0  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def received(self) -> int:
        return self.server.received  # type: ignore[attr-defined]

    def __enter__(self) -> "RefusingSmsGateway":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def configure(self, settings: Any) -> None:
        settings.SMS_BACKEND = "http"
        settings.SMS_HTTP_URL = self.url
        settings.SMS_HTTP_SECRET = "test-secret"
