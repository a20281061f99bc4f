"""Complaint images: WeChat's URLs need signed requests (§3.9), so the console fetches each
image once, keeps the bytes, and serves them itself."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from complaints.models import ComplaintImage
from complaints.services.wechat import download_image
from console.images import NotAnImageError, sniff_image

MAX_IMAGE_BYTES = 5 * 1024 * 1024
# Consumers' photos, judged by their bytes: served back under the type Pillow found, never under
# the Content-Type WeChat's answer claimed.
IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "WEBP")


def image_content(*, image: ComplaintImage) -> tuple[bytes, str]:
    """The image bytes and content type, fetched from WeChat the first time only."""
    if image.fetched_at is not None and image.content is not None:
        return bytes(image.content), image.content_type
    downloaded = download_image(image.complaint.merchant, image.url)
    if len(downloaded.content) > MAX_IMAGE_BYTES:
        raise ValueError("WeChat returned more than a complaint image's 5 MB")
    try:
        content_type = sniff_image(downloaded.content, formats=IMAGE_FORMATS).content_type
    except NotAnImageError as exc:
        raise ValueError(f"WeChat returned something that is not a complaint image: {exc}") from exc
    with transaction.atomic():
        ComplaintImage.objects.filter(pk=image.pk).update(
            content=downloaded.content, content_type=content_type, fetched_at=timezone.now()
        )
    return downloaded.content, content_type
