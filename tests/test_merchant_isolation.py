"""Content isolation: nothing of merchant A in any page, CSV or fragment served to merchant B.

The URL matrix (tests/test_url_permissions.py) checks that A's objects answer 404 to B; this test
checks the *content* of everything B is served. Merchant A is seeded with distinctive data in
every kind of row (complaint ids and texts, notes, replies and attempts, templates, rules, images,
alerts, supervisor events, drafts, audit events, user names). Then every console URL, found by the
URL resolver, is requested as B's agent and as B's supervisor: with GET and with POST (each POST
rolled back), plain and as an htmx request, bare and with each filter pointed at A's objects
(`?merchant=<A>`, `?mchid=<A>`, `?q=<A's complaint id>`, ...). No response body may hold any of A's
markers. Object URLs get B's objects. A URL this module does not know fails the test, so a new
list page is covered as soon as it is named in OBJECT_KWARGS (or declared as taking none).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from automation.models import Alert, AutoReplyRule, SupervisorEvent
from complaints.models import Complaint, ComplaintImage, HistoryEntry, TimelineEvent
from console.encryption import encrypt_text
from console.roles import AGENT, SUPERVISOR
from console.services import audit_record
from merchants.models import Merchant, MerchantAssignment
from messaging.models import Draft, ImageAsset, Reply, ReplyAttempt, ReplyTemplate
from refunds.models import OrderSnapshot, Refund, RefundAttempt
from tests.fixtures.users import make_user
from tests.test_url_permissions import console_urls

# Every string seeded for merchant A contains one of these; none may reach B's users.
A_MCHID = "1987654321"
A_COMPLAINT_ID = "200298765432100000000000001"
A_MARKERS = ("alphaleak", A_MCHID, "98765432100000000000001", "13812345678", "138****5678")
B_MARK = "bravomark"  # in B's rows, to show the pages do render content
VIEWERS = ["agent_b", "supervisor_b"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16

B_COMPLAINT = lambda w: {"pk": w.b.complaint.pk}  # noqa: E731
B_MERCHANT = lambda w: {"pk": w.b.merchant.pk}  # noqa: E731
B_MERCHANT_FOR_MESSAGING = lambda w: {"merchant_pk": w.b.merchant.pk}  # noqa: E731
B_USER = lambda w: {"user_id": w.users["agent_b"].pk}  # noqa: E731

# The URL kwargs that name B's objects. A URL without kwargs has no entry.
OBJECT_KWARGS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "merchants:detail": B_MERCHANT,
    "merchants:edit": B_MERCHANT,
    "merchants:credential_add": B_MERCHANT,
    "merchants:credential_activate": lambda w: {"pk": w.b.merchant.pk, "credential_id": 999999},
    "merchants:credential_retire": lambda w: {"pk": w.b.merchant.pk, "credential_id": 999999},
    "merchants:test_connection": B_MERCHANT,
    "merchants:callback": B_MERCHANT,
    "merchants:assignment_add": B_MERCHANT,
    "merchants:assignment_remove": lambda w: {
        "pk": w.b.merchant.pk,
        "user_id": w.users["agent_b"].pk,
    },
    "merchants:user_edit": B_USER,
    "merchants:user_password_reset": B_USER,
    "merchants:user_active": B_USER,
    "merchants:user_unlock": B_USER,
    "complaints:detail": B_COMPLAINT,
    "complaints:timeline": B_COMPLAINT,
    "complaints:presence": B_COMPLAINT,
    "complaints:note": B_COMPLAINT,
    "complaints:reveal_phone": B_COMPLAINT,
    "complaints:image": lambda w: {"pk": w.b.complaint.pk, "image_pk": w.b.complaint_image.pk},
    "complaints:images": B_COMPLAINT,
    "complaints:image_fetch": lambda w: {
        "pk": w.b.complaint.pk,
        "image_pk": w.b.complaint_image.pk,
    },
    "complaints:claim": B_COMPLAINT,
    "complaints:release": B_COMPLAINT,
    "complaints:assign": B_COMPLAINT,
    "complaints:complete": B_COMPLAINT,
    "complaints:refund": B_COMPLAINT,
    "wechatpay_complaints_webhook": lambda w: {"mchid": w.b.merchant.mchid},
    "wechatpay_refunds_webhook": lambda w: {"mchid": w.b.merchant.mchid},
    "refunds:panel": B_COMPLAINT,
    "refunds:order_refresh": B_COMPLAINT,
    "refunds:refund_create": B_COMPLAINT,
    "refunds:approve": lambda w: {"pk": w.b.refund.pk},
    "refunds:decline": lambda w: {"pk": w.b.refund.pk},
    "refunds:limits_save": B_MERCHANT_FOR_MESSAGING,
    "messaging:composer": B_COMPLAINT,
    "messaging:composer_page": B_COMPLAINT,
    "messaging:draft_save": B_COMPLAINT,
    "messaging:draft_discard": B_COMPLAINT,
    "messaging:composer_preview": B_COMPLAINT,
    "messaging:composer_confirm": B_COMPLAINT,
    "messaging:composer_send": B_COMPLAINT,
    "messaging:template_insert": lambda w: {
        "pk": w.b.complaint.pk,
        "template_pk": w.b.template.pk,
    },
    "messaging:image_library": B_MERCHANT_FOR_MESSAGING,
    "messaging:image_upload": B_MERCHANT_FOR_MESSAGING,
    "messaging:image_file": lambda w: {"pk": w.b.image_asset.pk},
    "messaging:image_retry": lambda w: {"pk": w.b.image_asset.pk},
    "messaging:image_status": lambda w: {"pk": w.b.image_asset.pk},
    "messaging:template_create": B_MERCHANT_FOR_MESSAGING,
    "messaging:template_edit": lambda w: {"pk": w.b.template.pk},
    "messaging:template_delete": lambda w: {"pk": w.b.template.pk},
    "messaging:reply_status": lambda w: {"pk": w.b.reply.pk},
    "messaging:reply_resend": lambda w: {"pk": w.b.reply.pk},
    "automation:rule_create": B_MERCHANT_FOR_MESSAGING,
    "automation:rule_edit": lambda w: {"pk": w.b.rule.pk},
    "automation:rule_switch": lambda w: {"pk": w.b.rule.pk},
    "automation:rule_dry_run": lambda w: {"pk": w.b.rule.pk},
    "automation:rule_delete": lambda w: {"pk": w.b.rule.pk},
    "automation:alert_open": lambda w: {"pk": w.b.alert.pk},
}
# URLs that take no kwargs: the list pages, CSVs and fragments themselves.
NO_KWARGS = {
    "home", "healthz", "readyz", "login", "logout", "password_change", "password_change_done",
    "set_language", "console:audit", "merchants:list", "merchants:create", "merchants:users",
    "merchants:user_create", "complaints:queue", "messaging:image_media", "messaging:templates",
    "messaging:template_preview", "messaging:history", "messaging:history_csv", "messaging:kpis",
    "automation:rules", "automation:alerts", "automation:alerts_read", "automation:supervisor",
    "complaints:stream", "messaging:history_xlsx", "refunds:approvals", "refunds:limits",
    "refunds:history", "refunds:history_csv", "refunds:history_link", "refunds:kpis_panel",
}  # fmt: skip
# Not requested: logging out would end the session the next requests need.
SKIPPED = {"logout"}
# Pages whose content B's supervisor must see (so the test is not passing on empty pages).
SHOWS_B_TO_SUPERVISOR = [
    "complaints:queue", "messaging:templates", "messaging:history", "messaging:history_csv",
    "automation:rules", "automation:supervisor", "console:audit", "refunds:approvals",
    "refunds:history", "refunds:history_csv",
]  # fmt: skip


def filters_pointing_at_a(w) -> dict[str, str]:
    """Every filter and form field a page might read, each naming one of A's objects."""
    a = w.a
    return {
        "merchant": str(a.merchant.pk),
        "merchants": str(a.merchant.pk),
        "mchid": A_MCHID,
        "q": A_COMPLAINT_ID,
        "agent": str(w.users["agent_a"].pk),
        "user": str(w.users["agent_a"].pk),
        "assignee": str(w.users["agent_a"].pk),
        "actor": "alphaleak",
        "template": str(a.template.pk),
        "alert": str(a.alert.pk),
        "media_id": "ALPHALEAK-MEDIA",
        "error_code": "ALPHALEAK_CODE",
        "fragment": "rows",
        "view": "all",
    }


