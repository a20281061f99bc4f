"""The sandbox's state, as every handler sees it: its settings, keys, store, faults and rate
limiter, and the notifier's few entry points. Handlers take a `State`; the application (app.py)
is one, and wires the API, the control API and the notifier around it, so no handler module
imports the application and the application imports them all at the top."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from sandbox import keys, payments
from sandbox.faults import Faults
from sandbox.ratelimit import RateLimiter
from sandbox.store import Store
from sandbox.web import ApiError


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


class NotifierPort(Protocol):
    """What handlers ask of the notifier (sandbox/notifier.py)."""

    def enqueue(self, *args: Any, **kwargs: Any) -> Any: ...

    def poke(self) -> None: ...

    def describe(self) -> Any: ...


class RefundsPort(Protocol):
    """What handlers ask of the refund processor (sandbox/refund_events.py)."""

    def poke(self) -> None: ...


class State:
    notifier: NotifierPort
    refunds: RefundsPort

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
        self.id_lock = threading.Lock()
