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

logger = logging.getLogger(__name__)
AUTO_REPLY_NAMESPACE = uuid.UUID("6f1b7a52-3c4e-4d0f-9a57-2b1e5b0c7d11")


def auto_reply_idempotent_id(rule: AutoReplyRule, complaint: Complaint) -> uuid.UUID:
    """The same rule on the same complaint always yields the same id (belt and braces)."""
    return uuid.uuid5(AUTO_REPLY_NAMESPACE, f"rule:{rule.pk}:complaint:{complaint.complaint_id}")


def matching_rule(complaint: Complaint) -> AutoReplyRule | None:
    """The first switched-on rule (by priority) of the complaint's merchant that matches."""
    rules = AutoReplyRule.objects.filter(merchant_id=complaint.merchant_id, enabled=True)
    for rule in rules.select_related("template").order_by("priority", "id"):
        if rule_applies_now(rule, complaint) and rule_matches(rule, complaint):
            return rule
    return None


def complaint_auto_acknowledge(*, complaint: Complaint) -> AutoReply | None:
    """Send the first matching rule's reply if the complaint is still unanswered and no rule has
    acknowledged it yet. Returns the AutoReply written now, or None."""
    from messaging.services.replies import reply_submit

    with transaction.atomic():
        locked = (
            Complaint.objects.select_for_update().select_related("merchant").get(pk=complaint.pk)
        )
        if locked.complaint_state != Complaint.State.PENDING:
            return None
        if AutoReply.objects.filter(complaint=locked).exists():
            return None  # one acknowledgement per complaint, whichever rule sent it
        rule = matching_rule(locked)
        if rule is None:
            return None
        try:
            with transaction.atomic():
                fired = AutoReply.objects.create(
                    rule=rule, complaint=locked, outcome=AutoReply.Outcome.SUBMITTED
                )
        except IntegrityError:
            return None  # another process fired this rule on this complaint first
        try:
            body = rule_reply_for(rule, locked)
        except RuleReplyError as exc:
            logger.warning("rule %s cannot answer complaint %s: %s", rule.pk, locked.pk, exc)
            fired.outcome, fired.error = AutoReply.Outcome.SKIPPED, str(exc)[:2000]
            fired.save(update_fields=["outcome", "error"])
            return fired
        fired.reply = reply_submit(
            complaint=locked,
            author=None,
            endpoint=body.endpoint,
            payload=body.payload,
            idempotent_id=auto_reply_idempotent_id(rule, locked),
            is_automatic=True,
        )
        fired.save(update_fields=["reply"])
    complaint.activity_version = locked.activity_version + 1
    return fired
