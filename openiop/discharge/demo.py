"""The demo's discharge: one participant stepped down to outpatient care, made through the real
actions, so their seat goes to the first person on their group's waitlist.

Call it after the core demo and the schedule demo (the waitlist comes from the schedule demo),
e.g. in `load_demo`: `discharge_demo.load_discharge_demo(program, now=timezone.now())`.
Synthetic data only.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments import actions as assessments
from openiop.assessments.models import Response
from openiop.discharge import actions
from openiop.discharge.models import DischargeSummary
from openiop.intake.models import EpisodeOfCare, Referral
from openiop.lib.recurrence import get_zone, to_utc
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Program
from openiop.scheduling.models import Enrollment

WHAT_COMES_NEXT = (
    "You finished the evening program. Keep using the skills from group, especially the "
    "distress tolerance plan on your phone.\n"
    "Your first weekly session with your new therapist is below. If you need to move it, "
    "call the number next to it.\n"
    "If things get hard, call or text 988 at any time."
)
# A lower PHQ-9 at discharge than the demo's baseline: every item "Several days" (total 8).
FINAL_PHQ9 = {str(n): "LA6569-3" for n in range(1, 9)} | {"9": "LA6568-5"}


def _candidates(program: Program) -> list[Enrollment]:
    """Seated demo participants, those in a group with a waitlist first (so a seat goes to
    someone waiting), those with baseline scores first within that (so the summary shows a
    change), and later participants before the first three (whose logins the demo prints)."""
    waiting_groups = set(
        Enrollment.objects.filter(
            group__track__program=program, status=Enrollment.Status.WAITLISTED
        ).values_list("group_id", flat=True)
    )
    scored = set(
        Response.objects.filter(
            participant__program=program, status=Response.Status.SUBMITTED
        ).values_list("participant_id", flat=True)
    )
    seated = Enrollment.objects.filter(
        group__track__program=program,
        status=Enrollment.Status.SEATED,
        participant__discharged_at__isnull=True,
    ).select_related("participant", "group")
    return sorted(
        seated,
        key=lambda e: (
            e.group_id not in waiting_groups,
            e.participant_id not in scored,
            -e.participant_id,
        ),
    )


def _episode(enrollment: Enrollment, director: User) -> EpisodeOfCare | None:
    """The participant's active episode, or one made for the demo (the schedule demo seats
    people without running intake). None when intake has a referral of theirs in progress."""
    participant = enrollment.participant
    episode = actions.active_episode(participant)
    if episode is not None:
        return episode
    if Referral.objects.filter(participant=participant).exists():
        return None
    assert participant.program is not None
    admitted_at = enrollment.seated_at or timezone.now()
    referral = Referral.objects.create(
        participant=participant,
        program=participant.program,
        source=Referral.Source.PRIMARY_CARE,
        referrer="Synthetic primary care practice",
        reason="Synthetic referral for the demo",
        consent_to_contact=True,
        stage=Referral.Stage.ADMITTED,
        outcome_by=director,
        outcome_at=admitted_at,
        created_by=director,
    )
    # The referral's date starts the stay's score window, so the baseline scores count.
    Referral.objects.filter(pk=referral.pk).update(created_at=admitted_at - timedelta(days=3))
    episode = EpisodeOfCare.objects.create(
        participant=participant,
        program=participant.program,
        referral=referral,
        level_of_care="iop",
        admitted_at=admitted_at,
        admitted_by=director,
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(episode=episode)
    return episode


def _clinician(participant: Participant, director: User) -> User:
    member = (
        CareTeamMember.objects.filter(
            participant=participant,
            role=CareTeamMember.Role.PRIMARY_CLINICIAN,
            can_write=True,
            clinician__role=User.Role.CLINICIAN,
        )
        .select_related("clinician")
        .first()
    )
    return member.clinician if member else director


def _discharge(enrollment: Enrollment, *, clinician: User, now: datetime) -> DischargeSummary:
    participant = enrollment.participant
    if Response.objects.filter(participant=participant, status="submitted").exists():
        assignment = assessments.assign_instrument(
            participant, assessments.shipped_instrument("phq-9"), acting_user=clinician
        )
        assessments.answer(
            assignment,
            FINAL_PHQ9,
            intent=assessments.Intent.SUBMIT,
            acting_user=clinician,
            source="clinician",
        )
    summary, _ = actions.start_discharge(participant, acting_user=clinician)
    zone = participant.timezone
    first_visit = now.astimezone(get_zone(zone)).date() + timedelta(days=6)
    actions.save_draft(
        summary,
        fields={
            "reason": DischargeSummary.Reason.COMPLETED,
            "discharged_on": actions.program_today(participant),
            "course": (
                "Attended the evening DBT group three evenings a week. Uses distress "
                "tolerance and emotion regulation skills at work and at home; mood and sleep "
                "improved over the stay."
            ),
            "safety_plan_status": DischargeSummary.SafetyPlan.REVIEWED,
            "safety_plan_notes": "Reviewed together on the last day; copy on the phone.",
            "step_down_level": "outpatient",
            "referrals": "Peer support group (synthetic), Thursdays 7 pm.",
            "what_comes_next": WHAT_COMES_NEXT,
        },
        aftercare=[
            {
                "with_whom": "Jordan Lee, LCSW (Riverside Counseling, synthetic)",
                "starts_at": to_utc(datetime.combine(first_visit, time(10)), zone),
                "where": "Video: Riverside sends the link by email the day before",
                "phone": "+15555550177",
            }
        ],
        expected_version=summary.edit_version,
        acting_user=clinician,
    )
    return actions.sign_discharge(summary, acting_user=clinician)


def load_discharge_demo(program: Program, *, now: datetime) -> DischargeSummary | None:
    """Discharge one seated demo participant with a signed summary and an aftercare visit.

    Tries candidates in `_candidates` order; one whose group is in session right now cannot
    be signed (a discharge waits for the session to end), so the next is tried. Returns the
    signed summary, or None when nobody could be discharged.
    """
    director = User.objects.filter(
        program_memberships__program=program, role=User.Role.PROGRAM_DIRECTOR
    ).first()
    if director is None:
        return None
    for enrollment in _candidates(program):
        try:
            with transaction.atomic():
                if _episode(enrollment, director) is None:
                    continue
                clinician = _clinician(enrollment.participant, director)
                return _discharge(enrollment, clinician=clinician, now=now)
        except actions.DischargeError:
            continue
    return None
