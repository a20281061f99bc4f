"""Complaint images: WeChat's URLs need signed requests (§3.9), so the console fetches each
image once, keeps the bytes, and serves them itself."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from complaints.models import ComplaintImage
from complaints.services.wechat import download_image

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = ("image/png", "image/jpeg", "image/bmp", "image/gif", "image/webp")


def image_content(*, image: ComplaintImage) -> tuple[bytes, str]:
    """The image bytes and content type, fetched from WeChat the first time only."""
    if image.fetched_at is not None and image.content is not None:
        return bytes(image.content), image.content_type
    downloaded = download_image(image.complaint.merchant, image.url)
    content_type = downloaded.content_type.split(";")[0].strip().lower()
    if content_type not in IMAGE_TYPES or len(downloaded.content) > MAX_IMAGE_BYTES:
        raise ValueError("WeChat returned something that is not a complaint image")
    with transaction.atomic():
        ComplaintImage.objects.filter(pk=image.pk).update(
            content=downloaded.content, content_type=content_type, fetched_at=timezone.now()
        )
    return downloaded.content, content_type
