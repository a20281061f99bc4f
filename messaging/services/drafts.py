"""Drafts: an agent's unsent reply on a complaint, saved as they type (one per agent, complaint).

A draft may be half-typed and invalid; it is stored as the composer sent it (bounded in size) and
validated only for the preview and again when sent.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from complaints.models import Complaint
from messaging.models import Draft

# Far above any valid message (20 blocks of a few hundred characters) yet small enough that a
# runaway client cannot fill the database through the autosave endpoint.
DRAFT_MAX_BYTES = 256 * 1024


class DraftTooLargeError(ValueError):
    """The draft is larger than DRAFT_MAX_BYTES once serialised."""


def draft_kind_for(complaint: Complaint) -> str:
    """Immediate-service complaints take a rich NormalMessage; the others a plain /response."""
    return Draft.Kind.MESSAGE if complaint.need_immediate_service else Draft.Kind.PLAIN


def draft_save(*, complaint: Complaint, author: Any, content: dict[str, Any]) -> Draft:
    """Create or replace the author's draft on the complaint; the newest save always wins."""
    if not isinstance(content, dict):
        raise ValueError(_("The reply content must be a JSON object."))
    # allow_nan=False: NaN/Infinity are not JSON and the database refuses them.
    if len(json.dumps(content, ensure_ascii=False, allow_nan=False).encode()) > DRAFT_MAX_BYTES:
        raise DraftTooLargeError(_("The draft is too large to save."))
    if not _storable(content):
        raise ValueError(
            _("The draft contains characters that cannot be saved (NUL or broken text).")
        )
    kind = draft_kind_for(complaint)
    with transaction.atomic():
        draft, created = Draft.objects.select_for_update().get_or_create(
            complaint=complaint,
            author=author,
            defaults={"kind": kind, "content": content, "revision": 1},
        )
        if not created:
            draft.kind = kind
            draft.content = content
            draft.revision = F("revision") + 1
            draft.save(update_fields=["kind", "content", "revision", "saved_at"])
            draft.refresh_from_db(fields=["revision", "saved_at"])
    return draft


def _storable(value: Any) -> bool:
    """PostgreSQL's jsonb cannot hold U+0000 nor unpaired surrogates (valid JSON escapes both)."""
    if isinstance(value, str):
        return "\x00" not in value and not any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, list):
        return all(_storable(item) for item in value)
    if isinstance(value, dict):
        return all(_storable(key) and _storable(item) for key, item in value.items())
    return True


def draft_clear(*, complaint: Complaint, author: Any) -> None:
    """Forget the author's draft (after a successful send, or when they discard it)."""
    Draft.objects.filter(complaint=complaint, author=author).delete()
