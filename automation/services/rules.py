"""Auto-acknowledgement rules: matching a complaint, building the reply, saving, dry runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from automation.models import AutoReplyRule
from complaints.models import Complaint
from console.services import audit_record
from messaging.models import Reply
from messaging.schema import to_wechat_payload, validate_normal_message, validate_plain_reply
from messaging.services.templates import (
    fill_placeholders,
    sample_variables,
    template_blocks_for,
    template_plain_text,
    template_variables,
)

Flag = AutoReplyRule.Flag
Hours = AutoReplyRule.Hours
KEYWORD_SEPARATORS = re.compile(r"[\n,，、;；]+")
# A complaint created shortly before its rule was switched on is still "arriving".
ARRIVAL_GRACE = timedelta(minutes=15)
DRY_RUN_DAYS = 30
DRY_RUN_SCAN_LIMIT = 5000


def rule_keywords(rule: AutoReplyRule) -> list[str]:
    return [word.strip() for word in KEYWORD_SEPARATORS.split(rule.keywords) if word.strip()]


def _flag_matches(flag: str, value: bool) -> bool:
    return flag == Flag.ANY or (flag == Flag.YES) == value


def refund_requested(complaint: Complaint) -> bool:
    return complaint.problem_type == "REFUND" or bool(complaint.apply_refund_amount)


def within_working_hours(rule: AutoReplyRule, moment: datetime) -> bool:
    """Working hours in the console's time zone (Asia/Shanghai); a range may cross midnight."""
    local = timezone.localtime(moment)
    clock = local.time()
    start, end = rule.work_start, rule.work_end
    if start <= end:
        day, inside = local.weekday(), start <= clock < end
    else:  # e.g. 22:00-06:00: after midnight belongs to the previous day's shift
        after_midnight = clock < end
        day = (local - timedelta(days=1)).weekday() if after_midnight else local.weekday()
        inside = clock >= start or after_midnight
    return inside and day in (rule.work_days or [])


def rule_matches(rule: AutoReplyRule, complaint: Complaint) -> bool:
    """Every condition of the rule holds for the complaint as it arrived (pure, no queries).
    Working hours are judged at the complaint's creation time."""
    if complaint.merchant_id != rule.merchant_id:
        return False
    if not _flag_matches(rule.immediate, complaint.need_immediate_service):
        return False
    if rule.problem_types and complaint.problem_type not in rule.problem_types:
        return False
    if not _flag_matches(rule.refund, refund_requested(complaint)):
        return False
    words = rule_keywords(rule)
    if words:
        text = f"{complaint.complaint_detail}\n{complaint.problem_description}".casefold()
        if not any(word.casefold() in text for word in words):
            return False
    if rule.hours != Hours.ANY:
        inside = within_working_hours(rule, complaint.complaint_time)
        if inside != (rule.hours == Hours.INSIDE):
            return False
    return True


def rule_applies_now(rule: AutoReplyRule, complaint: Complaint) -> bool:
    """Switched on, and the complaint arrived after that (older ones are the dry run's)."""
    if not rule.enabled or rule.enabled_at is None:
        return False
    return complaint.complaint_time >= rule.enabled_at - ARRIVAL_GRACE


# --- the reply a rule sends --------------------------------------------------------------------


class RuleReplyError(ValueError):
    """The rule's reply for this complaint is not sendable (explained for the supervisor)."""


@dataclass(frozen=True)
class RuleReply:
    endpoint: str
    payload: dict[str, Any]


def _errors_text(errors: list[tuple[str, str]]) -> str:
    return "; ".join(f"{path or '-'}: {message}" for path, message in errors)


def rule_reply_for(rule: AutoReplyRule, complaint: Complaint) -> RuleReply:
    """The body to submit: a MACHINE NormalMessage from the template for immediate-service
    complaints, the plain text otherwise. Raises RuleReplyError when it would not validate."""
    if complaint.need_immediate_service:
        blocks = template_blocks_for(template=rule.template, complaint=complaint)
        result = validate_normal_message({"blocks": blocks, "sender_identity": "MACHINE"})
        if not result.ok:
            raise RuleReplyError(_errors_text(result.errors))
        body = {"complainted_mchid": complaint.complainted_mchid}
        body["message"] = to_wechat_payload(result.message)
        return RuleReply(Reply.Endpoint.IMMEDIATE, body)
    text = rule.response_text or template_plain_text(rule.template.blocks)
    filled = fill_placeholders(text, template_variables(complaint))
    result = validate_plain_reply({"response_content": filled})
    if not result.ok:
        raise RuleReplyError(_errors_text(result.errors))
    body = {"complainted_mchid": complaint.complainted_mchid, **to_wechat_payload(result.message)}
    return RuleReply(Reply.Endpoint.RESPONSE, body)


