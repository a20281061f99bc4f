"""Reply templates: a merchant's reusable block lists with ``{{ variable }}`` placeholders.

Variables are filled when a template is inserted into a composer. A placeholder whose variable is
unknown, or known but without a value for this complaint, stays in the text as written: the editor
and the preview mark it as a gap, and the schema refuses to send it (the agent writes the words).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from console.services import audit_record
from merchants.models import Merchant
from messaging.models import ReplyTemplate
from messaging.schema import ValidationResult, validate_normal_message
from messaging.schema.rules import PLACEHOLDER


def _fen_to_yuan(fen: int | None) -> str | None:
    return None if fen is None else f"{fen / 100:.2f}"


def _hours_since(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return str(max(0, int((timezone.now() - moment).total_seconds() // 3600)))


def _local_time(moment: datetime | None) -> str | None:
    return None if moment is None else timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# name -> (label for the template editor, value for a complaint, sample used to validate templates)
VARIABLES: dict[str, tuple[Any, Callable[[Complaint], str | None], str]] = {
    "complaint_id": (_("Complaint ID"), lambda c: c.complaint_id, "200000020260101000000000001"),
    "order_number": (_("Merchant order number"), lambda c: c.out_trade_no or None, "ORDER123456"),
    "transaction_id": (
        _("Transaction ID"),
        lambda c: c.transaction_id or None,
        "4200000000202601010000000001",
    ),
    "amount": (_("Order amount (yuan)"), lambda c: _fen_to_yuan(c.amount), "12.34"),
    "refund_amount": (
        _("Refund requested (yuan)"),
        lambda c: _fen_to_yuan(c.apply_refund_amount),
        "12.34",
    ),
    "hours_waited": (_("Hours waited"), lambda c: _hours_since(c.complaint_time), "5"),
    "complaint_time": (_("Complaint time"), lambda c: _local_time(c.complaint_time), "2026-01-01"),
    "problem": (_("Problem"), lambda c: c.problem_description or None, "problem"),
    "merchant_name": (_("Merchant name"), lambda c: c.merchant.name or None, "merchant"),
}


def template_variables(complaint: Complaint) -> dict[str, str | None]:
    """Every known variable's value for this complaint (None where the complaint has none)."""
    return {name: value(complaint) for name, (_label, value, _sample) in VARIABLES.items()}


def sample_variables() -> dict[str, str]:
    return {name: sample for name, (_label, _value, sample) in VARIABLES.items()}


def fill_placeholders(value: Any, variables: Mapping[str, str | None]) -> Any:
    """Replace ``{{ name }}`` in every string of a JSON value; unknown or empty ones stay as is."""
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            filled = variables.get(match.group(1))
            return match.group(0) if filled is None else str(filled)

        return PLACEHOLDER.sub(replace, value)
    if isinstance(value, list):
        return [fill_placeholders(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: fill_placeholders(item, variables) for key, item in value.items()}
    return value


def template_blocks_for(*, template: ReplyTemplate, complaint: Complaint) -> list[dict[str, Any]]:
    """The template's blocks with the complaint's values filled in, ready to insert."""
    return fill_placeholders(template.blocks, template_variables(complaint))


def template_plain_text(blocks: Any) -> str:
    """The text of a template's TEXT blocks, one paragraph each (for /response replies)."""
    texts = []
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, dict) and block.get("type") == "TEXT":
            text = (block.get("text") or {}).get("text")
            if isinstance(text, str) and text.strip():
                texts.append(text.strip())
    return "\n".join(texts)


def template_validate(blocks: Any) -> ValidationResult:
    """Check a template's blocks as they would be sent, with sample values in every placeholder
    (a link like ``https://shop.example/o/{{ order_number }}`` is valid once filled)."""
    return validate_normal_message({"blocks": fill_placeholders(blocks, sample_variables())})


def template_save(
    *,
    merchant: Merchant,
    name: str,
    description: str,
    blocks: list[dict[str, Any]],
    user: Any,
    template: ReplyTemplate | None = None,
    ip: str | None = None,
) -> ReplyTemplate:
    """Create (``template=None``) or update a template; the caller validated the blocks."""
    with transaction.atomic():
        created = template is None
        if created:
            template = ReplyTemplate(merchant=merchant, created_by=user)
        template.merchant = merchant
        template.name = name
        template.description = description
        template.blocks = blocks
        template.updated_by = user
        template.save()
        audit_record(
            action="reply_template.created" if created else "reply_template.updated",
            actor=user,
            ip=ip,
            target_type="reply_template",
            target_id=template.pk,
            mchid=merchant.mchid,
            changes={"name": name, "blocks": len(blocks)},
        )
    return template


class TemplateInUseError(Exception):
    """The template is still chosen by something that sends it (an auto-acknowledgement rule)."""

    def __init__(self, users: list[str]) -> None:
        super().__init__(", ".join(users))
        self.users = users


def template_delete(*, template: ReplyTemplate, user: Any, ip: str | None = None) -> None:
    """Delete a template; refuse while a rule still sends it (the rule would break)."""
    users = [str(obj) for obj in template.auto_rules.all()]
    if users:
        raise TemplateInUseError(users)
    with transaction.atomic():
        audit_record(
            action="reply_template.deleted",
            actor=user,
            ip=ip,
            target_type="reply_template",
            target_id=template.pk,
            mchid=template.merchant.mchid,
            changes={"name": template.name},
        )
        template.delete()
