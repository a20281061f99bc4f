"""Real signed calls to the sandbox over HTTP: test connection, rotation, notification URL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from console.models import AuditEvent
from devtools.keygen import generate_merchant_keypair
from merchants.credentials import parse_credentials
from merchants.models import Merchant
from merchants.services import (
    callback_delete,
    callback_query,
    callback_register,
    credential_activate,
    credential_add,
    credential_retire,
    merchant_test_connection,
    notification_url,
    wechatpay_client,
)

pytestmark = pytest.mark.django_db


def parsed_for(sandbox_merchant, **overrides):
    fields = {
        "private_key_pem": sandbox_merchant.private_key_pem,
        "certificate_pem": sandbox_merchant.certificate_pem,
        "apiv3_key": sandbox_merchant.apiv3_key,
        "wechatpay_public_key_id": sandbox_merchant.platform_public_key_id,
        "wechatpay_public_key_pem": sandbox_merchant.platform_public_key_pem,
        "platform_certificates_pem": sandbox_merchant.platform_certificate_pem,
    }
    return parse_credentials(**{**fields, **overrides})


@pytest.fixture
def console_merchant(sandbox_merchant) -> Merchant:
    merchant = Merchant.objects.create(
        mchid=sandbox_merchant.mchid,
        name="Sandbox merchant",
        api_base_url=sandbox_merchant.base_url,
        backup_api_base_url="",
    )
    credential_add(merchant=merchant, parsed=parsed_for(sandbox_merchant))
    return merchant


def list_last_day(merchant: Merchant) -> list:
    today = timezone.localdate()
    return list(wechatpay_client(merchant).iter_complaints(today - timedelta(days=1), today))


def test_test_connection_against_the_sandbox_reports_success(console_merchant):
    result = merchant_test_connection(merchant=console_merchant)

    console_merchant.refresh_from_db()
    assert result.ok, result
    assert console_merchant.last_success_at is not None
    event = AuditEvent.objects.get(action="merchant.connection_tested")
    assert event.changes == {"ok": True, "code": "", "request_id": ""}


def test_test_connection_with_a_wrong_key_reports_sign_error_and_request_id(sandbox_merchant):
    # A key pair of its own whose certificate carries the registered serial: WeChat finds the
    # certificate it knows, and the signature does not verify against it.
    wrong = generate_merchant_keypair(
        sandbox_merchant.mchid, serial=int(sandbox_merchant.serial_no, 16)
    )
    merchant = Merchant.objects.create(
        mchid=sandbox_merchant.mchid,
        name="Wrong key",
        api_base_url=sandbox_merchant.base_url,
        backup_api_base_url="",
    )
    credential_add(
        merchant=merchant,
        parsed=parsed_for(
            sandbox_merchant,
            private_key_pem=wrong.private_key_pem,
            certificate_pem=wrong.certificate_pem,
        ),
    )

    result = merchant_test_connection(merchant=merchant)

    assert not result.ok
    assert result.code == "SIGN_ERROR"
    assert result.status == 401
    assert result.message
    assert len(result.request_id) > 8
    merchant.refresh_from_db()
    assert merchant.last_success_at is None
    event = AuditEvent.objects.get(action="merchant.connection_tested")
    assert event.changes["code"] == "SIGN_ERROR"
    assert event.changes["request_id"] == result.request_id


def test_rotating_credentials_keeps_calls_to_the_sandbox_working(
    sandbox, sandbox_merchant, console_merchant
):
    sandbox.control.create_complaints(sandbox_merchant.mchid, 2)
    old_set = console_merchant.credentials.get()
    assert len(list_last_day(console_merchant)) == 2

    # the merchant makes a new key and certificate and tells WeChat Pay about it
    new = generate_merchant_keypair(sandbox_merchant.mchid)
    sandbox.control.register_merchant(
        mchid=sandbox_merchant.mchid,
        certificate_pem=new.certificate_pem,
        apiv3_key=sandbox_merchant.apiv3_key,
    )
    new_set = credential_add(
        merchant=console_merchant,
        parsed=parsed_for(
            sandbox_merchant,
            private_key_pem=new.private_key_pem,
            certificate_pem=new.certificate_pem,
        ),
    )
    assert len(list_last_day(console_merchant)) == 2  # still signing with the old set

    credential_activate(credential_set=new_set)
    assert wechatpay_client(console_merchant).credentials.serial_no == new.serial
    assert len(list_last_day(console_merchant)) == 2

    credential_retire(credential_set=old_set)
    assert merchant_test_connection(merchant=console_merchant).ok
    assert len(list_last_day(console_merchant)) == 2


def test_a_private_key_the_sandbox_does_not_know_fails_until_rotated_back(
    sandbox_merchant, console_merchant
):
    stranger = generate_merchant_keypair(sandbox_merchant.mchid)
    new_set = credential_add(
        merchant=console_merchant,
        parsed=parsed_for(
            sandbox_merchant,
            private_key_pem=stranger.private_key_pem,
            certificate_pem=stranger.certificate_pem,
        ),
    )
    old_set = console_merchant.credentials.get(status="active")

    credential_activate(credential_set=new_set)
    failed = merchant_test_connection(merchant=console_merchant)
    credential_activate(credential_set=old_set)

    assert failed.code == "SIGN_ERROR"
    assert merchant_test_connection(merchant=console_merchant).ok


def test_the_notification_url_is_registered_queried_and_deleted(console_merchant, settings):
    settings.CONSOLE_PUBLIC_URL = "https://console.example.com/"
    expected = f"https://console.example.com/webhooks/wechatpay/{console_merchant.mchid}/complaints"
    assert notification_url(console_merchant) == expected

    assert callback_query(merchant=console_merchant).code == "RESOURCE_NOT_EXISTS"
    assert console_merchant.callback_status == "not_registered"

    assert callback_register(merchant=console_merchant).ok
    assert callback_query(merchant=console_merchant).data == {"url": expected}
    console_merchant.refresh_from_db()
    assert (console_merchant.callback_status, console_merchant.callback_url) == (
        "registered",
        expected,
    )

    # a moved console updates the registration instead of failing on "already exists"
    settings.CONSOLE_PUBLIC_URL = "https://new.example.com"
    assert callback_query(merchant=console_merchant).ok
    assert console_merchant.callback_status == "mismatch"
    assert callback_register(merchant=console_merchant).ok
    assert callback_query(merchant=console_merchant).data["url"].startswith("https://new.")

    assert callback_delete(merchant=console_merchant).ok
    console_merchant.refresh_from_db()
    assert console_merchant.callback_status == "not_registered"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"merchant.callback_registered", "merchant.callback_deleted"} <= actions


def test_an_http_console_url_is_refused_before_anything_is_sent(console_merchant, settings):
    settings.CONSOLE_PUBLIC_URL = "http://console.example.com"

    result = callback_register(merchant=console_merchant)

    assert result.code == "INVALID_ARGUMENT"
    assert "https://" in result.message


def test_a_merchant_without_credentials_says_so(db):
    merchant = Merchant.objects.create(mchid="1900009999", name="Empty")

    result = merchant_test_connection(merchant=merchant)

    assert result.code == "NO_CREDENTIALS"
    assert "1900009999" in result.message