def _seed_merchant(mchid: str, tag: str, agent, supervisor) -> SimpleNamespace:
    """One merchant with a row of every kind, each carrying `tag` in its text."""
    merchant = Merchant.objects.create(
        mchid=mchid,
        name=f"{tag} shop",
        api_base_url="http://127.0.0.1:9",
        backup_api_base_url="",
    )
    for user in (agent, supervisor):
        MerchantAssignment.objects.create(user=user, merchant=merchant)
    now = timezone.now()
    digits = "98765432100000000000001" if tag == "ALPHALEAK" else "12312312300000000000002"
    phone = "13812345678" if tag == "ALPHALEAK" else "13900001111"
    complaint = Complaint.objects.create(
        merchant=merchant,
        complaint_id=f"2002{digits}",
        complainted_mchid=mchid,
        complaint_time=now - timedelta(hours=30),
        complaint_detail=f"{tag} complaint text",
        problem_description=f"{tag} problem",
        transaction_id=f"4200{tag}",
        out_trade_no=f"{tag}-order",
        payer_openid=f"{tag}-openid",
        payer_phone_encrypted=encrypt_text(phone),
        payer_phone_last4=phone[-4:],
        payer_phone_masked=f"{phone[:3]}****{phone[-4:]}",
        need_immediate_service=True,
        assignee=agent,
        first_reply_due_at=now - timedelta(hours=1),
        complete_due_at=now + timedelta(hours=1),
    )
    HistoryEntry.objects.create(
        complaint=complaint,
        log_id=f"{tag}-log",
        operator=f"{tag} operator",
        operate_time=now,
        operate_type="USER_RESPONSE",
        operate_details=f"{tag} user message",
    )
    TimelineEvent.objects.create(
        complaint=complaint, kind=TimelineEvent.Kind.NOTE, actor=agent, data={"text": f"{tag} note"}
    )
    template = ReplyTemplate.objects.create(
        merchant=merchant,
        name=f"{tag} template",
        description=f"{tag} template description",
        blocks=[{"type": "TEXT", "text": {"text": f"{tag} template text"}}],
    )
    reply = Reply.objects.create(
        complaint=complaint,
        merchant=merchant,
        author=agent,
        endpoint=Reply.Endpoint.RESPONSE,
        payload={"complainted_mchid": mchid, "response_content": f"{tag} reply text"},
        status=Reply.Status.FAILED,
        error_code=f"{tag}_CODE",
        error_message=f"{tag} error message",
        failed_at=now,
    )
    ReplyAttempt.objects.create(
        reply=reply,
        number=1,
        started_at=now,
        outcome=ReplyAttempt.Outcome.FINAL,
        http_status=400,
        wechat_code=f"{tag}_CODE",
        wechat_message=f"{tag} wechat message",
        request_id=f"{tag}-request",
    )
    Draft.objects.create(
        complaint=complaint,
        author=agent,
        kind=Draft.Kind.PLAIN,
        content={"response_content": f"{tag} draft"},
    )
    rule = AutoReplyRule.objects.create(
        merchant=merchant,
        name=f"{tag} rule",
        keywords=f"{tag}keyword",
        template=template,
        response_text=f"{tag} rule text",
    )
    alert = Alert.objects.create(
        user=agent,
        kind=Alert.Kind.IMMEDIATE,
        complaint=complaint,
        key=f"{tag}-alert",
        text=f"{tag} alert",
    )
    SupervisorEvent.objects.create(
        merchant=merchant,
        kind=SupervisorEvent.Kind.FIRST_REPLY_OVERDUE,
        complaint=complaint,
        due_at=complaint.first_reply_due_at,
        key=f"{tag}-overdue",
    )
    SupervisorEvent.objects.create(
        merchant=merchant,
        kind=SupervisorEvent.Kind.REPLY_FAILED,
        complaint=complaint,
        reply=reply,
        key=f"{tag}-failed",
    )
    image_asset = ImageAsset.objects.create(
        merchant=merchant,
        sha256=("a" if tag == "ALPHALEAK" else "b") * 64,
        filename=f"{tag}.png",
        content_type="image/png",
        size=len(PNG),
        data=PNG,
        media_id=f"{tag}-MEDIA",
    )
    complaint_image = ComplaintImage.objects.create(
        complaint=complaint,
        url=f"https://api.mch.weixin.qq.com/v3/merchant-service/images/{tag}",
        url_hash=("c" if tag == "ALPHALEAK" else "d") * 64,
        content=PNG,
        content_type="image/png",
        fetched_at=now,
        fetch_status=ComplaintImage.FetchStatus.FETCHED,
    )
    refund = Refund.objects.create(
        merchant=merchant,
        complaint=complaint,
        out_refund_no=f"{tag}-refund",
        transaction_id=f"4200{tag}",
        order_total=1000,
        amount=500,
        reason=f"{tag} refund reason",
        status=Refund.Status.AWAITING_APPROVAL,
        requested_by=agent,
        needs_approval=True,
        error_message=f"{tag} refund error",
    )
    RefundAttempt.objects.create(
        refund=refund, number=1, started_at=now, outcome="final", wechat_message=f"{tag} refund"
    )
    OrderSnapshot.objects.create(
        complaint=complaint,
        merchant=merchant,
        status="fresh",
        transaction_id=f"4200{tag}",
        out_trade_no=f"{tag}-order",
        trade_state="SUCCESS",
        trade_state_desc=f"{tag} paid",
        total=1000,
        fetched_at=now,
    )
    for action, target_type, changes in [
        ("reply_template.created", "reply_template", {"name": f"{tag} template"}),
        ("auto_rule.created", "auto_rule", {"name": f"{tag} rule"}),
        ("credential.added", "credential_set", {"certificate_serial": f"{tag}SERIAL"}),
        ("merchant.updated", "merchant", {"name": [f"{tag} old", f"{tag} shop"]}),
        ("complaint.phone_revealed", "complaint", {}),
    ]:
        audit_record(
            action=action,
            actor=supervisor,
            target_type=target_type,
            target_id=complaint.complaint_id,
            mchid=mchid,
            changes=changes,
        )
    audit_record(action="login.failed", target_type="user", target_id=agent.username)
    return SimpleNamespace(
        merchant=merchant,
        complaint=complaint,
        template=template,
        reply=reply,
        refund=refund,
        rule=rule,
        alert=alert,
        image_asset=image_asset,
        complaint_image=complaint_image,
    )


