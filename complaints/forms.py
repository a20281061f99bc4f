"""Forms of the complaint pages: parse input, nothing more."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _


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

    def __init__(self, *args, reject_only: bool = False, **kwargs) -> None:
        """`reject_only`: the console approves this request together with its refund (the
        order panel's "Approve and refund"), so this form only rejects."""
        super().__init__(*args, **kwargs)
        self.reject_only = reject_only
        if reject_only:
            action = self.fields["action"]
            action.choices = [("REJECT", _("Reject refund"))]
            action.initial = "REJECT"
            action.error_messages["invalid_choice"] = _(
                'Approve this request with its refund: "Approve and refund" in "Order and refunds".'
            )
            del self.fields["launch_refund_day"]
