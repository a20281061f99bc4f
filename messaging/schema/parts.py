"""What the NormalMessage blocks share: the strict base model, the enums and the action.

A block kind (:mod:`messaging.schema.blocks`) builds its own content model from these parts; the
message itself (:mod:`messaging.schema.models`) is put together from the registered kinds.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationInfo, field_validator

from .limits import WECHAT_MEDIA_ID_MAX_BYTES
from .rules import Text, custom_error


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def optional(**kwargs: Any) -> Any:
    """An optional field: absent (or null) by default, never serialized when absent."""
    return Field(default=None, **kwargs)


class ActionType(StrEnum):
    SEND_MESSAGE = "ACTION_TYPE_SEND_MESSAGE"
    JUMP_URL = "ACTION_TYPE_JUMP_URL"
    JUMP_MINI_PROGRAM = "ACTION_TYPE_JUMP_MINI_PROGRAM"


class TextColor(StrEnum):
    DEFAULT = "DEFAULT"
    SECONDARY = "SECONDARY"


class ImageStyle(StrEnum):
    NARROW = "IMAGE_STYLE_TYPE_NARROW"
    WIDE = "IMAGE_STYLE_TYPE_WIDE"


class ButtonLayout(StrEnum):
    UNKNOWN = "LAYOUT_UNKNOWN"
    HORIZONTAL = "LAYOUT_HORIZONTAL"
    VERTICAL = "LAYOUT_VERTICAL"


MediaId = Annotated[str, Text(WECHAT_MEDIA_ID_MAX_BYTES, unit="bytes")]
AppId = Annotated[str, Text(32, kind="appid")]
Rfc3339 = Annotated[str, Text(25, kind="rfc3339")]
ActionJumpUrl = Annotated[str, Text("action_jump_url_max_bytes", unit="bytes", kind="https_url")]
ClickCustomData = Annotated[
    str, Text("message_info_custom_data_max_bytes", unit="bytes", allow_blank=True)
]


def one_of_json_schema(
    discriminator: str, targets: dict[Any, str], kinds: dict[str, str]
) -> dict[str, Any]:
    # "The sub-object named by the type, and no other", for the browser: if the discriminator is X,
    # X's key is required (and not null) and every other one is absent or null.
    return {
        "allOf": [
            {
                "if": {
                    "properties": {discriminator: {"const": str(value)}},
                    "required": [discriminator],
                },
                "then": {
                    "required": [own],
                    "properties": {
                        key: {"type": kinds[key] if key == own else "null"}
                        for key in targets.values()
                    },
                },
            }
            for value, own in targets.items()
        ]
    }


class MiniProgramJumpInfo(Strict):
    appid: AppId
    path: Annotated[str, Text("mini_program_path_max_chars")]
    text: Annotated[str, Text("mini_program_text_max_chars")] | None = optional()


class MessageInfo(Strict):
    content: Annotated[str, Text("message_info_content_max_chars")]
    custom_data: ClickCustomData | None = optional()


ACTION_TARGET: dict[ActionType, str] = {
    ActionType.SEND_MESSAGE: "message_info",
    ActionType.JUMP_URL: "jump_url",
    ActionType.JUMP_MINI_PROGRAM: "mini_program_jump_info",
}


class Action(Strict):
    model_config = ConfigDict(
        json_schema_extra=one_of_json_schema(
            "action_type",
            ACTION_TARGET,
            {"message_info": "object", "jump_url": "string", "mini_program_jump_info": "object"},
        )
    )

    action_type: ActionType
    jump_url: ActionJumpUrl | None = optional(validate_default=True)
    mini_program_jump_info: MiniProgramJumpInfo | None = optional(validate_default=True)
    message_info: MessageInfo | None = optional(validate_default=True)
    action_id: Annotated[str, Text("action_id_max_chars")] | None = optional()

    @field_validator(*ACTION_TARGET.values(), mode="before")
    @classmethod
    def _target_matches_type(cls, value: Any, info: ValidationInfo) -> Any:
        action_type = info.data.get("action_type")
        if action_type is None:  # action_type itself is invalid: already reported
            return value
        if info.field_name == ACTION_TARGET[action_type]:
            if value is None:
                raise custom_error("missing")
        elif value is not None:
            raise custom_error("action_target_mismatch", action_type=action_type.value)
        return value


class InvalidInfo(Strict):
    expired_time: Rfc3339 | None = optional()
    multi_clickable: StrictBool | None = optional()
