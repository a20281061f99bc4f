"""Hypothesis strategies for payloads the schema accepts (test support; imports hypothesis).

Every value drawn is wire-exact: it validates, and ``to_wechat_payload`` of the validated model
equals it (no nulls, only the sub-objects in use), so it can be sent to the sandbox as it is.

    from devtools.schema_strategies import valid_normal_messages, valid_plain_replies

    @given(valid_normal_messages(media=st.sampled_from(uploaded_media_ids)))
    def test_sandbox_accepts(message): ...
"""

from __future__ import annotations

import string
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from messaging.schema import (
    ACTION_TARGET,
    BLOCK_CONTENT,
    DEFAULT_LIMITS,
    WECHAT_CUSTOM_DATA_MAX_BYTES,
    WECHAT_JUMP_URL_MAX_BYTES,
    WECHAT_JUMP_URL_TEXT_MAX_CHARS,
    WECHAT_REPLY_CONTENT_MAX_CHARS,
    WECHAT_REPLY_IMAGES_MAX,
    ActionType,
    BlockType,
    ButtonLayout,
    ImageStyle,
    MessageLimits,
    SenderIdentity,
    TextColor,
)
from messaging.schema.rules import PLACEHOLDER

# Any BMP character except surrogates and controls (what the schema allows), plus the three
# controls it does allow.
_CHARACTERS = st.characters(
    max_codepoint=0xFFFF, exclude_categories=("Cs", "Cc"), include_characters="\t\n\r"
)
_MAX_UTF8_BYTES_PER_CHAR = 3  # in the BMP
_ALNUM = string.ascii_letters + string.digits
_HOST_CHARACTERS = string.ascii_lowercase + string.digits
_ID_CHARACTERS = _ALNUM + "_.-"


def texts(max_chars: int, *, allow_blank: bool = False) -> st.SearchStrategy[str]:
    """Strings of at most ``max_chars`` characters the schema accepts (not blank by default)."""
    strategy = st.text(_CHARACTERS, min_size=0 if allow_blank else 1, max_size=max_chars)
    # An unfilled template variable ("{{ name }}") is refused: never draw one.
    strategy = strategy.filter(lambda text: not PLACEHOLDER.search(text))
    return strategy if allow_blank else strategy.filter(str.strip)


def byte_texts(max_bytes: int) -> st.SearchStrategy[str]:
    """Possibly empty strings within ``max_bytes`` UTF-8 bytes (custom_data)."""
    return texts(max_bytes // _MAX_UTF8_BYTES_PER_CHAR, allow_blank=True)


def media_ids() -> st.SearchStrategy[str]:
    return st.text(_ID_CHARACTERS, min_size=1, max_size=64)


def https_urls(max_bytes: int) -> st.SearchStrategy[str]:
    """ASCII https URLs (so characters are bytes) within ``max_bytes``."""
    label = st.text(_HOST_CHARACTERS, min_size=1, max_size=12)
    host = st.lists(label, min_size=1, max_size=4).map(".".join)
    path = st.lists(st.text(_ID_CHARACTERS, max_size=12), max_size=4).map(
        lambda parts: "".join(f"/{part}" for part in parts)
    )
    query = st.just("") | st.text(_HOST_CHARACTERS, min_size=1, max_size=8).map("?q=".__add__)
    url = st.builds(lambda h, p, q: f"https://{h}{p}{q}", host, path, query)
    return url.filter(lambda u: len(u) <= max_bytes)


def appids(limits: MessageLimits = DEFAULT_LIMITS) -> st.SearchStrategy[str]:
    if limits.appid_pattern == DEFAULT_LIMITS.appid_pattern:  # cheaper than from_regex
        return st.text(_ALNUM, min_size=16, max_size=16).map("wx".__add__)
    return st.from_regex(limits.appid_pattern, fullmatch=True)


def rfc3339_times() -> st.SearchStrategy[str]:
    offsets = st.integers(min_value=-12 * 60, max_value=14 * 60)

    def render(moment: Any, minutes: int) -> str:
        sign = "+" if minutes >= 0 else "-"
        hours, mins = divmod(abs(minutes), 60)
        return f"{moment:%Y-%m-%dT%H:%M:%S}{sign}{hours:02d}:{mins:02d}"

    moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))
    return st.builds(render, moments, offsets)


