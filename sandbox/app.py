"""The sandbox application: its state, its settings, and the top-level dispatch."""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sandbox import auth, keys, payments
from sandbox.faults import Faults
from sandbox.notifier import Notifier
from sandbox.ratelimit import RateLimiter
from sandbox.refund_events import RefundProcessor
from sandbox.store import Store
from sandbox.web import ApiError, Request, Response

log = logging.getLogger("sandbox")


@dataclass
class Settings:
    rate_limits: bool = True
    # WeChat no longer pushes for the merchant's own API actions (spec §4); switchable for demos.
    push_merchant_actions: bool = False
    # 1.0 = the real retry schedule (5 s, then 1 min ×10, then every 5 min); 0.01 = 100× faster.
    notify_time_scale: float = 1.0
    # Which key signs notifications: "public_key" (PUB_KEY_ID_…) or "certificate".
    notification_signer: str = "public_key"
    notify_timeout: float = 5.0
    # Precede each delivery with a probe whose signature starts with WECHATPAY/SIGNTEST/ (§5.3):
    # WeChat sends such traffic to check that receivers really verify signatures.
    notification_probes: bool = False
    # Refunds: seconds from acceptance to the outcome (SUCCESS unless a fault says ABNORMAL or
    # CLOSED; real 零钱 refunds take up to 5 minutes), the least seconds between two refunds of
    # one order (WeChat asks for 60; 0 = not enforced), and whether refunds write to the
    # complaints about the order (refund spec §9).
    refund_delay: float = 3.0
    refund_min_interval: float = 0.0
    refund_complaint_coupling: bool = True

    def update(self, values: dict[str, Any]) -> None:
        """Apply all values or none: each is checked before anything changes."""
        checked = {name: self._checked(name, value) for name, value in values.items()}
        if checked.get("notification_signer", "public_key") not in ("public_key", "certificate"):
            raise ApiError(400, "PARAM_ERROR", "notification_signer: public_key or certificate")
        for name, value in checked.items():
            setattr(self, name, value)

    def _checked(self, name: str, value: Any) -> Any:
        if name not in self.__dataclass_fields__:
            raise ApiError(400, "PARAM_ERROR", f"unknown setting {name!r}")
        kind = type(getattr(self, name))
        if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind):
            raise ApiError(400, "PARAM_ERROR", f"setting {name!r} must be {kind.__name__}")
        if kind is float and value < 0:
            raise ApiError(400, "PARAM_ERROR", f"setting {name!r} cannot be negative")
        return value

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Sandbox:
    def __init__(self, data_dir: Path, settings: Settings | None = None) -> None:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # its keys, its complaints
        self.data_dir = data_dir
        self.settings = settings or Settings()
        self.platform = keys.load_or_generate(data_dir / "platform")
        self.store = Store(data_dir / "sandbox.sqlite3")
        with self.store.transaction() as db:
            payments.install(db)
        self.faults = Faults()
        self.rate_limiter = RateLimiter()
        self.notifier = Notifier(self)
        self.refunds = RefundProcessor(self)
        self.id_lock = threading.Lock()
        # Imported here: both modules take the app as their context.
        from sandbox.api import WeChatApi
        from sandbox.control import ControlApi

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
