"""The negotiation history of an immediate-service complaint read as a conversation.

Pure functions over the merged timeline (`selectors.complaint_timeline`): who speaks each item
(the consumer on the left, the merchant on the right, the platform, the system and the console's
own events in the middle), and which merchant message each consumer button tap came from.

A tap (`USER_CLICK_RESPONSE`) names the message it came from by `click_message.clicked_log_id`
(§3.3): it is shown under that message, whether the message is a history entry or one of the
console's own replies (its `log_id`). When the id is missing or names a message we do not hold,
the tap goes under the closest earlier merchant message that has anything to tap (a NormalMessage),
marked as not exact; with none before it, it stands on its own on the consumer's side.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

USER = "user"
MERCHANT = "merchant"
CENTRE = "centre"
CLICK = "USER_CLICK_RESPONSE"


@dataclass
class Tap:
    """A consumer's tap on a button, link or suggested question of a merchant message."""

    key: str
    entry: Any  # the USER_CLICK_RESPONSE HistoryEntry
    label: str  # the tapped element's text in the message ("" when it cannot be found)
    content: str  # what the tap sent as the consumer's message
    exact: bool  # linked by clicked_log_id, not by position


@dataclass
class Bubble:
    """One item of the conversation: a timeline item, the side it is shown on, its taps."""

    key: str
    side: str  # USER | MERCHANT | CENTRE
    item: Any  # selectors.TimelineItem
    taps: list[Tap] = field(default_factory=list)
    tap: Tap | None = None  # set when this bubble is itself a tap with no message to go under


def item_key(item: Any) -> str:
    """A stable id for a timeline item, the same on every refresh of the page."""
    prefix = {"wechat": "history", "event": "event", "reply": "reply"}[item.source]
    return f"{prefix}-{item.obj.pk}"


def side_of(item: Any) -> str:
    """Who speaks: WeChat's USER_* entries are the consumer (its *_SYSTEM_MESSAGE ones are
    WeChat's), MERCHANT_* entries and the console's replies the merchant; the platform, the
    system, the console's own events and any type WeChat adds later sit in the middle."""
    if item.source == "reply":
        return MERCHANT
    if item.source != "wechat":
        return CENTRE
    kind = item.obj.operate_type or ""
    if kind.endswith("_SYSTEM_MESSAGE"):
        return CENTRE
    if kind.startswith("USER_"):
        return USER
    if kind.startswith("MERCHANT_"):
        return MERCHANT
    return CENTRE


def _message_of(item: Any) -> dict[str, Any]:
    """The NormalMessage a merchant item carries (history entry or console reply), or {}."""
    if item.source == "wechat":
        message = item.obj.normal_message
    else:
        message = (item.obj.payload or {}).get("message")
    return message if isinstance(message, dict) else {}


def _log_id_of(item: Any) -> str:
    return item.obj.log_id or ""


def _tappables(message: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(text on screen, action) of every element of a message that a consumer can tap."""
    yield from _with_actions(message.get("blocks"))


# The element's words: a link's or button's text, a question's title.
_LABEL_KEYS = ("text", "faq_title")


def _with_actions(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    # Whatever the block kind (complaints knows none of them: messaging owns the block registry),
    # a tappable element is an object with an "action"; they are found in reading order.
    if isinstance(value, list):
        for item in value:
            yield from _with_actions(item)
    elif isinstance(value, dict):
        action = value.get("action")
        if isinstance(action, dict):
            label = next((value[key] for key in _LABEL_KEYS if key in value), "")
            yield str(label), action
        for key, item in value.items():
            if key != "action":
                yield from _with_actions(item)


def tapped_label(message: dict[str, Any], click: dict[str, Any]) -> str:
    """The text of the element the consumer tapped: found by its action_id, else by the
    content the tap sent; "" when the message holds no such element."""
    action_id = click.get("action_id")
    content = click.get("message_content")
    found = list(_tappables(message))
    for text, action in found:
        if action_id and action.get("action_id") == action_id:
            return text
    for text, action in found:
        if content and (action.get("message_info") or {}).get("content") == content:
            return text
    return ""


def _tap(item: Any, target: Bubble | None, exact: bool) -> Tap:
    entry = item.obj
    click = entry.click_message if isinstance(entry.click_message, dict) else {}
    content = click.get("message_content")
    return Tap(
        key=item_key(item),
        entry=entry,
        label=tapped_label(_message_of(target.item), click) if target else "",
        content=content if isinstance(content, str) and content else entry.operate_details,
        exact=exact,
    )


def _is_tap(item: Any) -> bool:
    return item.source == "wechat" and item.obj.operate_type == CLICK


def conversation(items: list[Any]) -> list[Bubble]:
    """The timeline (in time order) as conversation bubbles, taps under their messages.

    A tap is linked by id wherever its message stands: WeChat's times are whole seconds and the
    console's reply is timed when it was written, so a tap may sort just before its message."""
    bubbles = {id(item): Bubble(item_key(item), side_of(item), item) for item in items}
    by_log_id: dict[str, Bubble] = {}
    for item in items:
        if side_of(item) == MERCHANT and _log_id_of(item):
            by_log_id.setdefault(_log_id_of(item), bubbles[id(item)])
    shown: list[Bubble] = []
    last_message: Bubble | None = None
    for item in items:
        bubble = bubbles[id(item)]
        if not _is_tap(item):
            shown.append(bubble)
            if bubble.side == MERCHANT and _message_of(item):  # only a NormalMessage has taps
                last_message = bubble
            continue
        click = item.obj.click_message if isinstance(item.obj.click_message, dict) else {}
        target = by_log_id.get(str(click.get("clicked_log_id") or ""))
        exact = target is not None
        target = target or last_message
        if target is not None:
            target.taps.append(_tap(item, target, exact))
        else:
            bubble.side, bubble.tap = USER, _tap(item, None, False)
            shown.append(bubble)
    return shown
