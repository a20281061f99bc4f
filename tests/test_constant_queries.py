"""Every list page runs the same number of SQL queries with a little data and with more.

Each page is rendered once with one row of everything it lists, then again after more rows were
added (replies with attempts, templates, rules, alerts, supervisor events, audit events, users,
merchants, images, refunds with attempts); the second render may not run more queries than the
first. The queue and the detail page have their own, bigger versions of this in
tests/complaints/test_views.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from automation.models import Alert, AutoReplyRule, SupervisorEvent
from console.roles import ADMIN, AGENT, SUPERVISOR
from console.services import audit_record
from merchants.models import Merchant, MerchantAssignment
from messaging.models import ImageAsset, ReplyAttempt, ReplyTemplate
from refunds.models import Refund, RefundAttempt
from tests.complaints.conftest import make_complaint, make_history, make_reply
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db

PAGES = {
    # name: (who, URL kwargs, query)
    "messaging:history": ("supervisor", {}, {}),
    "messaging:history_csv": ("supervisor", {}, {}),
    "messaging:history_xlsx": ("supervisor", {}, {}),
    "messaging:kpis": ("supervisor", {}, {}),
    "messaging:templates": ("supervisor", {}, {}),
    "messaging:image_library": ("agent", "merchant", {}),
    "automation:rules": ("supervisor", {}, {}),
    "automation:supervisor": ("supervisor", {}, {}),
    "automation:alerts": ("agent", {}, {}),
    "console:audit": ("supervisor", {}, {}),
    "merchants:list": ("admin", {}, {}),
    "merchants:users": ("admin", {}, {}),
    "merchants:detail": ("admin", "pk", {}),
    "complaints:timeline": ("agent", "complaint", {}),
    "refunds:history": ("supervisor", {}, {}),
    "refunds:history_csv": ("supervisor", {}, {}),
    "refunds:approvals": ("supervisor", {}, {}),
    "refunds:limits": ("supervisor", {}, {}),
    "refunds:kpis_panel": ("supervisor", {}, {}),
    "refunds:panel": ("agent", "complaint", {}),
}


class Team:
    def __init__(self) -> None:
        self.merchant = Merchant.objects.create(mchid="1900000301", name="Shop")
        self.agent = make_user("cq_agent", AGENT)
        self.supervisor = make_user("cq_supervisor", SUPERVISOR)
        self.admin = make_user("cq_admin", ADMIN)
        for user in (self.agent, self.supervisor):
            MerchantAssignment.objects.create(user=user, merchant=self.merchant)
        self.complaint = make_complaint(self.merchant)
        self.added = 0

    def grow(self, count: int) -> None:
        """`count` more of everything the pages list."""
        now = timezone.now()
        for _ in range(count):
            n = self.added = self.added + 1
            author = make_user(f"cq_agent_{n}", AGENT)
            MerchantAssignment.objects.create(user=author, merchant=self.merchant)
            complaint = make_complaint(
                self.merchant, need_immediate_service=True, first_reply_due_at=now - timedelta(1)
            )
            make_history(complaint, 2)
            make_history(self.complaint, 2)
            for target in (complaint, self.complaint):
                for status in ("delivered", "failed"):
                    reply = make_reply(
                        target, author, status=status, log_id=f"log{n}", delivered_at=now,
                        error_code="PARAM_ERROR" if status == "failed" else "",
                    )  # fmt: skip
                    ReplyAttempt.objects.create(
                        reply=reply, number=1, started_at=now, outcome="failed",
                        http_status=500, wechat_code="SYSTEM_ERROR",
                    )  # fmt: skip
            template = ReplyTemplate.objects.create(
                merchant=self.merchant, name=f"T{n}", created_by=author, updated_by=author
            )
            AutoReplyRule.objects.create(
                merchant=self.merchant, name=f"R{n}", template=template, created_by=author
            )
            Alert.objects.create(
                user=self.agent, kind=Alert.Kind.IMMEDIATE, complaint=complaint, key=f"k{n}"
            )
            SupervisorEvent.objects.create(
                merchant=self.merchant, kind=SupervisorEvent.Kind.choices[0][0],
                complaint=complaint, due_at=now, key=f"e{n}", reply=reply,
            )  # fmt: skip
            for status in (Refund.Status.AWAITING_APPROVAL, Refund.Status.SUCCESS):
                refund = Refund.objects.create(
                    merchant=self.merchant, complaint=self.complaint,
                    out_refund_no=f"CC{n}{status}", transaction_id=f"42000{n}",
                    order_total=10_000, amount=100, status=status, requested_by=author,
                    needs_approval=status == Refund.Status.AWAITING_APPROVAL,
                    decided_by=self.supervisor if status == Refund.Status.SUCCESS else None,
                )  # fmt: skip
                RefundAttempt.objects.create(
                    refund=refund, number=1, started_at=now, outcome="accepted"
                )
            audit_record(action="merchant.updated", actor=author, mchid=self.merchant.mchid)
            Merchant.objects.create(mchid=f"19000004{n:02d}", name=f"Other {n}")
            ImageAsset.objects.create(
                merchant=self.merchant, sha256=f"{n:064d}", filename=f"{n}.png",
                content_type="image/png", size=8, data=b"\x89PNG\r\n\x1a\n",
                media_id=f"MEDIA-{n}", uploaded_by=author,
            )  # fmt: skip


def queries_for(team: Team, name: str) -> tuple[int, int]:
    who, kwargs, query = PAGES[name]
    client = Client()
    client.force_login(getattr(team, who))
    if kwargs == "merchant":
        kwargs = {"merchant_pk": team.merchant.pk}
    elif kwargs == "pk":
        kwargs = {"pk": team.merchant.pk}
    elif kwargs == "complaint":
        kwargs = {"pk": team.complaint.pk}
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name, kwargs=kwargs), query)
    assert response.status_code == 200, (name, response.status_code)
    return len(captured.captured_queries), response.status_code


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_page_runs_a_constant_number_of_queries(name):
    team = Team()
    team.grow(1)
    few, _ = queries_for(team, name)

    team.grow(6)
    many, _ = queries_for(team, name)

    assert many <= few, f"{name}: {few} queries with 1 of everything, {many} with 7"
