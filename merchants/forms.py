from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from console.people import PersonChoiceField
from console.roles import ROLE_LABELS
from merchants.credentials import CredentialError, ParsedCredentials, parse_credentials
from merchants.models import Merchant

MAX_PEM_BYTES = 64 * 1024
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class SecretTextarea(forms.Textarea):
    """Never writes the submitted value back into the page (a form with errors is re-shown
    empty for these fields, so a pasted private key never travels back to the browser)."""

    def format_value(self, value):
        return None


class MerchantForm(forms.ModelForm):
    api_base_url = forms.URLField(
        label=_("API host"),
        assume_scheme="https",
        help_text=_("Production: https://api.mch.weixin.qq.com. A sandbox URL for testing."),
    )
    backup_api_base_url = forms.URLField(
        label=_("Backup API host"),
        assume_scheme="https",
        required=False,
        help_text=_("Production backup: https://api2.mch.weixin.qq.com. Empty for a sandbox."),
    )
    sub_mchids = forms.CharField(
        label=_("Sub-merchant IDs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Service providers only: one sub-merchant ID per line."),
    )

    class Meta:
        model = Merchant
        fields = ["mchid", "name", "kind", "api_base_url", "backup_api_base_url", "active"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["sub_mchids"] = "\n".join(self.instance.sub_mchids)

    def clean_mchid(self) -> str:
        mchid = self.cleaned_data["mchid"].strip()
        if not re.fullmatch(r"\d{6,32}", mchid):
            raise forms.ValidationError(_("A merchant ID is 6 to 32 digits."))
        return mchid

    def clean_sub_mchids(self) -> list[str]:
        ids = [part for part in re.split(r"[\s,]+", self.cleaned_data["sub_mchids"]) if part]
        wrong = [part for part in ids if not re.fullmatch(r"\d{6,32}", part)]
        if wrong:
            raise forms.ValidationError(
                _("Not a merchant ID (6 to 32 digits): %(ids)s") % {"ids": ", ".join(wrong)}
            )
        return list(dict.fromkeys(ids))

    def _clean_host(self, name: str) -> str:
        url = (self.cleaned_data.get(name) or "").rstrip("/")
        if not url:
            return url
        parts = urlsplit(url)
        sandbox = url == settings.SANDBOX_URL.rstrip("/") or parts.hostname in LOCAL_HOSTS
        if parts.scheme != "https" and not sandbox:
            raise forms.ValidationError(_("Use https:// (only a local sandbox may use http://)."))
        if parts.path or parts.query:
            raise forms.ValidationError(_("Enter the host only, without a path or query."))
        return url

    def clean_api_base_url(self) -> str:
        return self._clean_host("api_base_url")

    def clean_backup_api_base_url(self) -> str:
        return self._clean_host("backup_api_base_url")

    def clean(self):
        data = super().clean()
        if data.get("kind") != Merchant.Kind.PROVIDER and data.get("sub_mchids"):
            self.add_error("sub_mchids", _("Only a service provider has sub-merchants."))
        return data


def _pem_field(label, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        widget=SecretTextarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=help_text,
    )


class CredentialForm(forms.Form):
    """A full credential set. Each PEM may be uploaded as a file or pasted."""

    private_key_file = forms.FileField(label=_("Merchant API private key file"), required=False)
    private_key = _pem_field(_("…or paste the merchant API private key"), "apiclient_key.pem")
    certificate_file = forms.FileField(label=_("Merchant API certificate file"), required=False)
    certificate = _pem_field(_("…or paste the merchant API certificate"), "apiclient_cert.pem")
    apiv3_key = forms.CharField(
        label=_("APIv3 key"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("32 characters, as set on the merchant platform."),
    )
    wechatpay_public_key_id = forms.CharField(
        label=_("WeChat Pay public key ID"), required=False, max_length=64
    )
    wechatpay_public_key_file = forms.FileField(
        label=_("WeChat Pay public key file"), required=False
    )
    wechatpay_public_key = _pem_field(_("…or paste the WeChat Pay public key"), "pub_key.pem")
    platform_certificates_file = forms.FileField(
        label=_("Platform certificate file"), required=False
    )
    platform_certificates = _pem_field(
        _("…or paste platform certificates"), _("One or more PEM certificates.")
    )

    # (text field, file field) pairs: a file wins over pasted text.
    PEM_SOURCES = [
        ("private_key", "private_key_file"),
        ("certificate", "certificate_file"),
        ("wechatpay_public_key", "wechatpay_public_key_file"),
        ("platform_certificates", "platform_certificates_file"),
    ]

    parsed: ParsedCredentials | None = None

    def _text(self, name: str, file_name: str) -> str:
        upload = self.cleaned_data.get(file_name)
        if not upload:
            return self.cleaned_data.get(name) or ""
        if upload.size > MAX_PEM_BYTES:
            self.add_error(file_name, _("This file is too large to be a PEM key or certificate."))
            return ""
        content = upload.read()
        try:
            return content.decode("ascii")
        except UnicodeDecodeError:
            self.add_error(file_name, _("This file is not PEM text (is it a .p12 or DER file?)."))
            return ""

    def clean(self):
        data = super().clean()
        texts = {name: self._text(name, file_name) for name, file_name in self.PEM_SOURCES}
        if self.errors:
            return data
        try:
            self.parsed = parse_credentials(
                private_key_pem=texts["private_key"],
                certificate_pem=texts["certificate"],
                apiv3_key=data.get("apiv3_key") or "",
                wechatpay_public_key_id=data.get("wechatpay_public_key_id") or "",
                wechatpay_public_key_pem=texts["wechatpay_public_key"],
                platform_certificates_pem=texts["platform_certificates"],
            )
        except CredentialError as exc:
            for name, messages in exc.errors.items():
                for message in messages:
                    self.add_error(name, message)
        return data


class AssignmentForm(forms.Form):
    user = PersonChoiceField(
        label=_("User"),
        queryset=get_user_model().objects.none(),
        empty_label=_("Choose an agent or supervisor"),
    )

    def __init__(self, *args, users=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if users is not None:
            self.fields["user"].queryset = users


class UserRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        required=False,
        choices=list(ROLE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    merchants = forms.ModelMultipleChoiceField(
        label=_("Works for merchants"),
        required=False,
        queryset=Merchant.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )


class UserCreateForm(UserRolesForm):
    username = forms.CharField(
        label=_("Username"), max_length=150, validators=[UnicodeUsernameValidator()]
    )
    name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    field_order = ["username", "name", "roles", "merchants"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username
