"""Django admin: read-only views of automation rows (the console pages do the work)."""

from django.contrib import admin

from automation.models import Alert, AutoReply, AutoReplyRule, Digest, SupervisorEvent


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AutoReplyRule)
class AutoReplyRuleAdmin(ReadOnly):
    list_display = ["name", "merchant", "enabled", "priority", "immediate", "hours"]
    list_filter = ["enabled", "immediate", "hours"]
    search_fields = ["name", "merchant__mchid"]


@admin.register(AutoReply)
class AutoReplyAdmin(ReadOnly):
    list_display = ["rule", "complaint", "outcome", "reply", "created_at"]
    list_select_related = ["rule", "complaint", "reply"]


@admin.register(Alert)
class AlertAdmin(ReadOnly):
    list_display = ["user", "kind", "complaint", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["user", "complaint"]


@admin.register(SupervisorEvent)
class SupervisorEventAdmin(ReadOnly):
    list_display = ["kind", "complaint", "merchant", "due_at", "occurred_at", "digested_at"]
    list_filter = ["kind"]
    list_select_related = ["complaint", "merchant"]


@admin.register(Digest)
class DigestAdmin(ReadOnly):
    list_display = ["sent_at", "event_count", "recipients"]
