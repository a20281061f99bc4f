"""The reply template form: name, description and the block list the composer editor produced."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant
from messaging.models import ReplyTemplate
from messaging.services.templates import template_validate


class ReplyTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    blocks = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, merchant: Merchant, instance: ReplyTemplate | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        self.merchant = merchant
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "description": instance.description,
                    "blocks": json.dumps(instance.blocks, ensure_ascii=False),
                },
            )
        super().__init__(*args, **kwargs)
        self.block_errors: list[tuple[str, str]] = []

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = ReplyTemplate.objects.filter(merchant=self.merchant, name=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This merchant already has a template with this name."))
        return name

    def clean_blocks(self) -> list[dict[str, Any]]:
        raw = self.cleaned_data.get("blocks") or ""
        try:
            content = json.loads(raw) if raw else {"blocks": []}
        except ValueError as exc:
            raise forms.ValidationError(_("The blocks could not be read; try again.")) from exc
        blocks = content.get("blocks") if isinstance(content, dict) else content
        if not isinstance(blocks, list):
            raise forms.ValidationError(_("The blocks could not be read; try again."))
        result = template_validate(blocks)
        if not result.ok:
            self.block_errors = result.errors
            raise forms.ValidationError(
                _("Some blocks are not valid yet: see the messages beside the fields.")
            )
        return blocks
