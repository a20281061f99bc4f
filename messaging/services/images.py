"""The per-merchant image library: check, keep, and upload each image to WeChat Pay once.

An image is identified by the sha256 of its bytes within a merchant: adding the same bytes again
returns the existing row (and its media_id) without a second upload. The bytes are kept so the
console can show the preview and retry a failed upload without the agent picking the file again.
"""

from __future__ import annotations

import hashlib
import logging
import struct
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from celery import current_app
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from console import events
from merchants.models import Merchant
from merchants.services import NoActiveCredentials, wechatpay_client
from messaging.models import ImageAsset
from wechatpay import ApiError, WechatPayError

logger = logging.getLogger(__name__)
UPLOAD_TASK = "messaging.upload_image"  # messaging/tasks.py

MAX_IMAGE_BYTES = 2 * 1024 * 1024  # WeChat Pay: "不能超过2M" (§3.8)
MAX_FILENAME_CHARS = 128

# magic prefix -> (content type, the suffix WeChat should see)
_FORMATS = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"BM", "image/bmp", ".bmp"),
)
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
            % {"size": _human_size(len(content))}
        )
    content_type, suffix = _sniff(content)
    if content_type is None:
        raise ImageRejectedError(
            _("Only JPG, PNG and BMP images can be sent (this file is not one, whatever its name).")
        )
    width, height = _dimensions(content, content_type)
    return CheckedImage(
        content=content,
        filename=_wechat_filename(filename, content_type, suffix),
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
        width=width,
        height=height,
    )


def _sniff(content: bytes) -> tuple[str | None, str]:
    for magic, content_type, suffix in _FORMATS:
        if content.startswith(magic):
            # A BMP header is 26+ bytes; "BM" alone is just two letters of a text file.
            if content_type == "image/bmp" and len(content) <= 26:
                break
            return content_type, suffix
    return None, ""


def _wechat_filename(filename: str, content_type: str, suffix: str) -> str:
    name = PurePath(filename or "image").name.replace('"', "").replace("\\", "") or "image"
    stem, dot, ext = name.rpartition(".")
    if not dot or f".{ext.lower()}" not in _SUFFIXES[content_type]:
        stem = name if not dot else stem
        name = f"{stem or 'image'}{suffix}"
    if len(name) > MAX_FILENAME_CHARS:
        name = name[: MAX_FILENAME_CHARS - len(suffix) - 1].rstrip(".") + suffix
    return name


def _dimensions(content: bytes, content_type: str) -> tuple[int | None, int | None]:
    """Width and height from the header, for the library's thumbnails (None if unreadable)."""
    try:
        if content_type == "image/png" and len(content) >= 24:
            return struct.unpack(">II", content[16:24])
        if content_type == "image/bmp" and len(content) >= 26:
            width, height = struct.unpack("<ii", content[18:26])
            return abs(width), abs(height)
        if content_type == "image/jpeg":
            return _jpeg_dimensions(content)
    except struct.error:
        pass
    return None, None


def _jpeg_dimensions(content: bytes) -> tuple[int | None, int | None]:
    index = 2
    while index + 9 < len(content):
        if content[index] != 0xFF:
            return None, None
        marker = content[index + 1]
        length = struct.unpack(">H", content[index + 2 : index + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", content[index + 5 : index + 9])
            return width, height
        index += 2 + length
    return None, None


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


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
