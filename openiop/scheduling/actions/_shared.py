"""Helpers shared by the scheduling actions."""

from datetime import date

from django.utils import timezone

from openiop.lib import recurrence
from openiop.programs.models import Group, Program


def program_today(program: Program) -> date:
    return timezone.now().astimezone(recurrence.get_zone(program.timezone)).date()


def lock_group(group: Group) -> Group:
    """Row lock on the group: every change to its seats goes through here, one at a time."""
    return (
        Group.objects.select_for_update(of=("self",))
        .select_related("track__program")
        .get(pk=group.pk)
    )
