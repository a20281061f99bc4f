"""One error hierarchy for everything the client can raise; each error knows if a retry may help."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wechatpay.calls import CallInfo

# Business errors that the same request can never fix; every other 4xx is final too.
FINAL_CODES = frozenset(
    {"PARAM_ERROR", "INVALID_REQUEST", "SIGN_ERROR", "NO_AUTH", "RESOURCE_NOT_EXISTS"}
)


class WechatPayError(Exception):
    """Base class. `retryable` says whether sending the same request again may succeed."""

    retryable: bool = False
    request_id: str | None = None  # WeChat's Request-ID when there was an answer
    call: CallInfo | None = None  # the answered call that raised it (status, Request-ID, time)

    @property
    def final(self) -> bool:
        """The opposite of `retryable`: the same request will not succeed by itself."""
        return not self.retryable


class InvalidArgumentError(WechatPayError, ValueError):
    """The call was rejected locally, before anything was sent."""


class PayerPhoneDecryptError(WechatPayError):
    """payer_phone could not be decrypted with the merchant's API private key."""


class ApiError(WechatPayError):
    """WeChat Pay answered with a non-2xx status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        detail: Any = None,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.request_id = request_id
        super().__init__(f"HTTP {status} {code}: {message} (Request-ID {request_id or '-'})")

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return self.status >= 500 or self.status == 429


# Order and refund codes that the same request may get past later (refund spec §3.5, §4.6, §5).
# RESOURCE_NOT_EXISTS on create is transient right after payment; on queries it is final.
RETRYABLE_PAYMENT_CODES = frozenset({"SYSTEM_ERROR", "FREQUENCY_LIMITED", "SERVICE_UNAVAILABLE"})
RETRYABLE_CREATE_REFUND_CODES = RETRYABLE_PAYMENT_CODES | {"RESOURCE_NOT_EXISTS"}
# Final: NOT_ENOUGH (top up, then the same out_refund_no is safe: nothing was accepted),
# USER_ACCOUNT_ABNORMAL (settle offline), INVALID_REQUEST (over-refund, reused out_refund_no
# with other amounts, total mismatch), PARAM_ERROR, NO_AUTH, MCH_NOT_EXISTS, ORDER_NOT_EXIST,
# SIGN_ERROR, REQUEST_BLOCKED — and any other 4xx.


class PaymentApiError(ApiError):
    """An order or refund endpoint answered non-2xx. `operation` is "query_order",
    "create_refund" or "query_refund"; `retryable` follows the refund spec's tables: retry with
    the identical request (same out_refund_no) only when it is True."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        detail: Any = None,
        request_id: str | None = None,
        *,
        operation: str,
    ) -> None:
        self.operation = operation
        super().__init__(status, code, message, detail, request_id)

    @classmethod
    def wrap(cls, error: ApiError, operation: str) -> PaymentApiError:
        wrapped = cls(
            error.status,
            error.code,
            error.message,
            error.detail,
            error.request_id,
            operation=operation,
        )
        wrapped.call = error.call  # the HTTP facts of the answer (status, Request-ID, time)
        return wrapped

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        codes = (
            RETRYABLE_CREATE_REFUND_CODES
            if self.operation == "create_refund"
            else RETRYABLE_PAYMENT_CODES
        )
        if self.code in codes:
            return True
        # Unknown codes: fall back on the HTTP status like every other endpoint.
        return self.code not in _KNOWN_FINAL_PAYMENT_CODES and super().retryable

    @property
    def outcome_unknown(self) -> bool:
        """A create_refund that failed on WeChat's side (5xx) may still have been accepted:
        query by out_refund_no, or resend the identical request (it never refunds twice)."""
        return self.operation == "create_refund" and self.status >= 500


_KNOWN_FINAL_PAYMENT_CODES = frozenset(
    {
        "PARAM_ERROR",
        "INVALID_REQUEST",
        "SIGN_ERROR",
        "NO_AUTH",
        "NOT_ENOUGH",
        "USER_ACCOUNT_ABNORMAL",
        "MCH_NOT_EXISTS",
        "ORDER_NOT_EXIST",
        "REQUEST_BLOCKED",
        "RESOURCE_NOT_EXISTS",
    }
)


class TransportError(WechatPayError):
    """No usable answer: timeout, refused or dropped connection. Safe to retry later.

    `maybe_sent` is False only when no connection could be made at all, so WeChat Pay certainly
    never saw the request; otherwise it may have been processed (re-query before assuming)."""

    retryable = True
    # What went wrong, for people: the host name did not resolve, TLS failed (certificate,
    # handshake), no answer in time, the port refused, or another network failure.
    DNS, TLS, TIMEOUT, REFUSED, NETWORK = "dns", "tls", "timeout", "refused", "network"

    def __init__(
        self, message: str, *, maybe_sent: bool = True, kind: str = "network", host: str = ""
    ) -> None:
        self.maybe_sent = maybe_sent
        self.kind = kind
        self.host = host
        super().__init__(message)


class VerificationError(WechatPayError):
    """A response or notification is not provably from WeChat Pay; never use its content."""

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        self.request_id = request_id
        super().__init__(message)


class MissingHeadersError(VerificationError):
    """One of Wechatpay-Timestamp/-Nonce/-Signature/-Serial is absent."""


class StaleTimestampError(VerificationError):
    """Wechatpay-Timestamp is 5 minutes or more away from our clock."""


class UnknownSerialError(VerificationError):
    """Wechatpay-Serial names neither a configured public key nor a known platform certificate."""


class SignatureError(VerificationError):
    """The signature does not verify (tampered body, wrong key, or a SIGNTEST probe)."""


class NotificationError(WechatPayError):
    """A notification could not be accepted; answer WeChat Pay with a 4xx/5xx."""


class NotificationDecryptError(NotificationError):
    """The AES-GCM resource does not decrypt (bad tag: wrong APIv3 key or tampered)."""


class MalformedNotificationError(NotificationError):
    """The body is not the documented JSON envelope or its plaintext is not the documented JSON."""


class NotificationMissingHeadersError(NotificationError, MissingHeadersError):
    pass


class NotificationStaleTimestampError(NotificationError, StaleTimestampError):
    pass


class NotificationUnknownSerialError(NotificationError, UnknownSerialError):
    pass


class NotificationSignatureError(NotificationError, SignatureError):
    pass


NOTIFICATION_VARIANTS: dict[type[VerificationError], type[VerificationError]] = {
    MissingHeadersError: NotificationMissingHeadersError,
    StaleTimestampError: NotificationStaleTimestampError,
    UnknownSerialError: NotificationUnknownSerialError,
    SignatureError: NotificationSignatureError,
}
