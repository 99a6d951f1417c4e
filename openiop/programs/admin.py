from django.contrib import admin

from openiop.core.admin_audit import AuditedModelAdmin
from openiop.programs.models import Program, ProgramMembership


class MembershipInline(admin.TabularInline):
    model = ProgramMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Program)
class ProgramAdmin(AuditedModelAdmin):
    audit_prefix = "programs"
    list_display = ("name", "level_of_care", "timezone", "weekly_minimum_hours")
    inlines = [MembershipInline]
