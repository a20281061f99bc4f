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
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from console.roles import AGENT, SUPERVISOR
from tests.fixtures.users import make_user
from tests.isolation_seed import seed_merchant
from tests.test_url_permissions import console_urls

# Every string seeded for merchant A contains one of these; none may reach B's users.
A_MCHID = "1987654321"
A_COMPLAINT_ID = "200298765432100000000000001"
A_MARKERS = ("alphaleak", A_MCHID, "98765432100000000000001", "13812345678", "138****5678")
B_MARK = "bravomark"  # in B's rows, to show the pages do render content
VIEWERS = ["agent_b", "supervisor_b"]

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


@pytest.fixture
def two_merchants(db) -> SimpleNamespace:
    users = {
        "agent_a": make_user("alphaleak_agent", AGENT),
        "supervisor_a": make_user("alphaleak_supervisor", SUPERVISOR),
        "agent_b": make_user("bravomark_agent", AGENT),
        "supervisor_b": make_user("bravomark_supervisor", SUPERVISOR),
    }
    a = seed_merchant(A_MCHID, "ALPHALEAK", users["agent_a"], users["supervisor_a"])
    b = seed_merchant("1912312312", "BRAVOMARK", users["agent_b"], users["supervisor_b"])
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
