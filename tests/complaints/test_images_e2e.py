"""Complaint images come from WeChat's signed image API, once, and are served by the console."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaints.models import ComplaintImage
from complaints.services import complaint_refresh
from tests.complaints.conftest import assign

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_image_is_fetched_once_and_served_by_the_console(
    client, sandbox, wired, agent, settings
):
    settings.WECHATPAY_RATE_LIMITS_ENABLED = False
    (complaint_id,) = sandbox.control.create_complaints(wired.mchid, 1)
    complaint = complaint_refresh(merchant=wired, complaint_id=complaint_id)
    image = ComplaintImage.objects.filter(complaint=complaint).first()
    assign(agent, wired)
    client.force_login(agent, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("complaints:image", args=[complaint.pk, image.pk])

    first = client.get(url)
    sandbox.control.set_faults(
        {"mode": "system_error", "path_prefix": "/v3/merchant-service/images/"}
    )
    second = client.get(url)  # served from the console's copy: WeChat is not asked again

    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "image/png"
    assert first.content == second.content
    assert first.content.startswith(b"\x89PNG")
    image.refresh_from_db()
    assert image.fetched_at is not None


def test_the_detail_page_never_links_to_wechat_image_urls(client, sandbox, wired, agent, settings):
    settings.WECHATPAY_RATE_LIMITS_ENABLED = False
    (complaint_id,) = sandbox.control.create_complaints(wired.mchid, 1)
    complaint = complaint_refresh(merchant=wired, complaint_id=complaint_id)
    assign(agent, wired)
    client.force_login(agent, backend="django.contrib.auth.backends.ModelBackend")

    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()

    assert "/v3/merchant-service/images/" not in page
    assert 'data-testid="complaint-image"' in page
