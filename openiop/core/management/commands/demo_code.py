from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openiop.accounts.models import User
from openiop.core import demo
from openiop.lib.text import normalize_email


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo staff account (demo only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        email = normalize_email(email)
        if settings.PRODUCTION or not email.endswith(f"@{demo.DEMO_DOMAIN}"):
            raise CommandError("Only demo accounts, and never in production mode.")
        authenticator = Authenticator.objects.filter(
            user__email=email,
            user__role__in=[r for r in User.Role if r != User.Role.PARTICIPANT],
            type=Authenticator.Type.TOTP,
        ).first()
        if authenticator is None:
            raise CommandError("No such demo staff account.")
        secret = decrypt(authenticator.data["secret"])
        counter = int(timezone.now().timestamp()) // 30
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
