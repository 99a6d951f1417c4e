"""The demo's questionnaires: synthetic data, made through the real actions.

The first participants have a PHQ-9 and a GAD-7 waiting for them; a dozen have baseline scores
(none with a critical answer).
"""

import random

from django.db import transaction

from openiop.accounts.models import User
from openiop.assessments import actions
from openiop.participants.models import Participant
from openiop.programs.models import Program

PHQ_CODES = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]


@transaction.atomic
def load(program: Program, *, seed: int = 2026) -> None:
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    clinician = User.objects.filter(
        program_memberships__program=program, role=User.Role.CLINICIAN
    ).first()
    if clinician is None:
        return
    phq9 = actions.shipped_instrument("phq-9")
    gad7 = actions.shipped_instrument("gad-7")
    participants = list(Participant.objects.filter(program=program).order_by("id")[:15])
    for participant in participants[:3]:
        for instrument in (phq9, gad7):
            actions.assign_instrument(participant, instrument, acting_user=clinician)
    for participant in participants[3:15]:
        assert participant.user is not None
        for instrument, items in ((phq9, 9), (gad7, 7)):
            assignment = actions.assign_instrument(participant, instrument, acting_user=clinician)
            answers = {str(n): rng.choice(PHQ_CODES) for n in range(1, items + 1)}
            if instrument.key == "phq-9":
                answers["9"] = PHQ_CODES[0]
            actions.answer(
                assignment,
                answers,
                intent=actions.Intent.SUBMIT,
                acting_user=participant.user,
                source="participant",
            )