def rule_content_errors(
    *, template: Any, response_text: str, immediate: str
) -> list[tuple[str, str]]:
    """What would stop the rule's replies, checked with sample values (for the rule form)."""
    errors: list[tuple[str, str]] = []
    samples = sample_variables()
    if immediate != Flag.NO:
        message = {
            "blocks": fill_placeholders(template.blocks, samples),
            "sender_identity": "MACHINE",
        }
        result = validate_normal_message(message)
        errors += (
            [("template", _("Template: %s") % _errors_text(result.errors))] if not result.ok else []
        )
    if immediate != Flag.YES:
        text = response_text or template_plain_text(template.blocks)
        if not text:
            errors.append(
                (
                    "response_text",
                    _("Give the plain reply text, or use a template with text blocks."),
                )
            )
        else:
            result = validate_plain_reply({"response_content": fill_placeholders(text, samples)})
            if not result.ok:
                errors.append(("response_text", _errors_text(result.errors)))
    return errors


# --- saving and switching ------------------------------------------------------------------------

RULE_FIELDS = (
    "name", "priority", "immediate", "problem_types", "refund", "keywords", "hours",
    "work_start", "work_end", "work_days", "template", "response_text",
)  # fmt: skip


def rule_save(
    *, merchant: Any, values: dict[str, Any], user: Any, rule: AutoReplyRule | None = None,
    ip: str | None = None,
) -> AutoReplyRule:  # fmt: skip
    """Create (rule=None, switched off) or update a rule; the form validated the values."""
    with transaction.atomic():
        created = rule is None
        if created:
            rule = AutoReplyRule(merchant=merchant, created_by=user, enabled=False)
        for name in RULE_FIELDS:
            setattr(rule, name, values[name])
        rule.updated_by = user
        rule.save()
        audit_record(
            action="auto_rule.created" if created else "auto_rule.updated",
            actor=user,
            ip=ip,
            target_type="auto_rule",
            target_id=rule.pk,
            mchid=merchant.mchid,
            changes={"name": rule.name, "template_id": rule.template_id},
        )
    return rule


def rule_set_enabled(
    *, rule: AutoReplyRule, enabled: bool, user: Any, ip: str | None = None
) -> AutoReplyRule:
    """Switch a rule on (it answers complaints arriving from now on) or off."""
    with transaction.atomic():
        rule = AutoReplyRule.objects.select_for_update().get(pk=rule.pk)
        if rule.enabled == enabled:
            return rule
        rule.enabled = enabled
        rule.enabled_at = timezone.now() if enabled else None
        rule.updated_by = user
        rule.save(update_fields=["enabled", "enabled_at", "updated_by", "updated_at"])
        audit_record(
            action="auto_rule.enabled" if enabled else "auto_rule.disabled",
            actor=user,
            ip=ip,
            target_type="auto_rule",
            target_id=rule.pk,
            mchid=rule.merchant.mchid,
            changes={"name": rule.name},
        )
    return rule


def rule_delete(*, rule: AutoReplyRule, user: Any, ip: str | None = None) -> None:
    with transaction.atomic():
        audit_record(
            action="auto_rule.deleted",
            actor=user,
            ip=ip,
            target_type="auto_rule",
            target_id=rule.pk,
            mchid=rule.merchant.mchid,
            changes={"name": rule.name},
        )
        rule.delete()


@dataclass(frozen=True)
class DryRun:
    matched: list[Complaint]
    scanned: int
    since: datetime
    truncated: bool


def rule_dry_run(
    *, rule: AutoReplyRule, days: int = DRY_RUN_DAYS, now: datetime | None = None
) -> DryRun:
    """The merchant's complaints of the last `days` that the rule would have matched on arrival
    (newest first). Read only: nothing is sent."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    candidates = (
        Complaint.objects.filter(merchant_id=rule.merchant_id, complaint_time__gte=since)
        .only(
            "pk",
            "merchant_id",
            "complaint_id",
            "complaint_time",
            "complaint_detail",
            "problem_description",
            "problem_type",
            "apply_refund_amount",
            "need_immediate_service",
            "complaint_state",
        )  # fmt: skip
        .order_by("-complaint_time", "-id")
    )
    rows = list(candidates[: DRY_RUN_SCAN_LIMIT + 1])
    truncated = len(rows) > DRY_RUN_SCAN_LIMIT
    rows = rows[:DRY_RUN_SCAN_LIMIT]
    matched = [complaint for complaint in rows if rule_matches(rule, complaint)]
    return DryRun(matched=matched, scanned=len(rows), since=since, truncated=truncated)
