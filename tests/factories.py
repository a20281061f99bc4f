"""Rows every suite needs: merchants, complaints, assignments, and a merchant wired to the sandbox.

Suites add their own defaults by passing fields (e.g. messaging's complaints need immediate
service); the shapes live here once.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

import wechatpay
from complaints.models import Complaint
from complaints.services import complaint_search_refresh
from merchants.models import Merchant, MerchantAssignment


def make_merchant(mchid: str | None = None, **fields: Any) -> Merchant:
    mchid = mchid or "19" + str(secrets.randbelow(10**8)).zfill(8)
    return Merchant.objects.create(mchid=mchid, name=f"Shop {mchid}", **fields)


def new_complaint_id() -> str:
    """A 27-digit id like WeChat's (2002…)."""
    return "2002" + str(secrets.randbelow(10**23)).zfill(23)


def make_complaint(merchant: Merchant, **fields: Any) -> Complaint:
    """A complaint row created now, deadlines 24 h / 72 h from now unless given."""
    now = timezone.now()
    values: dict[str, Any] = {
        "merchant": merchant,
        "complaint_id": new_complaint_id(),
        "complainted_mchid": merchant.mchid,
        "complaint_time": now,
        "complaint_detail": "The power bank did not work",
        "first_reply_due_at": now + timedelta(hours=24),
        "complete_due_at": now + timedelta(hours=72),
    }
    values.update(fields)
    complaint = Complaint.objects.create(**values)
    complaint_search_refresh(complaint_pks=[complaint.pk])  # as ingestion does
    return complaint


def assign(user, merchant: Merchant) -> None:
    MerchantAssignment.objects.get_or_create(user=user, merchant=merchant)


def logged_in(user, language: str = "en") -> Client:
    """A client logged in as `user`, speaking `language` (English by default, so the messages
    tests assert are the msgids; the Chinese UI has its own tests)."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def session_cookie(user, base_url: str) -> dict:
    """A browser cookie for a session signed in as `user` (no trip through the login form)."""
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base_url}


def sign_in_browser(page, base_url: str, user) -> None:
    """Sign the Playwright page's context in as `user`."""
    page.context.add_cookies([session_cookie(user, base_url)])


def wire_merchant(account, *, with_platform_certificate: bool = False) -> Merchant:
    """A console merchant whose active credential set talks to the sandbox over real HTTP.

    `account` is a tests.fixtures.sandbox.SandboxMerchant.
    """
    from merchants.credentials import parse_credentials
    from merchants.services import credential_add

    merchant = make_merchant(
        mchid=account.mchid, api_base_url=account.base_url, backup_api_base_url=""
    )
    parsed = parse_credentials(
        private_key_pem=account.private_key_pem,
        certificate_pem=account.certificate_pem,
        apiv3_key=account.apiv3_key,
        wechatpay_public_key_id=account.platform_public_key_id,
        wechatpay_public_key_pem=account.platform_public_key_pem,
        platform_certificates_pem=(
            account.platform_certificate_pem if with_platform_certificate else ""
        ),
    )
    credential_add(merchant=merchant, parsed=parsed)
    return merchant


def wechat_complaint(mchid: str, **overrides: Any) -> wechatpay.Complaint:
    """A complaint object as WeChat's detail API returns it (§3.1), created just now."""
    data: dict[str, Any] = {
        "complaint_id": new_complaint_id(),
        "complaint_time": timezone.localtime().isoformat(timespec="milliseconds"),
        "complaint_detail": "付款成功后一直显示待发货",
        "complaint_state": "PENDING",
        "complainted_mchid": mchid,
        "complaint_order_info": [
            {
                "transaction_id": "4200000001202603011234567890",
                "out_trade_no": "OT1",
                "amount": 19900,
            }
        ],
        "complaint_full_refunded": False,
        "incoming_user_response": False,
        "problem_description": "已付款未发货",
        "user_complaint_times": 1,
        "problem_type": "OTHERS",
        "need_immediate_service": False,
    }
    data.update(overrides)
    return wechatpay.Complaint.model_validate(data)


def wechat_history(log_id: str, operate_type: str = "USER_RESPONSE", **overrides: Any):
    """A negotiation-history entry as WeChat returns it (§3.3)."""
    data: dict[str, Any] = {
        "log_id": log_id,
        "operator": "投诉人",
        "operate_time": timezone.localtime().isoformat(timespec="seconds"),
        "operate_type": operate_type,
        "operate_details": "请尽快处理",
    }
    data.update(overrides)
    return wechatpay.HistoryEntry.model_validate(data)
