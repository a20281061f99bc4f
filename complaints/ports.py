"""What complaints asks of the app that sends the console's replies (messaging), and of the one
that makes refunds (refunds), which register themselves here in their AppConfig.ready():
complaints imports no app above it, and a reply's effects on the complaint come back through
complaints' own services (services/reply_side.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaints.models import Complaint

# (*, complaint, author, endpoint, payload, idempotent_id) -> the queued reply row
Submit = Callable[..., Any]
# complaint -> (its replies as timeline items, with their live status; the history log_ids
# those replies stand for, so the timeline shows each message once)
TimelineReplies = Callable[[Complaint], tuple[list[Any], set[str]]]


@dataclass(frozen=True)
class ReplySide:
    submit: Submit
    timeline: TimelineReplies
    # an automatic acknowledgement (response endpoints) exists that has not failed
    automatic_open: Callable[[Complaint], bool]
    # which of these log_ids are the console's automatic replies
    automatic_log_ids: Callable[[Complaint, Iterable[str]], set[str]]
    # when the console's human replies (response endpoints) were delivered
    human_delivered_times: Callable[[Complaint], list[datetime]]


def _nobody(*_args: Any, **_kwargs: Any) -> Any:
    raise LookupError("no app sends replies (messaging registers one in its ready())")


_NOBODY = ReplySide(
    submit=_nobody,
    timeline=lambda complaint: ([], set()),
    automatic_open=lambda complaint: False,
    automatic_log_ids=lambda complaint, log_ids: set(),
    human_delivered_times=lambda complaint: [],
)
_side: list[ReplySide] = [_NOBODY]


def reply_side_register(side: ReplySide) -> None:
    """Called from the replying app's AppConfig.ready() (a later call replaces the earlier)."""
    _side[0] = side


def reply_side() -> ReplySide:
    return _side[0]


# complaint -> whether approving its refund request goes together with the refund itself, made
# by the app that makes refunds (refunds registers this); the complaint's own form only rejects.
_approves_with_refund: list[Callable[[Complaint], bool]] = [lambda complaint: False]


def refund_approval_register(approves_with_refund: Callable[[Complaint], bool]) -> None:
    """Called from the refunding app's AppConfig.ready()."""
    _approves_with_refund[0] = approves_with_refund


def approves_with_refund(complaint: Complaint) -> bool:
    return _approves_with_refund[0](complaint)
