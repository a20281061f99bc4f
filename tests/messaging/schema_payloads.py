"""Payloads for the NormalMessage validation tests (tests/messaging/test_schema_*.py): example
blocks, dotted-path edits, and the one-error check."""

import copy

import pytest
from django.utils import translation

from devtools.schema_strategies import example_blocks
from messaging.schema import ActionType

ACTION_CONTAINERS = {  # where an action sits in each block type that has one
    "LINK": "link.action",
    "FAQ_LIST": "faq_list.faqs.0.action",
    "BUTTON": "button.action",
    "BUTTON_GROUP": "button_group.buttons.0.action",
}
ACTIONS = {
    ActionType.SEND_MESSAGE: {"content": "已收到"},
    ActionType.JUMP_URL: "https://example.com/help",
    ActionType.JUMP_MINI_PROGRAM: {"appid": "wx1234567890abcdef", "path": "pages/index"},
}


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in their English source form, whatever translations exist.
    with translation.override("en"):
        yield


def message(*blocks, **fields):
    return {"blocks": list(blocks), **fields}


def block(kind):
    return example_blocks()[kind]


def set_at(payload, path, value):
    """A deep copy of payload with the value at a dotted path replaced (or added)."""
    payload = copy.deepcopy(payload)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = payload
    for key in parents:
        target = target[key]
    target[last] = value
    return payload


def delete_at(payload, path):
    payload = copy.deepcopy(payload)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = payload
    for key in parents:
        target = target[key]
    del target[last]
    return payload


def only_error(result):
    assert not result.ok
    assert len(result.errors) == 1, result.errors
    return result.errors[0]
