"""Each endpoint's exact request on the wire (method, target, headers, body), captured by a local
recording HTTP server that answers like WeChat Pay, signed with the test platform key."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import pytest

from tests.wechatpay.conftest import VECTORS_DIR
from tests.wechatpay.recording_server import Recorded, RecordingServer, Reply
from wechatpay import Client, MerchantCredentials, Signer, Verifier, crypto

VECTORS = json.loads((VECTORS_DIR / "vectors.json").read_text())
CID = "200201820261128080076610000"
MCHID = "1900000109"
PNG = base64.b64decode(VECTORS["upload"]["file_base64"])


def assert_signed(recorded: Recorded, credentials: MerchantCredentials, sign_body: bytes) -> None:
    """The Authorization header verifies with the merchant's public key over exactly the target
    and body the server received."""
    auth = crypto.parse_authorization(recorded.headers["Authorization"])
    assert auth["mchid"] == credentials.mchid
    assert auth["serial_no"] == credentials.serial_no
    message = crypto.request_message(
        recorded.method, recorded.target, auth["timestamp"], auth["nonce_str"], sign_body
    )
    public = credentials.private_key.public_key()
    assert crypto.verify(public, message, auth["signature"])


def assert_common_headers(recorded: Recorded, accept: str = "application/json") -> None:
    assert recorded.headers["Accept"] == accept
    assert recorded.headers["User-Agent"] == "complaint-console-tests/0.1"
    assert recorded.headers["Wechatpay-Serial"] == VECTORS["platform"]["public_key_id"]


def complaint(cid: str, **extra: Any) -> dict[str, Any]:
    return {
        "complaint_id": cid,
        "complaint_time": "2026-11-28T10:00:00.120+08:00",
        "complaint_detail": "充电宝未归还",
        "complaint_state": "PENDING",
        "complainted_mchid": MCHID,
        "complaint_full_refunded": False,
        "incoming_user_response": False,
        "problem_description": "退款问题",
        "user_complaint_times": 1,
        **extra,
    }


def test_immediate_service_reply_sends_the_vector_bytes_exactly(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    vector = VECTORS["request_signatures"][3]
    body = json.loads(vector["body"])
    client.signer = Signer(
        credentials,
        clock=lambda: float(vector["timestamp"]),
        nonce_factory=lambda: vector["nonce_str"],
    )
    server.reply(Reply(200, {"log_id": "300285320261128170000071077"}))

    log_id = client.respond_immediate_service(
        CID,
        complainted_mchid=body["complainted_mchid"],
        message=body["message"],
        idempotent_id=body["idempotent_id"],
    )

    assert log_id == "300285320261128170000071077"
    sent = server.last
    assert (sent.method, sent.target) == ("POST", vector["request_target"])
    assert sent.body == vector["body"].encode("utf-8")
    assert sent.headers["Content-Type"] == "application/json"
    assert crypto.parse_authorization(sent.headers["Authorization"]) == crypto.parse_authorization(
        vector["authorization"]
    )
    assert_common_headers(sent)


def test_list_sends_documented_query_and_pages_until_total(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    server.reply(
        Reply(
            200,
            {"data": [complaint("1"), complaint("2")], "limit": 2, "offset": 0, "total_count": 3},
        ),
        Reply(200, {"data": [complaint("3", new_field={"x": 1})], "limit": 2, "offset": 2}),
    )

    found = list(
        client.iter_complaints(
            begin=date(2026, 11, 1), end=date(2026, 11, 28), complainted_mchid=MCHID, page_size=2
        )
    )

    assert [c.complaint_id for c in found] == ["1", "2", "3"]
    assert found[2].model_extra == {"new_field": {"x": 1}}
    first, second = server.requests
    assert first.target == (
        "/v3/merchant-service/complaints-v2?limit=2&offset=0&begin_date=2026-11-01"
        "&end_date=2026-11-28&complainted_mchid=1900000109"
    )
    assert second.target.startswith("/v3/merchant-service/complaints-v2?limit=2&offset=2&")
    assert first.method == "GET" and first.body == b""
    assert "Content-Type" not in first.headers
    assert_common_headers(first)
    assert_signed(first, credentials, b"")


def test_list_splits_long_ranges_into_30_day_windows(
    client: Client, server: RecordingServer
) -> None:
    server.default = Reply(200, {"data": [], "limit": 50, "offset": 0, "total_count": 0})

    assert list(client.iter_complaints(begin=date(2026, 1, 1), end=date(2026, 3, 5))) == []

    windows = [r.target.split("begin_date=")[1] for r in server.requests]
    assert windows == [
        "2026-01-01&end_date=2026-01-30",
        "2026-01-31&end_date=2026-03-01",
        "2026-03-02&end_date=2026-03-05",
    ]


def test_list_yields_a_complaint_once_when_pages_shift(
    client: Client, server: RecordingServer
) -> None:
    server.reply(
        Reply(
            200,
            {"data": [complaint("1"), complaint("2")], "limit": 2, "offset": 0, "total_count": 4},
        ),
        Reply(200, {"data": [complaint("2"), complaint("3")], "limit": 2, "offset": 2}),
    )
    found = [
        c.complaint_id
        for c in client.iter_complaints(date(2026, 1, 1), date(2026, 1, 2), page_size=2)
    ]
    assert found == ["1", "2", "3"]


def test_detail_tolerates_unknown_enum_values_and_fields(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    server.reply(
        Reply(
            200,
            complaint(
                CID,
                complaint_state="SOMETHING_NEW",
                problem_type="BRAND_NEW",
                user_tag_list=["TRUSTED", "UNHEARD_OF"],
                payer_openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                complaint_media_list=[{"media_type": "USER_COMPLAINT_IMAGE", "media_url": ["u"]}],
                is_agent_mode=True,
                service_order_info=None,
                future={"nested": [1, 2]},
            ),
        )
    )

    result = client.get_complaint(CID)

    assert result.complaint_state == "SOMETHING_NEW"
    assert result.problem_type == "BRAND_NEW"
    assert result.user_tag_list == ["TRUSTED", "UNHEARD_OF"]
    assert result.complaint_media_list[0].media_url == ["u"]
    assert result.service_order_info == []
    assert result.model_extra == {"future": {"nested": [1, 2]}}
    assert (server.last.method, server.last.target) == (
        "GET",
        f"/v3/merchant-service/complaints-v2/{CID}",
    )
    assert_signed(server.last, credentials, b"")


def test_negotiation_history_pages_with_documented_query(
    client: Client, server: RecordingServer
) -> None:
    entry = {
        "log_id": "300285320210322170000071077",
        "operator": "投诉人",
        "operate_time": "2026-11-28T10:00:00+08:00",
        "operate_type": "USER_CREATE_COMPLAINT",
        "complaint_media_list": {"media_type": "USER_COMPLAINT_IMAGE", "media_url": ["u"]},
    }
    server.reply(
        Reply(200, {"data": [entry], "limit": 1, "offset": 0, "total_count": 2}),
        Reply(
            200,
            {
                "data": [{**entry, "log_id": "2", "operate_type": "NEW_TYPE"}],
                "limit": 1,
                "offset": 1,
            },
        ),
    )

    entries = list(client.iter_negotiation_history(CID, page_size=1))

    assert [e.operate_type for e in entries] == ["USER_CREATE_COMPLAINT", "NEW_TYPE"]
    assert entries[0].complaint_media_list is not None
    assert [r.target for r in server.requests] == [
        f"/v3/merchant-service/complaints-v2/{CID}/negotiation-historys?limit=1&offset=0",
        f"/v3/merchant-service/complaints-v2/{CID}/negotiation-historys?limit=1&offset=1",
    ]


def test_respond_posts_compact_json_without_nulls(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    server.reply(Reply(204))

    assert (
        client.respond(
            CID,
            complainted_mchid=MCHID,
            response_content="您好，已为您退款",
            response_images=["file752398_7983424"],
            jump_url="https://shop.example.com/o/1",
            jump_url_text="查看订单",
        )
        is None
    )

    sent = server.last
    assert (sent.method, sent.target) == (
        "POST",
        f"/v3/merchant-service/complaints-v2/{CID}/response",
    )
    assert (
        sent.body
        == (
            '{"complainted_mchid":"1900000109","response_content":"您好，已为您退款",'
            '"response_images":["file752398_7983424"],"jump_url":"https://shop.example.com/o/1",'
            '"jump_url_text":"查看订单"}'
        ).encode()
    )
    assert sent.headers["Content-Type"] == "application/json"
    assert_signed(sent, credentials, sent.body)


def test_complete_posts_complainted_mchid(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    client.complete(CID, complainted_mchid=MCHID)
    sent = server.last
    assert (sent.method, sent.target) == (
        "POST",
        f"/v3/merchant-service/complaints-v2/{CID}/complete",
    )
    assert sent.body == b'{"complainted_mchid":"1900000109"}'
    assert_signed(sent, credentials, sent.body)


def test_update_refund_progress_posts_only_given_fields(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    client.update_refund_progress(
        CID, action="REJECT", reject_reason="已发货", reject_media_list=["m1"]
    )
    sent = server.last
    assert sent.target == f"/v3/merchant-service/complaints-v2/{CID}/update-refund-progress"
    assert (
        sent.body
        == '{"action":"REJECT","reject_reason":"已发货","reject_media_list":["m1"]}'.encode()
    )
    assert_signed(sent, credentials, sent.body)

    client.update_refund_progress(CID, action="APPROVE", launch_refund_day=0)
    assert server.last.body == b'{"action":"APPROVE","launch_refund_day":0}'


def test_upload_sends_multipart_and_signs_the_meta(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    server.reply(Reply(200, {"media_id": "BB04A5DEEFEA18D4F2554C1EDD3B610B.png"}))

    uploaded = client.upload_image(PNG, "receipt.png")

    assert uploaded.media_id == "BB04A5DEEFEA18D4F2554C1EDD3B610B.png"
    assert uploaded.sha256 == VECTORS["upload"]["sha256"]
    sent = server.last
    assert (sent.method, sent.target) == ("POST", "/v3/merchant-service/images/upload")
    content_type = sent.headers["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=")[1]
    meta = VECTORS["upload"]["meta"]
    assert (
        sent.body
        == (
            f'--{boundary}\r\nContent-Disposition: form-data; name="meta"\r\n'
            f"Content-Type: application/json\r\n\r\n{meta}\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="receipt.png"\r\n'
            f"Content-Type: image/png\r\n\r\n"
        ).encode()
        + PNG
        + f"\r\n--{boundary}--\r\n".encode()
    )
    assert_signed(sent, credentials, meta.encode())


def test_download_uses_media_url_exactly_and_skips_verification(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    server.reply(Reply(200, PNG, headers={"Content-Type": "image/png"}, signed=False))
    target = VECTORS["request_signatures"][2]["request_target"]  # already has %2F and %3D

    image = client.download_image(server.base_url + target)

    assert (image.content, image.content_type) == (PNG, "image/png")
    sent = server.last
    assert (sent.method, sent.target) == ("GET", target)
    assert sent.headers["Accept"] == "*/*"
    assert_signed(sent, credentials, b"")


def test_download_accepts_official_host_but_sends_to_configured_base(
    client: Client, server: RecordingServer
) -> None:
    server.reply(Reply(200, PNG, headers={"Content-Type": "image/png"}, signed=False))
    client.download_image("https://api.mch.weixin.qq.com/v3/merchant-service/images/abc%3D%3D")
    assert server.last.target == "/v3/merchant-service/images/abc%3D%3D"


@pytest.mark.parametrize(
    ("call", "method", "body"),
    [
        (lambda c: c.create_notification_url("https://console.example.com/wx"), "POST", True),
        (lambda c: c.update_notification_url("https://console.example.com/wx"), "PUT", True),
        (lambda c: c.get_notification_url(), "GET", False),
    ],
    ids=["create", "update", "query"],
)
def test_notification_url_endpoints(
    client: Client,
    server: RecordingServer,
    credentials: MerchantCredentials,
    call: Any,
    method: str,
    body: bool,
) -> None:
    server.reply(Reply(200, {"mchid": MCHID, "url": "https://console.example.com/wx"}))

    result = call(client)

    assert (result.mchid, result.url) == (MCHID, "https://console.example.com/wx")
    sent = server.last
    assert (sent.method, sent.target) == (method, "/v3/merchant-service/complaint-notifications")
    assert sent.body == (b'{"url":"https://console.example.com/wx"}' if body else b"")
    assert_signed(sent, credentials, sent.body)


def test_delete_notification_url(
    client: Client, server: RecordingServer, credentials: MerchantCredentials
) -> None:
    assert client.delete_notification_url() is None
    sent = server.last
    assert (sent.method, sent.target, sent.body) == (
        "DELETE",
        "/v3/merchant-service/complaint-notifications",
        b"",
    )
    assert_signed(sent, credentials, b"")


def test_public_key_only_verifier_accepts_certificate_signed_answer_after_refresh(
    credentials: MerchantCredentials, server: RecordingServer, vectors: dict[str, Any]
) -> None:
    """Migration period: we hold only the public key; WeChat signs with a platform certificate we
    have never seen, so the client downloads /v3/certificates once and verifies with it."""
    from tests.wechatpay.conftest import make_verifier, read_key

    verifier = make_verifier(vectors, certs=False)
    cert_serial = vectors["platform"]["certificate_serial_no"]
    cert_pem = read_key(vectors["platform"]["certificate"])
    nonce = "0123456789ab"
    sealed = crypto.aead_encrypt(vectors["apiv3_key"], nonce, "certificate", cert_pem.encode())
    certificates = {
        "data": [
            {
                "serial_no": cert_serial,
                "effective_time": "2026-01-01T00:00:00+08:00",
                "expire_time": "2031-01-01T00:00:00+08:00",
                "encrypt_certificate": {
                    "algorithm": "AEAD_AES_256_GCM",
                    "nonce": nonce,
                    "associated_data": "certificate",
                    "ciphertext": sealed,
                },
            }
        ]
    }
    server.reply(
        Reply(204, serial=cert_serial),
        Reply(200, certificates, serial=cert_serial),
        Reply(204, serial=cert_serial),
    )
    with Client(credentials, verifier, base_url=server.base_url, backup_url=None) as client:
        client.complete(CID, complainted_mchid=MCHID)
        client.complete(CID, complainted_mchid=MCHID)

    assert [r.target for r in server.requests] == [
        f"/v3/merchant-service/complaints-v2/{CID}/complete",
        "/v3/certificates",
        f"/v3/merchant-service/complaints-v2/{CID}/complete",
    ]
    assert verifier.knows(cert_serial)


def test_verifier_accepts_new_certificate_at_run_time(vectors: dict[str, Any]) -> None:
    from tests.wechatpay.conftest import make_verifier, read_key

    verifier: Verifier = make_verifier(vectors, certs=False)
    assert not verifier.knows(vectors["platform"]["certificate_serial_no"])
    serial = verifier.add_certificate(read_key(vectors["platform"]["certificate"]))
    assert serial == vectors["platform"]["certificate_serial_no"]
    assert verifier.knows(serial)


def test_certificate_sealed_with_another_apiv3_key_is_refused(
    client: Client, server: RecordingServer, vectors: dict[str, Any]
) -> None:
    from tests.wechatpay.conftest import read_key
    from wechatpay import ApiError

    sealed = crypto.aead_encrypt(
        "Z" * 32,
        "0123456789ab",
        "certificate",
        read_key(vectors["platform"]["certificate"]).encode(),
    )
    item = {
        "serial_no": vectors["platform"]["certificate_serial_no"],
        "encrypt_certificate": {
            "algorithm": "AEAD_AES_256_GCM",
            "nonce": "0123456789ab",
            "associated_data": "certificate",
            "ciphertext": sealed,
        },
    }
    server.reply(Reply(200, {"data": [item]}))

    with pytest.raises(ApiError, match="APIv3 key") as caught:
        client.refresh_platform_certificates()
    assert caught.value.code == "UNEXPECTED_RESPONSE"


@pytest.mark.parametrize(
    ("asked", "on_the_wire"),
    [
        ("/v3/merchant-service/images/a b", "/v3/merchant-service/images/a%20b"),
        ("/v3/merchant-service/images/图", "/v3/merchant-service/images/%E5%9B%BE"),
        ("/v3/merchant-service/images/abc%3d%2f", "/v3/merchant-service/images/abc%3D%2F"),
        ("/v3/merchant-service/images/100%", "/v3/merchant-service/images/100%25"),
        ("/v3/merchant-service/images/%2F%zz", "/v3/merchant-service/images/%252F%25zz"),
        ("/v3/merchant-service/images/x?q=a b&r=?/", "/v3/merchant-service/images/x?q=a%20b&r=?/"),
        ("/v3/merchant-service/images/x#fragment", "/v3/merchant-service/images/x"),
        (
            '/v3/merchant-service/images/"<>`{}|\\^',
            "/v3/merchant-service/images/%22%3C%3E%60%7B%7D%7C%5C%5E",
        ),
    ],
)
def test_the_signed_target_is_exactly_what_goes_on_the_wire(
    client: Client,
    server: RecordingServer,
    credentials: MerchantCredentials,
    asked: str,
    on_the_wire: str,
) -> None:
    server.reply(Reply(200, PNG, headers={"Content-Type": "image/png"}, signed=False))

    client.download_image(server.base_url + asked)

    assert server.last.target == on_the_wire
    assert_signed(server.last, credentials, b"")
