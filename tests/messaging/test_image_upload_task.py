"""A library image reaches WeChat Pay through a task, never inside the request: the upload page
answers at once, a real worker uploads over real HTTP to the sandbox, and the row's status (with
its live events) tells the page how it went."""

from __future__ import annotations

import time

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from console import events
from console.models import LiveEvent
from messaging.models import ImageAsset
from tests.messaging.conftest import PNG, assign, logged_in

pytestmark = pytest.mark.django_db(transaction=True)
IMAGES = "/v3/merchant-service/images"


def settled(client, image_id: int, timeout: float = 30.0):
    """The image's status answer once it is no longer pending (read as the page re-reads it)."""
    deadline = time.monotonic() + timeout
    url = reverse("messaging:image_status", args=[image_id])
    while time.monotonic() < deadline:
        answer = client.get(url)
        if answer.json()["status"] != "pending":
            return answer
        time.sleep(0.2)
    raise AssertionError(f"image {image_id} still pending after {timeout} s")


def test_the_worker_uploads_a_new_image_and_announces_it(
    sandbox, sandbox_backed_merchant, agent_a, start_worker
):
    start_worker()
    assign(agent_a, sandbox_backed_merchant)
    client = logged_in(agent_a)

    posted = client.post(
        reverse("messaging:image_upload", args=[sandbox_backed_merchant.pk]),
        {"file": SimpleUploadedFile("a.png", PNG)},
    )
    assert posted.status_code == 202
    answer = settled(client, posted.json()["id"])

    assert answer.status_code == 200
    media_id = answer.json()["media_id"]
    stored = requests.get(f"{sandbox.base_url}/_sandbox/media/{media_id}", timeout=10)
    assert stored.content == PNG
    announced = LiveEvent.objects.filter(
        kind=events.IMAGE_CHANGED, merchant_id=sandbox_backed_merchant.pk
    )
    assert [event.data["image_id"] for event in announced] == [posted.json()["id"]] * 2


def test_a_failed_upload_is_shown_and_a_retry_goes_through_the_worker(
    sandbox, sandbox_backed_merchant, agent_a, start_worker
):
    start_worker()
    assign(agent_a, sandbox_backed_merchant)
    client = logged_in(agent_a)
    sandbox.control.set_faults({"mode": "system_error", "count": 1, "path_prefix": IMAGES})

    posted = client.post(
        reverse("messaging:image_upload", args=[sandbox_backed_merchant.pk]),
        {"file": SimpleUploadedFile("a.png", PNG)},
    )
    failed = settled(client, posted.json()["id"])
    assert failed.status_code == 200
    assert failed.json()["status"] == "failed" and failed.json()["error"]

    retried = client.post(reverse("messaging:image_retry", args=[posted.json()["id"]]))
    assert retried.status_code == 202
    answer = settled(client, posted.json()["id"])
    assert answer.status_code == 200 and answer.json()["media_id"]
    assert ImageAsset.objects.get().status == ImageAsset.Status.UPLOADED
