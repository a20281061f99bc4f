"""Every endpoint end to end against the sandbox process (a WeChat Pay simulator over real HTTP):
what the client sends is accepted, what it gets back is verified and typed, errors are mapped."""

from __future__ import annotations

import base64
import json
import time
from datetime import date, timedelta
from typing import Any

import pytest

from tests.fixtures.sandbox import SandboxMerchant, SandboxProcess
from tests.wechatpay.conftest import VECTORS_DIR, sandbox_client
from tests.wechatpay.recording_server import RecordingServer
from wechatpay import (
    ApiError,
    Client,
    TransportError,
    Verifier,
    decrypt_payer_phone,
    parse_notification,
)

PNG = base64.b64decode(
    json.loads((VECTORS_DIR / "vectors.json").read_text())["upload"]["file_base64"]
)
TODAY = date.today()


@pytest.fixture
def merchant(sandbox_merchant: SandboxMerchant) -> SandboxMerchant:
    return sandbox_merchant


@pytest.fixture
def client(merchant: SandboxMerchant) -> Any:
    with sandbox_client(merchant) as c:
        yield c


def new_complaint(sandbox: SandboxProcess, merchant: SandboxMerchant, **kwargs: Any) -> str:
    return sandbox.control.create_complaints(merchant.mchid, 1, **kwargs)[0]


def test_list_finds_created_complaints_across_windows_and_pages(
    sandbox: SandboxProcess, merchant: SandboxMerchant, client: Client
) -> None:
    created = sandbox.control.create_complaints(merchant.mchid, 5)

    found = list(
        client.iter_complaints(
            begin=TODAY - timedelta(days=70), end=TODAY + timedelta(days=1), page_size=2
        )
    )

    assert sorted(c.complaint_id for c in found) == sorted(created)
    assert {c.complainted_mchid for c in found} == {merchant.mchid}


def test_detail_has_payer_phone_that_decrypts_with_merchant_key(
    sandbox: SandboxProcess, merchant: SandboxMerchant, client: Client
) -> None:
    complaint_id = new_complaint(sandbox, merchant)

    complaint = client.get_complaint(complaint_id)

    assert complaint.complaint_id == complaint_id
    assert complaint.complaint_state == "PENDING"
    assert complaint.payer_phone
    phone = decrypt_payer_phone(merchant.private_key_pem, complaint.payer_phone)
    assert phone.replace(" ", "").lstrip("+").isdigit()


def test_plain_reply_moves_complaint_to_processing_and_shows_in_history(
    sandbox: SandboxProcess, merchant: SandboxMerchant, client: Client
) -> None:
    complaint_id = new_complaint(sandbox, merchant)

    client.respond(complaint_id, complainted_mchid=merchant.mchid, response_content="您好，已处理")

    assert client.get_complaint(complaint_id).complaint_state == "PROCESSING"
    history = list(client.iter_negotiation_history(complaint_id, page_size=1))
    assert [h.operate_type for h in history][-1] == "MERCHANT_RESPONSE"
    assert history[-1].operate_details == "您好，已处理"


def test_immediate_service_reply_returns_log_id_once_per_idempotent_id(
    sandbox: SandboxProcess, merchant: SandboxMerchant, client: Client
) -> None:
    complaint_id = new_complaint(sandbox, merchant, need_immediate_service=True)
    message = {
        "blocks": [{"type": "TEXT", "text": {"text": "您好，马上为您处理", "color": "DEFAULT"}}],
        "sender_identity": "MANUAL",
    }
    reply = lambda: client.respond_immediate_service(  # noqa: E731
        complaint_id, complainted_mchid=merchant.mchid, message=message, idempotent_id="idem-42"
    )

    first, again = reply(), reply()

    assert first == again
    entries = list(client.iter_negotiation_history(complaint_id))
    assert [e.log_id for e in entries].count(first) == 1
    assert len(sandbox.control.replies(complaint_id=complaint_id)) == 1


def test_complete_then_complete_again_is_a_final_invalid_request(
    sandbox: SandboxProcess, merchant: SandboxMerchant, client: Client
) -> None:
    complaint_id = new_complaint(sandbox, merchant)
    client.complete(complaint_id, complainted_mchid=merchant.mchid)
    assert client.get_complaint(complaint_id).complaint_state == "PROCESSED"

    with pytest.raises(ApiError) as caught:
        client.complete(complaint_id, complainted_mchid=merchant.mchid)

    assert (caught.value.status, caught.value.code) == (400, "INVALID_REQUEST")
    assert caught.value.request_id and not caught.value.retryable


def test_refund_approval_and_repeated_approval(
    sandbox: SandboxProcess, merchant: SandboxMerchant, client: Client
) -> None:
    complaint_id = new_complaint(sandbox, merchant, problem_type="REFUND")
    client.update_refund_progress(complaint_id, action="APPROVE", launch_refund_day=0, remark="ok")

    with pytest.raises(ApiError) as caught:
        client.update_refund_progress(complaint_id, action="APPROVE", launch_refund_day=0)
    assert caught.value.code == "INVALID_REQUEST"


def test_uploaded_image_can_be_used_in_a_reply(
    sandbox: SandboxProcess, merchant: SandboxMerchant, client: Client
) -> None:
    complaint_id = new_complaint(sandbox, merchant)
    uploaded = client.upload_image(PNG, "receipt.png")
    assert uploaded.media_id

    client.respond(
        complaint_id,
        complainted_mchid=merchant.mchid,
        response_content="请看凭证",
        response_images=[uploaded.media_id],
    )


