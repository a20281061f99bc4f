"""Sending what the agent composed: one change, in one transaction — the reply row with the exact
WeChat Pay body, and the agent's draft gone. Either both happen or neither does."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from complaints.models import Complaint
from messaging.models import Draft, Reply
from messaging.services.drafts import draft_clear, draft_kind_for
from messaging.services.replies import reply_submit


def wechat_body(
    complaint: Complaint, payload: dict[str, Any], idempotent_id: uuid.UUID
) -> tuple[str, dict[str, Any]]:
    """The endpoint and the body WeChat Pay takes for this kind of complaint (§3.4, §3.5)."""
    if draft_kind_for(complaint) == Draft.Kind.MESSAGE:
        body = {
            "complainted_mchid": complaint.complainted_mchid,
            "message": payload,
            "idempotent_id": str(idempotent_id),
        }
        return Reply.Endpoint.IMMEDIATE, body
    return Reply.Endpoint.RESPONSE, {"complainted_mchid": complaint.complainted_mchid, **payload}


def composer_send(
    *,
    complaint: Complaint,
    author: Any,
    payload: dict[str, Any],
    idempotent_id: uuid.UUID,
    seen_activity_version: int,
) -> Reply:
    """Queue the agent's reply (`payload`: the validated content in WeChat's format) and clear
    their draft. Raises StaleReplyError when something arrived since `seen_activity_version`,
    DuplicateIdempotencyError when the id belongs to another reply; the draft stays then."""
    endpoint, body = wechat_body(complaint, payload, idempotent_id)
    with transaction.atomic():
        reply = reply_submit(
            complaint=complaint,
            author=author,
            endpoint=endpoint,
            payload=body,
            idempotent_id=idempotent_id,
            seen_activity_version=seen_activity_version,
        )
        draft_clear(complaint=complaint, author=author)
    return reply
