from django.contrib import admin

from openiop.audit.admin import AuditedModelAdmin
from openiop.scheduling.models import ClinicianAvailability


@admin.register(ClinicianAvailability)
class ClinicianAvailabilityAdmin(AuditedModelAdmin):
    audit_prefix = "scheduling"
    list_display = ("clinician", "weekday", "starts_at", "ends_at", "timezone")
    raw_id_fields = ("clinician",)
