"""A complaint image is whatever bytes WeChat's image URL answers with: judged by Pillow, served
under the type its content shows, never under the Content-Type the answer claimed; anything else
is a placeholder and nothing is kept. The answers come from a real HTTP server, fetched by a real
worker (opening the complaint queues the fetch)."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.urls import reverse
from PIL import Image

from complaints.models import ComplaintImage
from merchants.models import Merchant
from tests.complaints.conftest import assign, make_complaint
from tests.complaints.test_images_e2e import settled
from tests.wechatpay.recording_server import RecordingServer, Reply

pytestmark = pytest.mark.django_db(transaction=True)


def drawn(format: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 120, 60)).save(out, format)
    return out.getvalue()


def png_bomb() -> bytes:
    """A few KB that claim a 40000 × 40000 canvas."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 40000, 40000, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 40001 * 50)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def wechat(wired):
    """WeChat's image host for the wired merchant, answering whatever the test scripts."""
    server = RecordingServer(platform_private_key=None, serial="unused").start()
    Merchant.objects.filter(pk=wired.pk).update(api_base_url=server.base_url)
    yield server
    server.stop()


@pytest.fixture
def image_url(client, wired, agent, start_worker):
    start_worker()
    complaint = make_complaint(wired)
    image = ComplaintImage.objects.create(
        complaint=complaint,
        url="https://api.mch.weixin.qq.com/v3/merchant-service/images/hostile%3D%3D",
        url_hash="0" * 64,
    )
    assign(agent, wired)
    client.force_login(agent, backend="django.contrib.auth.backends.ModelBackend")
    return image, reverse("complaints:image", args=[complaint.pk, image.pk])


def opened(client, image: ComplaintImage) -> None:
    """The agent opens the complaint: its image's fetch is queued for the worker."""
    client.get(reverse("complaints:detail", args=[image.complaint_id]))


@pytest.mark.parametrize(
    ("body", "claimed"),
    [
        (b"<html><script>alert(document.cookie)</script></html>", "image/png"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00<script>alert(1)</script>", "image/jpeg"),
        (png_bomb(), "image/png"),
        (drawn("TIFF"), "image/tiff"),
    ],
    ids=["html-as-png", "svg-script", "jpeg-polyglot", "bomb", "tiff"],
)
def test_what_is_not_an_accepted_image_is_a_placeholder_and_nothing_is_kept(
    client, wechat, image_url, body, claimed
):
    image, url = image_url
    wechat.default = Reply(200, body, headers={"Content-Type": claimed}, signed=False)

    opened(client, image)
    settled(image)
    response = client.get(url)

    assert image.fetch_status == ComplaintImage.FetchStatus.FAILED and image.fetch_error
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")
    assert len(wechat.requests) == 1  # fetched once, refused for its content, not retried
    assert image.content is None and image.fetched_at is None


def test_a_real_image_is_served_under_the_type_its_bytes_show(client, wechat, image_url):
    image, url = image_url
    gif = drawn("GIF")
    wechat.default = Reply(200, gif, headers={"Content-Type": "image/png"}, signed=False)

    opened(client, image)
    assert settled(image).fetch_status == ComplaintImage.FetchStatus.FETCHED
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif" and response.content == gif
    image.refresh_from_db()
    assert image.content_type == "image/gif"
