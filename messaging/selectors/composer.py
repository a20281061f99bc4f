"""Reads for the composer: complaints, drafts, templates and images the user may use."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from complaints.models import Complaint
from complaints.selectors import complaints_visible_to
from merchants.models import Merchant
from merchants.selectors import merchants_visible_to
from messaging.models import Draft, ImageAsset, ReplyTemplate


def complaint_for_composer(user: Any, pk: int) -> Complaint:
    """The complaint, or 404 when it does not exist or belongs to another merchant."""
    return get_object_or_404(complaints_visible_to(user).select_related("merchant"), pk=pk)


def merchant_for_user(user: Any, pk: int) -> Merchant:
    return get_object_or_404(merchants_visible_to(user), pk=pk)


def draft_for(*, complaint: Complaint, author: Any) -> Draft | None:
    return Draft.objects.filter(complaint=complaint, author=author).first()


def templates_visible_to(user: Any) -> QuerySet[ReplyTemplate]:
    return ReplyTemplate.objects.filter(merchant__in=merchants_visible_to(user)).select_related(
        "merchant"
    )


def templates_for_merchant(merchant: Merchant) -> QuerySet[ReplyTemplate]:
    return ReplyTemplate.objects.filter(merchant=merchant).order_by("name", "id")


def images_visible_to(user: Any) -> QuerySet[ImageAsset]:
    return ImageAsset.objects.filter(merchant__in=merchants_visible_to(user))


def image_library(merchant: Merchant, *, limit: int = 60) -> list[ImageAsset]:
    """The merchant's uploaded images, newest first, without their bytes."""
    return list(
        ImageAsset.objects.filter(merchant=merchant, status=ImageAsset.Status.UPLOADED).defer(
            "data"
        )[:limit]
    )
