"""The console's replies as a source of complaint search text (registered with
complaints.search in MessagingConfig.ready, so complaints never imports messaging)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from complaints.search.sources import REPLY, message_text
from messaging.models import Reply


def reply_text(endpoint: str, payload: Any) -> str:
    """What a reply says to the consumer, as plain text: a rich message's blocks, a plain
    reply's text, a refund rejection's reason."""
    if not isinstance(payload, dict):
        return ""
    if endpoint == Reply.Endpoint.IMMEDIATE:
        return message_text(payload.get("message"))
    if endpoint == Reply.Endpoint.RESPONSE:
        return str(payload.get("response_content") or "")
    if endpoint == Reply.Endpoint.REFUND:
        return str(payload.get("reject_reason") or "")
    return ""


def reply_texts(complaint_pks: list[int]) -> Iterator[tuple[int, str, str]]:
    """(complaint pk, "reply", text) of every reply written on these complaints; one query."""
    replies = (
        Reply.objects.filter(complaint_id__in=complaint_pks)
        .exclude(endpoint=Reply.Endpoint.COMPLETE)
        .order_by("created_at", "id")
        .values_list("complaint_id", "endpoint", "payload")
    )
    for complaint_pk, endpoint, payload in replies:
        text = reply_text(endpoint, payload)
        if text:
            yield complaint_pk, REPLY, text
