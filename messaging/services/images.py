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

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Merchant
from messaging.models import ImageAsset

logger = logging.getLogger(__name__)

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


def image_add(
    *, merchant: Merchant, content: bytes, filename: str, user: Any, client: Any = None
) -> ImageAsset:
    """Add an image to the merchant's library and make sure WeChat Pay has it.

    Same bytes as an uploaded image: that row is returned and nothing is sent. A row whose earlier
    upload failed is uploaded again. Raises ImageRejectedError for a file WeChat would refuse;
    an upload failure is recorded on the row (status failed, error_message), not raised.
    """
    checked = image_check(content, filename)
    asset = _asset_for(merchant=merchant, checked=checked, user=user)
    if asset.status == ImageAsset.Status.UPLOADED:
        return asset
    return image_upload(asset=asset, client=client)


def _asset_for(*, merchant: Merchant, checked: CheckedImage, user: Any) -> ImageAsset:
    existing = ImageAsset.objects.filter(merchant=merchant, sha256=checked.sha256).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return ImageAsset.objects.create(
                merchant=merchant,
                sha256=checked.sha256,
                filename=checked.filename,
                content_type=checked.content_type,
                size=len(checked.content),
                width=checked.width,
                height=checked.height,
                data=checked.content,
                uploaded_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:  # another request added the same bytes a moment ago
        return ImageAsset.objects.get(merchant=merchant, sha256=checked.sha256)


def image_upload(*, asset: ImageAsset, client: Any = None) -> ImageAsset:
    """Upload the asset's bytes (again) and record the media_id or the failure.

    The row is locked for the call so two agents adding the same image upload it once.
    """
    from merchants.services import NoActiveCredentials
    from wechatpay import WechatPayError

    with transaction.atomic():
        asset = ImageAsset.objects.select_for_update().get(pk=asset.pk)
        if asset.status == ImageAsset.Status.UPLOADED:
            return asset
        try:
            client = client or _client_for(asset.merchant)
            uploaded = client.upload_image(bytes(asset.data), asset.filename)
        except NoActiveCredentials:
            asset.status = ImageAsset.Status.FAILED
            asset.error_message = _(
                "This merchant has no active WeChat Pay API credentials: ask an admin to add them."
            )
        except WechatPayError as exc:
            logger.warning("image upload failed for merchant %s: %s", asset.merchant.mchid, exc)
            asset.status = ImageAsset.Status.FAILED
            asset.error_message = _upload_error_text(exc)
        else:
            asset.status = ImageAsset.Status.UPLOADED
            asset.media_id = uploaded.media_id
            asset.error_message = ""
            asset.uploaded_at = timezone.now()
        asset.save(update_fields=["status", "media_id", "error_message", "uploaded_at"])
    return asset


def _upload_error_text(exc: Exception) -> str:
    from wechatpay import ApiError

    if isinstance(exc, ApiError):
        return _("WeChat Pay refused the image: %(code)s %(message)s") % {
            "code": exc.code,
            "message": exc.message,
        }
    if getattr(exc, "retryable", False):
        return _("WeChat Pay could not be reached; try again.")
    return _("The upload failed: %(error)s") % {"error": exc}


def _client_for(merchant: Merchant) -> Any:
    from merchants.services import wechatpay_client

    return wechatpay_client(merchant)
