"""Verification of WeChat Pay responses and notifications (§5.3)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric import rsa

from wechatpay import crypto
from wechatpay.errors import (
    InvalidArgumentError,
    MissingHeadersError,
    SignatureError,
    StaleTimestampError,
    UnknownSerialError,
)

_T = TypeVar("_T")

MAX_CLOCK_SKEW_SECONDS = 300
VERIFY_HEADERS = (
    "Wechatpay-Timestamp",
    "Wechatpay-Nonce",
    "Wechatpay-Signature",
    "Wechatpay-Serial",
)


def header_lookup(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-cased copy, so any mapping (plain dict, Django, requests) is read the same way."""
    return {name.lower(): value for name, value in headers.items()}


class Verifier:
    """Holds WeChat Pay public keys and platform certificates, chosen by `Wechatpay-Serial`.

    Thread-safe: readers take a reference to an immutable table; writers build a new table under a
    lock and swap it in, so certificates can be added while other threads verify.
    """

    def __init__(
        self,
        public_keys: Mapping[str, str | bytes] | None = None,
        certificates: Mapping[str, str | bytes] | Iterable[str | bytes] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: Mapping[str, rsa.RSAPublicKey] = MappingProxyType({})
        self._public_key_ids: tuple[str, ...] = ()
        self._certificate_serials: tuple[str, ...] = ()
        for key_id, pem in (public_keys or {}).items():
            self.add_public_key(key_id, pem)
        items = certificates.items() if isinstance(certificates, Mapping) else certificates or ()
        for item in items:
            serial, pem = item if isinstance(item, tuple) else (None, item)
            self.add_certificate(pem, expected_serial=serial)

    # --- key management ---------------------------------------------------

    def add_public_key(self, key_id: str, pem: str | bytes) -> None:
        if not key_id.startswith(crypto.PUBLIC_KEY_ID_PREFIX):
            raise InvalidArgumentError(
                f"a WeChat Pay public key id starts with {crypto.PUBLIC_KEY_ID_PREFIX}, "
                f"got {key_id!r}"
            )
        key = self._load(crypto.load_public_key, pem, f"public key {key_id}")
        with self._lock:
            self._swap(key_id, key)
            if key_id not in self._public_key_ids:
                self._public_key_ids += (key_id,)

    def add_certificate(self, pem: str | bytes, *, expected_serial: str | None = None) -> str:
        """Add a platform certificate; return its serial (uppercase hex)."""
        cert = self._load(crypto.load_certificate, pem, "platform certificate")
        serial = crypto.certificate_serial(cert)
        if expected_serial is not None and expected_serial.upper() != serial:
            raise InvalidArgumentError(
                f"platform certificate serial is {serial}, not {expected_serial} as configured"
            )
        key = cert.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise InvalidArgumentError("platform certificate does not hold an RSA key")
        with self._lock:
            self._swap(serial, key)
            if serial not in self._certificate_serials:
                self._certificate_serials += (serial,)
        return serial

    def _swap(self, serial: str, key: rsa.RSAPublicKey) -> None:
        self._keys = MappingProxyType({**self._keys, serial: key})

    @staticmethod
    def _load(loader: Callable[[str | bytes], _T], pem: str | bytes, what: str) -> _T:
        try:
            return loader(pem)
        except crypto.CryptoError as exc:
            raise InvalidArgumentError(f"{what}: {exc}") from exc

    @property
    def clock(self) -> Callable[[], float]:
        return self._clock

    def knows(self, serial: str) -> bool:
        return serial in self._keys

    @property
    def serials(self) -> tuple[str, ...]:
        return tuple(self._keys)

    @property
    def preferred_serial(self) -> str | None:
        """What to send as the request's `Wechatpay-Serial`: the public key id when we have one
        (it makes WeChat Pay sign with the public key), else the newest platform certificate."""
        if self._public_key_ids:
            return self._public_key_ids[0]
        return self._certificate_serials[-1] if self._certificate_serials else None

    # --- verification -----------------------------------------------------

    def verify(
        self, headers: Mapping[str, str], body: bytes, *, request_id: str | None = None
    ) -> str:
        """Raise a VerificationError subclass unless the headers prove `body` came from WeChat
        Pay within the last 5 minutes. Return the serial that verified it."""
        found = header_lookup(headers)
        values = [found.get(name.lower(), "") for name in VERIFY_HEADERS]
        missing = [name for name, value in zip(VERIFY_HEADERS, values, strict=True) if not value]
        if missing:
            raise MissingHeadersError(
                f"response lacks {', '.join(missing)}; it cannot be trusted", request_id=request_id
            )
        timestamp, nonce, signature, serial = values
        self._check_timestamp(timestamp, request_id)
        key = self._keys.get(serial)
        if key is None:
            raise UnknownSerialError(
                f"Wechatpay-Serial {serial} is neither a configured WeChat Pay public key id nor a "
                f"known platform certificate (known: {', '.join(self._keys) or 'none'})",
                request_id=request_id,
            )
        if not crypto.verify(key, crypto.response_message(timestamp, nonce, body), signature):
            raise SignatureError(
                f"Wechatpay-Signature does not verify with {serial}", request_id=request_id
            )
        return serial

    def _check_timestamp(self, timestamp: str, request_id: str | None) -> None:
        if not timestamp.isdigit():
            raise StaleTimestampError(
                f"Wechatpay-Timestamp {timestamp!r} is not Unix seconds", request_id=request_id
            )
        skew = abs(self._clock() - int(timestamp))
        if skew >= MAX_CLOCK_SKEW_SECONDS:
            raise StaleTimestampError(
                f"Wechatpay-Timestamp is {int(skew)} s away from our clock (limit 300 s)",
                request_id=request_id,
            )
