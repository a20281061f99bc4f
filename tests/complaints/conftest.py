"""Rows for the complaint tests, and a console merchant wired to the sandbox."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

import wechatpay
from complaints.models import Complaint, HistoryEntry
from complaints.services import complaint_search_refresh
from merchants.models import Merchant, MerchantAssignment
from messaging.models import Reply


def make_merchant(mchid: str | None = None, **fields) -> Merchant:
    mchid = mchid or "19" + str(secrets.randbelow(10**8)).zfill(8)
    return Merchant.objects.create(mchid=mchid, name=f"Shop {mchid}", **fields)


def new_complaint_id() -> str:
    return "2002" + str(secrets.randbelow(10**23)).zfill(23)


def make_complaint(merchant: Merchant, **fields) -> Complaint:
    created = fields.pop("complaint_time", None) or timezone.now()
    values = {
        "merchant": merchant,
        "complaint_id": new_complaint_id(),
        "complainted_mchid": merchant.mchid,
        "complaint_time": created,
        "complaint_detail": "充电宝归还后仍在计费",
        "problem_description": "充电宝归还后仍在计费",
        "first_reply_due_at": created + timedelta(hours=24),
        "complete_due_at": created + timedelta(hours=72),
    }
    values.update(fields)
    complaint = Complaint.objects.create(**values)
    complaint_search_refresh(complaint_pks=[complaint.pk])  # as ingestion does
    return complaint


def make_history(complaint: Complaint, count: int, **fields) -> list[HistoryEntry]:
    start = complaint.complaint_time
    rows = [
        HistoryEntry(
            complaint=complaint,
            log_id=f"{complaint.pk}-{n}-{secrets.token_hex(4)}",
            operator="投诉人",
            operate_time=start + timedelta(minutes=n),
            operate_type="USER_RESPONSE",
            operate_details=f"留言 {n}",
            **fields,
        )
        for n in range(count)
    ]
    created = HistoryEntry.objects.bulk_create(rows)
    complaint_search_refresh(complaint_pks=[complaint.pk])  # as ingestion does
    return created


def make_reply(complaint: Complaint, author, *, status: str = "queued", **fields) -> Reply:
    return Reply.objects.create(
        complaint=complaint,
        merchant=complaint.merchant,
        author=author,
        endpoint=Reply.Endpoint.RESPONSE,
        payload={"complainted_mchid": complaint.complainted_mchid, "response_content": "您好"},
        status=status,
        **fields,
    )


def assign(user, merchant: Merchant) -> None:
    MerchantAssignment.objects.get_or_create(user=user, merchant=merchant)


def wechat_complaint(**overrides) -> wechatpay.Complaint:
    """A complaint object as WeChat's list/detail API returns it (§3.1)."""
    data = {
        "complaint_id": new_complaint_id(),
        "complaint_time": "2026-03-01T10:00:00.120+08:00",
        "complaint_detail": "付款成功后一直显示待发货",
        "complaint_state": "PENDING",
        "complainted_mchid": "1900000109",
        "complaint_order_info": [
            {
                "transaction_id": "4200000001202603011234567890",
                "out_trade_no": "OT1",
                "amount": 19900,
            }
        ],
        "complaint_media_list": [
            {
                "media_type": "USER_COMPLAINT_IMAGE",
                "media_url": ["https://api.mch.weixin.qq.com/v3/merchant-service/images/AQ%3D%3D"],
            }
        ],
        "complaint_full_refunded": False,
        "incoming_user_response": False,
        "problem_description": "已付款未发货",
        "user_complaint_times": 1,
        "problem_type": "OTHERS",
        "user_tag_list": ["TRUSTED"],
        "need_immediate_service": False,
    }
    data.update(overrides)
    return wechatpay.Complaint.model_validate(data)


def wechat_history(log_id: str, operate_type: str = "USER_RESPONSE", **overrides):
    data = {
        "log_id": log_id,
        "operator": "投诉人",
        "operate_time": "2026-03-01T11:00:00+08:00",
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


@pytest.fixture
def working_agent(agent, merchant):
    assign(agent, merchant)
    return agent


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
def wired(db, sandbox, sandbox_merchant) -> Merchant:
    return wire_merchant(sandbox_merchant)
