from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from openiop.audit.actions import record


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin writes go on the audit trail like every other write (field names, never values)."""

    audit_prefix = "admin"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(
            f"{self.audit_prefix}.{obj._meta.model_name}_{'changed' if change else 'added'}",
            acting_user=request.user,
            target=obj,
            details={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record(
            f"{self.audit_prefix}.{obj._meta.model_name}_deleted",
            acting_user=request.user,
            target=obj,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record(
                f"{self.audit_prefix}.{obj._meta.model_name}_deleted",
                acting_user=request.user,
                target=obj,
            )
            obj.delete()
        for obj in instances:
            is_new = obj.pk is None
            obj.save()
            record(
                f"{self.audit_prefix}.{obj._meta.model_name}_{'added' if is_new else 'changed'}",
                acting_user=request.user,
                target=obj,
            )
        formset.save_m2m()
