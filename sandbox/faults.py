"""Fault injection for the WeChat surface: errors, delays and lost answers on demand."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from typing import Any

from sandbox.web import ApiError

REQUEST_MODES = ("system_error", "rate_limited", "delay", "drop_after_commit")
# Taken only by refund creation, once the refund passed every check: its answer (403) or the
# outcome it will reach (ABNORMAL / CLOSED instead of SUCCESS).
REFUND_MODES = ("not_enough", "user_account_abnormal", "refund_abnormal", "refund_closed")
MODES = REQUEST_MODES + REFUND_MODES


@dataclass
class Fault:
    mode: str
    count: int | None = None  # applies to the next N matching requests (None: no limit)
    fraction: float | None = None  # applies to this share of matching requests (None: all)
    path_prefix: str = "/v3/"
    seconds: float = 0.0  # for "delay"
    applied: int = 0

    @classmethod
    def from_json(cls, spec: Any) -> Fault:
        if not isinstance(spec, dict):
            raise ApiError(400, "PARAM_ERROR", "a fault must be a JSON object")
        unknown = set(spec) - {"mode", "count", "fraction", "path_prefix", "seconds"}
        if unknown:
            raise ApiError(400, "PARAM_ERROR", f"unknown fault fields: {sorted(unknown)}")
        mode = spec.get("mode")
        if mode not in MODES:
            raise ApiError(400, "PARAM_ERROR", f"fault mode must be one of {', '.join(MODES)}")
        count, fraction = spec.get("count"), spec.get("fraction")
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ApiError(400, "PARAM_ERROR", "count must be a positive integer")
        if fraction is not None and not (isinstance(fraction, int | float) and 0 < fraction <= 1):
            raise ApiError(400, "PARAM_ERROR", "fraction must be a number in (0, 1]")
        seconds = spec.get("seconds", 0)
        if mode == "delay" and not (isinstance(seconds, int | float) and seconds > 0):
            raise ApiError(400, "PARAM_ERROR", "a delay fault needs seconds > 0")
        prefix = spec.get("path_prefix", "/v3/")
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ApiError(400, "PARAM_ERROR", "path_prefix must start with /")
        return cls(mode, count, fraction, prefix, float(seconds))


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, specs: list[Any]) -> list[dict[str, Any]]:
        faults = [Fault.from_json(spec) for spec in specs]
        with self._lock:
            self._faults.extend(faults)
        return self.describe()

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(fault) for fault in self._faults]

    def take(self, target: str, modes: tuple[str, ...] = REQUEST_MODES) -> Fault | None:
        """The first fault that applies to this request, consuming one of its uses."""
        with self._lock:
            for fault in self._faults:
                if fault.mode not in modes or not target.startswith(fault.path_prefix):
                    continue
                if fault.fraction is not None and random.random() >= fault.fraction:
                    continue
                fault.applied += 1
                if fault.count is not None and fault.applied >= fault.count:
                    self._faults.remove(fault)
                return fault
        return None

    def take_refund(self, target: str) -> Fault | None:
        return self.take(target, REFUND_MODES)
