"""The NormalMessage schema and the plain reply: one definition for drafts, templates and sends.

Public API::

    validate_normal_message(data, limits=None) -> ValidationResult
    validate_plain_reply(data, limits=None) -> ValidationResult
    to_wechat_payload(model) -> dict                              # no nulls, only used sub-objects
    normal_message_json_schema(limits=None) -> dict               # JSON Schema the composer reads
    plain_reply_json_schema(limits=None) -> dict
    limits_from_settings() -> MessageLimits   # settings.MESSAGE_LIMITS over the defaults

Errors are ``(path, message)`` pairs; paths are dotted (``blocks.2.button.action.jump_url``), list
indices count from 0, and ``""`` names the whole payload. See :mod:`messaging.schema.errors`.
The block kinds (their content models, editor and preview templates, plain text) are registered
in :mod:`messaging.schema.blocks`, one module per kind. Importing this package needs no Django
settings.
"""

from .api import (
    normal_message_json_schema,
    plain_reply_json_schema,
    to_wechat_payload,
    validate_normal_message,
    validate_plain_reply,
)
from .errors import ROOT_PATH, ValidationResult
from .limits import (
    DEFAULT_LIMITS,
    WECHAT_CUSTOM_DATA_MAX_BYTES,
    WECHAT_JUMP_URL_MAX_BYTES,
    WECHAT_JUMP_URL_TEXT_MAX_CHARS,
    WECHAT_MEDIA_ID_MAX_BYTES,
    WECHAT_REPLY_CONTENT_MAX_CHARS,
    WECHAT_REPLY_IMAGES_MAX,
    MessageLimits,
    limits_from_settings,
)
from .models import (
    ACTION_TARGET,
    BLOCK_CONTENT,
    Action,
    ActionType,
    Block,
    BlockType,
    ButtonLayout,
    ImageStyle,
    NormalMessage,
    PlainReply,
    SenderIdentity,
    TextColor,
)

__all__ = [
    "ACTION_TARGET",
    "BLOCK_CONTENT",
    "DEFAULT_LIMITS",
    "ROOT_PATH",
    "WECHAT_CUSTOM_DATA_MAX_BYTES",
    "WECHAT_JUMP_URL_MAX_BYTES",
    "WECHAT_JUMP_URL_TEXT_MAX_CHARS",
    "WECHAT_MEDIA_ID_MAX_BYTES",
    "WECHAT_REPLY_CONTENT_MAX_CHARS",
    "WECHAT_REPLY_IMAGES_MAX",
    "Action",
    "ActionType",
    "Block",
    "BlockType",
    "ButtonLayout",
    "ImageStyle",
    "MessageLimits",
    "NormalMessage",
    "PlainReply",
    "SenderIdentity",
    "TextColor",
    "ValidationResult",
    "limits_from_settings",
    "normal_message_json_schema",
    "plain_reply_json_schema",
    "to_wechat_payload",
    "validate_normal_message",
    "validate_plain_reply",
]
