"""The points where a complaint's news reaches the apps above complaints.

Ingestion calls `on_complaint_ingested` once per complaint whose WeChat fields or history changed;
the work services (claim, assign) and messaging's replies (submitted, delivered) call
`on_complaint_handled`. Both run inside the caller's transaction (schedule side effects with
transaction.on_commit). The apps above (automation) subscribe in their AppConfig.ready(), so
this module imports none of them: apps depend one way, news travels the other.
"""

from __future__ import annotations

from collections.abc import Callable

from complaints.models import Complaint

IngestedReceiver = Callable[..., None]  # (*, complaint: Complaint, created: bool)
HandledReceiver = Callable[..., None]  # (*, complaint_id: int)

_ingested: list[IngestedReceiver] = []
_handled: list[HandledReceiver] = []


def hooks_subscribe(
    *, ingested: IngestedReceiver | None = None, handled: HandledReceiver | None = None
) -> None:
    """Register receivers (once each, however often an app's ready() runs)."""
    for receivers, receiver in ((_ingested, ingested), (_handled, handled)):
        if receiver is not None and receiver not in receivers:
            receivers.append(receiver)


def on_complaint_ingested(complaint: Complaint, created: bool) -> None:
    """A complaint arrived (`created`) or changed: automation (auto-acknowledgement rules,
    agents' alerts) reacts inside the ingesting transaction."""
    for receiver in _ingested:
        receiver(complaint=complaint, created=created)


def on_complaint_handled(*, complaint_id: int) -> None:
    """Someone dealt with the complaint: claimed or assigned it, submitted a reply, or WeChat
    accepted a reply or "processed". Agents' alerts whose reason is gone clear themselves."""
    for receiver in _handled:
        receiver(complaint_id=complaint_id)
