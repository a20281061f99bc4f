"""News of refunds for the apps above (automation's supervisor alerts). Receivers run inside the
caller's transaction; refunds imports none of them (they subscribe in their AppConfig.ready())."""

from __future__ import annotations

from collections.abc import Callable

Receiver = Callable[..., None]  # (*, refund: Refund)

_awaiting: list[Receiver] = []
_decided: list[Receiver] = []


def refund_hooks_subscribe(
    *, awaiting: Receiver | None = None, decided: Receiver | None = None
) -> None:
    for receivers, receiver in ((_awaiting, awaiting), (_decided, decided)):
        if receiver is not None and receiver not in receivers:
            receivers.append(receiver)


def on_refund_awaiting_approval(refund) -> None:
    """A refund above the agent's limit waits: supervisors are alerted."""
    for receiver in _awaiting:
        receiver(refund=refund)


def on_refund_decided(refund) -> None:
    """A supervisor approved or declined it: the alerts for it clear."""
    for receiver in _decided:
        receiver(refund=refund)
