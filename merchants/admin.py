"""Django admin: read-mostly views that never show a secret (the console pages do the work)."""

from django.contrib import admin

from merchants.models import CredentialSet, Merchant, MerchantAssignment
from merchants.selectors import SECRET_FIELDS

SHOWN_CREDENTIAL_FIELDS = [
    f.name for f in CredentialSet._meta.concrete_fields if f.name not in SECRET_FIELDS
]


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["mchid", "name", "kind", "api_base_url", "active", "callback_status"]
    list_filter = ["kind", "active", "callback_status"]
    search_fields = ["mchid", "name"]
    readonly_fields = ["last_success_at", "callback_status", "callback_url", "callback_checked_at"]


@admin.register(MerchantAssignment)
class MerchantAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "merchant", "created_at"]
    list_select_related = ["user", "merchant"]

    # Changes go through the console's pages so they are audited.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CredentialSet)
class CredentialSetAdmin(admin.ModelAdmin):
    """Fingerprints only; credentials are added, activated and retired in the console."""

    list_display = ["merchant", "status", "certificate_serial", "certificate_not_after"]
    list_filter = ["status"]
    fields = SHOWN_CREDENTIAL_FIELDS
    readonly_fields = SHOWN_CREDENTIAL_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*SECRET_FIELDS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
