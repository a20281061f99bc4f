"""Where a complaint's searchable text comes from: its own text, WeChat's negotiation history
(consumer and platform messages, merchant replies), internal notes, and whatever a higher app
registers (messaging registers the console's replies, so complaints never imports messaging).

Every source is read for many complaints at once: one query each, whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from complaints.models import Complaint, HistoryEntry, TimelineEvent

COMPLAINT, MESSAGE, REPLY, NOTE = "complaint", "message", "reply", "note"
KINDS = (COMPLAINT, MESSAGE, REPLY, NOTE)
MERCHANT_TYPES = frozenset({"MERCHANT_RESPONSE", "MERCHANT_CONFIRM_COMPLETE"})
MESSAGE_TEXT_KEYS = frozenset({"text", "faq_title", "content"})


@dataclass(frozen=True)
class Source:
    kind: str  # one of KINDS
    text: str


# fn(complaint pks) -> (complaint pk, kind, text) for each text it holds; one query.
SourceProvider = Callable[[list[int]], Iterable[tuple[int, str, str]]]
_providers: list[SourceProvider] = []


def search_source_register(provider: SourceProvider) -> None:
    """Add a source of searchable text (called from an AppConfig.ready())."""
    if provider not in _providers:
        _providers.append(provider)


def message_text(message: Any) -> str:
    """The words of a NormalMessage-shaped dict (blocks' text, link and button labels, FAQ
    titles, the text a button sends), in order."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in MESSAGE_TEXT_KEYS and isinstance(item, str):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(message)
    return "\n".join(found)


HISTORY_COLUMNS = (
    "complaint_id", "operate_type", "operate_details", "normal_message", "click_message",
    "user_appy_platform_service_reason", "user_appy_platform_service_reason_description",
)  # fmt: skip


def _history_text(details, normal_message, click_message, reason, description) -> str:
    parts = [details, message_text(normal_message)]
    if isinstance(click_message, dict):
        parts.append(str(click_message.get("message_content") or ""))
    parts += [reason, description]
    return "\n".join(part for part in parts if part)


def complaint_own_text(complaint: Complaint) -> str:
    return "\n".join(p for p in (complaint.problem_description, complaint.complaint_detail) if p)


def sources_for(complaints: list[Complaint]) -> dict[int, list[Source]]:
    """Each complaint's searchable texts, in the order a reader meets them: the complaint, the
    history, the console's replies, the notes. 2 + one query per registered provider."""
    found: dict[int, list[Source]] = defaultdict(list)
    pks = [complaint.pk for complaint in complaints]
    for complaint in complaints:
        found[complaint.pk].append(Source(COMPLAINT, complaint_own_text(complaint)))
    if not pks:
        return found
    history = (
        HistoryEntry.objects.filter(complaint_id__in=pks)
        .order_by("operate_time", "id")
        .values_list(*HISTORY_COLUMNS)
    )
    for pk, operate_type, *texts in history:  # tuples: 10x cheaper than model instances
        kind = REPLY if operate_type in MERCHANT_TYPES else MESSAGE
        found[pk].append(Source(kind, _history_text(*texts)))
    for provider in _providers:
        for pk, kind, text in provider(pks):
            found[pk].append(Source(kind, text))
    notes = TimelineEvent.objects.filter(complaint_id__in=pks, kind=TimelineEvent.Kind.NOTE)
    for pk, data in notes.order_by("created_at", "id").values_list("complaint_id", "data"):
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            found[pk].append(Source(NOTE, data["text"]))
    return found
