"""Calls an admin makes by hand: test the connection, manage the notification URL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

import wechatpay
from console.services import audit_record
from merchants.models import Merchant
from merchants.services import call_errors
from merchants.services.clients import (
    NoActiveCredentials,
    merchant_record_success,
    wechatpay_client,
)

CallbackStatus = Merchant.CallbackStatus


@dataclass
class CallResult:
    """What happened: `kind` says who failed (WeChat Pay, or the network on our side, ...),
    `code`/`message`/`request_id` quote WeChat Pay when it answered, `hint` says what to check."""

    ok: bool
    code: str = ""
    message: str = ""
    request_id: str = ""
    status: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    kind: str = ""
    hint: str = ""

    def audit_fields(self) -> dict[str, Any]:
        return {"ok": self.ok, "code": self.code, "request_id": self.request_id}

    def explain(self) -> str:
        """One sentence or two for the admin, in the UI language."""
        if self.kind == call_errors.WECHAT:
            text = _("WeChat Pay answered %(code)s: %(message)s") % {
                "code": self.code,
                "message": self.message,
            }
            if self.request_id:
                text += " " + _("(Request-ID %(request_id)s)") % {"request_id": self.request_id}
        else:
            text = self.message
        return f"{text} {self.hint}" if self.hint else text


def _call(
    merchant: Merchant, operation: Callable[[wechatpay.Client], Any]
) -> tuple[Any, CallResult]:
    """Run one signed call and translate every failure into a CallResult."""
    try:
        value = operation(wechatpay_client(merchant))
    except NoActiveCredentials as exc:
        return None, CallResult(False, "NO_CREDENTIALS", str(exc), kind=call_errors.CREDENTIALS)
    except wechatpay.ApiError as exc:
        return None, CallResult(
            False, exc.code, exc.message, exc.request_id or "", exc.status, {"detail": exc.detail},
            kind=call_errors.WECHAT, hint=call_errors.wechat_hint(exc.code, exc.status),
        )  # fmt: skip
    except wechatpay.TransportError as exc:
        message = call_errors.transport_message(exc.kind, exc.host or merchant.api_base_url)
        code = call_errors.TRANSPORT_CODES.get(exc.kind, "CONNECTION_FAILED")
        return None, CallResult(False, code, message, kind=exc.kind, data={"error": str(exc)})
    except wechatpay.VerificationError as exc:
        message = _("WeChat Pay's answer could not be verified: %(error)s") % {"error": exc}
        hint = _("Check the WeChat Pay public key or platform certificates of the credential set.")
        return None, CallResult(
            False, "VERIFICATION_FAILED", message, exc.request_id or "",
            kind=call_errors.VERIFICATION, hint=hint,
        )  # fmt: skip
    except wechatpay.InvalidArgumentError as exc:
        return None, CallResult(False, "INVALID_ARGUMENT", str(exc), kind=call_errors.INVALID)
    merchant_record_success(merchant)
    return value, CallResult(True)


def merchant_test_connection(*, merchant: Merchant, by=None, ip: str | None = None) -> CallResult:
    """A real signed call: list the last day's complaints (one page of one)."""
    today = timezone.localdate()
    count, result = _call(
        merchant,
        # One page of one complaint: a single signed, verified request.
        lambda client: len(
            list(islice(client.iter_complaints(today - timedelta(days=1), today, page_size=1), 1))
        ),
    )
    if result.ok:
        result.message = _("Connected: WeChat Pay answered and its signature verified.")
        result.data = {"complaints_seen": count}
    audit_record(
        action="merchant.connection_tested",
        actor=by,
        ip=ip,
        target_type="merchant",
        target_id=merchant.pk,
        mchid=merchant.mchid,
        changes=result.audit_fields(),
    )
    return result


def notification_url(merchant: Merchant) -> str:
    """Where WeChat Pay should post this merchant's complaint notifications."""
    base = settings.CONSOLE_PUBLIC_URL.rstrip("/")
    return f"{base}/webhooks/wechatpay/{merchant.mchid}/complaints"


def _save_callback(merchant: Merchant, status: str, url: str = "", error: str = "") -> None:
    merchant.callback_status = status
    merchant.callback_url = url
    merchant.callback_error = error[:500]
    merchant.callback_checked_at = timezone.now()
    merchant.save(
        update_fields=[
            "callback_status",
            "callback_url",
            "callback_error",
            "callback_checked_at",
            "updated_at",
        ]
    )


def _registered_status(merchant: Merchant, url: str) -> str:
    return (
        CallbackStatus.REGISTERED if url == notification_url(merchant) else CallbackStatus.MISMATCH
    )


def callback_query(*, merchant: Merchant) -> CallResult:
    """Ask WeChat Pay which URL it posts to, and remember the answer."""
    registered, result = _call(merchant, lambda client: client.get_notification_url())
    if result.ok:
        _save_callback(merchant, _registered_status(merchant, registered.url), registered.url)
        result.data = {"url": registered.url}
    elif result.code == "RESOURCE_NOT_EXISTS":
        _save_callback(merchant, CallbackStatus.NOT_REGISTERED)
    else:
        _save_callback(merchant, CallbackStatus.ERROR, merchant.callback_url, _describe(result))
    return result


def callback_register(*, merchant: Merchant, by=None, ip: str | None = None) -> CallResult:
    """Point WeChat Pay at this console: create the URL, or update the one registered."""
    url = notification_url(merchant)
    query = callback_query(merchant=merchant)
    if query.ok and query.data.get("url") == url:
        result = query
    elif query.ok:
        result = _call(merchant, lambda client: client.update_notification_url(url))[1]
    elif query.code == "RESOURCE_NOT_EXISTS":
        result = _call(merchant, lambda client: client.create_notification_url(url))[1]
    else:
        result = query
    if result.ok:
        _save_callback(merchant, CallbackStatus.REGISTERED, url)
        result.data = {"url": url}
    elif result is not query:
        _save_callback(merchant, CallbackStatus.ERROR, merchant.callback_url, _describe(result))
    _audit_callback("merchant.callback_registered", merchant, result, by, ip, url)
    return result


def callback_delete(*, merchant: Merchant, by=None, ip: str | None = None) -> CallResult:
    """Stop WeChat Pay from posting notifications for this merchant."""
    _, result = _call(merchant, lambda client: client.delete_notification_url())
    if result.ok:
        _save_callback(merchant, CallbackStatus.NOT_REGISTERED)
    else:
        _save_callback(merchant, CallbackStatus.ERROR, merchant.callback_url, _describe(result))
    _audit_callback("merchant.callback_deleted", merchant, result, by, ip, "")
    return result


def _describe(result: CallResult) -> str:
    return result.explain()


def notification_url_problem(merchant: Merchant) -> str:
    """Why WeChat Pay could not reach this console's notification URL ("" if it looks fine)."""
    return call_errors.notification_url_problem(merchant.api_base_url, notification_url(merchant))


def _audit_callback(action: str, merchant, result: CallResult, by, ip, url: str) -> None:
    audit_record(
        action=action,
        actor=by,
        ip=ip,
        target_type="merchant",
        target_id=merchant.pk,
        mchid=merchant.mchid,
        changes={**result.audit_fields(), "url": url},
    )
