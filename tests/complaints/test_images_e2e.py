"""Complaint images come from WeChat's signed image API, once, fetched by a task (never inside a
web request), and are served by the console; the page shows each image's status."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from complaints.models import ComplaintImage
from complaints.services import complaint_refresh
from tests.complaints.conftest import assign

pytestmark = pytest.mark.django_db(transaction=True)
IMAGES = "/v3/merchant-service/images/"
Status = ComplaintImage.FetchStatus


def settled(image: ComplaintImage, timeout: float = 30.0) -> ComplaintImage:
    """The image once the worker has fetched it or given up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        image.refresh_from_db()
        if image.fetch_status not in (Status.WAITING, Status.FETCHING):
            return image
        time.sleep(0.2)
    raise AssertionError(f"image {image.pk} still {image.fetch_status} after {timeout} s")


def opened(client, sandbox, wired, agent):
    """A complaint with an image, opened by its agent (which queues the image's fetch)."""
    (complaint_id,) = sandbox.control.create_complaints(wired.mchid, 1)
    complaint = complaint_refresh(merchant=wired, complaint_id=complaint_id)
    image = ComplaintImage.objects.filter(complaint=complaint).first()
    assign(agent, wired)
    client.force_login(agent, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    return complaint, image, page


def test_an_image_is_fetched_once_by_a_worker_and_served_by_the_console(
    client, sandbox, wired, agent, start_worker
):
    start_worker()
    complaint, image, page = opened(client, sandbox, wired, agent)
    assert 'data-testid="complaint-image-pending"' in page
    url = reverse("complaints:image", args=[complaint.pk, image.pk])

    assert settled(image).fetch_status == Status.FETCHED
    first = client.get(url)
    sandbox.control.set_faults({"mode": "system_error", "path_prefix": IMAGES})
    second = client.get(url)  # served from the console's copy: WeChat is not asked again
    fragment = client.get(reverse("complaints:images", args=[complaint.pk])).content.decode()

    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "image/png"
    assert first.content == second.content
    assert first.content.startswith(b"\x89PNG")
    assert image.fetched_at is not None
    assert 'data-testid="complaint-image"' in fragment


def test_an_image_not_fetched_yet_is_never_fetched_by_the_request(client, sandbox, wired, agent):
    (complaint_id,) = sandbox.control.create_complaints(wired.mchid, 1)
    complaint = complaint_refresh(merchant=wired, complaint_id=complaint_id)
    image = ComplaintImage.objects.filter(complaint=complaint).first()
    assign(agent, wired)
    client.force_login(agent, backend="django.contrib.auth.backends.ModelBackend")
    sandbox.control.set_faults({"mode": "system_error", "count": 1, "path_prefix": IMAGES})

    answer = client.get(reverse("complaints:image", args=[complaint.pk, image.pk]))

    assert answer.status_code == 404
    assert answer.content.decode() == "此图片尚未从微信支付获取。"  # zh-Hans first
    (fault,) = sandbox.control._call("GET", "/_sandbox/faults")["faults"]
    assert fault["applied"] == 0


def test_a_failed_fetch_says_so_and_the_agent_can_try_again(
    client, sandbox, wired, agent, start_worker
):
    start_worker()
    sandbox.control.set_faults({"mode": "system_error", "path_prefix": IMAGES})
    complaint, image, _ = opened(client, sandbox, wired, agent)

    assert settled(image).fetch_status == Status.FAILED
    assert image.fetch_error
    fragment = client.get(reverse("complaints:images", args=[complaint.pk])).content.decode()
    assert 'data-testid="complaint-image-failed"' in fragment
    sandbox.control.clear_faults()

    again = client.post(reverse("complaints:image_fetch", args=[complaint.pk, image.pk]))
    assert 'data-testid="complaint-image-pending"' in again.content.decode()
    assert settled(image).fetch_status == Status.FETCHED


def test_opening_the_page_again_does_not_queue_a_failed_image_again(
    client, sandbox, wired, agent, start_worker
):
    start_worker()
    sandbox.control.set_faults({"mode": "system_error", "path_prefix": IMAGES})
    complaint, image, _ = opened(client, sandbox, wired, agent)
    assert settled(image).fetch_status == Status.FAILED

    client.get(reverse("complaints:detail", args=[complaint.pk]))

    image.refresh_from_db()
    assert image.fetch_status == Status.FAILED  # only "Try again" asks WeChat Pay again


def test_the_detail_page_never_links_to_wechat_image_urls(
    client, sandbox, wired, agent, start_worker
):
    start_worker()
    complaint, image, _ = opened(client, sandbox, wired, agent)
    settled(image)

    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()

    assert "/v3/merchant-service/images/" not in page
    assert 'data-testid="complaint-image"' in page


def test_a_fetch_that_cannot_be_queued_fails_and_can_be_tried_again(
    client, sandbox, wired, agent, start_worker
):
    from celery import Celery, current_app

    (complaint_id,) = sandbox.control.create_complaints(wired.mchid, 1)
    complaint = complaint_refresh(merchant=wired, complaint_id=complaint_id)
    image = ComplaintImage.objects.filter(complaint=complaint).first()
    assign(agent, wired)
    client.force_login(agent, backend="django.contrib.auth.backends.ModelBackend")
    working = current_app._get_current_object()
    down = Celery("broker-down", broker="redis://127.0.0.1:1/0", set_as_current=True)
    down.conf.broker_connection_retry = False
    down.conf.task_publish_retry = False
    try:
        client.get(reverse("complaints:detail", args=[complaint.pk]))
    finally:
        working.set_current()

    image.refresh_from_db()
    assert image.fetch_status == Status.FAILED
    assert (
        image.fetch_error == "未能排队获取此图片，请重试。"
    )  # the agent's language, zh-Hans first
    start_worker()
    client.post(reverse("complaints:image_fetch", args=[complaint.pk, image.pk]))
    assert settled(image).fetch_status == Status.FETCHED


def _limiter_full(mchid: str) -> None:
    """Take this minute's only download slot, with more than a fetch's wait left in it."""
    from complaints.services.images import THROTTLE_WAIT
    from console.ratelimit import rate_limit_try

    while True:
        rate_limit_try(mchid=mchid, endpoint="download")
        left = rate_limit_try(mchid=mchid, endpoint="download")
        if left > THROTTLE_WAIT + 1:
            return
        time.sleep(left + 0.01)


def test_a_fetch_that_finds_the_limiter_full_is_queued_for_later_not_waited_for(
    sandbox, wired, settings
):
    from complaints.services import complaint_image_fetch, complaint_images_fetch

    settings.WECHATPAY_RATE_LIMITS_ENABLED = True
    settings.WECHATPAY_RATE_LIMITS = {"download": 1}
    (complaint_id,) = sandbox.control.create_complaints(wired.mchid, 1)
    complaint = complaint_refresh(merchant=wired, complaint_id=complaint_id)
    image = ComplaintImage.objects.filter(complaint=complaint).first()
    complaint_images_fetch(complaint=complaint)
    sandbox.control.set_faults({"mode": "system_error", "count": 1, "path_prefix": IMAGES})
    _limiter_full(wired.mchid)

    later = complaint_image_fetch(image_id=image.pk)

    assert later.fetch_status == Status.FETCHING and later.fetch_error == ""
    (fault,) = sandbox.control._call("GET", "/_sandbox/faults")["faults"]
    assert fault["applied"] == 0  # WeChat Pay was not asked
