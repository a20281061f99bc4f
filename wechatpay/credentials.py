"""Merchant credentials and the request signer (§5.1)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import rsa

from wechatpay import crypto
from wechatpay.errors import InvalidArgumentError


@dataclass(frozen=True, repr=False)
class MerchantCredentials:
    """What a merchant signs and decrypts with. The PEM is parsed once, here."""

    mchid: str
    serial_no: str
    private_key_pem: str | bytes
    apiv3_key: str
    private_key: rsa.RSAPrivateKey = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.apiv3_key.encode("utf-8")) != 32:
            raise InvalidArgumentError("the APIv3 key must be exactly 32 ASCII characters")
        try:
            key = crypto.load_private_key(self.private_key_pem)
        except crypto.CryptoError as exc:
            raise InvalidArgumentError(f"merchant API private key: {exc}") from exc
        object.__setattr__(self, "private_key", key)
        object.__setattr__(self, "serial_no", self.serial_no.upper())

    def __repr__(self) -> str:  # never show key material
        return f"MerchantCredentials(mchid={self.mchid!r}, serial_no={self.serial_no!r})"


@dataclass(frozen=True)
class SignedHeaders:
    """The Authorization header for one request, plus the values that went into it."""

    authorization: str
    timestamp: str
    nonce: str


def _fast_nonce() -> str:
    """32 random uppercase hex characters: as random as crypto.make_nonce, 20x cheaper."""
    return secrets.token_hex(16).upper()


class Signer:
    """Signs `METHOD\\nTARGET\\nTIMESTAMP\\nNONCE\\nBODY\\n` with the cached merchant key."""

    def __init__(
        self,
        credentials: MerchantCredentials,
        *,
        clock: Callable[[], float] = time.time,
        nonce_factory: Callable[[], str] | None = None,
    ) -> None:
        self._credentials = credentials
        self._clock = clock
        self._nonce_factory = nonce_factory or _fast_nonce

    def sign(
        self,
        method: str,
        target: str,
        body: bytes | str,
        *,
        timestamp: str | None = None,
        nonce: str | None = None,
    ) -> SignedHeaders:
        """`target` is the raw path and query exactly as sent; `body` the exact bytes sent
        (or the `meta` JSON for an upload, empty for GET/DELETE)."""
        ts = timestamp or str(int(self._clock()))
        nonce_str = nonce or self._nonce_factory()
        message = crypto.request_message(method, target, ts, nonce_str, body)
        signature = crypto.sign(self._credentials.private_key, message)
        header = crypto.authorization_header(
            mchid=self._credentials.mchid,
            serial_no=self._credentials.serial_no,
            timestamp=ts,
            nonce=nonce_str,
            signature=signature,
        )
        return SignedHeaders(authorization=header, timestamp=ts, nonce=nonce_str)
