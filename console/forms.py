from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from console.audit_labels import action_choices


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=lambda: [("", _("All actions")), *action_choices()],
    )
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    mchid = forms.CharField(label=_("Merchant ID"), required=False, max_length=64)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ConsoleFormRenderer(TemplatesSetting):
    """One template for every field (`{{ form.x.as_field_group }}`): templates/forms/field.html."""

    field_template_name = "forms/field.html"
