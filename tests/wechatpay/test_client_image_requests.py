"""Image upload and download on the wire: the exact multipart request, the media URL used as
given, and the signed target exactly as it is sent; captured by a local recording HTTP server
that answers like WeChat Pay, signed with the test platform key."""

from __future__ import annotations

import pytest

from tests.wechatpay.recording_server import RecordingServer, Reply
from tests.wechatpay.request_checks import PNG, VECTORS, assert_signed
from wechatpay import Client, MerchantCredentials


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
