"""The image library: checks by content, one upload per sha256 (over HTTP to the sandbox), retry."""

from __future__ import annotations

import hashlib

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from messaging.models import ImageAsset
from messaging.services.images import (
    MAX_IMAGE_BYTES,
    ImageRejectedError,
    image_add,
    image_check,
    image_upload,
    image_upload_request,
)
from tests.messaging.conftest import BMP, JPEG, PNG, assign, logged_in


def test_png_jpeg_and_bmp_are_accepted_by_content():
    assert image_check(PNG, "a.png").content_type == "image/png"
    assert image_check(JPEG, "b.jpg").content_type == "image/jpeg"
    assert image_check(BMP, "c.bmp").content_type == "image/bmp"


def test_other_types_are_refused():
    gif = b"GIF89a" + b"\x00" * 40
    with pytest.raises(ImageRejectedError, match="JPG, PNG and BMP"):
        image_check(gif, "anim.gif")


def test_fake_extension_is_refused():
    with pytest.raises(ImageRejectedError, match="JPG, PNG and BMP"):
        image_check(b"#!/bin/sh\necho not an image\n" * 3, "photo.png")


def test_real_image_under_a_wrong_name_is_renamed_to_match_its_content():
    assert image_check(JPEG, "photo.png").filename == "photo.jpg"
    assert image_check(PNG, "screenshot").filename == "screenshot.png"


def test_image_over_2_mb_is_refused():
    with pytest.raises(ImageRejectedError, match="2 MB"):
        image_check(PNG + b"\x00" * MAX_IMAGE_BYTES, "big.png")


def test_png_dimensions_are_read_from_the_header():
    checked = image_check(PNG, "a.png")
    assert (checked.width, checked.height) == (1, 1)


def added_and_uploaded(merchant, content: bytes, filename: str, user) -> ImageAsset:
    """What the upload page and its task do together: add the row, then run the upload."""
    added = image_add(merchant=merchant, content=content, filename=filename, user=user)
    return image_upload(asset_id=added.pk)


def test_a_new_image_is_stored_pending_and_nothing_is_sent_yet(
    sandbox, sandbox_backed_merchant, agent_a
):
    added = image_add(merchant=sandbox_backed_merchant, content=PNG, filename="a.png", user=agent_a)

    assert added.status == ImageAsset.Status.PENDING
    assert added.media_id == ""
    assert not ImageAsset.objects.exclude(status=ImageAsset.Status.PENDING).exists()


def test_same_image_is_uploaded_once(sandbox, sandbox_backed_merchant, agent_a):
    first = added_and_uploaded(sandbox_backed_merchant, PNG, "a.png", agent_a)
    again = image_add(merchant=sandbox_backed_merchant, content=PNG, filename="b.png", user=agent_a)

    assert first.status == ImageAsset.Status.UPLOADED
    # The sandbox gives every upload a fresh random media_id: the same id means one upload.
    assert again.pk == first.pk and again.media_id == first.media_id
    stored = requests.get(f"{sandbox.base_url}/_sandbox/media/{first.media_id}", timeout=10)
    assert stored.content == PNG
    assert first.sha256 == hashlib.sha256(PNG).hexdigest()


def test_different_images_get_their_own_media_ids(sandbox_backed_merchant, agent_a):
    png = added_and_uploaded(sandbox_backed_merchant, PNG, "a.png", agent_a)
    jpeg = added_and_uploaded(sandbox_backed_merchant, JPEG, "b.jpg", agent_a)

    assert png.media_id != jpeg.media_id


def test_failed_upload_is_recorded_and_retried(sandbox, sandbox_backed_merchant, agent_a):
    sandbox.control.set_faults(
        {"mode": "system_error", "count": 1, "path_prefix": "/v3/merchant-service/images"}
    )
    failed = added_and_uploaded(sandbox_backed_merchant, PNG, "a.png", agent_a)

    assert failed.status == ImageAsset.Status.FAILED
    assert failed.media_id == ""
    assert failed.error_message

    requeued = image_upload_request(asset=failed)
    assert (requeued.status, requeued.error_message) == (ImageAsset.Status.PENDING, "")
    retried = image_upload(asset_id=failed.pk)
    assert retried.status == ImageAsset.Status.UPLOADED
    assert retried.media_id


def test_adding_a_failed_image_again_queues_its_upload_again(
    sandbox, sandbox_backed_merchant, agent_a
):
    sandbox.control.set_faults(
        {"mode": "system_error", "count": 1, "path_prefix": "/v3/merchant-service/images"}
    )
    failed = added_and_uploaded(sandbox_backed_merchant, PNG, "a.png", agent_a)
    again = image_add(merchant=sandbox_backed_merchant, content=PNG, filename="a.png", user=agent_a)

    assert (failed.status, again.pk, again.status) == (
        ImageAsset.Status.FAILED,
        failed.pk,
        ImageAsset.Status.PENDING,
    )


def test_only_a_failed_image_is_queued_again(sandbox, sandbox_backed_merchant, agent_a):
    uploaded = added_and_uploaded(sandbox_backed_merchant, PNG, "a.png", agent_a)

    unchanged = image_upload_request(asset=uploaded)

    assert (unchanged.status, unchanged.media_id) == (uploaded.status, uploaded.media_id)


