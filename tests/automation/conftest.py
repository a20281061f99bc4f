"""Rows for the automation tests: merchants, templates, rules, complaints as WeChat sends them,
and a console merchant wired to the sandbox."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from automation.models import AutoReplyRule
from complaints.models import Complaint
from merchants.models import Merchant
from messaging.models import ReplyTemplate
from tests import factories
from tests.factories import (  # noqa: F401 (imported by the tests from here)
    assign,
    make_merchant,
    new_complaint_id,
    wechat_complaint,
    wechat_history,
    wire_merchant,
)

TEMPLATE_BLOCKS = [
    {"type": "TEXT", "text": {"text": "您好，我们已收到投诉 {{ complaint_id }}，客服正在处理。"}},
    {"type": "TEXT", "text": {"text": "订单 {{ order_number }} 的问题会在24小时内答复。"}},
]


def make_complaint(merchant: Merchant, **fields: Any) -> Complaint:
    """Automation complaints: a power-bank text the keyword rules can match."""
    values = {
        "complaint_detail": "充电宝归还后仍在计费",
        "problem_description": "充电宝归还后仍在计费",
        "problem_type": "OTHERS",
        # TEMPLATE_BLOCKS name the order: without one a rule's reply would carry an unfilled
        # variable, which is never sent.
        "out_trade_no": "ORDER-1",
    }
    return factories.make_complaint(merchant, **{**values, **fields})


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


@pytest.fixture
def merchant(db) -> Merchant:
    return make_merchant()


@pytest.fixture
def other_merchant(db) -> Merchant:
    return make_merchant()


@pytest.fixture
def wired(transactional_db, sandbox, sandbox_merchant) -> Merchant:
    return wire_merchant(sandbox_merchant)
