"""FAQ_LIST: "you may want to ask" and a list of questions, each doing something when tapped."""

from __future__ import annotations

from typing import Annotated, Any

from ..parts import Action, Strict, optional
from ..rules import Items, Text
from .base import BlockKind, gettext_noop, items_of, text_of, translate


class Faq(Strict):
    faq_id: Annotated[str, Text("faq_id_max_chars")] | None = optional()
    faq_title: Annotated[str, Text("faq_title_max_chars")]
    action: Action


class FaqListContent(Strict):
    faqs: Annotated[list[Faq], Items("max_faqs_per_list")]


def plain_text(content: dict[str, Any]) -> str:
    titles = " / ".join(text_of(faq, "faq_title") for faq in items_of(content, "faqs"))
    return f"{translate(gettext_noop('You may want to ask'))}: {titles}"


KIND = BlockKind(
    type="FAQ_LIST",
    key="faq_list",
    label=gettext_noop("Suggested questions"),
    model=FaqListContent,
    editor_template="messaging/blocks/faq_list/editor.html",
    preview_template="messaging/blocks/faq_list/preview.html",
    plain_text=plain_text,
)
