"""Where a validation error is, in the agent's words.

Errors carry dotted paths (``blocks.1.link.action.jump_url``): right for API callers and logs,
meaningless to an agent. :func:`place_of` names the same spot as the editor shows it, by block
position and kind and the field's own label ("Block 2 · Link · Link (HTTPS)"; in Chinese
"第 2 块·链接·链接（HTTPS）"). The labels are the editor's own msgids, so both say the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .blocks import BLOCKS
from .errors import _translate, gettext_noop

# A block kind's name and its sub-object's key, from the registry (the editor shows the same name).
_KINDS = {kind.type: kind.label for kind in BLOCKS}
_CONTENT_KEYS = {kind.key for kind in BLOCKS}

# Numbered entries of a list: the list's key -> the label of one numbered entry.
_NUMBERED = {
    "blocks": gettext_noop("Block %(number)s"),
    "faqs": gettext_noop("Question %(number)s"),
    "buttons": gettext_noop("Button %(number)s"),
    "response_images": gettext_noop("Image %(number)s"),
}

# A field's label, as the editor shows it beside the field.
_FIELDS = {
    "blocks": gettext_noop("Blocks"),
    "faqs": gettext_noop("Questions"),
    "buttons": gettext_noop("Buttons"),
    "sender_identity": gettext_noop("Sender"),
    "custom_data": gettext_noop("Custom data"),
    "color": gettext_noop("Colour"),
    "is_bold": gettext_noop("Bold"),
    "media_id": gettext_noop("Image"),
    "image_style_type": gettext_noop("Width"),
    "button_layout": gettext_noop("Layout"),
    "faq_title": gettext_noop("Question"),
    "faq_id": gettext_noop("Question ID"),
    "action": gettext_noop("When tapped"),
    "action_type": gettext_noop("Action"),
    "action_id": gettext_noop("Action ID"),
    "message_info": gettext_noop("Message sent as the user"),
    "content": gettext_noop("Message sent as the user"),
    "jump_url": gettext_noop("Link (HTTPS)"),
    "mini_program_jump_info": gettext_noop("Mini program"),
    "appid": gettext_noop("Mini program AppID"),
    "path": gettext_noop("Page path"),
    "invalid_info": gettext_noop("Validity"),
    "expired_time": gettext_noop("Expires at (Beijing time)"),
    "multi_clickable": gettext_noop("Taps"),
    "response_content": gettext_noop("Reply text"),
    "response_images": gettext_noop("Images"),
    "jump_url_text": gettext_noop("Link text"),
}
# "text" depends on where it is.
_TEXT_IN = {
    "mini_program_jump_info": gettext_noop("Page name"),
    "link": gettext_noop("Link text"),
    "button": gettext_noop("Button text"),
    "buttons": gettext_noop("Button text"),
    "text": gettext_noop("Text"),
}
# Containers named only when the error is on them (their fields name themselves).
_SILENT_CONTAINERS = {"action", "message_info", "mini_program_jump_info", "invalid_info"}


def _block_type(content: Any, index: int, next_key: str | None) -> str | None:
    blocks = content.get("blocks") if isinstance(content, dict) else None
    if isinstance(blocks, list) and 0 <= index < len(blocks) and isinstance(blocks[index], dict):
        kind = blocks[index].get("type")
        if isinstance(kind, str) and kind in _KINDS:
            return kind
    return next_key.upper() if next_key in _CONTENT_KEYS else None


def _field_label(key: str, parents: list[str]) -> str:
    if key == "text":
        context = next((p for p in reversed(parents) if p in _TEXT_IN), "text")
        return _translate(_TEXT_IN[context])
    label = _FIELDS.get(key)
    return _translate(label) if label else key


def _parts(path: str, content: Any) -> list[str]:
    keys = path.split(".")
    parts: list[str] = []
    seen: list[str] = []
    index = 0
    while index < len(keys):
        key = keys[index]
        following = keys[index + 1] if index + 1 < len(keys) else None
        last = following is None
        if key in _NUMBERED and following is not None and following.isdigit():
            number = int(following)
            label = _translate(_NUMBERED[key]) % {"number": number + 1}
            if key == "blocks":
                after = keys[index + 2] if index + 2 < len(keys) else None
                kind = _block_type(content, number, after)
                if kind:
                    label = _translate(gettext_noop("Block %(number)s · %(kind)s")) % {
                        "number": number + 1,
                        "kind": _translate(_KINDS[kind]),
                    }
            parts.append(label)
            seen += [key, following]
            index += 2
            continue
        if seen[-2:-1] == ["blocks"] and key in _CONTENT_KEYS:
            seen.append(key)  # the block's own sub-object: its kind is already named
        elif seen[-2:-1] == ["blocks"] and key == "type":
            pass  # the block's type: the block itself is the place
        elif key in _SILENT_CONTAINERS and not last:
            seen.append(key)
        else:
            label = _field_label(key, seen)
            block_kind = parts[-1] if parts else ""
            # Said already: a TEXT block's text, a numbered question's title.
            repeated = (seen[-1:] == ["text"] and key == "text" and block_kind.endswith(label)) or (
                key == "faq_title" and seen[-2:-1] == ["faqs"]
            )
            if not repeated:
                parts.append(label)
            seen.append(key)
        index += 1
    return parts


def kind_label(kind: str) -> str:
    """A block type as the editor names it ("LINK" -> "Link" / "链接"); unknown ones as given."""
    return _translate(_KINDS[kind]) if kind in _KINDS else kind


def place_of(path: str, content: Any = None) -> str:
    """The agent's name for the spot ``path`` points at ("" for the payload as a whole).

    ``content`` (the payload the errors are about) names a block's kind when the path does not.
    """
    if not path:
        return ""
    return _translate(gettext_noop(" · ")).join(_parts(path, content))


def for_agents(errors: Iterable[tuple[str, str]], content: Any = None) -> list[list[str]]:
    """``[path, message, line]`` per error: the path places the message on its field, the line
    says it where no field shows ("第 2 块·链接：…")."""
    answer = []
    for path, text in errors:
        place = place_of(path, content)
        line = (
            _translate(gettext_noop("%(place)s: %(message)s")) % {"place": place, "message": text}
            if place
            else text
        )
        answer.append([path, text, line])
    return answer
