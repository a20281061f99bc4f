"""The rule form: conditions, working hours and what is sent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from automation.models import AutoReplyRule
from automation.services.rules import rule_content_errors
from messaging.models import ReplyTemplate

PROBLEM_TYPES = [
    ("REFUND", _("Refund requested")),
    ("SERVICE_NOT_WORK", _("Service not working")),
    ("OTHERS", _("Other")),
]
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class RuleForm(forms.ModelForm):
    problem_types = forms.MultipleChoiceField(
        label=_("Problem types"),
        choices=PROBLEM_TYPES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any problem type."),
    )
    work_days = forms.TypedMultipleChoiceField(
        label=_("Working days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = AutoReplyRule
        fields = [
            "name", "priority", "immediate", "problem_types", "refund", "keywords", "hours",
            "work_start", "work_end", "work_days", "template", "response_text",
        ]  # fmt: skip
        widgets = {
            "keywords": forms.Textarea(attrs={"rows": 3}),
            "response_text": forms.Textarea(attrs={"rows": 4}),
            "work_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "work_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, merchant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.merchant = merchant
        self.fields["template"].queryset = ReplyTemplate.objects.filter(merchant=merchant)
        self.fields["template"].help_text = _(
            "Sent as an automated message to complaints that need immediate service."
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = AutoReplyRule.objects.filter(merchant=self.merchant, name=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("This merchant already has a rule with this name."))
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        template = data.get("template")
        if data.get("hours", "any") != "any" and not data.get("work_days"):
            self.add_error("work_days", _("Tick at least one working day."))
        if template is not None:
            errors = rule_content_errors(
                template=template,
                response_text=data.get("response_text", ""),
                immediate=data.get("immediate", "any"),
            )
            for field, message in errors:
                self.add_error(field, message)
        return data

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
