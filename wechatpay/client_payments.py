"""The order and refund endpoints of `wechatpay.Client` (spec: shared/docs/wechatpay-refund-api.md).

Public interface (mixed into `Client`; every call signs the request and verifies the signed answer):

    client.get_order(*, transaction_id=None, out_trade_no=None, sub_mchid=None) -> Order
        GET /v3/pay/transactions/{id/…|out-trade-no/…}?mchid=<own mchid>, or with sub_mchid the
        provider path /v3/pay/partner/transactions/…?sp_mchid=<own mchid>&sub_mchid=…
        Exactly one of transaction_id / out_trade_no. Order.trade_state, .total, .payer_total,
        .currency (fen / "CNY"), .transaction_id, .out_trade_no, .success_time / .success_at, .paid.

    client.create_refund(*, out_refund_no, refund_amount, total_amount, transaction_id=None,
                         out_trade_no=None, reason=None, notify_url=None, sub_mchid=None,
                         funds_account=None, currency="CNY") -> Refund
        POST /v3/refund/domestic/refunds. Exactly one of transaction_id / out_trade_no;
        total_amount must be the order's total. Resending the identical call with the same
        out_refund_no never refunds twice: WeChat answers with the existing refund.
        Refund.refund_id, .out_refund_no, .status (PROCESSING/SUCCESS/CLOSED/ABNORMAL), .is_final,
        .amount.refund/.total/.payer_refund/.currency, .user_received_account, .success_time,
        .create_time (and .success_at / .created_at as aware datetimes), .channel.

    client.get_refund(out_refund_no, *, sub_mchid=None) -> Refund
        GET /v3/refund/domestic/refunds/{out_refund_no}[?sub_mchid=…]

    wechatpay.parse_refund_notification(headers, body, *, verifier, apiv3_key) -> RefundNotification
        (module wechatpay.refund_notifications) REFUND.SUCCESS / .ABNORMAL / .CLOSED:
        .id, .event_type, .refund_status, .refund_id, .out_refund_no, .transaction_id,
        .out_trade_no, .amount (total, refund, payer_total, payer_refund), .success_time,
        .user_received_account, .mchid, .sub_mchid. Raises NotificationError subclasses.

Errors: InvalidArgumentError before sending (bad ids, amounts ≤ 0 or refund > total, reason over
80 bytes, notify_url not https / with a query, unknown funds_account). A non-2xx answer raises
PaymentApiError (an ApiError) with .operation ("query_order" / "create_refund" /
"query_refund"), .code, .message (WeChat's text, shown to people), .retryable / .final and
.outcome_unknown (create_refund 5xx: the refund may exist; resend the same out_refund_no).
Retryable: SYSTEM_ERROR, FREQUENCY_LIMITED, any 5xx/429, and RESOURCE_NOT_EXISTS on
create_refund only (transient right after payment). Final: NOT_ENOUGH, USER_ACCOUNT_ABNORMAL,
INVALID_REQUEST (over-refund, reused out_refund_no with other amounts, total mismatch),
PARAM_ERROR, NO_AUTH (another merchant's order), ORDER_NOT_EXIST, MCH_NOT_EXISTS, SIGN_ERROR.
TransportError (timeouts: retryable, .maybe_sent) and VerificationError as for every call.
Like every call, these are recorded by `client.recording()`, and an error raised after an answer
carries its HTTP facts as `exc.call` (status, Request-ID, duration) — for the refund attempt rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, urlencode, urlsplit

from wechatpay.errors import ApiError, InvalidArgumentError, PaymentApiError
from wechatpay.models_payments import Order, Refund
from wechatpay.wire import dump_json, parse_json, parse_model

TRANSACTIONS = "/v3/pay/transactions"
PARTNER_TRANSACTIONS = "/v3/pay/partner/transactions"
REFUNDS = "/v3/refund/domestic/refunds"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
FUNDS_ACCOUNTS = frozenset({"AVAILABLE", "UNSETTLED"})

_TRANSACTION_ID = re.compile(r"[0-9A-Za-z]{1,32}")
_OUT_TRADE_NO = re.compile(r"[0-9A-Za-z_\-*|@]{1,32}")
_OUT_REFUND_NO = re.compile(r"[0-9A-Za-z_\-*|@]{1,64}")
_MCHID = re.compile(r"[0-9A-Za-z]{1,32}")


class PaymentEndpoints:
    """Mixed into Client, which provides `_call` and `credentials`."""

    def get_order(
        self,
        *,
        transaction_id: str | None = None,
        out_trade_no: str | None = None,
        sub_mchid: str | None = None,
    ) -> Order:
        """The order as WeChat Pay knows it; an unpaid order is found only by out_trade_no."""
        kind, value = _order_key(transaction_id, out_trade_no)
        segment = f"{'id' if kind == 'transaction_id' else 'out-trade-no'}/{quote(value, safe='')}"
        own = self.credentials.mchid  # type: ignore[attr-defined]
        if sub_mchid is None:
            target = f"{TRANSACTIONS}/{segment}?{urlencode({'mchid': own})}"
        else:
            _check("sub_mchid", sub_mchid, _MCHID)
            query = urlencode({"sp_mchid": own, "sub_mchid": sub_mchid})
            target = f"{PARTNER_TRANSACTIONS}/{segment}?{query}"
        with _payment_errors("query_order"):
            response = self._call("GET", target)  # type: ignore[attr-defined]
        return parse_model(Order, parse_json(response))

    def create_refund(
        self,
        *,
        out_refund_no: str,
        refund_amount: int,
        total_amount: int,
        transaction_id: str | None = None,
        out_trade_no: str | None = None,
        reason: str | None = None,
        notify_url: str | None = None,
        sub_mchid: str | None = None,
        funds_account: str | None = None,
        currency: str = "CNY",
    ) -> Refund:
        """Apply for a refund. A 200 means accepted (usually PROCESSING), not paid out: the result
        comes by notification or get_refund()."""
        kind, value = _order_key(transaction_id, out_trade_no)
        _check("out_refund_no", out_refund_no, _OUT_REFUND_NO)
        _check_amounts(refund_amount, total_amount, currency)
        if reason is not None and len(reason.encode("utf-8")) > 80:
            raise InvalidArgumentError(
                "reason must be at most 80 bytes (about 26 Chinese characters)"
            )
        if notify_url is not None:
            _check_notify_url(notify_url)
        if funds_account is not None and funds_account not in FUNDS_ACCOUNTS:
            raise InvalidArgumentError("funds_account must be AVAILABLE or UNSETTLED")
        if sub_mchid is not None:
            _check("sub_mchid", sub_mchid, _MCHID)
        body = {
            "sub_mchid": sub_mchid,
            kind: value,
            "out_refund_no": out_refund_no,
            "reason": reason or None,
            "notify_url": notify_url,
            "funds_account": funds_account,
            "amount": {"refund": refund_amount, "total": total_amount, "currency": currency},
        }
        with _payment_errors("create_refund"):
            response = self._call("POST", REFUNDS, body=dump_json(body))  # type: ignore[attr-defined]
        return parse_model(Refund, parse_json(response))

    def get_refund(self, out_refund_no: str, *, sub_mchid: str | None = None) -> Refund:
        _check("out_refund_no", out_refund_no, _OUT_REFUND_NO)
        target = f"{REFUNDS}/{quote(out_refund_no, safe='')}"
        if sub_mchid is not None:
            _check("sub_mchid", sub_mchid, _MCHID)
            target += "?" + urlencode({"sub_mchid": sub_mchid})
        with _payment_errors("query_refund"):
            response = self._call("GET", target)  # type: ignore[attr-defined]
        return parse_model(Refund, parse_json(response))


@contextmanager
def _payment_errors(operation: str) -> Iterator[None]:
    """WeChat's non-2xx answers on these endpoints become PaymentApiError (retryable per code)."""
    try:
        yield
    except PaymentApiError:
        raise
    except ApiError as exc:
        raise PaymentApiError.wrap(exc, operation) from exc


