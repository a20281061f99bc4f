from __future__ import annotations

from typing import Any

from sandbox.web import ApiError, Request, Response


class WeChatApi:
    def __init__(self, app: Any) -> None:
        self.app = app

    def handle(self, request: Request) -> Response:
        raise ApiError(404, "NOT_FOUND", "not yet")
