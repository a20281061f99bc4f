"""The sandbox application: its state, its settings, and the top-level dispatch."""

from __future__ import annotations

import logging
from pathlib import Path

from sandbox import auth
from sandbox.api import WeChatApi
from sandbox.control import ControlApi
from sandbox.notifier import Notifier
from sandbox.refund_events import RefundProcessor
from sandbox.state import Settings, State
from sandbox.web import ApiError, Request, Response

__all__ = ["Sandbox", "Settings"]

log = logging.getLogger("sandbox")


class Sandbox(State):
    """The state, with the notifier, the refund processor, the WeChat Pay API and the control API
    wired around it."""

    def __init__(self, data_dir: Path, settings: Settings | None = None) -> None:
        super().__init__(data_dir, settings)
        self.notifier = Notifier(self)
        self.refunds = RefundProcessor(self)
        self.api = WeChatApi(self)
        self.control = ControlApi(self)

    def start(self) -> None:
        self.notifier.start()
        self.refunds.start()

    def stop(self) -> None:
        self.refunds.stop()
        self.notifier.stop()
        self.store.close()

    def handle(self, request: Request) -> Response:
        is_control = request.path == "/_sandbox" or request.path.startswith("/_sandbox/")
        try:
            response = self.control.handle(request) if is_control else self.api.handle(request)
        except ApiError as err:
            response = Response.error(err, sign=not is_control)
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.path)
            err = ApiError(500, "SYSTEM_ERROR", "系统错误，请稍后重试")
            response = Response.error(err, sign=not is_control)
        response.headers.setdefault("Request-ID", auth.new_request_id())
        if response.sign:
            response.headers.setdefault("Content-Language", "zh-CN")
            auth.sign_response(response, self.platform, request.header("Wechatpay-Serial"))
        return response
