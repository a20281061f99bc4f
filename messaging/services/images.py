"""The per-merchant image library: check, keep, and upload each image to WeChat Pay once.

An image is identified by the sha256 of its bytes within a merchant: adding the same bytes again
returns the existing row (and its media_id) without a second upload. The bytes are kept so the
console can show the preview and retry a failed upload without the agent picking the file again.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from console.images import ImageTooLargeError, NotAnImageError, sniff_image
from merchants.models import Merchant
from messaging.models import ImageAsset

logger = logging.getLogger(__name__)

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
