from django.contrib import admin

from openiop.audit.admin import AuditedModelAdmin
from openiop.feedback.models import FeedbackSetting


@admin.register(FeedbackSetting)
class FeedbackSettingAdmin(AuditedModelAdmin):
    """A program's session feedback instrument and its low/falling rule (docs/feedback.md)."""

    audit_prefix = "feedback"
    list_display = ("program", "instrument_key", "falling_points")
