"""The block registry drives everything about a block kind: validation, error places, the
composer's toolbar and editor cards, the preview and the plain text of exports."""

from __future__ import annotations

import json
import re

import pytest
from django.template.loader import get_template, render_to_string
from django.utils import translation

from devtools.schema_strategies import example_blocks
from messaging.schema import BLOCK_CONTENT, BlockType, normal_message_json_schema
from messaging.schema.blocks import BLOCKS, block_kind, block_plain_text
from messaging.schema.places import kind_label
from messaging.templatetags.messaging_tags import message_schema

KINDS = [kind.type for kind in BLOCKS]


def test_the_message_model_is_made_of_the_registered_kinds():
    assert [t.value for t in BlockType] == KINDS
    assert {t.value: key for t, key in BLOCK_CONTENT.items()} == {k.type: k.key for k in BLOCKS}
    block_schema = normal_message_json_schema()["$defs"]["Block"]["properties"]
    assert set(block_schema) == {"type", *(kind.key for kind in BLOCKS)}


@pytest.mark.parametrize("kind", BLOCKS, ids=KINDS)
def test_every_kind_has_its_templates(kind):
    get_template(kind.editor_template)
    get_template(kind.preview_template)


def test_unknown_types_have_no_kind():
    assert block_kind("CAROUSEL") is None
    assert block_kind(None) is None
    assert block_kind(["TEXT"]) is None


def test_the_kind_names_are_translated_where_agents_read_them():
    with translation.override("zh-hans"):
        assert [kind.title for kind in BLOCKS] == [kind_label(t) for t in KINDS]
        assert block_kind("LINK").title == "链接"
    with translation.override("en"):
        assert block_kind("FAQ_LIST").title == "Suggested questions"


def test_the_toolbar_and_the_editor_cards_come_from_the_registry():
    with translation.override("en"):
        html = render_to_string("messaging/composer/_message_form.html", {"urls": {}})

    toolbar = re.findall(r'data-action="composer#addBlock" data-type="(\w+)">([^<]+)<', html)
    assert toolbar == [(kind.type, kind.title) for kind in BLOCKS]
    cards = re.findall(r'<template data-composer-target="blockTemplate" data-type="(\w+)">', html)
    assert cards == KINDS
    for kind in BLOCKS:  # each card edits its kind's own sub-object
        card = html.split(f'data-type="{kind.type}" data-scope="object"')[1]
        assert f'data-key="{kind.key}" class="block-body"' in card.split("</template>")[0]


def test_a_block_whose_sub_object_is_missing_is_shown_as_unknown():
    blocks = [{"type": "TEXT"}, {"type": "LINK", "text": {"text": "wrong key"}}, "not a block"]

    html = render_to_string("messaging/_normal_message.html", {"message": {"blocks": blocks}})

    assert html.count("nm-unknown") == 3
    assert "wrong key" not in html


PLAIN = {
    "TEXT": "您好，订单 ORDER-42 已退款。",
    "IMAGE": "[Image]",
    "LINK": "查看退款规则 (https://shop.example.com/orders/42)",
    "FAQ_LIST": "You may want to ask: 多久到账？",
    "BUTTON": "[联系客服]",
    "BUTTON_GROUP": "[已解决] [未解决]",
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_plain_text_line(kind):
    with translation.override("en"):
        assert block_plain_text(example_blocks()[kind]) == PLAIN[kind]


def test_plain_text_survives_stored_blocks_of_any_shape():
    assert block_plain_text({"type": "CAROUSEL"}) == "[CAROUSEL]"
    assert block_plain_text({"type": "TEXT", "text": "not an object"}) == ""
    assert block_plain_text({"type": "BUTTON_GROUP", "button_group": {"buttons": [1, {}]}}) == "[]"
    assert block_plain_text("TEXT") == ""
    with translation.override("zh-hans"):
        assert block_plain_text(example_blocks()["IMAGE"]) == "[图片]"


def test_the_browser_gets_the_schema_of_what_it_edits():
    plain = json.loads(message_schema("plain"))
    message = json.loads(message_schema("message"))

    assert plain["properties"]["response_content"]["maxLength"] == 500
    assert "x-consoleLimit" not in plain["properties"]["response_content"]  # WeChat Pay's limit
    assert message["$defs"]["TextContent"]["properties"]["text"]["x-consoleLimit"] is True
    assert message == json.loads(message_schema("template")) == normal_message_json_schema()
