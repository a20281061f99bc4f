"""BUTTON: one button that does something when tapped."""

from __future__ import annotations

from typing import Annotated, Any

from ..parts import Action, InvalidInfo, Strict, optional
from ..rules import Text
from .base import BlockKind, gettext_noop, text_of


class ButtonContent(Strict):
    text: Annotated[str, Text("button_text_max_chars")]
    action: Action
    invalid_info: InvalidInfo | None = optional()


def plain_text(content: dict[str, Any]) -> str:
    return f"[{text_of(content, 'text')}]"


KIND = BlockKind(
    type="BUTTON",
    key="button",
    label=gettext_noop("Button"),
    model=ButtonContent,
    editor_template="messaging/blocks/button/editor.html",
    preview_template="messaging/blocks/button/preview.html",
    plain_text=plain_text,
)