@pytest.fixture
def two_merchants(db) -> SimpleNamespace:
    users = {
        "agent_a": make_user("alphaleak_agent", AGENT),
        "supervisor_a": make_user("alphaleak_supervisor", SUPERVISOR),
        "agent_b": make_user("bravomark_agent", AGENT),
        "supervisor_b": make_user("bravomark_supervisor", SUPERVISOR),
    }
    a = _seed_merchant(A_MCHID, "ALPHALEAK", users["agent_a"], users["supervisor_a"])
    b = _seed_merchant("1912312312", "BRAVOMARK", users["agent_b"], users["supervisor_b"])
    return SimpleNamespace(a=a, b=b, users=users)


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace").lower()


def _leaks(body: str, sent: dict[str, str]) -> list[str]:
    """A's markers in the body, once what the viewer sent has been taken out: a page may echo
    a filter's value back (in the form, in its links); that tells the viewer nothing new."""
    for value in sorted(sent.values(), key=len, reverse=True):
        for shown in {value.lower(), quote_plus(value).lower(), quote(value).lower()}:
            body = body.replace(shown, "")
    return [marker for marker in A_MARKERS if marker.lower() in body]


def _requests(name: str, w) -> Iterable[tuple[str, dict[str, str], bool]]:
    """(method, data, as htmx) for one URL: bare, all filters at A, then (list pages) each
    filter alone, since one invalid filter may make a form ignore the others."""
    at_a = filters_pointing_at_a(w)
    for method in ("GET", "POST"):
        yield method, {}, False
        yield method, {}, True
        yield method, at_a, False
        if method == "GET" and name in NO_KWARGS:
            for key, value in at_a.items():
                yield method, {key: value}, True


