"""What a reader sees on a rendered page, minus what users wrote: for language checks.

Left out: <script>/<style>, and every element marked as user data (`data-user-content`) or as
deliberately in another language (`lang="zh-…"`, e.g. the language switcher's 中文). Kept: text
and the attributes a person reads (title, alt, placeholder, aria-label, button values, and the
alert texts that become desktop notifications)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
SKIP_TAGS = {"script", "style"}
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "data-alert-title",
                   "data-alert-body", "data-alerts-label", "data-confirm"}  # fmt: skip
HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.parts: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        skipped = (
            tag in SKIP_TAGS
            or "data-user-content" in attributes
            or (attributes.get("lang") or "").lower().startswith("zh")
        )
        if not (skipped or self.skipping):
            for name in READ_ATTRIBUTES & attributes.keys():
                self.parts.append(f"[{name}] {attributes[name]}")
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                self.parts.append(f"[value] {attributes.get('value', '')}")
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data) -> None:
        if not self.skipping and data.strip():
            self.parts.append(data.strip())


def readable_parts(html: str) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.parts


def han_snippets(html: str) -> list[str]:
    """Every piece of our own text on the page that holds a Han character (or CJK punctuation)."""
    return [part[:120] for part in readable_parts(html) if HAN.search(part)]
