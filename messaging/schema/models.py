"""NormalMessage (spec §3.5) and the plain reply (§3.4) as pydantic models.

Unknown keys are refused everywhere (``extra="forbid"``). A ``null`` is read as an absent key, but
:func:`messaging.schema.to_wechat_payload` never writes one: WeChat forbids null (§7.5).
A block carries exactly the sub-object named by its ``type``, an action exactly the target named
by its ``action_type``; anything else is an error at the offending key's path.

The block types and their sub-objects are not listed here: :class:`Block` is put together from
the registered kinds (:mod:`messaging.schema.blocks`), each owning its content model.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, ValidationInfo, create_model, field_validator, model_validator

from .blocks import BLOCKS
from .limits import (
    WECHAT_CUSTOM_DATA_MAX_BYTES,
    WECHAT_JUMP_URL_MAX_BYTES,
    WECHAT_JUMP_URL_TEXT_MAX_CHARS,
    WECHAT_REPLY_CONTENT_MAX_CHARS,
    WECHAT_REPLY_IMAGES_MAX,
)
from .parts import (
    ACTION_TARGET,
    Action,
    ActionType,
    AppId,
    ButtonLayout,
    ImageStyle,
    InvalidInfo,
    MediaId,
    MessageInfo,
    MiniProgramJumpInfo,
    Strict,
    TextColor,
    one_of_json_schema,
    optional,
)
from .rules import Items, Text, custom_error, errors_at

__all__ = [
    "ACTION_TARGET",
    "BLOCK_CONTENT",
    "Action",
    "ActionType",
    "Block",
    "BlockType",
    "ButtonLayout",
    "ImageStyle",
    "InvalidInfo",
    "MessageInfo",
    "MiniProgramJumpInfo",
    "NormalMessage",
    "PlainMiniProgram",
    "PlainReply",
    "SenderIdentity",
    "TextColor",
]


class SenderIdentity(StrEnum):
    UNKNOWN = "UNKNOWN"
    MANUAL = "MANUAL"
    MACHINE = "MACHINE"


ReplyJumpUrl = Annotated[str, Text(WECHAT_JUMP_URL_MAX_BYTES, unit="bytes", kind="https_url")]
MessageCustomData = Annotated[
    str, Text(WECHAT_CUSTOM_DATA_MAX_BYTES, unit="bytes", allow_blank=True)
]

# The registered kinds, in the registry's order: "TEXT", "IMAGE"...
BlockType = StrEnum("BlockType", [(kind.type, kind.type) for kind in BLOCKS])  # type: ignore[misc]
BLOCK_CONTENT: dict[BlockType, str] = {BlockType(kind.type): kind.key for kind in BLOCKS}


class _BlockType(Strict):
    model_config = ConfigDict(
        json_schema_extra=one_of_json_schema(
            "type", BLOCK_CONTENT, dict.fromkeys(BLOCK_CONTENT.values(), "object")
        )
    )

    type: BlockType


def _content_matches_type(cls: type, value: Any, info: ValidationInfo) -> Any:
    block_type = info.data.get("type")
    if block_type is None:  # type itself is invalid: already reported
        return value
    if info.field_name == BLOCK_CONTENT[block_type]:
        if value is None:
            raise custom_error("missing")
    elif value is not None:
        raise custom_error("block_content_mismatch", block_type=block_type.value)
    return value


# {"type": ..., "<key>": <the kind's content>} with one optional key per registered kind; the
# validator (run for every key, present or not) demands the type's own key and refuses the others.
Block = create_model(
    "Block",
    __base__=_BlockType,
    __validators__={
        "_content_matches_type": field_validator(*BLOCK_CONTENT.values(), mode="before")(
            classmethod(_content_matches_type)
        )
    },
    **{kind.key: (kind.model | None, optional(validate_default=True)) for kind in BLOCKS},
)


class NormalMessage(Strict):
    """The ``message`` object of /response-immediate-service (spec §3.5)."""

    blocks: Annotated[list[Block], Items("max_blocks")]  # type: ignore[valid-type]
    sender_identity: SenderIdentity | None = optional()
    custom_data: MessageCustomData | None = optional()


class PlainMiniProgram(Strict):
    """/response mini_program_jump_info: all three members required there (§3.4)."""

    appid: AppId
    path: Annotated[str, Text("mini_program_path_max_chars")]
    text: Annotated[str, Text("mini_program_text_max_chars")]


class PlainReply(Strict):
    """The agent-written part of a /response body (spec §3.4); the caller adds complainted_mchid."""

    response_content: Annotated[str, Text(WECHAT_REPLY_CONTENT_MAX_CHARS)]
    response_images: Annotated[list[MediaId], Items(WECHAT_REPLY_IMAGES_MAX, min=0)] | None = (
        optional()
    )
    jump_url: ReplyJumpUrl | None = optional()
    jump_url_text: Annotated[str, Text(WECHAT_JUMP_URL_TEXT_MAX_CHARS)] | None = optional()
    mini_program_jump_info: PlainMiniProgram | None = optional()

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
