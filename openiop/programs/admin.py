from typing import Any

from django.contrib import admin

from openiop.audit.admin import AuditedModelAdmin
from openiop.programs.models import (
    CurriculumTopic,
    Group,
    GroupFacilitator,
    Program,
    ProgramMembership,
    Track,
    TrackBlock,
)


class MembershipInline(admin.TabularInline):
    model = ProgramMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Program)
class ProgramAdmin(AuditedModelAdmin):
    audit_prefix = "programs"
    list_display = ("name", "level_of_care", "timezone", "weekly_minimum_hours", "part2_program")
    list_filter = ("part2_program",)
    inlines = [MembershipInline]


class TrackBlockInline(admin.TabularInline):
    model = TrackBlock
    extra = 1


@admin.register(Track)
class TrackAdmin(AuditedModelAdmin):
    audit_prefix = "programs"
    list_display = ("name", "program", "starts_on", "is_active")
    inlines = [TrackBlockInline]


class FacilitatorInline(admin.TabularInline):
    model = GroupFacilitator
    extra = 1
    raw_id_fields = ("clinician",)


class TopicInline(admin.TabularInline):
    model = CurriculumTopic
    extra = 1


@admin.register(Group)
class GroupAdmin(AuditedModelAdmin):
    audit_prefix = "programs"
    list_display = ("name", "track", "capacity", "seated_count", "is_active")
    inlines = [FacilitatorInline, TopicInline]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple[str, ...]:
        # Seats change only through the scheduling actions, which lock the group and place
        # waiting participants; the roster page has the capacity form.
        return ("seated_count", "capacity") if obj is not None else ("seated_count",)