def _named_urls() -> list[str]:
    return sorted({name for name, _ in console_urls() if name})


def test_every_console_url_is_known_to_the_isolation_test():
    unknown = [
        name for name in _named_urls() if name not in OBJECT_KWARGS and name not in NO_KWARGS
    ]
    stale = sorted((set(OBJECT_KWARGS) | NO_KWARGS) - set(_named_urls()))

    assert not unknown, (
        f"URLs unknown to tests/test_merchant_isolation.py: {unknown}. Add each to "
        "OBJECT_KWARGS (naming merchant B's object) or NO_KWARGS (a list page or fragment)."
    )
    assert not stale, f"entries for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("name", [n for n in _named_urls() if n not in SKIPPED])
def test_nothing_of_another_merchant_reaches_merchant_b(name, two_merchants):
    w = two_merchants
    kwargs = OBJECT_KWARGS.get(name, lambda _: {})(w)
    url = reverse(name, kwargs=kwargs)
    failures = []
    for viewer in VIEWERS:
        client = Client(raise_request_exception=False)
        client.force_login(w.users[viewer])
        for method, data, htmx in _requests(name, w):
            headers = {"HX-Request": "true"} if htmx else {}
            with transaction.atomic():  # a POST's effect is undone before the next request
                send = client.post if method == "POST" else client.get
                response = send(url, data, headers=headers)
                body = _body(response)
                transaction.set_rollback(True)
            if response.status_code >= 500:
                failures.append(f"{viewer} {method} {url} {data}: {response.status_code}")
            leaks = _leaks(body, data)
            if leaks:
                shown = f"{method} {url} {sorted(data)}{' (htmx)' if htmx else ''}"
                failures.append(f"{viewer} {shown}: {response.status_code} shows {leaks}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", SHOWS_B_TO_SUPERVISOR)
def test_merchant_bs_own_rows_do_show(name, two_merchants):
    """The isolation test is not passing on empty pages: B's supervisor sees B's rows there."""
    client = Client()
    client.force_login(two_merchants.users["supervisor_b"])

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert B_MARK in _body(response)
