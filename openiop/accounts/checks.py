"""OpenIOP's own deploy checks: Django's `check --deploy` looks at none of these."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks import Warning as CheckWarning

from openiop.lib.catalogue import is_current
from openiop.lib.crypto import KEYS_FILE_VARIABLE, KEYS_VARIABLE


@register(Tags.security, deploy=True)
def check_security_policy(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    middleware = settings.MIDDLEWARE
    if not getattr(settings, "OPENIOP_STAFF_MFA_REQUIRED", False) or (
        "openiop.accounts.middleware.StaffMFAMiddleware" not in middleware
    ):
        errors.append(
            Error(
                "Multi-factor authentication is not enforced for staff.",
                hint="Set OPENIOP_STAFF_MFA_REQUIRED=true and keep StaffMFAMiddleware.",
                id="openiop.E001",
            )
        )
    for name in ("OPENIOP_IDLE_TIMEOUT_STAFF", "OPENIOP_IDLE_TIMEOUT_PARTICIPANT"):
        value = getattr(settings, name, None)
        if (
            not value
            or value <= 0
            or "openiop.accounts.middleware.SessionPolicyMiddleware" not in (middleware)
        ):
            errors.append(
                Error(
                    f"{name} is unset: sessions never time out when idle.",
                    hint="Set it to a number of seconds (staff: 900).",
                    id="openiop.E002",
                )
            )
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
    directives = (policy or {}).get("DIRECTIVES", {})
    script_src = directives.get("script-src") or directives.get("default-src") or []
    if (
        "csp.middleware.CSPMiddleware" not in middleware
        or not directives
        or "'unsafe-inline'" in script_src
    ):
        errors.append(
            Error(
                "No Content-Security-Policy that forbids inline scripts.",
                hint="Keep csp.middleware.CSPMiddleware and CONTENT_SECURITY_POLICY.",
                id="openiop.E003",
            )
        )
    if not getattr(settings, "ACCOUNT_RATE_LIMITS", {}).get("login_failed"):
        errors.append(
            Error(
                "Failed sign-ins are not rate limited.",
                hint="Set ACCOUNT_RATE_LIMITS['login_failed'].",
                id="openiop.E004",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_encryption_keys(app_configs: Any, **kwargs: Any) -> list[Error]:
    # Production refuses to start without keys (config/settings.py); this catches a server
    # started in development mode, whose keys are generated into var/ or fixed for tests.
    keyring = getattr(settings, "OPENIOP_ENCRYPTION_KEYRING", None)
    if keyring is None or keyring.source not in (KEYS_VARIABLE, KEYS_FILE_VARIABLE):
        return [
            Error(
                "Stored secrets are encrypted with a key that was not given to this server.",
                hint=f"Set {KEYS_VARIABLE} or {KEYS_FILE_VARIABLE}, and OPENIOP_MODE=production.",
                id="openiop.E005",
            )
        ]
    return []


@register(deploy=True)
def check_translations_compiled(app_configs: Any, **kwargs: Any) -> list[CheckWarning]:
    """Without the compiled catalogue, a Spanish reader silently gets English everywhere."""
    stale = [
        po
        for root in settings.LOCALE_PATHS
        for po in Path(root).glob("*/LC_MESSAGES/*.po")
        if not is_current(po)
    ]
    if not stale:
        return []
    return [
        CheckWarning(
            f"Translation catalogues are not compiled: {', '.join(str(po) for po in stale)}.",
            hint="Run `manage.py compile_translations` after installing or updating OpenIOP.",
            id="openiop.W120",
        )
    ]
