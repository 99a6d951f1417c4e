from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group

from openiop.accounts.models import NOT_STAFF_ROLES, StateLicense, User
from openiop.audit.admin import AuditedModelAdmin
from openiop.lib.text import invisible_characters, normalize_email


class UserAdminForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "email",
            "given_name",
            "family_name",
            "role",
            "discipline",
            "credentials",
            "timezone",
            "privacy_officer",
            "is_active",
            "is_staff",
        ]

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if not email.isascii():
            # Non-ASCII addresses can imitate another staff member's (UTR #36).
            raise forms.ValidationError("Use an address made of plain (ASCII) characters.")
        return email

    def clean_role(self) -> str:
        """Portal accounts come only from an invitation on a chart, which links each one to
        exactly one chart (or, for a guardian, to the participants they look after): the admin
        neither makes one nor turns a staff account into one or back (docs/consent.md)."""
        role = self.cleaned_data["role"]
        before = self.instance.role if self.instance.pk else None
        if role != before and (role in NOT_STAFF_ROLES or before in NOT_STAFF_ROLES):
            raise forms.ValidationError(
                "Participant and guardian accounts are created by a portal invitation from "
                "the chart, and keep their role."
            )
        return role

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        for name in ("given_name", "family_name", "credentials"):
            if (value := cleaned.get(name)) and (found := invisible_characters(value)):
                self.add_error(
                    name, f"Remove invisible formatting characters ({', '.join(found)})."
                )
        if cleaned.get("privacy_officer") and cleaned.get("role") == User.Role.PARTICIPANT:
            self.add_error("privacy_officer", "A participant cannot be the privacy officer.")
        return cleaned


class StateLicenseInline(admin.TabularInline):
    model = StateLicense
    extra = 0


@admin.register(User)
class UserAdmin(AuditedModelAdmin):
    form = UserAdminForm
    audit_prefix = "accounts"
    list_display = ("email", "given_name", "family_name", "role", "discipline", "is_active")
    list_filter = ("role", "discipline", "privacy_officer", "is_active")
    search_fields = ("email", "family_name")
    ordering = ("family_name", "given_name")
    inlines = [StateLicenseInline]


# Roles live on the user, and addresses are the user's own field: neither is edited here.
admin.site.unregister(Group)
admin.site.unregister(EmailAddress)
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(AuditedModelAdmin):
    """Administrators may remove a lost authenticator so the person can enrol a new one."""

    audit_prefix = "mfa"
    raw_id_fields = ("user",)
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    # `data` holds the TOTP secret and recovery-code seed: whoever reads it can pass as the
    # user's second factor, so it is never shown.
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False
