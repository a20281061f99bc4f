"""Rows for the automation tests: merchants, templates, rules, complaints as WeChat sends them,
and a console merchant wired to the sandbox."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

import wechatpay
from automation.models import AutoReplyRule
from complaints.models import Complaint
from merchants.models import Merchant, MerchantAssignment
from messaging.models import ReplyTemplate

TEMPLATE_BLOCKS = [
    {"type": "TEXT", "text": {"text": "您好，我们已收到投诉 {{ complaint_id }}，客服正在处理。"}},
    {"type": "TEXT", "text": {"text": "订单 {{ order_number }} 的问题会在24小时内答复。"}},
]


def make_merchant(mchid: str | None = None, **fields: Any) -> Merchant:
    mchid = mchid or "19" + str(secrets.randbelow(10**8)).zfill(8)
    return Merchant.objects.create(mchid=mchid, name=f"Shop {mchid}", **fields)


def new_complaint_id() -> str:
    return "2002" + str(secrets.randbelow(10**23)).zfill(23)


def make_complaint(merchant: Merchant, **fields: Any) -> Complaint:
    created = fields.pop("complaint_time", None) or timezone.now()
    values = {
        "merchant": merchant,
        "complaint_id": new_complaint_id(),
        "complainted_mchid": merchant.mchid,
        "complaint_time": created,
        "complaint_detail": "充电宝归还后仍在计费",
        "problem_description": "充电宝归还后仍在计费",
        "problem_type": "OTHERS",
        "first_reply_due_at": created + timedelta(hours=24),
        "complete_due_at": created + timedelta(hours=72),
    }
    values.update(fields)
    return Complaint.objects.create(**values)


def make_template(merchant: Merchant, name: str = "ack", blocks=None) -> ReplyTemplate:
    return ReplyTemplate.objects.create(
        merchant=merchant, name=name, blocks=blocks or TEMPLATE_BLOCKS
    )


def make_rule(merchant: Merchant, *, enabled: bool = True, **fields: Any) -> AutoReplyRule:
    values: dict[str, Any] = {
        "name": f"rule {secrets.token_hex(3)}",
        "template": fields.pop("template", None) or make_template(merchant, secrets.token_hex(3)),
        "enabled": enabled,
        "enabled_at": timezone.now() - timedelta(hours=1) if enabled else None,
    }
    values.update(fields)
    return AutoReplyRule.objects.create(merchant=merchant, **values)


def assign(user, merchant: Merchant) -> None:
    MerchantAssignment.objects.get_or_create(user=user, merchant=merchant)


def wechat_complaint(mchid: str, **overrides: Any) -> wechatpay.Complaint:
    """A complaint object as WeChat's detail API returns it (§3.1), created just now."""
    data = {
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
    data = {
        "log_id": log_id,
        "operator": "投诉人",
        "operate_time": timezone.localtime().isoformat(timespec="seconds"),
        "operate_type": operate_type,
        "operate_details": "请尽快处理",
    }
    data.update(overrides)
    return wechatpay.HistoryEntry.model_validate(data)


@pytest.fixture
def merchant(db) -> Merchant:
    return make_merchant()


@pytest.fixture
def other_merchant(db) -> Merchant:
    return make_merchant()


# --- the sandbox, wired to a console merchant with real credentials -------------------------


def wire_merchant(account) -> Merchant:
    """A console merchant whose active credential set talks to the sandbox."""
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
    )
    credential_add(merchant=merchant, parsed=parsed)
    return merchant


@pytest.fixture
def wired(transactional_db, sandbox, sandbox_merchant) -> Merchant:
    return wire_merchant(sandbox_merchant)
