"""The HTTP layer: a threading HTTP/1.1 server that turns sockets into Request/Response values.

Each response goes out in one write (and TCP_NODELAY is set), because a server that writes headers
and body separately stalls keep-alive clients ~40 ms per call (Nagle meets delayed ACK).
"""

from __future__ import annotations

import logging
import socket
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from sandbox.web import Request, Response

if TYPE_CHECKING:
    from sandbox.app import Sandbox

log = logging.getLogger("sandbox.http")
MAX_BODY = 8 * 1024 * 1024  # uploads are ≤ 2 MB; anything far larger is refused unread


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wechatpay-sandbox"
    sys_version = ""
    server: SandboxHTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def do_PUT(self) -> None:  # noqa: N802
        self._handle()

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle()

    def do_PATCH(self) -> None:  # noqa: N802
        self._handle()

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return None
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _handle(self) -> None:
        body = self._read_body()
        if body is None:
            self.close_connection = True
            self._write(Response.json(413, {"code": "PARAM_ERROR", "message": "请求体过大"}))
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(self.command, self.path, headers, body)
        response = self.server.app.handle(request)
        if response.drop:
            # The work is committed; the client just never hears about it.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(response)

    def _write(self, response: Response) -> None:
        reason = HTTPStatus(response.status).phrase
        headers = {
            "Server": self.server_version,
            "Date": formatdate(usegmt=True),
            "Content-Length": str(len(response.body)),
            **response.headers,
        }
        if self.close_connection:
            headers["Connection"] = "close"
        head = f"HTTP/1.1 {response.status} {reason}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in headers.items()
        )
        self.wfile.write(head.encode("latin-1") + b"\r\n" + response.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("%s " + format, self.address_string(), *args)


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: Sandbox) -> None:
        self.app = app
        super().__init__(address, Handler)
