"""BUTTON_GROUP: buttons side by side or stacked, each doing something when tapped."""

from __future__ import annotations

from typing import Annotated, Any

from ..parts import ButtonLayout, InvalidInfo, Strict, optional
from ..rules import Items
from .base import BlockKind, gettext_noop, items_of, text_of
from .button import ButtonContent


class ButtonGroupContent(Strict):
    buttons: Annotated[list[ButtonContent], Items("max_buttons_per_group")]
    button_layout: ButtonLayout | None = optional()
    invalid_info: InvalidInfo | None = optional()


def plain_text(content: dict[str, Any]) -> str:
    return " ".join(f"[{text_of(button, 'text')}]" for button in items_of(content, "buttons"))


KIND = BlockKind(
    type="BUTTON_GROUP",
    key="button_group",
    label=gettext_noop("Button group"),
    model=ButtonGroupContent,
    editor_template="messaging/blocks/button_group/editor.html",
    preview_template="messaging/blocks/button_group/preview.html",
    plain_text=plain_text,
)
