"""Complaint images: WeChat's URLs need signed requests (§3.9), so the console fetches each
image once, keeps the bytes, and serves them itself.

Fetching is a task (complaints/tasks.py), never part of a web request: opening a complaint queues
the fetch of its images that are not here yet; the page shows each image's status and follows it
live ("complaint_image.changed"). A failed fetch is queued again only when an agent asks.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable

from celery import current_app
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import wechatpay
from complaints.models import Complaint, ComplaintImage
from complaints.services.wechat import download_image
from console import events
from console.images import NotAnImageError, sniff_image
from console.ratelimit import RateLimitTimeout
from merchants.services import NoActiveCredentials

logger = logging.getLogger(__name__)

FETCH_TASK = "complaints.fetch_image"  # complaints/tasks.py
THROTTLE_WAIT = 5.0  # seconds a fetch waits for a rate-limit slot before it is queued for later
MAX_IMAGE_BYTES = 5 * 1024 * 1024
# Consumers' photos, judged by their bytes: served back under the type Pillow found, never under
# the Content-Type WeChat's answer claimed.
IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "WEBP")
Status = ComplaintImage.FetchStatus


class ImageNotFetched(LookupError):
    """The image's bytes are not here (yet): its status says why."""


def image_content(*, image: ComplaintImage) -> tuple[bytes, str]:
    """The bytes and content type the console keeps; never asks WeChat Pay."""
    if image.fetch_status != Status.FETCHED or image.content is None:
        raise ImageNotFetched(image.fetch_status)
    return bytes(image.content), image.content_type


def complaint_images_fetch(
    *, complaint: Complaint, image_pks: Iterable[int] | None = None, again: bool = False
) -> int:
    """Queue the fetch of the complaint's images that are not here yet (and, with `again`, of
    those that failed). Only the call that moves a row to "fetching" queues it, so however many
    agents open the page at once, each image is fetched once. Returns how many were queued."""
    wanted = [Status.WAITING, Status.FAILED] if again else [Status.WAITING]
    with transaction.atomic():
        rows = ComplaintImage.objects.select_for_update(skip_locked=True).filter(
            complaint=complaint, fetch_status__in=wanted
        )
        if image_pks is not None:
            rows = rows.filter(pk__in=list(image_pks))
        queued = list(rows.values_list("pk", flat=True))
        if not queued:
            return 0
        ComplaintImage.objects.filter(pk__in=queued).update(
            fetch_status=Status.FETCHING, fetch_error=""
        )
        for image_pk in queued:
            _announce(complaint.merchant_id, complaint.pk, image_pk)
            transaction.on_commit(lambda pk=image_pk: _enqueue(pk))
    return len(queued)


def _enqueue(image_pk: int, countdown: float | None = None) -> None:
    """By the task's stable name (complaints/tasks.py imports this module, not the reverse). A
    broker that is down leaves no image "fetching" for ever: it fails, and the agent may retry."""
    try:
        current_app.send_task(FETCH_TASK, args=(image_pk,), countdown=countdown)
    except Exception:  # noqa: BLE001 - any broker failure
        logger.warning("could not queue the fetch of complaint image %s", image_pk, exc_info=True)
        _settle(image_pk, fetch_status=Status.FAILED, fetch_error=_not_queued())


def _not_queued() -> str:
    return _("The image could not be queued for fetching; try again.")


def complaint_image_fetch(*, image_id: int) -> ComplaintImage | None:
    """Fetch one image from WeChat Pay (the fetch task's body): the call is made outside any
    transaction, its outcome written only if the row is still "fetching"."""
    image = ComplaintImage.objects.select_related("complaint__merchant").filter(pk=image_id).first()
    if image is None or image.fetch_status != Status.FETCHING:
        return image
    try:
        downloaded = download_image(image.complaint.merchant, image.url, max_wait=THROTTLE_WAIT)
    except RateLimitTimeout as exc:
        # A worker does not sleep through a full limiter: the fetch comes back when a slot is
        # free, the image still "fetching" meanwhile.
        _enqueue(image.pk, countdown=exc.retry_after + random.uniform(0, THROTTLE_WAIT))
        return image
    except NoActiveCredentials:
        return _settle(image.pk, fetch_status=Status.FAILED, fetch_error=_no_credentials())
    except wechatpay.WechatPayError as exc:
        logger.warning("complaint image %s not fetched: %s", image.pk, exc)
        return _settle(image.pk, fetch_status=Status.FAILED, fetch_error=_fetch_error(exc))
    except Exception:  # a bug of ours: never leave the image "fetching" for ever
        logger.exception("complaint image %s: unexpected error while fetching", image.pk)
        error = _("The image could not be fetched; try again.")
        return _settle(image.pk, fetch_status=Status.FAILED, fetch_error=error)
    try:
        if len(downloaded.content) > MAX_IMAGE_BYTES:
            raise NotAnImageError("more than a complaint image's 5 MB")
        content_type = sniff_image(downloaded.content, formats=IMAGE_FORMATS).content_type
    except NotAnImageError as exc:
        logger.warning("complaint image %s: WeChat's answer is not an image: %s", image.pk, exc)
        error = _("WeChat Pay answered with something that is not a complaint image.")
        return _settle(image.pk, fetch_status=Status.FAILED, fetch_error=error)
    return _settle(
        image.pk,
        fetch_status=Status.FETCHED,
        fetch_error="",
        content=downloaded.content,
        content_type=content_type,
        fetched_at=timezone.now(),
    )


def _settle(image_pk: int, **outcome) -> ComplaintImage | None:
    with transaction.atomic():
        image = (
            ComplaintImage.objects.select_for_update(of=("self",))
            .select_related("complaint")
            .filter(pk=image_pk, fetch_status=Status.FETCHING)
            .first()
        )
        if image is not None:
            ComplaintImage.objects.filter(pk=image_pk).update(**outcome)
            _announce(image.complaint.merchant_id, image.complaint_id, image_pk)
    return ComplaintImage.objects.defer("content").filter(pk=image_pk).first()


def _announce(merchant_id: int, complaint_pk: int, image_pk: int) -> None:
    events.announce(
        events.COMPLAINT_IMAGE_CHANGED,
        merchant_id=merchant_id,
        complaint_id=complaint_pk,
        image_id=image_pk,
    )


def _no_credentials() -> str:
    return _("This merchant has no active WeChat Pay API credentials: ask an admin to add them.")


def _fetch_error(exc: wechatpay.WechatPayError) -> str:
    if isinstance(exc, wechatpay.ApiError):
        return _("WeChat Pay refused the image: %(code)s %(message)s") % {
            "code": exc.code,
            "message": exc.message,
        }
    if exc.retryable:
        return _("WeChat Pay could not be reached; try again.")
    return _("The image could not be fetched: %(error)s") % {"error": exc}
