"""What a NormalMessage block kind declares (Wagtail's model: a block owns its schema, its editor
and its preview).

One module per kind builds a :class:`BlockKind`; the registry (:mod:`messaging.schema.blocks`)
lists them, and everything else (validation, the composer's editors and toolbar, the preview, the
timeline and history, exports) reads the registry instead of naming the kinds itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..errors import _translate, gettext_noop

__all__ = ["BlockKind", "action_text", "gettext_noop", "items_of", "text_of", "translate"]


@dataclass(frozen=True)
class BlockKind:
    """One kind of block.

    ``type`` is the block's ``type`` on the wire ("LINK"); ``key`` the sub-object that type
    requires ("link"); ``label`` the English source of its name in the editor and in error places
    (translated when shown: :attr:`title`). ``model`` validates the sub-object. ``editor_template``
    is the body of its card in the composer (inside a scope keyed by ``key``);
    ``preview_template`` shows it as the user sees it (context ``content``: the sub-object).
    ``plain_text`` turns a stored sub-object (possibly malformed: old rows, drafts) into one line
    of text for exports.
    """

    type: str
    key: str
    label: str
    model: type[BaseModel]
    editor_template: str
    preview_template: str
    plain_text: Callable[[dict[str, Any]], str]

    @property
    def title(self) -> str:
        """The kind's name in the active language ("Link" / "链接")."""
        return _translate(self.label)

    def text_of(self, content: Any) -> str:
        """:attr:`plain_text` of a sub-object read from storage, whatever its shape."""
        return self.plain_text(content if isinstance(content, dict) else {})


def translate(text: str) -> str:
    """A gettext_noop-marked source string in the active language (English outside Django)."""
    return _translate(text)


def text_of(content: dict[str, Any], key: str) -> str:
    """A string field of a stored sub-object, "" when absent or not a string."""
    value = content.get(key)
    return value if isinstance(value, str) else ""


def items_of(content: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The object entries of a stored list field (anything else skipped)."""
    value = content.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def action_text(action: Any) -> str:
    """Where a tap leads, as exports show it: " (https://…)" for a link, else nothing."""
    if isinstance(action, dict) and isinstance(action.get("jump_url"), str) and action["jump_url"]:
        return f" ({action['jump_url']})"
    return ""
