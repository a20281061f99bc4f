"""HTTP transport: one pooled requests.Session, timeouts always set, failover to the backup host.

Requests are assembled by hand (no `Session.request`), so the request target and body go on the
wire exactly as they were signed, and no environment lookups or re-encoding happen per call.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
import time
from dataclasses import dataclass, replace
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import NameResolutionError, NewConnectionError, SSLError

from wechatpay.errors import InvalidArgumentError, TransportError

logger = logging.getLogger("wechatpay")

Timeout = tuple[float, float] | float


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: CaseInsensitiveDict[str]
    body: bytes
    request_id: str | None
    duration_ms: float = 0.0  # from the first byte sent (failover included) to the last read


# RFC 3986 §3.3/§3.4: what may stand unescaped in a path and a query (urllib3 uses the same sets).
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-~")
_PATH_CHARS = _UNRESERVED | frozenset("!$&'()*+,;=:@/")
_QUERY_CHARS = _PATH_CHARS | {"?"}
_ESCAPE = re.compile(r"%[a-fA-F0-9]{2}")


def wire_target(target: str) -> str:
    """The request target as it goes on the wire: characters that are invalid in a URL are
    percent-encoded and existing escapes upper-cased, as urllib3 does (so it has nothing left to
    change: signing this string signs what is sent). Already-encoded escapes such as %2F or %3D
    are left alone, never encoded twice; a fragment is never sent."""
    if not target.startswith("/"):
        raise InvalidArgumentError(f"request target must start with '/': {target!r}")
    path, question, query = target.partition("#")[0].partition("?")
    encoded = _encode(path, _PATH_CHARS)
    return f"{encoded}?{_encode(query, _QUERY_CHARS)}" if question else encoded


def _encode(component: str, allowed: frozenset[str]) -> str:
    component, escapes = _ESCAPE.subn(lambda match: match.group(0).upper(), component)
    raw = component.encode("utf-8", "surrogatepass")
    # A '%' that starts no escape means the component was not encoded yet: then every '%' is.
    keep_percent = escapes == raw.count(b"%")
    out = bytearray()
    for byte in raw:
        if (keep_percent and byte == 0x25) or (byte < 128 and chr(byte) in allowed):
            out.append(byte)
        else:
            out += b"%%%02X" % byte
    return out.decode("ascii")


def normalize_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise InvalidArgumentError(f"base URL must look like https://host[:port], got {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


class Transport:
    """Sends pre-signed requests; knows nothing about WeChat Pay besides the Request-ID header."""

    def __init__(
        self,
        *,
        base_url: str,
        backup_url: str | None,
        timeout: Timeout,
        pool_maxsize: int = 10,
        proxies: dict[str, str] | None = None,
    ) -> None:
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        if not (connect > 0 and read > 0):
            raise InvalidArgumentError("both the connect and the read timeout must be positive")
        self.base_url = normalize_base_url(base_url)
        self.backup_url = normalize_base_url(backup_url) if backup_url else None
        self.timeout = (float(connect), float(read))
        self._proxies = dict(proxies or {})
        self.session = requests.Session()
        self.session.trust_env = False  # no per-call proxy/netrc lookups; pass proxies explicitly
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # stateless
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_maxsize)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def close(self) -> None:
        self.session.close()

    def send(
        self, method: str, target: str, headers: dict[str, str], body: bytes | None
    ) -> RawResponse:
        """Send to the primary host; if no connection could be made at all (so nothing was sent),
        send the same signed request to the backup host."""
        started = time.perf_counter()
        try:
            response = self._send_once(self.base_url, method, target, headers, body)
        except _NeverConnected as exc:
            if self.backup_url is None:
                raise TransportError(
                    f"cannot connect to {self.base_url}: {exc.cause}",
                    maybe_sent=False,
                    kind=failure_kind(exc.cause),
                    host=self.base_url,
                ) from exc
            logger.warning("%s unreachable, failing over to %s", self.base_url, self.backup_url)
            try:
                response = self._send_once(self.backup_url, method, target, headers, body)
            except _NeverConnected as exc2:
                raise TransportError(
                    f"cannot connect to {self.base_url} nor {self.backup_url}: {exc2.cause}",
                    maybe_sent=False,
                    kind=failure_kind(exc2.cause),
                    host=self.backup_url,
                ) from exc2
        response = replace(response, duration_ms=(time.perf_counter() - started) * 1000)
        logger.info(
            "%s %s -> %s in %.1f ms (Request-ID %s)",
            method,
            target.partition("?")[0],
            response.status,
            response.duration_ms,
            response.request_id or "-",
        )
        return response

    def _send_once(
        self, base: str, method: str, target: str, headers: dict[str, str], body: bytes | None
    ) -> RawResponse:
        prepared = requests.PreparedRequest()
        prepared.method = method
        prepared.url = base + target
        prepared.headers = CaseInsensitiveDict(headers)
        if body is not None:
            prepared.headers["Content-Length"] = str(len(body))
        prepared.body = body
        prepared.hooks = {"response": []}
        try:
            response = self.session.send(
                prepared, timeout=self.timeout, allow_redirects=False, proxies=self._proxies
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise _NeverConnected(exc) from exc
        except requests.exceptions.ConnectionError as exc:
            if _never_connected(exc):
                raise _NeverConnected(exc) from exc
            raise TransportError(
                f"{method} {base}: connection failed: {exc}", kind=failure_kind(exc), host=base
            ) from exc
        except requests.exceptions.Timeout as exc:
            raise TransportError(
                f"{method} {base}: no answer within {self.timeout[1]} s: {exc}",
                kind=TransportError.TIMEOUT,
                host=base,
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise TransportError(f"{method} {base}: {exc}", host=base) from exc
        return RawResponse(
            status=response.status_code,
            headers=response.headers,
            body=response.content,
            request_id=response.headers.get("Request-ID"),
        )


class _NeverConnected(Exception):
    def __init__(self, cause: Exception) -> None:
        self.cause = cause
        super().__init__(str(cause))


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    """True when the TCP/TLS connection was never established (refused, DNS failure)."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3 MaxRetryError wraps the real cause
    return isinstance(reason, NewConnectionError | NameResolutionError)


def failure_kind(exc: BaseException) -> str:
    """Classify a connection failure by walking its causes (requests wraps urllib3 wraps socket)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NameResolutionError | socket.gaierror):
            return TransportError.DNS
        if isinstance(current, SSLError | ssl.SSLError | requests.exceptions.SSLError):
            return TransportError.TLS
        if isinstance(current, requests.exceptions.Timeout | socket.timeout | TimeoutError):
            return TransportError.TIMEOUT
        if isinstance(current, ConnectionRefusedError):
            return TransportError.REFUSED
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        pending += [arg for arg in current.args if isinstance(arg, BaseException)]
    return TransportError.NETWORK
