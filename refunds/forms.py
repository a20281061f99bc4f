"""Refund forms. Amounts are typed in yuan (two decimals) and kept as integer fen."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from refunds.services.requests import REASON_MAX


class YuanField(forms.Field):
    """Yuan as typed ("12.50") to integer fen (1250); more than two decimals, a negative amount
    (or zero, unless allowed) or not a number is refused."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": "20"})

    def __init__(self, *args, allow_zero: bool = False, **kwargs) -> None:
        self.allow_zero = allow_zero
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = str(value or "").replace(",", "").replace("¥", "").strip()
        if value in self.empty_values:
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation as exc:
            raise forms.ValidationError(_("Enter an amount in yuan, e.g. 12.50.")) from exc
        if not amount.is_finite() or amount.as_tuple().exponent < -2:
            raise forms.ValidationError(_("Enter an amount in yuan with at most two decimals."))
        if amount < 0 and self.allow_zero:
            raise forms.ValidationError(_("Enter an amount of 0 or more."))
        if amount < 0 or (amount == 0 and not self.allow_zero):
            raise forms.ValidationError(_("Enter an amount above zero."))
        if amount > Decimal("100000000"):
            raise forms.ValidationError(_("This amount is too large."))
        return int(amount * 100)


class RefundForm(forms.Form):
    request_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    seen_refunds = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    amount = YuanField(label=_("Amount (yuan)"))
    reason = forms.CharField(
        label=_("Reason shown to the user"), required=False, max_length=REASON_MAX
    )
    launch_refund_day = forms.IntegerField(
        label=_("Working days until the refund is launched (0 = today)"),
        required=False,
        min_value=0,
        max_value=30,
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why is it declined?"), max_length=200)


class LimitsForm(forms.Form):
    per_refund = YuanField(label=_("An agent may refund alone, per refund (yuan)"), allow_zero=True)
    per_day = YuanField(label=_("An agent may refund alone, per day (yuan)"), allow_zero=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("per_refund", "per_day"):
            self.fields[name].error_messages["required"] = _("Enter an amount (0 means none).")

    def clean_per_refund(self):
        return self.cleaned_data["per_refund"] or 0

    def clean_per_day(self):
        return self.cleaned_data["per_day"] or 0
