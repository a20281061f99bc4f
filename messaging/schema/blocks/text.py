"""TEXT: a paragraph, optionally grey and/or bold."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StrictBool

from ..parts import Strict, TextColor, optional
from ..rules import Text
from .base import BlockKind, gettext_noop, text_of


class TextContent(Strict):
    text: Annotated[str, Text("text_max_chars")]
    color: TextColor | None = optional()
    is_bold: StrictBool | None = optional()


def plain_text(content: dict[str, Any]) -> str:
    return text_of(content, "text")


KIND = BlockKind(
    type="TEXT",
    key="text",
    label=gettext_noop("Text"),
    model=TextContent,
    editor_template="messaging/blocks/text/editor.html",
    preview_template="messaging/blocks/text/preview.html",
    plain_text=plain_text,
)
