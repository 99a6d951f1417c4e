"""Assign the questionnaires whose occasions came due, and remind (run every few minutes)."""

from typing import Any

from django.core.management.base import BaseCommand

from openiop.outcomes import sweep


class Command(BaseCommand):
    help = (
        "Assign each scheduled questionnaire whose occasion has come due (admission, weekly, "
        "discharge, follow-ups) and remind participants. Idempotent: safe to run every few "
        "minutes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep.run()
        self.stdout.write(
            f"Assigned {result['assigned']} questionnaire(s); {result['carried_over']} "
            f"occasion(s) served by an open one; reminded {result['reminded']} participant(s)."
            + (
                f" {result['unavailable']} occasion(s) name an instrument that is not loaded."
                if result["unavailable"]
                else ""
            )
        )
