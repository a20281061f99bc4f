"""Forms of the complaint pages: parse input, nothing more."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from complaints.search.text import MAX_QUERY_CHARS
from complaints.selectors import QUEUE_VIEWS, QueueFilters

VIEW_LABELS = {
    "open": _("All open"),
    "immediate": _("Needs immediate service"),
    "new_message": _("New user message"),
    "due_soon": _("Due soon"),
    "mine": _("Mine"),
    "unassigned": _("Unassigned"),
    "processing": _("Processing"),
    "done": _("Done"),
}
PROBLEM_TYPES = [
    ("", _("Any problem type")),
    ("REFUND", _("Refund requested")),
    ("SERVICE_NOT_WORK", _("Service not working")),
    ("OTHERS", _("Other")),
]


class QueueFilterForm(forms.Form):
    view = forms.ChoiceField(choices=[(v, VIEW_LABELS[v]) for v in QUEUE_VIEWS], required=False)
    merchant = forms.TypedChoiceField(label=_("Merchant"), required=False, coerce=int)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any state")), *Complaint.State.choices],
    )
    problem_type = forms.ChoiceField(label=_("Problem type"), required=False, choices=PROBLEM_TYPES)
    refund = forms.BooleanField(label=_("Refund requested"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # No max_length: a pasted essay must not drop the other filters (the form would be
    # invalid); the search reads its first MAX_QUERY_CHARS characters.
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "maxlength": MAX_QUERY_CHARS,
                "placeholder": _("Complaint ID, order number, phone suffix or text"),
            }
        ),
    )

    def __init__(self, *args, merchants=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merchant"].choices = [("", _("All merchants"))] + [
            (m.pk, str(m)) for m in merchants
        ]

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:MAX_QUERY_CHARS]

    def filters(self) -> QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return QueueFilters(
            view=data.get("view") or "open",
            merchant_id=data.get("merchant") or None,
            state=data.get("state") or "",
            problem_type=data.get("problem_type") or "",
            refund_requested=bool(data.get("refund")),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=data.get("q") or "",
        )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=4000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("Only colleagues see this; never sent to WeChat")}
        ),
    )


class AssignForm(forms.Form):
    assignee = forms.IntegerField(widget=forms.HiddenInput)


class CompleteForm(forms.Form):
    idempotent_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    confirm = forms.BooleanField(
        label=_("I have resolved this complaint and want to mark it as processed"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class RefundForm(forms.Form):
    idempotent_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    action = forms.ChoiceField(
        label=_("Refund decision"),
        choices=[("APPROVE", _("Approve refund")), ("REJECT", _("Reject refund"))],
        widget=forms.RadioSelect,
    )
    launch_refund_day = forms.IntegerField(
        label=_("Working days until the refund is launched"),
        required=False,
        min_value=0,
        max_value=30,
    )
    reject_reason = forms.CharField(label=_("Reason for rejecting"), required=False, max_length=200)
    remark = forms.CharField(label=_("Note to WeChat Pay support"), required=False, max_length=200)
    confirm = forms.BooleanField(
        label=_("I confirm this refund decision"),
        error_messages={"required": _("Tick the box to confirm.")},
    )
