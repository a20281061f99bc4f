"""The registry of NormalMessage block kinds: one module per kind, listed here in toolbar order.

Adding a kind means adding its module (its :class:`~.base.BlockKind`: content model, editor and
preview templates, plain text) and listing it in ``BLOCKS``; validation
(:mod:`messaging.schema.models`), error places, the composer, the preview, the timeline, the
history and the exports all follow.
"""

from __future__ import annotations

from typing import Any

from . import button, button_group, faq_list, image, link, text
from .base import BlockKind

BLOCKS: tuple[BlockKind, ...] = (
    text.KIND,
    image.KIND,
    link.KIND,
    faq_list.KIND,
    button.KIND,
    button_group.KIND,
)
_BY_TYPE = {kind.type: kind for kind in BLOCKS}


def block_kind(block_type: Any) -> BlockKind | None:
    """The registered kind of a block ``type`` ("LINK"), or None for anything else."""
    return _BY_TYPE.get(block_type) if isinstance(block_type, str) else None


def block_plain_text(block: Any) -> str:
    """One block of a stored message as one line of plain text (exports); "[TYPE]" when the
    console does not know the kind."""
    if not isinstance(block, dict):
        return ""
    kind = block_kind(block.get("type"))
    if kind is None:
        return f"[{block.get('type')}]"
    return kind.text_of(block.get(kind.key))


__all__ = ["BLOCKS", "BlockKind", "block_kind", "block_plain_text"]
