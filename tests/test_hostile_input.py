"""Hostile input on every console URL: never a 500.

Every URL from the role matrix (tests/test_url_permissions.py) is requested by a user who may
use it, with form fields and query parameters that are malformed in the usual ways: wrong types,
impossible dates, NUL characters, 4-byte characters, huge values, broken JSON. Whatever the
answer (a form error, a 4xx, a redirect), it must not be a server error.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_url_permissions import (
    ALLOW,
    EXPECTED,
    HIDDEN,
    PUBLIC,
    console_urls,
    world,  # noqa: F401 (the fixture)
)

HOSTILE_VALUES = [
    "",
    "\x00",
    "not-a-number",
    "-1",
    "99999999999999999999999",
    "2026-13-45",
    "{",
    '{"blocks": [{"type": "TEXT"}]}',
    "[]",
    "🙂" * 3,
    "x" * 20_000,
    "<script>alert(1)</script>",
]
FIELD_NAMES = [
    "content", "mode", "idempotent_id", "seen_activity_version", "opened_at", "assignee",
    "alert", "next", "q", "after", "view", "merchant", "state", "problem_type", "refund",
    "date_from", "date_to", "status", "endpoint", "agent", "origin", "error_code", "text",
    "name", "description", "blocks", "priority", "immediate", "keywords", "hours", "work_start",
    "work_end", "work_days", "template", "response_text", "action", "reject_reason",
    "launch_refund_day", "confirm", "roles", "merchants", "user", "mchid", "api_base_url",
    "apiv3_key", "private_key", "certificate", "wechatpay_public_key_id", "enabled",
    "media_id", "language", "username", "password", "mode", "complaint_state", "amount",
    "reason", "request_key", "seen_refunds", "part",
]  # fmt: skip


def user_for(name: str) -> str | None:
    """A role that may use the URL (so the hostile input reaches the view), or None."""
    row = EXPECTED[name]
    order = ["agent_a", "supervisor_a", "admin", "anonymous"]
    for accepted in [(ALLOW, PUBLIC), (HIDDEN,)]:  # HIDDEN: past the role check, then a 404
        for role in order:
            if row.expect[role] in accepted:
                return role
    return None


@pytest.mark.parametrize("name", sorted({n for n, _ in console_urls() if n} - {"logout"}))
def test_hostile_input_never_causes_a_server_error(name, world):  # noqa: F811
    role = user_for(name)
    if role is None:
        pytest.fail(f"{name}: no role in the matrix may use it")
    row = EXPECTED[name]
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.users[role])
    url = reverse(name, kwargs=row.kwargs(world))
    failures = []
    for value in HOSTILE_VALUES:
        data = {field: value for field in FIELD_NAMES}
        send = client.post if row.method == "POST" else client.get
        answer = send(url, data)
        if answer.status_code >= 500:
            failures.append(f"{row.method} {url} with every field = {value[:30]!r}: "
                            f"{answer.status_code}")  # fmt: skip
    assert not failures, "\n".join(failures)
