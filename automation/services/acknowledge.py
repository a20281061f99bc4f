"""Automatic acknowledgements: a matching rule answers a newly arrived complaint at once.

Runs inside the ingesting transaction (complaints' `on_complaint_ingested`), which holds the
complaint row locked. The AutoReply row (unique per rule and complaint) and the reply row are
written together, so a webhook follow-up and a sync seeing the same complaint at the same
moment send one reply; the reply's idempotent_id is derived from rule and complaint as well.
"""

from __future__ import annotations

import logging
import uuid

from django.db import IntegrityError, transaction

from automation.models import AutoReply, AutoReplyRule
from automation.services.rules import RuleReplyError, rule_applies_now, rule_matches, rule_reply_for
from complaints.models import Complaint
from messaging.services.replies import reply_submit

logger = logging.getLogger(__name__)
AUTO_REPLY_NAMESPACE = uuid.UUID("6f1b7a52-3c4e-4d0f-9a57-2b1e5b0c7d11")


def auto_reply_idempotent_id(rule: AutoReplyRule, complaint: Complaint) -> uuid.UUID:
    """The same rule on the same complaint always yields the same id (belt and braces)."""
    return uuid.uuid5(AUTO_REPLY_NAMESPACE, f"rule:{rule.pk}:complaint:{complaint.complaint_id}")


def matching_rules(complaint: Complaint) -> list[AutoReplyRule]:
    """The switched-on rules of the complaint's merchant that match it, by priority."""
    rules = AutoReplyRule.objects.filter(merchant_id=complaint.merchant_id, enabled=True)
    return [
        rule
        for rule in rules.select_related("template").order_by("priority", "id")
        if rule_applies_now(rule, complaint) and rule_matches(rule, complaint)
    ]


def complaint_auto_acknowledge(*, complaint: Complaint) -> AutoReply | None:
    """Send the first matching rule's reply if the complaint is still unanswered and no rule has
    acknowledged it yet. A rule whose reply cannot be sent for this complaint is recorded as
    skipped and the next matching rule is tried. Returns the last AutoReply written now (the
    one sent, or the last skipped), or None."""
    with transaction.atomic():
        locked = (
            Complaint.objects.select_for_update().select_related("merchant").get(pk=complaint.pk)
        )
        if locked.complaint_state != Complaint.State.PENDING:
            return None
        fired_before = AutoReply.objects.filter(complaint=locked)
        if fired_before.filter(outcome=AutoReply.Outcome.SUBMITTED).exists():
            return None  # one acknowledgement per complaint, whichever rule sent it
        tried = set(fired_before.values_list("rule_id", flat=True))
        fired = None
        for rule in matching_rules(locked):
            if rule.pk in tried:
                continue
            fired = _fire(rule, locked)
            if fired is None or fired.outcome == AutoReply.Outcome.SUBMITTED:
                break
    if fired is not None and fired.reply_id:
        complaint.activity_version = locked.activity_version + 1
    return fired


def _fire(rule: AutoReplyRule, complaint: Complaint) -> AutoReply | None:
    """Record this rule as fired on the complaint and submit its reply (or record why not).
    None when another process fired it first."""
    try:
        with transaction.atomic():
            fired = AutoReply.objects.create(
                rule=rule, complaint=complaint, outcome=AutoReply.Outcome.SUBMITTED
            )
    except IntegrityError:
        return None
    try:
        body = rule_reply_for(rule, complaint)
    except RuleReplyError as exc:
        logger.warning("rule %s cannot answer complaint %s: %s", rule.pk, complaint.pk, exc)
        fired.outcome, fired.error = AutoReply.Outcome.SKIPPED, str(exc)[:2000]
        fired.save(update_fields=["outcome", "error"])
        return fired
    fired.reply = reply_submit(
        complaint=complaint,
        author=None,
        endpoint=body.endpoint,
        payload=body.payload,
        idempotent_id=auto_reply_idempotent_id(rule, complaint),
        is_automatic=True,
    )
    fired.save(update_fields=["reply"])
    return fired