def test_complaint_images_download_by_media_url_as_given(
    sandbox: SandboxProcess, merchant: SandboxMerchant, client: Client
) -> None:
    complaint_id = new_complaint(sandbox, merchant)
    complaint = client.get_complaint(complaint_id)
    urls = [url for media in complaint.complaint_media_list for url in media.media_url]
    if not urls:  # the sandbox may put the images only in the first history entry
        urls = [
            url
            for entry in client.iter_negotiation_history(complaint_id)
            if entry.complaint_media_list
            for url in entry.complaint_media_list.media_url
        ]
    assert urls, "the sandbox creates complaints with images"
    encoded = [url for url in urls if "%" in url] or urls  # prefer an already-encoded id

    image = client.download_image(encoded[0])

    assert image.content_type.startswith("image/")
    assert image.content[:2] in (b"\xff\xd8", b"\x89P", b"BM")


def test_notification_url_lifecycle(merchant: SandboxMerchant, client: Client) -> None:
    with pytest.raises(ApiError) as caught:
        client.get_notification_url()
    assert caught.value.code == "RESOURCE_NOT_EXISTS"

    created = client.create_notification_url("https://console.example.com/wechatpay/notify")
    assert (created.mchid, created.url) == (
        merchant.mchid,
        "https://console.example.com/wechatpay/notify",
    )
    updated = client.update_notification_url("https://console.example.com/wechatpay/notify2")
    assert client.get_notification_url() == updated
    client.delete_notification_url()

    with pytest.raises(ApiError):
        client.get_notification_url()


def test_notifications_pushed_by_the_sandbox_parse(
    sandbox: SandboxProcess,
    merchant: SandboxMerchant,
    client: Client,
    platform_private_key: Any,
) -> None:
    receiver = RecordingServer(platform_private_key, "unused").start()
    try:
        client.create_notification_url(receiver.base_url + "/wechatpay/notify")
        complaint_id = new_complaint(sandbox, merchant)
        deadline = time.monotonic() + 10
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.requests, "the sandbox pushed no notification within 10 s"
        pushed = receiver.requests[0]
    finally:
        receiver.stop()

    event = parse_notification(
        pushed.headers, pushed.body, verifier=client.verifier, apiv3_key=merchant.apiv3_key
    )

    assert (event.complaint_id, event.action_type) == (complaint_id, "CREATE_COMPLAINT")
    assert event.event_type == "COMPLAINT.CREATE"


def test_empty_verifier_downloads_platform_certificates_on_first_use(
    sandbox: SandboxProcess, merchant: SandboxMerchant
) -> None:
    complaint_id = new_complaint(sandbox, merchant)
    with sandbox_client(merchant, public_key=False) as c:
        c.verifier = Verifier()  # nothing configured: the key comes from /v3/certificates

        assert c.get_complaint(complaint_id).complaint_id == complaint_id
        assert c.get_complaint(complaint_id).complaint_id == complaint_id

        assert c.verifier.serials == (merchant.platform_certificate_serial,)


def test_refresh_returns_the_platform_certificate_serial(merchant: SandboxMerchant) -> None:
    with sandbox_client(merchant) as c:
        assert c.refresh_platform_certificates() == [merchant.platform_certificate_serial]


def test_complaint_of_another_merchant_is_no_auth(
    sandbox: SandboxProcess, merchant: SandboxMerchant, client: Client
) -> None:
    from tests.fixtures.sandbox import register_vector_merchant

    other = register_vector_merchant(sandbox)
    complaint_id = sandbox.control.create_complaints(other.mchid, 1)[0]

    with pytest.raises(ApiError) as caught:
        client.get_complaint(complaint_id)
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (
        403,
        "NO_AUTH",
        False,
    )


def test_wrong_certificate_serial_is_sign_error(merchant: SandboxMerchant) -> None:
    with (
        sandbox_client(merchant, serial_no="0123456789ABCDEF") as c,
        pytest.raises(ApiError) as caught,
    ):
        c.get_notification_url()
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (
        401,
        "SIGN_ERROR",
        False,
    )


def test_param_error_keeps_detail(
    sandbox: SandboxProcess, merchant: SandboxMerchant, client: Client
) -> None:
    complaint_id = new_complaint(sandbox, merchant)
    with pytest.raises(ApiError) as caught:
        client.respond(
            complaint_id,
            complainted_mchid=merchant.mchid,
            response_content="x",
            jump_url="https://shop.example.com",
            jump_url_text="这段链接文字远远超过十个字符",
        )
    assert (caught.value.status, caught.value.code) == (400, "PARAM_ERROR")
    assert caught.value.detail


@pytest.mark.parametrize(
    ("mode", "status", "code"),
    [("system_error", 500, "SYSTEM_ERROR"), ("rate_limited", 429, "FREQUENCY_LIMITED")],
)
def test_injected_server_faults_are_retryable(
    sandbox: SandboxProcess,
    merchant: SandboxMerchant,
    client: Client,
    mode: str,
    status: int,
    code: str,
) -> None:
    sandbox.control.set_faults({"mode": mode, "count": 1})
    with pytest.raises(ApiError) as caught:
        client.get_notification_url()
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (status, code, True)


def test_slow_answer_is_a_retryable_timeout(
    sandbox: SandboxProcess, merchant: SandboxMerchant
) -> None:
    sandbox.control.set_faults({"mode": "delay", "seconds": 1.0, "count": 1})
    with sandbox_client(merchant, timeout=(1.0, 0.2)) as c, pytest.raises(TransportError) as caught:
        c.get_notification_url()
    assert caught.value.retryable
