"""IMAGE: an uploaded image (by its WeChat media_id), narrow or full width."""

from __future__ import annotations

from typing import Any

from ..parts import ImageStyle, MediaId, Strict, optional
from .base import BlockKind, gettext_noop, translate


class ImageContent(Strict):
    media_id: MediaId
    image_style_type: ImageStyle | None = optional()


def plain_text(content: dict[str, Any]) -> str:
    return f"[{translate(gettext_noop('Image'))}]"


KIND = BlockKind(
    type="IMAGE",
    key="image",
    label=gettext_noop("Image"),
    model=ImageContent,
    editor_template="messaging/blocks/image/editor.html",
    preview_template="messaging/blocks/image/preview.html",
    plain_text=plain_text,
)
