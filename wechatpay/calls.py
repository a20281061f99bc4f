"""What each HTTP call got back, for callers that keep a record of their calls (the console's
reply attempts): method, path, HTTP status, Request-ID and time. Typed endpoint methods return
data; a caller that wants the HTTP facts too opens `client.recording()` around its calls, and an
error raised after an answer carries the same facts as `exc.call` (cf. wechatpay-go's APIResult).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class CallInfo:
    method: str
    path: str  # without the query string
    status: int
    request_id: str  # "" when WeChat Pay sent none
    duration_ms: float


class CallRecording:
    """Mixed into Client: per-thread sinks, so one shared client serves concurrent recorders."""

    _sinks = threading.local()

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[CallInfo]]:
        """A list that receives a CallInfo for every call this thread makes within the block
        (answered calls only: a transport failure has no status; see TransportError)."""
        outer: tuple[list[CallInfo], ...] = getattr(self._sinks, "active", ())
        sink: list[CallInfo] = []
        self._sinks.active = (*outer, sink)
        try:
            yield sink
        finally:
            self._sinks.active = outer

    def _recorded(self, info: CallInfo) -> CallInfo:
        for sink in getattr(self._sinks, "active", ()):
            sink.append(info)
        return info