def _order_key(transaction_id: str | None, out_trade_no: str | None) -> tuple[str, str]:
    if (transaction_id is None) == (out_trade_no is None):
        raise InvalidArgumentError("give exactly one of transaction_id and out_trade_no")
    if transaction_id is not None:
        _check("transaction_id", transaction_id, _TRANSACTION_ID)
        return "transaction_id", transaction_id
    assert out_trade_no is not None
    _check("out_trade_no", out_trade_no, _OUT_TRADE_NO)
    return "out_trade_no", out_trade_no


def _check(name: str, value: str, pattern: re.Pattern[str]) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise InvalidArgumentError(
            f"{name} {value!r} is not a valid WeChat Pay value (letters, digits, limited length)"
        )


def _check_amounts(refund_amount: int, total_amount: int, currency: str) -> None:
    for name, amount in (("refund_amount", refund_amount), ("total_amount", total_amount)):
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise InvalidArgumentError(f"{name} must be a positive integer in fen, got {amount!r}")
    if refund_amount > total_amount:
        raise InvalidArgumentError(
            f"refund_amount {refund_amount} is more than the order total {total_amount}"
        )
    if currency != "CNY":
        raise InvalidArgumentError("currency must be CNY")


def _check_notify_url(url: str) -> None:
    parts = urlsplit(url)
    # https only in production; http is let through for loopback hosts (the sandbox).
    secure = parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    )
    if not secure or not parts.hostname or parts.query or parts.fragment or len(url) > 256:
        raise InvalidArgumentError(
            "notify_url must be https://, at most 256 characters, without a query"
        )
