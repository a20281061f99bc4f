"""NormalMessage validation: the result object, the WeChat payload, error paths, and no Django
needed."""

import subprocess
import sys
from pathlib import Path

from messaging.schema import ValidationResult, to_wechat_payload, validate_normal_message
from messaging.schema.errors import dotted_path
from tests.messaging.schema_payloads import (
    block,
    english,  # noqa: F401 (autouse: messages in English)
    message,
    set_at,
)

# --- results, payloads and paths --------------------------------------------------------------


def test_a_failed_validation_has_no_message_and_groups_errors_by_path():
    payload = message(set_at(block("TEXT"), "text.text", "😀\x00"), custom_data=1)

    result = validate_normal_message(payload)

    assert isinstance(result, ValidationResult)
    assert result.message is None and not result.ok
    assert result.errors_by_path() == {
        "blocks.0.text.text": ["4-byte characters such as emoji are not supported: 😀"],
        "custom_data": ["Must be text."],
    }


def test_the_wechat_payload_omits_every_absent_field_and_keeps_false():
    payload = message(
        {"type": "LINK", "link": {"text": "规则", "action": {
            "action_type": "ACTION_TYPE_JUMP_URL", "jump_url": "https://a.cn"},
            "invalid_info": {"multi_clickable": False}}},
    )  # fmt: skip

    sent = to_wechat_payload(validate_normal_message(payload).message)

    assert sent == payload
    assert sent["blocks"][0]["link"]["invalid_info"] == {"multi_clickable": False}


def test_the_wechat_payload_is_plain_json_with_enum_values_as_strings():
    result = validate_normal_message(message(block("BUTTON"), sender_identity="MACHINE"))

    sent = to_wechat_payload(result.message)

    assert type(sent["sender_identity"]) is str and sent["sender_identity"] == "MACHINE"
    assert type(sent["blocks"][0]["type"]) is str


def test_error_paths_are_dotted_with_zero_based_indices_and_empty_for_the_root():
    assert dotted_path(("blocks", 2, "button", "action", "jump_url")) == (
        "blocks.2.button.action.jump_url"
    )
    assert dotted_path(()) == ""


def test_importing_the_schema_needs_no_django_settings():
    code = (
        "from django.conf import settings; import messaging.schema as s;"
        "r = s.validate_normal_message({'blocks': [{'type': 'TEXT', 'text': {'text': '😀'}}]});"
        "assert not settings.configured; print(r.errors)"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": "."}  # no DJANGO_SETTINGS_MODULE
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=repo, check=True
    )

    assert "4-byte characters such as emoji are not supported" in out.stdout
