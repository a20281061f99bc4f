"""LINK: a line of link text that does something when tapped."""

from __future__ import annotations

from typing import Annotated, Any

from ..parts import Action, InvalidInfo, Strict, optional
from ..rules import Text
from .base import BlockKind, action_text, gettext_noop, text_of


class LinkContent(Strict):
    text: Annotated[str, Text("link_text_max_chars")]
    action: Action
    invalid_info: InvalidInfo | None = optional()


def plain_text(content: dict[str, Any]) -> str:
    return f"{text_of(content, 'text')}{action_text(content.get('action'))}"


KIND = BlockKind(
    type="LINK",
    key="link",
    label=gettext_noop("Link"),
    model=LinkContent,
    editor_template="messaging/blocks/link/editor.html",
    preview_template="messaging/blocks/link/preview.html",
    plain_text=plain_text,
)