def invalid_infos() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {}, optional={"expired_time": rfc3339_times(), "multi_clickable": st.booleans()}
    )


def actions(limits: MessageLimits = DEFAULT_LIMITS) -> st.SearchStrategy[dict[str, Any]]:
    targets = {
        ActionType.SEND_MESSAGE: st.fixed_dictionaries(
            {"content": texts(limits.message_info_content_max_chars)},
            optional={"custom_data": byte_texts(limits.message_info_custom_data_max_bytes)},
        ),
        ActionType.JUMP_URL: https_urls(limits.action_jump_url_max_bytes),
        ActionType.JUMP_MINI_PROGRAM: st.fixed_dictionaries(
            {
                "appid": appids(limits),
                "path": texts(limits.mini_program_path_max_chars),
            },
            optional={"text": texts(limits.mini_program_text_max_chars)},
        ),
    }
    optional = {"action_id": texts(limits.action_id_max_chars)}
    return st.one_of(
        st.fixed_dictionaries(
            {"action_type": st.just(kind.value), ACTION_TARGET[kind]: target}, optional=optional
        )
        for kind, target in targets.items()
    )


def _button(limits: MessageLimits) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"text": texts(limits.button_text_max_chars), "action": actions(limits)},
        optional={"invalid_info": invalid_infos()},
    )


def block_contents(
    limits: MessageLimits = DEFAULT_LIMITS, media: st.SearchStrategy[str] | None = None
) -> dict[BlockType, st.SearchStrategy]:
    """One strategy per block type for the sub-object that type carries."""
    return {
        BlockType.TEXT: st.fixed_dictionaries(
            {"text": texts(limits.text_max_chars)},
            optional={
                "color": st.sampled_from([c.value for c in TextColor]),
                "is_bold": st.booleans(),
            },
        ),
        BlockType.IMAGE: st.fixed_dictionaries(
            {"media_id": media if media is not None else media_ids()},
            optional={"image_style_type": st.sampled_from([s.value for s in ImageStyle])},
        ),
        BlockType.LINK: st.fixed_dictionaries(
            {"text": texts(limits.link_text_max_chars), "action": actions(limits)},
            optional={"invalid_info": invalid_infos()},
        ),
        BlockType.FAQ_LIST: st.fixed_dictionaries(
            {
                "faqs": st.lists(
                    st.fixed_dictionaries(
                        {"faq_title": texts(limits.faq_title_max_chars), "action": actions(limits)},
                        optional={"faq_id": texts(limits.faq_id_max_chars)},
                    ),
                    min_size=1,
                    max_size=limits.max_faqs_per_list,
                )
            }
        ),
        BlockType.BUTTON: _button(limits),
        BlockType.BUTTON_GROUP: st.fixed_dictionaries(
            {
                "buttons": st.lists(
                    _button(limits), min_size=1, max_size=limits.max_buttons_per_group
                )
            },
            optional={
                "button_layout": st.sampled_from([b.value for b in ButtonLayout]),
                "invalid_info": invalid_infos(),
            },
        ),
    }


def blocks(
    limits: MessageLimits = DEFAULT_LIMITS, media: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.fixed_dictionaries({"type": st.just(kind.value), BLOCK_CONTENT[kind]: content})
        for kind, content in block_contents(limits, media).items()
    )


