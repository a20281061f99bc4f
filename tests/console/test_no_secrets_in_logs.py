"""Secrets never reach the logs: a whole working session (credentials uploaded through the admin
page, a test connection, a complaint fetched with its phone number, a reply delivered, a
notification received) logged at DEBUG holds no key, no APIv3 key, no phone number, no
signature."""

from __future__ import annotations

import logging
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from complaints.services import complaint_refresh
from console.encryption import decrypt_text
from console.roles import ADMIN
from merchants.models import Merchant
from merchants.services import merchant_test_connection
from messaging.services.delivery import reply_deliver
from messaging.services.replies import reply_submit
from sandbox.notifier import build_body
from tests.complaints.notifications import platform_signer, signed_headers
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("", "wechatpay", "django", "celery", "urllib3", "console", "merchants"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    return caplog


def test_a_working_session_logs_no_secret(sandbox, sandbox_merchant, everything_logged):
    account = sandbox_merchant
    admin = make_user("log_admin", ADMIN)
    client = Client()
    client.force_login(admin)
    client.post(
        reverse("merchants:create"),
        {"mchid": account.mchid, "name": "Log shop", "kind": "direct",
         "api_base_url": account.base_url, "active": "on"},
    )  # fmt: skip
    merchant = Merchant.objects.get(mchid=account.mchid)
    answer = client.post(
        reverse("merchants:credential_add", args=[merchant.pk]),
        {"private_key": account.private_key_pem, "certificate": account.certificate_pem,
         "apiv3_key": account.apiv3_key, "wechatpay_public_key_id": account.platform_public_key_id,
         "wechatpay_public_key": account.platform_public_key_pem},
    )  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert merchant_test_connection(merchant=merchant).ok

    (complaint_id,) = sandbox.control.create_complaints(merchant.mchid, 1)
    complaint = complaint_refresh(merchant=merchant, complaint_id=complaint_id)
    phone = decrypt_text(complaint.payer_phone_encrypted)
    reply = reply_submit(
        complaint=complaint, author=admin, endpoint="response", idempotent_id=uuid.uuid4(),
        payload={"complainted_mchid": merchant.mchid, "response_content": "您好，已处理"},
    )  # fmt: skip
    assert reply_deliver(reply_id=reply.pk) == "delivered"
    body = build_body(account.apiv3_key, complaint_id, "USER_RESPONSE").encode()
    serial, key = platform_signer(sandbox)
    answer = client.post(
        reverse("wechatpay_complaints_webhook", args=[merchant.mchid]),
        body, content_type="application/json", headers=signed_headers(serial, key, body),
    )  # fmt: skip
    assert answer.status_code == 204

    logged = "\n".join(record.getMessage() for record in everything_logged.records)
    assert "/v3/merchant-service/complaints-v2" in logged  # the API calls were logged
    key_body = "".join(account.private_key_pem.strip().splitlines()[1:-1])
    for secret in [account.apiv3_key, key_body[:40], key_body[-40:], phone, 'signature="']:
        assert secret not in logged, f"{secret[:12]}… was logged"
