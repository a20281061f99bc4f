"""The merchant image library: upload (checked, deduplicated by sha256), retry, list and serve."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from console.roles import perm
from messaging.models import ImageAsset
from messaging.selectors.composer import image_library as library_for
from messaging.selectors.composer import images_visible_to, merchant_for_user
from messaging.services import images

# Replies (work_complaints) and templates (manage_templates) both hold images; reviewers see them.
_USE = ("work_complaints", "manage_templates")
_VIEW = (*_USE, "review_replies")


def _require_any(request: HttpRequest, codenames: tuple[str, ...]) -> None:
    if not any(request.user.has_perm(perm(codename)) for codename in codenames):
        raise PermissionDenied


def asset_json(asset: ImageAsset) -> dict[str, Any]:
    return {
        "id": asset.pk,
        "status": asset.status,
        "media_id": asset.media_id,
        "filename": asset.filename,
        "sha256": asset.sha256,
        "width": asset.width,
        "height": asset.height,
        "url": reverse("messaging:image_file", args=[asset.pk]),
        "error": asset.error_message,
    }


def _answer(asset: ImageAsset) -> JsonResponse:
    """200 with the media_id once uploaded; 202 while the upload is queued or running (the page
    follows it: live "image.changed" events, then messaging:image_status); 502 when it failed."""
    status = {ImageAsset.Status.UPLOADED: 200, ImageAsset.Status.PENDING: 202}
    return JsonResponse(asset_json(asset), status=status.get(asset.status, 502))


@require_POST
def image_upload(request: HttpRequest, merchant_pk: int) -> JsonResponse:
    """Add the posted file to the merchant's library; its upload to WeChat Pay is a task."""
    _require_any(request, _USE)
    merchant = merchant_for_user(request.user, merchant_pk)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": _("Choose an image file to upload.")}, status=400)
    if upload.size > images.MAX_IMAGE_BYTES:  # refuse before reading it into memory
        message = _("The image is %(size)s; WeChat Pay accepts at most 2 MB.") % {
            "size": filesizeformat(upload.size)
        }
        return JsonResponse({"error": message}, status=400)
    try:
        asset = images.image_add(
            merchant=merchant,
            content=upload.read(),
            filename=upload.name or "image",
            user=request.user,
        )
    except images.ImageRejectedError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return _answer(asset)


@require_POST
def image_retry(request: HttpRequest, pk: int) -> JsonResponse:
    _require_any(request, _USE)
    asset = get_object_or_404(images_visible_to(request.user).defer("data"), pk=pk)
    return _answer(images.image_upload_request(asset=asset))


@require_GET
def image_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Where an image's upload stands (read again when its "image.changed" event arrives): a
    status read that worked, so 200 whatever the status says."""
    _require_any(request, _USE)
    asset = get_object_or_404(images_visible_to(request.user).defer("data"), pk=pk)
    return JsonResponse(asset_json(asset))


@require_GET
def image_library(request: HttpRequest, merchant_pk: int) -> JsonResponse:
    _require_any(request, _USE)
    merchant = merchant_for_user(request.user, merchant_pk)
    return JsonResponse({"images": [asset_json(asset) for asset in library_for(merchant)]})


def _image_response(asset: ImageAsset) -> HttpResponse:
    response = HttpResponse(bytes(asset.data), content_type=asset.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response


@require_GET
def image_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The image's bytes, to users who work for its merchant."""
    _require_any(request, _VIEW)
    return _image_response(get_object_or_404(images_visible_to(request.user), pk=pk))


@require_GET
def image_media(request: HttpRequest) -> HttpResponse:
    """The image behind a media_id (as NormalMessages reference images), if in a visible library."""
    _require_any(request, _VIEW)
    media_id = request.GET.get("media_id", "")
    if not media_id or "\x00" in media_id or len(media_id) > 512:
        return HttpResponse(status=404)  # not a media_id WeChat could have issued
    asset = images_visible_to(request.user).filter(media_id=media_id).exclude(media_id="").first()
    if asset is None:
        return HttpResponse(status=404)
    return _image_response(asset)
