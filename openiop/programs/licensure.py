"""Licensure follows the patient: the one rule for who may treat someone living in a state.

A clinician may provide care to a person in `state` on `day` when they hold a licence for that
state that has not expired before `day` (CLINICAL.md: telehealth is delivered where the patient
is). A group covers a state when at least one of its facilitators is licensed there, the same
rule the video waiting room applies at the door. Scheduling (appointments, seating) and
telehealth (joining a session) all ask here, so the rule is written once.
"""

from collections.abc import Iterable
from datetime import date

from django.db.models import Q

from openiop.accounts.models import StateLicense, User
from openiop.lib.states import STATE_CHOICES

STATE_NAMES = dict(STATE_CHOICES)


def state_name(state: str) -> str:
    return STATE_NAMES.get(state, state)


def _current(day: date) -> Q:
    return Q(expires_on__isnull=True) | Q(expires_on__gte=day)


def is_licensed(clinician: User, state: str, day: date) -> bool:
    return StateLicense.objects.filter(_current(day), user=clinician, state=state).exists()


def covering_states(clinician_ids: Iterable[int], day: date) -> set[str]:
    """States where at least one of these clinicians is licensed on `day` (one query)."""
    return set(
        StateLicense.objects.filter(_current(day), user_id__in=list(clinician_ids)).values_list(
            "state", flat=True
        )
    )


def group_covering_states(group_ids: Iterable[int], day: date) -> dict[int, set[str]]:
    """For each group, the states its facilitators cover on `day` (one query for all)."""
    covered: dict[int, set[str]] = {pk: set() for pk in group_ids}
    rows = StateLicense.objects.filter(
        _current(day), user__facilitator_roles__group_id__in=list(covered)
    ).values_list("user__facilitator_roles__group_id", "state")
    for group_id, state in rows:
        covered[group_id].add(state)
    return covered