def valid_normal_messages(
    limits: MessageLimits = DEFAULT_LIMITS,
    *,
    max_blocks: int | None = None,
    media: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """NormalMessage payloads (the ``message`` object) that validate under ``limits``.

    ``max_blocks`` caps the list below the limit to keep slow consumers (HTTP round trips) fast;
    ``media`` draws image media_ids (say, ids uploaded to the sandbox) instead of made-up ones.
    """
    most = min(limits.max_blocks, max_blocks or limits.max_blocks)
    return st.fixed_dictionaries(
        {"blocks": st.lists(blocks(limits, media), min_size=1, max_size=most)},
        optional={
            "sender_identity": st.sampled_from([s.value for s in SenderIdentity]),
            "custom_data": byte_texts(WECHAT_CUSTOM_DATA_MAX_BYTES),
        },
    )


def valid_plain_replies(
    limits: MessageLimits = DEFAULT_LIMITS, *, media: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Plain /response replies that validate (with a link, a mini program or neither)."""
    base = {"response_content": texts(WECHAT_REPLY_CONTENT_MAX_CHARS)}
    optional = {
        "response_images": st.lists(
            media if media is not None else media_ids(), max_size=WECHAT_REPLY_IMAGES_MAX
        )
    }
    link = {
        "jump_url": https_urls(WECHAT_JUMP_URL_MAX_BYTES),
        "jump_url_text": texts(WECHAT_JUMP_URL_TEXT_MAX_CHARS),
    }
    mini_program = {
        "mini_program_jump_info": st.fixed_dictionaries(
            {
                "appid": appids(limits),
                "path": texts(limits.mini_program_path_max_chars),
                "text": texts(limits.mini_program_text_max_chars),
            }
        )
    }
    return st.one_of(
        st.fixed_dictionaries(base, optional=optional),
        st.fixed_dictionaries({**base, **link}, optional=optional),
        st.fixed_dictionaries({**base, **mini_program}, optional=optional),
    )


def example_blocks() -> dict[str, dict[str, Any]]:
    """One realistic, valid block of every type (a fresh copy on each call), every action used."""
    send = {
        "action_type": "ACTION_TYPE_SEND_MESSAGE",
        "message_info": {"content": "查询退款进度", "custom_data": "intent=refund"},
        "action_id": "refund-progress",
    }
    jump = {
        "action_type": "ACTION_TYPE_JUMP_URL",
        "jump_url": "https://shop.example.com/orders/42",
    }
    mini_program = {
        "action_type": "ACTION_TYPE_JUMP_MINI_PROGRAM",
        "mini_program_jump_info": {
            "appid": "wxd678efh567hg6787",
            "path": "pages/order/index?id=42",
            "text": "订单详情",
        },
    }
    expiry = {"expired_time": "2026-05-20T13:29:35+08:00", "multi_clickable": False}
    return {
        "TEXT": {
            "type": "TEXT",
            "text": {
                "text": "您好，订单 ORDER-42 已退款。",
                "color": "SECONDARY",
                "is_bold": True,
            },
        },
        "IMAGE": {
            "type": "IMAGE",
            "image": {
                "media_id": "BB04A5DEEFEA18D4F2554C1EDD3B610B.bmp",
                "image_style_type": "IMAGE_STYLE_TYPE_WIDE",
            },
        },
        "LINK": {
            "type": "LINK",
            "link": {"text": "查看退款规则", "action": jump, "invalid_info": expiry},
        },
        "FAQ_LIST": {
            "type": "FAQ_LIST",
            "faq_list": {"faqs": [{"faq_id": "faq-1", "faq_title": "多久到账？", "action": send}]},
        },
        "BUTTON": {
            "type": "BUTTON",
            "button": {
                "text": "联系客服",
                "action": mini_program,
                "invalid_info": {"multi_clickable": True},
            },
        },
        "BUTTON_GROUP": {
            "type": "BUTTON_GROUP",
            "button_group": {
                "buttons": [{"text": "已解决", "action": send}, {"text": "未解决", "action": jump}],
                "button_layout": "LAYOUT_HORIZONTAL",
                "invalid_info": expiry,
            },
        },
    }
