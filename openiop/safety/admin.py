"""The rota and the safety policy in the Django admin, audited like every admin write.

Each row validates itself (models.py `clean`): a person who may not hold the on-call seat is
refused with the reason from openiop.programs.eligibility, as for program memberships and
group facilitators; a policy's backup must be an active clinician or director of the program.
"""

from django.contrib import admin

from openiop.audit.admin import AuditedModelAdmin
from openiop.safety.models import OnCallOverride, OnCallShift, SafetyPolicy


@admin.register(OnCallShift)
class OnCallShiftAdmin(AuditedModelAdmin):
    audit_prefix = "safety"
    list_display = ("program", "weekday", "starts_at", "ends_at", "clinician")
    list_filter = ("program", "weekday")
    raw_id_fields = ("clinician",)


@admin.register(OnCallOverride)
class OnCallOverrideAdmin(AuditedModelAdmin):
    audit_prefix = "safety"
    list_display = ("program", "starts_at", "ends_at", "clinician")
    list_filter = ("program",)
    raw_id_fields = ("clinician",)


@admin.register(SafetyPolicy)
class SafetyPolicyAdmin(AuditedModelAdmin):
    audit_prefix = "safety"
    list_display = ("program", "emergency_minutes", "high_minutes", "business_day_ends_at")
    raw_id_fields = ("backup",)
