"""A tiny HTTP/1.1 server that records every request byte for byte and answers from a script.

Answers are signed with the test platform key (as WeChat Pay signs them) unless told otherwise, so
the client's verification runs for real.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from wechatpay import crypto


@dataclass
class Recorded:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes | dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    signed: bool = True  # add Wechatpay-* headers signed with the platform key
    serial: str | None = None  # defaults to the server's serial
    timestamp: int | None = None
    signature: str | None = None  # force a signature (e.g. a SIGNTEST probe)


class RecordingServer:
    def __init__(self, platform_private_key: Any, serial: str) -> None:
        self.key = platform_private_key
        self.serial = serial
        self.requests: list[Recorded] = []
        self.replies: list[Reply | Callable[[Recorded], Reply]] = []
        self.default: Reply | Callable[[Recorded], Reply] = Reply(204)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> RecordingServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reply(self, *replies: Reply | Callable[[Recorded], Reply]) -> None:
        self.replies.extend(replies)

    @property
    def last(self) -> Recorded:
        return self.requests[-1]

    def render(self, reply: Reply, request_id: str) -> bytes:
        body = reply.body
        if isinstance(body, dict):
            body = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        body = body or b""
        headers = {"Request-ID": request_id, "Content-Length": str(len(body))}
        if body and "Content-Type" not in reply.headers:
            headers["Content-Type"] = "application/json; charset=utf-8"
        if reply.signed:
            ts = str(reply.timestamp if reply.timestamp is not None else int(time.time()))
            nonce = crypto.make_nonce()
            signature = reply.signature or crypto.sign(
                self.key, crypto.response_message(ts, nonce, body)
            )
            headers.update(
                {
                    "Wechatpay-Timestamp": ts,
                    "Wechatpay-Nonce": nonce,
                    "Wechatpay-Signature": signature,
                    "Wechatpay-Serial": reply.serial or self.serial,
                    "Wechatpay-Signature-Type": crypto.SIGNATURE_TYPE,
                }
            )
        headers.update(reply.headers)
        head = f"HTTP/1.1 {reply.status} X\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()
        )
        return head.encode("latin-1") + b"\r\n" + body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = Recorded(self.command, self.path, dict(self.headers.items()), body)
                server.requests.append(recorded)
                script = server.replies.pop(0) if server.replies else server.default
                reply = script(recorded) if callable(script) else script
                request_id = f"TEST-{len(server.requests)}"
                self.wfile.write(server.render(reply, request_id))  # one write: no Nagle stall

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        return Handler
