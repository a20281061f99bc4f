"""The per-merchant image library: check, keep, and upload each image to WeChat Pay once.

An image is identified by the sha256 of its bytes within a merchant: adding the same bytes again
returns the existing row (and its media_id) without a second upload. The bytes are kept so the
console can show the preview and retry a failed upload without the agent picking the file again.
The upload itself is a task (messaging.upload_image) working from the row's status, never part of
a request or a transaction; the composer follows the row through its "image.changed" events.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from celery import current_app
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from console import events
from console.images import ImageTooLargeError, NotAnImageError, sniff_image
from merchants.models import Merchant
from merchants.services import NoActiveCredentials, wechatpay_client
from messaging.models import ImageAsset
from wechatpay import ApiError, WechatPayError

logger = logging.getLogger(__name__)
UPLOAD_TASK = "messaging.upload_image"  # messaging/tasks.py

MAX_IMAGE_BYTES = 2 * 1024 * 1024  # WeChat Pay: "不能超过2M" (§3.8)
MAX_FILENAME_CHARS = 128

# What WeChat Pay accepts (§3.8): Pillow's format name -> the suffix WeChat should see
_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "BMP": ".bmp"}
_SUFFIXES = {"image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",), "image/bmp": (".bmp",)}


class ImageRejectedError(ValueError):
    """The file cannot be sent to WeChat Pay; the message says why, for the agent."""


@dataclass(frozen=True)
class CheckedImage:
    content: bytes
    filename: str  # with a suffix that matches the content
    content_type: str
    sha256: str
    width: int | None
    height: int | None


def image_check(content: bytes, filename: str) -> CheckedImage:
    """Judge the file by its bytes (JPG/PNG/BMP, ≤ 2 MB), never by the name it came with.

    A real image under a wrong suffix is renamed to match its content; anything else is refused
    with a message the agent can act on.
    """
    if not content:
        raise ImageRejectedError(_("The file is empty."))
    if len(content) > MAX_IMAGE_BYTES:
        raise ImageRejectedError(
            _("The image is %(size)s; WeChat Pay accepts at most 2 MB.")
            % {"size": filesizeformat(len(content))}
        )
    try:
        sniffed = sniff_image(content, formats=_FORMATS)
    except ImageTooLargeError as exc:
        raise ImageRejectedError(
            _("The image is too large in pixels (at most 8000 × 8000); send a smaller copy.")
        ) from exc
    except NotAnImageError as exc:
        raise ImageRejectedError(
            _("Only JPG, PNG and BMP images can be sent (this file is not one, whatever its name).")
        ) from exc
    return CheckedImage(
        content=content,
        filename=_wechat_filename(filename, sniffed.content_type, _FORMATS[sniffed.format]),
        content_type=sniffed.content_type,
        sha256=hashlib.sha256(content).hexdigest(),
        width=sniffed.width,
        height=sniffed.height,
    )


def _wechat_filename(filename: str, content_type: str, suffix: str) -> str:
    name = PurePath(filename or "image").name.replace('"', "").replace("\\", "") or "image"
    stem, dot, ext = name.rpartition(".")
    if not dot or f".{ext.lower()}" not in _SUFFIXES[content_type]:
        stem = name if not dot else stem
        name = f"{stem or 'image'}{suffix}"
    if len(name) > MAX_FILENAME_CHARS:
        name = name[: MAX_FILENAME_CHARS - len(suffix) - 1].rstrip(".") + suffix
    return name


def image_add(*, merchant: Merchant, content: bytes, filename: str, user: Any) -> ImageAsset:
    """Add an image to the merchant's library and make sure WeChat Pay gets it.

    Same bytes as a known image: that row is returned and nothing is sent again (a failed one is
    queued again). A new image is stored with status "pending" and its upload queued for when
    this transaction commits: WeChat Pay is never called inside a request or a transaction (the
    page follows the row live). Raises ImageRejectedError for a file WeChat would refuse.
    """
    checked = image_check(content, filename)
    asset, created = _asset_for(merchant=merchant, checked=checked, user=user)
    if created:
        _enqueue_on_commit(asset)
        return asset
    if asset.status == ImageAsset.Status.FAILED:
        return image_upload_request(asset=asset)
    return asset


def _asset_for(*, merchant: Merchant, checked: CheckedImage, user: Any) -> tuple[ImageAsset, bool]:
    existing = ImageAsset.objects.filter(merchant=merchant, sha256=checked.sha256).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            created = ImageAsset.objects.create(
                merchant=merchant,
                sha256=checked.sha256,
                filename=checked.filename,
                content_type=checked.content_type,
                size=len(checked.content),
                width=checked.width,
                height=checked.height,
                data=checked.content,
                status=ImageAsset.Status.PENDING,
                uploaded_by=user if getattr(user, "pk", None) else None,
            )
            return created, True
    except IntegrityError:  # another request added the same bytes a moment ago
        return ImageAsset.objects.get(merchant=merchant, sha256=checked.sha256), False


def image_upload_request(*, asset: ImageAsset) -> ImageAsset:
    """Queue the upload of a failed image again. Only the request that moves the row from
    "failed" to "pending" queues it, so two agents clicking "Retry" upload it once."""
    with transaction.atomic():
        moved = ImageAsset.objects.filter(pk=asset.pk, status=ImageAsset.Status.FAILED).update(
            status=ImageAsset.Status.PENDING, error_message=""
        )
        if moved:
            _enqueue_on_commit(asset)
    return ImageAsset.objects.defer("data").get(pk=asset.pk)


def _enqueue_on_commit(asset: ImageAsset) -> None:
    merchant_id, asset_pk = asset.merchant_id, asset.pk
    _announce(merchant_id, asset_pk)
    transaction.on_commit(lambda: _enqueue(merchant_id, asset_pk))


def _enqueue(merchant_id: int, asset_pk: int) -> None:
    """By the task's stable name (messaging/tasks.py imports this module, not the reverse). A
    broker that is down leaves no row pending for ever: the row fails with a message to retry."""
    try:
        current_app.send_task(UPLOAD_TASK, args=(asset_pk,))
    except Exception:  # noqa: BLE001 - any broker failure
        logger.warning("could not queue the upload of image %s", asset_pk, exc_info=True)
        with transaction.atomic():
            ImageAsset.objects.filter(pk=asset_pk, status=ImageAsset.Status.PENDING).update(
                status=ImageAsset.Status.FAILED,
                error_message=_("The upload could not be started; try again."),
            )
            _announce(merchant_id, asset_pk)


def _announce(merchant_id: int, asset_pk: int) -> None:
    events.announce(events.IMAGE_CHANGED, merchant_id=merchant_id, image_id=asset_pk)


def image_upload(*, asset_id: int, client: Any = None) -> ImageAsset | None:
    """Upload a pending image to WeChat Pay and record the media_id or the failure (the upload
    task's body). The call is made outside any transaction; its outcome is written only if the
    row is still pending, so a row settled meanwhile keeps what it has."""
    asset = ImageAsset.objects.select_related("merchant").filter(pk=asset_id).first()
    if asset is None or asset.status != ImageAsset.Status.PENDING:
        return asset
    outcome: dict[str, Any] = {"status": ImageAsset.Status.FAILED}
    try:
        uploaded = (client or wechatpay_client(asset.merchant)).upload_image(
            bytes(asset.data), asset.filename
        )
    except NoActiveCredentials:
        outcome["error_message"] = _(
            "This merchant has no active WeChat Pay API credentials: ask an admin to add them."
        )
    except WechatPayError as exc:
        logger.warning("image upload failed for merchant %s: %s", asset.merchant.mchid, exc)
        outcome["error_message"] = _upload_error_text(exc)
    else:
        outcome = {
            "status": ImageAsset.Status.UPLOADED,
            "media_id": uploaded.media_id,
            "error_message": "",
            "uploaded_at": timezone.now(),
        }
    with transaction.atomic():
        ImageAsset.objects.filter(pk=asset.pk, status=ImageAsset.Status.PENDING).update(**outcome)
        _announce(asset.merchant_id, asset.pk)
    return ImageAsset.objects.defer("data").get(pk=asset.pk)


def _upload_error_text(exc: Exception) -> str:
    if isinstance(exc, ApiError):
        return _("WeChat Pay refused the image: %(code)s %(message)s") % {
            "code": exc.code,
            "message": exc.message,
        }
    if getattr(exc, "retryable", False):
        return _("WeChat Pay could not be reached; try again.")
    return _("The upload failed: %(error)s") % {"error": exc}
