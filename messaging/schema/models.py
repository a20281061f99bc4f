"""NormalMessage (spec §3.5) and the plain reply (§3.4) as pydantic models.

Unknown keys are refused everywhere (``extra="forbid"``). A ``null`` is read as an absent key, but
:func:`messaging.schema.to_wechat_payload` never writes one: WeChat forbids null (§7.5).
A block carries exactly the sub-object named by its ``type``, an action exactly the target named
by its ``action_type``; anything else is an error at the offending key's path.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .limits import (
    WECHAT_CUSTOM_DATA_MAX_BYTES,
    WECHAT_JUMP_URL_MAX_BYTES,
    WECHAT_JUMP_URL_TEXT_MAX_CHARS,
    WECHAT_MEDIA_ID_MAX_BYTES,
    WECHAT_REPLY_CONTENT_MAX_CHARS,
    WECHAT_REPLY_IMAGES_MAX,
)
from .rules import Items, Text, custom_error, errors_at


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Optional fields: absent (or null) by default, never serialized when absent.
def _optional(**kwargs: Any) -> Any:
    return Field(default=None, **kwargs)


class BlockType(StrEnum):
    TEXT = "TEXT"
    IMAGE = "IMAGE"
    LINK = "LINK"
    FAQ_LIST = "FAQ_LIST"
    BUTTON = "BUTTON"
    BUTTON_GROUP = "BUTTON_GROUP"


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


class SenderIdentity(StrEnum):
    UNKNOWN = "UNKNOWN"
    MANUAL = "MANUAL"
    MACHINE = "MACHINE"


MediaId = Annotated[str, Text(WECHAT_MEDIA_ID_MAX_BYTES, unit="bytes")]
AppId = Annotated[str, Text(32, kind="appid")]
Rfc3339 = Annotated[str, Text(25, kind="rfc3339")]
ActionJumpUrl = Annotated[str, Text("action_jump_url_max_bytes", unit="bytes", kind="https_url")]
ReplyJumpUrl = Annotated[str, Text(WECHAT_JUMP_URL_MAX_BYTES, unit="bytes", kind="https_url")]
ClickCustomData = Annotated[
    str, Text("message_info_custom_data_max_bytes", unit="bytes", allow_blank=True)
]
MessageCustomData = Annotated[
    str, Text(WECHAT_CUSTOM_DATA_MAX_BYTES, unit="bytes", allow_blank=True)
]


class MiniProgramJumpInfo(_Strict):
    appid: AppId
    path: Annotated[str, Text("mini_program_path_max_chars")]
    text: Annotated[str, Text("mini_program_text_max_chars")] | None = _optional()


class MessageInfo(_Strict):
    content: Annotated[str, Text("message_info_content_max_chars")]
    custom_data: ClickCustomData | None = _optional()


def _one_of_json_schema(
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


ACTION_TARGET: dict[ActionType, str] = {
    ActionType.SEND_MESSAGE: "message_info",
    ActionType.JUMP_URL: "jump_url",
    ActionType.JUMP_MINI_PROGRAM: "mini_program_jump_info",
}


class Action(_Strict):
    model_config = ConfigDict(
        json_schema_extra=_one_of_json_schema(
            "action_type",
            ACTION_TARGET,
            {"message_info": "object", "jump_url": "string", "mini_program_jump_info": "object"},
        )
    )

    action_type: ActionType
    jump_url: ActionJumpUrl | None = _optional(validate_default=True)
    mini_program_jump_info: MiniProgramJumpInfo | None = _optional(validate_default=True)
    message_info: MessageInfo | None = _optional(validate_default=True)
    action_id: Annotated[str, Text("action_id_max_chars")] | None = _optional()

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


class InvalidInfo(_Strict):
    expired_time: Rfc3339 | None = _optional()
    multi_clickable: StrictBool | None = _optional()


class TextContent(_Strict):
    text: Annotated[str, Text("text_max_chars")]
    color: TextColor | None = _optional()
    is_bold: StrictBool | None = _optional()


class ImageContent(_Strict):
    media_id: MediaId
    image_style_type: ImageStyle | None = _optional()


class LinkContent(_Strict):
    text: Annotated[str, Text("link_text_max_chars")]
    action: Action
    invalid_info: InvalidInfo | None = _optional()


class Faq(_Strict):
    faq_id: Annotated[str, Text("faq_id_max_chars")] | None = _optional()
    faq_title: Annotated[str, Text("faq_title_max_chars")]
    action: Action


class FaqListContent(_Strict):
    faqs: Annotated[list[Faq], Items("max_faqs_per_list")]


class ButtonContent(_Strict):
    text: Annotated[str, Text("button_text_max_chars")]
    action: Action
    invalid_info: InvalidInfo | None = _optional()


class ButtonGroupContent(_Strict):
    buttons: Annotated[list[ButtonContent], Items("max_buttons_per_group")]
    button_layout: ButtonLayout | None = _optional()
    invalid_info: InvalidInfo | None = _optional()


BLOCK_CONTENT: dict[BlockType, str] = {
    BlockType.TEXT: "text",
    BlockType.IMAGE: "image",
    BlockType.LINK: "link",
    BlockType.FAQ_LIST: "faq_list",
    BlockType.BUTTON: "button",
    BlockType.BUTTON_GROUP: "button_group",
}


class Block(_Strict):
    model_config = ConfigDict(
        json_schema_extra=_one_of_json_schema(
            "type", BLOCK_CONTENT, dict.fromkeys(BLOCK_CONTENT.values(), "object")
        )
    )

    type: BlockType
    text: TextContent | None = _optional(validate_default=True)
    image: ImageContent | None = _optional(validate_default=True)
    link: LinkContent | None = _optional(validate_default=True)
    faq_list: FaqListContent | None = _optional(validate_default=True)
    button: ButtonContent | None = _optional(validate_default=True)
    button_group: ButtonGroupContent | None = _optional(validate_default=True)

    @field_validator(*BLOCK_CONTENT.values(), mode="before")
    @classmethod
    def _content_matches_type(cls, value: Any, info: ValidationInfo) -> Any:
        block_type = info.data.get("type")
        if block_type is None:  # type itself is invalid: already reported
            return value
        if info.field_name == BLOCK_CONTENT[block_type]:
            if value is None:
                raise custom_error("missing")
        elif value is not None:
            raise custom_error("block_content_mismatch", block_type=block_type.value)
        return value


class NormalMessage(_Strict):
    """The ``message`` object of /response-immediate-service (spec §3.5)."""

    blocks: Annotated[list[Block], Items("max_blocks")]
    sender_identity: SenderIdentity | None = _optional()
    custom_data: MessageCustomData | None = _optional()


class PlainMiniProgram(_Strict):
    """/response mini_program_jump_info: all three members required there (§3.4)."""

    appid: AppId
    path: Annotated[str, Text("mini_program_path_max_chars")]
    text: Annotated[str, Text("mini_program_text_max_chars")]


class PlainReply(_Strict):
    """The agent-written part of a /response body (spec §3.4); the caller adds complainted_mchid."""

    response_content: Annotated[str, Text(WECHAT_REPLY_CONTENT_MAX_CHARS)]
    response_images: Annotated[list[MediaId], Items(WECHAT_REPLY_IMAGES_MAX, min=0)] | None = (
        _optional()
    )
    jump_url: ReplyJumpUrl | None = _optional()
    jump_url_text: Annotated[str, Text(WECHAT_JUMP_URL_TEXT_MAX_CHARS)] | None = _optional()
    mini_program_jump_info: PlainMiniProgram | None = _optional()

    @model_validator(mode="after")
    def _one_complete_jump(self) -> PlainReply:
        # "二者缺一不可" (§3.4): the link and its text go together; one way out of the reply.
        problems: list[tuple[str, str]] = []
        if self.jump_url_text is not None and self.jump_url is None:
            problems.append(("jump_url", "link_text_without_url"))
        if self.jump_url is not None and self.jump_url_text is None:
            problems.append(("jump_url_text", "url_without_link_text"))
        if self.jump_url is not None and self.mini_program_jump_info is not None:
            problems.append(("mini_program_jump_info", "one_jump_only"))
        if problems:
            raise errors_at(type(self).__name__, problems)
        return self