def test_an_upload_task_for_a_settled_image_sends_nothing(
    sandbox, sandbox_backed_merchant, agent_a
):
    uploaded = added_and_uploaded(sandbox_backed_merchant, PNG, "a.png", agent_a)
    sandbox.control.set_faults({"mode": "system_error", "path_prefix": "/v3/merchant-service/"})

    again = image_upload(asset_id=uploaded.pk)  # a duplicate message, say

    assert (again.status, again.media_id) == (ImageAsset.Status.UPLOADED, uploaded.media_id)
    (fault,) = sandbox.control._call("GET", "/_sandbox/faults")["faults"]
    assert fault["applied"] == 0  # no request reached WeChat Pay


def test_an_upload_without_credentials_fails_with_a_message(merchant, agent_a):
    added = image_add(merchant=merchant, content=PNG, filename="a.png", user=agent_a)

    failed = image_upload(asset_id=added.pk)

    assert failed.status == ImageAsset.Status.FAILED
    assert "credentials" in failed.error_message


def test_upload_view_answers_at_once_while_the_upload_is_queued(sandbox_backed_merchant, agent_a):
    assign(agent_a, sandbox_backed_merchant)
    url = reverse("messaging:image_upload", args=[sandbox_backed_merchant.pk])
    answer = logged_in(agent_a).post(url, {"file": SimpleUploadedFile("a.png", PNG)})

    assert answer.status_code == 202
    assert answer.json()["status"] == "pending"
    assert answer.json()["media_id"] == ""


def test_status_view_answers_with_the_media_id_once_uploaded(sandbox_backed_merchant, agent_a):
    assign(agent_a, sandbox_backed_merchant)
    uploaded = added_and_uploaded(sandbox_backed_merchant, PNG, "a.png", agent_a)

    answer = logged_in(agent_a).get(reverse("messaging:image_status", args=[uploaded.pk]))

    assert answer.status_code == 200
    assert answer.json()["media_id"] == uploaded.media_id


def test_upload_view_refuses_a_fake_image_with_a_message(merchant, agent_a):
    url = reverse("messaging:image_upload", args=[merchant.pk])
    fake = SimpleUploadedFile("a.jpg", b"plain text, not a picture" * 4)
    answer = logged_in(agent_a).post(url, {"file": fake})

    assert answer.status_code == 400
    assert "JPG, PNG and BMP" in answer.json()["error"]
    assert not ImageAsset.objects.exists()


def test_upload_view_refuses_a_file_over_2_mb(merchant, agent_a):
    url = reverse("messaging:image_upload", args=[merchant.pk])
    big = SimpleUploadedFile("a.png", PNG + b"\x00" * MAX_IMAGE_BYTES)
    answer = logged_in(agent_a).post(url, {"file": big})

    assert answer.status_code == 400
    assert "2 MB" in answer.json()["error"]


def _stored(merchant, media_id="MEDIA_1") -> ImageAsset:
    return ImageAsset.objects.create(
        merchant=merchant, sha256="0" * 64, filename="a.png", content_type="image/png",
        size=len(PNG), data=PNG, status=ImageAsset.Status.UPLOADED, media_id=media_id,
    )  # fmt: skip


def test_image_bytes_are_served_to_the_merchants_agents(merchant, agent_a):
    asset = _stored(merchant)
    client = logged_in(agent_a)

    by_id = client.get(reverse("messaging:image_file", args=[asset.pk]))
    by_media = client.get(reverse("messaging:image_media"), {"media_id": "MEDIA_1"})

    assert by_id.status_code == by_media.status_code == 200
    assert by_id.content == by_media.content == PNG
    assert by_id["Content-Type"] == "image/png"


def test_another_merchants_images_are_not_found(merchant, agent_b):
    asset = _stored(merchant)
    client = logged_in(agent_b)

    assert client.get(reverse("messaging:image_file", args=[asset.pk])).status_code == 404
    media = client.get(reverse("messaging:image_media"), {"media_id": "MEDIA_1"})
    assert media.status_code == 404
    assert client.get(reverse("messaging:image_library", args=[merchant.pk])).status_code == 404


def test_library_lists_the_merchants_uploaded_images(merchant, agent_a):
    _stored(merchant)
    answer = logged_in(agent_a).get(reverse("messaging:image_library", args=[merchant.pk]))

    assert [image["media_id"] for image in answer.json()["images"]] == ["MEDIA_1"]


@pytest.fixture
def broker_down():
    """A Celery app whose broker refuses connections, current for the test (a real failure)."""
    from celery import Celery, current_app

    previous = current_app._get_current_object()
    down = Celery("broker-down", broker="redis://127.0.0.1:1/0", set_as_current=True)
    down.conf.broker_connection_retry = False
    down.conf.broker_connection_timeout = 0.5
    down.conf.task_publish_retry = False
    yield down
    previous.set_current()


def test_an_upload_that_cannot_be_queued_fails_with_a_message(
    merchant, agent_a, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        added = image_add(merchant=merchant, content=PNG, filename="a.png", user=agent_a)

    added.refresh_from_db()
    assert added.status == ImageAsset.Status.FAILED
    assert added.error_message == "The upload could not be started; try again."
