"""Role × URL matrix: every URL the console serves, for every kind of user.

Driven by the URL resolver: each named URL found there must have a row in EXPECTED (a page added
later fails `test_every_console_url_has_a_row` until its author lists it). Every row says, for an
anonymous visitor, an agent of merchant A, an agent of merchant B, a supervisor of merchant A and
an admin (assigned to no merchant), what the URL must answer for an object of merchant A:

    ALLOW   served (anything but 401/403/404, a login redirect or a 5xx)
    LOGIN   redirected to the login page
    FORBID  403 (the role lacks the permission)
    HIDDEN  404 (another merchant's object: its id must not leak)
    DENY    403 or 404 (neither the permission nor the merchant)
    PUBLIC  served without login (anything but a login redirect or a 5xx)

POST-only URLs are requested with an empty POST: the point is who gets past access control, not
what the action does with no data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from automation.models import Alert, AutoReplyRule
from complaints.models import Complaint, ComplaintImage
from console.encryption import encrypt_text
from console.roles import ADMIN, AGENT, SUPERVISOR
from merchants.models import Merchant, MerchantAssignment
from messaging.models import ImageAsset, Reply, ReplyTemplate
from refunds.models import Refund
from tests.fixtures.users import make_user

ALLOW, LOGIN, FORBID, HIDDEN, DENY, PUBLIC = "ALLOW", "LOGIN", "FORBID", "HIDDEN", "DENY", "PUBLIC"
ROLES = ["anonymous", "agent_a", "agent_b", "supervisor_a", "admin"]
# Namespaces that are not console pages: Django's admin has its own staff login.
EXCLUDED_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Row:
    expect: dict[str, str]
    kwargs: Callable[[Any], dict[str, Any]] = lambda w: {}
    method: str = "GET"
    query: dict[str, str] = field(default_factory=dict)


def outcomes(anonymous, agent_a, agent_b, supervisor_a, admin) -> dict[str, str]:
    return dict(zip(ROLES, [anonymous, agent_a, agent_b, supervisor_a, admin], strict=True))


EVERYONE = outcomes(PUBLIC, PUBLIC, PUBLIC, PUBLIC, PUBLIC)
ANY_USER = outcomes(LOGIN, ALLOW, ALLOW, ALLOW, ALLOW)
ADMIN_ONLY = outcomes(LOGIN, FORBID, FORBID, FORBID, ALLOW)
AUDITORS = outcomes(LOGIN, FORBID, FORBID, ALLOW, ALLOW)
AGENT_WORK = outcomes(LOGIN, ALLOW, ALLOW, ALLOW, FORBID)  # scoped lists: each sees their own
COMPLAINT_A = outcomes(LOGIN, ALLOW, HIDDEN, ALLOW, DENY)
SUPERVISOR_A = outcomes(LOGIN, FORBID, DENY, ALLOW, DENY)
TEMPLATE_MANAGERS = outcomes(LOGIN, FORBID, FORBID, ALLOW, FORBID)
REVIEWERS = TEMPLATE_MANAGERS  # review_replies: supervisors only

complaint_a = lambda w: {"pk": w.complaint.pk}  # noqa: E731
merchant_a = lambda w: {"pk": w.merchant_a.pk}  # noqa: E731
merchant_a_for_messaging = lambda w: {"merchant_pk": w.merchant_a.pk}  # noqa: E731
credential_of_a = lambda w: {"pk": w.merchant_a.pk, "credential_id": 999999}  # noqa: E731


EXPECTED: dict[str, Row] = {
    # --- the project ------------------------------------------------------------------
    "home": Row(ANY_USER),
    "healthz": Row(EVERYONE),
    "readyz": Row(EVERYONE),
    "login": Row(EVERYONE),
    "logout": Row(ANY_USER, method="POST"),
    "password_change": Row(ANY_USER),
    "password_change_done": Row(ANY_USER),
    "set_language": Row(EVERYONE, method="POST"),
    "console:audit": Row(AUDITORS),
    # --- merchants (admins only; admins manage every merchant) --------------------------
    "merchants:list": Row(ADMIN_ONLY),
    "merchants:create": Row(ADMIN_ONLY),
    "merchants:detail": Row(ADMIN_ONLY, merchant_a),
    "merchants:edit": Row(ADMIN_ONLY, merchant_a),
    "merchants:credential_add": Row(ADMIN_ONLY, merchant_a),
    # a credential id that does not exist: admins get 404, everyone else is refused first
    "merchants:credential_activate": Row(
        outcomes(LOGIN, FORBID, FORBID, FORBID, HIDDEN), credential_of_a, "POST"
    ),
    "merchants:credential_retire": Row(
        outcomes(LOGIN, FORBID, FORBID, FORBID, HIDDEN), credential_of_a, "POST"
    ),
    "merchants:test_connection": Row(ADMIN_ONLY, merchant_a, "POST"),
    "merchants:callback": Row(ADMIN_ONLY, merchant_a, "POST"),
    "merchants:assignment_add": Row(ADMIN_ONLY, merchant_a, "POST"),
    "merchants:assignment_remove": Row(
        ADMIN_ONLY, lambda w: {"pk": w.merchant_a.pk, "user_id": w.users["agent_a"].pk}, "POST"
    ),
    "merchants:users": Row(ADMIN_ONLY),
    "merchants:user_edit": Row(ADMIN_ONLY, lambda w: {"user_id": w.users["agent_a"].pk}),
    "merchants:user_create": Row(ADMIN_ONLY),
    "merchants:user_password_reset": Row(
        ADMIN_ONLY, lambda w: {"user_id": w.users["agent_a"].pk}, "POST"
    ),
    "merchants:user_active": Row(ADMIN_ONLY, lambda w: {"user_id": w.users["agent_a"].pk}, "POST"),
    "merchants:user_unlock": Row(ADMIN_ONLY, lambda w: {"user_id": w.users["agent_a"].pk}, "POST"),
    # --- complaints (scoped by assignment) --------------------------------------------
    "complaints:queue": Row(AGENT_WORK),
    # The live stream answers anonymous callers 403 (an EventSource cannot follow a login page).
    "complaints:stream": Row(outcomes(FORBID, ALLOW, ALLOW, ALLOW, ALLOW)),
    "complaints:detail": Row(COMPLAINT_A, complaint_a),
    "complaints:timeline": Row(COMPLAINT_A, complaint_a),
    "complaints:presence": Row(COMPLAINT_A, complaint_a, "POST"),
    "complaints:note": Row(COMPLAINT_A, complaint_a, "POST"),
    "complaints:reveal_phone": Row(SUPERVISOR_A, complaint_a, "POST"),
    "complaints:image": Row(
        COMPLAINT_A, lambda w: {"pk": w.complaint.pk, "image_pk": w.complaint_image.pk}
    ),
    "complaints:images": Row(COMPLAINT_A, complaint_a),
    "complaints:image_fetch": Row(
        COMPLAINT_A, lambda w: {"pk": w.complaint.pk, "image_pk": w.complaint_image.pk}, "POST"
    ),
    "complaints:claim": Row(COMPLAINT_A, complaint_a, "POST"),
    "complaints:release": Row(COMPLAINT_A, complaint_a, "POST"),
    "complaints:assign": Row(COMPLAINT_A, complaint_a, "POST"),
    "complaints:complete": Row(COMPLAINT_A, complaint_a, "POST"),
    "complaints:refund": Row(COMPLAINT_A, complaint_a, "POST"),
    "wechatpay_complaints_webhook": Row(EVERYONE, lambda w: {"mchid": w.merchant_a.mchid}, "POST"),
    # --- refunds ---------------------------------------------------------------------------
    "refunds:panel": Row(COMPLAINT_A, complaint_a),
    "refunds:order_refresh": Row(COMPLAINT_A, complaint_a, "POST"),
    "refunds:refund_create": Row(COMPLAINT_A, complaint_a, "POST"),
    "refunds:approvals": Row(REVIEWERS),
    "refunds:approve": Row(SUPERVISOR_A, lambda w: {"pk": w.refund.pk}, "POST"),
    "refunds:decline": Row(SUPERVISOR_A, lambda w: {"pk": w.refund.pk}, "POST"),
    "refunds:limits": Row(REVIEWERS),
    "refunds:limits_save": Row(SUPERVISOR_A, lambda w: {"merchant_pk": w.merchant_a.pk}, "POST"),
    "refunds:history": Row(AUDITORS),
    "refunds:history_csv": Row(AUDITORS),
    "refunds:history_link": Row(AUDITORS),
    "refunds:kpis_panel": Row(AUDITORS),
    "wechatpay_refunds_webhook": Row(EVERYONE, lambda w: {"mchid": w.merchant_a.mchid}, "POST"),
    # --- messaging: composer, drafts, images, templates ---------------------------------
    "messaging:composer": Row(COMPLAINT_A, complaint_a),
    "messaging:composer_page": Row(COMPLAINT_A, complaint_a),
    "messaging:draft_save": Row(COMPLAINT_A, complaint_a, "POST"),
    "messaging:draft_discard": Row(COMPLAINT_A, complaint_a, "POST"),
    "messaging:composer_preview": Row(COMPLAINT_A, complaint_a, "POST"),
    "messaging:composer_confirm": Row(COMPLAINT_A, complaint_a, "POST"),
    "messaging:composer_send": Row(COMPLAINT_A, complaint_a, "POST"),
    "messaging:template_insert": Row(
        COMPLAINT_A, lambda w: {"pk": w.complaint.pk, "template_pk": w.template.pk}
    ),
    "messaging:image_library": Row(COMPLAINT_A, merchant_a_for_messaging),
    "messaging:image_upload": Row(COMPLAINT_A, merchant_a_for_messaging, "POST"),
    "messaging:image_file": Row(COMPLAINT_A, lambda w: {"pk": w.image_asset.pk}),
    "messaging:image_retry": Row(COMPLAINT_A, lambda w: {"pk": w.image_asset.pk}, "POST"),
    "messaging:image_status": Row(COMPLAINT_A, lambda w: {"pk": w.image_asset.pk}),
    "messaging:image_media": Row(COMPLAINT_A, query={"media_id": "MEDIA-A"}),
    "messaging:templates": Row(TEMPLATE_MANAGERS),
    "messaging:template_create": Row(SUPERVISOR_A, merchant_a_for_messaging),
    "messaging:template_edit": Row(SUPERVISOR_A, lambda w: {"pk": w.template.pk}),
    "messaging:template_delete": Row(SUPERVISOR_A, lambda w: {"pk": w.template.pk}, "POST"),
    "messaging:template_preview": Row(TEMPLATE_MANAGERS, method="POST"),
    "messaging:history": Row(REVIEWERS),
    "messaging:history_csv": Row(REVIEWERS),
    "messaging:history_xlsx": Row(REVIEWERS),
    "messaging:kpis": Row(REVIEWERS),
    "messaging:reply_status": Row(COMPLAINT_A, lambda w: {"pk": w.reply.pk}),
    "messaging:reply_resend": Row(COMPLAINT_A, lambda w: {"pk": w.reply.pk}, "POST"),
    # --- automation: auto-reply rules (supervisors), alerts (each agent's own) ----------
    "automation:rules": Row(TEMPLATE_MANAGERS),
    "automation:rule_create": Row(SUPERVISOR_A, merchant_a_for_messaging),
    "automation:rule_edit": Row(SUPERVISOR_A, lambda w: {"pk": w.rule.pk}),
    "automation:rule_switch": Row(SUPERVISOR_A, lambda w: {"pk": w.rule.pk}, "POST"),
    "automation:rule_dry_run": Row(SUPERVISOR_A, lambda w: {"pk": w.rule.pk}),
    "automation:rule_delete": Row(SUPERVISOR_A, lambda w: {"pk": w.rule.pk}),
    "automation:alerts": Row(AGENT_WORK),
    # agent A's alert: nobody else's to open
    "automation:alert_open": Row(
        outcomes(LOGIN, ALLOW, HIDDEN, HIDDEN, DENY), lambda w: {"pk": w.alert.pk}, "POST"
    ),
    "automation:alerts_read": Row(AGENT_WORK, method="POST"),
    "automation:supervisor": Row(outcomes(LOGIN, FORBID, FORBID, ALLOW, FORBID)),
}


def _walk(patterns, namespace: str = "") -> Iterator[tuple[str | None, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            if inner in EXCLUDED_NAMESPACES:
                continue
            prefix = f"{namespace}{inner}:" if inner else namespace
            yield from _walk(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield name, str(entry.pattern)


def console_urls() -> list[tuple[str | None, str]]:
    return list(_walk(get_resolver().url_patterns))


def test_every_console_url_has_a_row():
    unnamed = [pattern for name, pattern in console_urls() if name is None]
    missing = sorted({name for name, _ in console_urls() if name} - set(EXPECTED))
    stale = sorted(set(EXPECTED) - {name for name, _ in console_urls() if name})

    assert not unnamed, f"every console URL needs a name: {unnamed}"
    assert not missing, (
        f"new URLs without a row in tests/test_url_permissions.py EXPECTED: {missing}. "
        "Add one saying who may use each."
    )
    assert not stale, f"rows for URLs that no longer exist: {stale}"


@pytest.fixture
def world(db):
    """Merchant A and B, a complaint of A with an image, a template and an image of A."""
    merchant_a = Merchant.objects.create(
        mchid="1900000001", name="A", api_base_url="http://127.0.0.1:9", backup_api_base_url=""
    )
    merchant_b = Merchant.objects.create(
        mchid="1900000002", name="B", api_base_url="http://127.0.0.1:9", backup_api_base_url=""
    )
    users = {
        "agent_a": make_user("matrix_agent_a", AGENT),
        "agent_b": make_user("matrix_agent_b", AGENT),
        "supervisor_a": make_user("matrix_supervisor_a", SUPERVISOR),
        "admin": make_user("matrix_admin", ADMIN),
    }
    for name, merchant in [("agent_a", merchant_a), ("agent_b", merchant_b)]:
        MerchantAssignment.objects.create(user=users[name], merchant=merchant)
    MerchantAssignment.objects.create(user=users["supervisor_a"], merchant=merchant_a)
    now = timezone.now()
    complaint = Complaint.objects.create(
        merchant=merchant_a,
        complaint_id="200000000000000000000000042",
        complainted_mchid=merchant_a.mchid,
        complaint_time=now,
        first_reply_due_at=now + timedelta(hours=24),
        complete_due_at=now + timedelta(hours=72),
        payer_phone_encrypted=encrypt_text("13800138000"),
        payer_phone_last4="8000",
    )
    template = ReplyTemplate.objects.create(merchant=merchant_a, name="Hello", blocks=[])
    refund = Refund.objects.create(
        merchant=merchant_a,
        complaint=complaint,
        out_refund_no="CCMATRIX1",
        transaction_id="4200000000000000000000000042",
        order_total=1000,
        amount=1000,
        status=Refund.Status.AWAITING_APPROVAL,
        requested_by=users["agent_a"],
        needs_approval=True,
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    return SimpleNamespace(
        merchant_a=merchant_a,
        merchant_b=merchant_b,
        users=users,
        complaint=complaint,
        complaint_image=ComplaintImage.objects.create(
            complaint=complaint,
            url="https://api.mch.weixin.qq.com/v3/merchant-service/images/A",
            url_hash="a" * 64,
            content=png,
            content_type="image/png",
            fetched_at=now,
            fetch_status=ComplaintImage.FetchStatus.FETCHED,
        ),
        template=template,
        refund=refund,
        reply=Reply.objects.create(
            complaint=complaint,
            merchant=merchant_a,
            author=users["agent_a"],
            endpoint=Reply.Endpoint.choices[0][0],
            payload={"complainted_mchid": merchant_a.mchid, "response_content": "hi"},
            status="failed",
        ),
        rule=AutoReplyRule.objects.create(
            merchant=merchant_a,
            name="Rule",
            template=ReplyTemplate.objects.create(merchant=merchant_a, name="For the rule"),
        ),
        alert=Alert.objects.create(
            user=users["agent_a"], kind=Alert.Kind.IMMEDIATE, complaint=complaint, key="k"
        ),
        image_asset=ImageAsset.objects.create(
            merchant=merchant_a,
            sha256="b" * 64,
            filename="a.png",
            content_type="image/png",
            size=len(png),
            data=png,
            media_id="MEDIA-A",
        ),
    )


def _outcome_ok(expected: str, status: int, location: str) -> bool:
    # LoginRequiredMiddleware redirects with ?next=; logging out lands on the login page without.
    to_login = status == 302 and location.startswith(reverse(settings.LOGIN_URL) + "?next=")
    if expected == LOGIN:
        return to_login
    if expected == FORBID:
        return status == 403
    if expected == HIDDEN:
        return status == 404
    if expected == DENY:
        return status in (403, 404)
    if expected == PUBLIC:
        return not to_login and status < 500
    return not to_login and status not in (401, 403, 404) and status < 500


def _request(world, name: str, row: Row, role: str) -> tuple[str, int, str]:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.users[role])
    url = reverse(name, kwargs=row.kwargs(world))
    send = client.post if row.method == "POST" else client.get
    response = send(url, row.query or None)
    return url, response.status_code, response.get("Location", "")


@pytest.mark.parametrize("name", sorted({n for n, _ in console_urls() if n}))
def test_url_answers_each_role_as_listed(name, world):
    row = EXPECTED.get(name)
    if row is None:
        pytest.fail(f"{name} has no row in EXPECTED: add one (see the module docstring)")
    failures = []
    for role in ROLES:
        # Each role's request runs in a savepoint that is rolled back, so one role's POST
        # (a claim, a delete) never changes what the next role sees.
        with transaction.atomic():
            url, status, location = _request(world, name, row, role)
            transaction.set_rollback(True)
        if not _outcome_ok(row.expect[role], status, location):
            expected = row.expect[role]
            failures.append(f"{row.method} {url} as {role}: expected {expected}, got {status}")
    assert not failures, "\n".join(failures)
