"""Safety-pathway demo rows. Synthetic data only, made through the real actions.

`load_plan_demo(program)`: a signed safety plan for the first two demo participants (whose logins
`load_demo` prints), so "My safety plan" shows a plan, and for the first a routine review.

`load_rota_demo(program, today=...)` (after `core.demo.load`) gives the program's clinical
staff mobile numbers from the range reserved for fiction (555-0100 to 555-0199) and a rota
that covers every hour of the week in the program's zone:
- weekdays 9 AM to 5 PM: Dr. Wei Chen (psychiatrist);
- weeknights 5 PM to 9 AM: Dr. Rosa Alvarez (Mon, Wed), Amara Okafor (Tue, Thu),
  Jonah Brooks (Fri into Sat);
- Saturday 9 AM to Sunday 9 AM: Amara Okafor; Sunday 9 AM to Monday 9 AM: Dr. Rosa Alvarez;
and one override: Priya Raman covers Dr. Chen's hours next Wednesday.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction

from openiop.accounts.models import User
from openiop.lib.recurrence import localize
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.eligibility import CLINICAL_ROLES
from openiop.programs.models import Program
from openiop.safety.actions import plan as actions_plan
from openiop.safety.actions import rota as actions_rota
from openiop.safety.actions.plan import Line, Means, PlanContent
from openiop.safety.models import OnCallShift, SafetyPlan, SafetyPlanEntry, SafetyPlanReview

Step = SafetyPlanEntry.Step

PLANS: tuple[dict[Any, Any], ...] = (
    {
        Step.WARNING_SIGNS: ["Lying awake past 2 a.m. going over the day", "Cancelling on friends"],
        Step.COPING: [
            "Cold water on my face, then a walk round the block",
            "The playlist Ana made",
        ],
        Step.DISTRACTION: ["The library on Elm Street", "Coffee with Jordan"],
        Step.HELPERS: [("My sister Ana", "+15555550142"), ("Jordan (friend)", "+15555550143")],
        "reason": "Teaching my nephew to swim this summer",
        "means": ("Sleeping pills", "Ana keeps the bottle; I get a week at a time", "Ana"),
    },
    {
        Step.WARNING_SIGNS: ["Not answering messages", "Thinking nobody would notice"],
        Step.COPING: ["Breathing in fours for five minutes", "Writing it down"],
        Step.DISTRACTION: ["The climbing gym", "Calling my cousin about football"],
        Step.HELPERS: [("My cousin Sam", "+15555550151")],
        "reason": "My dog, Biscuit",
        "means": ("Old prescriptions", "Take them to the pharmacy drop box", "Me"),
    },
)


def _writer(participant: Participant) -> User | None:
    member = (
        CareTeamMember.objects.filter(
            participant=participant,
            can_write=True,
            clinician__role=User.Role.CLINICIAN,
        )
        .exclude(clinician__discipline__in=["peer_specialist", "case_manager", ""])
        .select_related("clinician")
        .order_by("id")
        .first()
    )
    return member.clinician if member is not None else None


@transaction.atomic
def load_plan_demo(program: Program) -> list[SafetyPlan]:
    participants = Participant.objects.filter(
        program=program, discharged_at__isnull=True, user__isnull=False
    ).order_by("user__email")[: len(PLANS)]
    signed = []
    for participant, spec in zip(participants, PLANS, strict=False):
        clinician = _writer(participant)
        if clinician is None or SafetyPlan.objects.filter(participant=participant).exists():
            continue
        draft = actions_plan.start_draft(participant, acting_user=clinician)
        content = PlanContent.of(draft)
        for step in (Step.WARNING_SIGNS, Step.COPING, Step.DISTRACTION, Step.HELPERS):
            content.lines[step] = [
                Line(*item) if isinstance(item, tuple) else Line(item) for item in spec[step]
            ]
        content.lines[Step.SAFE_SURROUNDINGS] = [Line("Keep medicines with someone I trust")]
        content.reason_for_living = str(spec["reason"])
        means, action, person = spec["means"]
        content.means = [Means(means, action, person)]
        plan = actions_plan.sign_plan(draft, content=content, acting_user=clinician)
        signed.append(plan)
    if signed:
        actions_plan.review_plan(
            signed[0],
            reason=SafetyPlanReview.Reason.ROUTINE,
            outcome=SafetyPlanReview.Outcome.UNCHANGED,
            note="Went over each step together; still fits.",
            acting_user=signed[0].signed_by,  # type: ignore[arg-type]
        )
    return signed


W = OnCallShift.Weekday
NINE, FIVE = time(9), time(17)
# (family name, weekday, from, to): a "to" at or before "from" ends the next day.
PATTERN = [
    *[
        ("Chen", day, NINE, FIVE)
        for day in (W.MONDAY, W.TUESDAY, W.WEDNESDAY, W.THURSDAY, W.FRIDAY)
    ],
    ("Alvarez", W.MONDAY, FIVE, NINE),
    ("Okafor", W.TUESDAY, FIVE, NINE),
    ("Alvarez", W.WEDNESDAY, FIVE, NINE),
    ("Okafor", W.THURSDAY, FIVE, NINE),
    ("Brooks", W.FRIDAY, FIVE, NINE),
    ("Okafor", W.SATURDAY, NINE, NINE),
    ("Alvarez", W.SUNDAY, NINE, NINE),
]


@transaction.atomic
def load_rota_demo(program: Program, *, today: date | None = None) -> None:
    staff = {
        user.family_name: user
        for user in User.objects.filter(
            program_memberships__program=program, role__in=CLINICAL_ROLES
        )
        .distinct()
        .order_by("id")
    }
    director = next(u for u in staff.values() if u.role == User.Role.PROGRAM_DIRECTOR)
    for number, user in enumerate(staff.values(), start=10):
        if not user.mobile_phone:
            user.mobile_phone = f"+1555555{100 + number:04d}"
            user.save(update_fields=["mobile_phone"])
    for family, weekday, starts_at, ends_at in PATTERN:
        actions_rota.add_shift(
            program,
            clinician=staff[family],
            weekday=weekday,
            starts_at=starts_at,
            ends_at=ends_at,
            acting_user=director,
        )
    day = today or date.today()
    wednesday = day + timedelta(days=(2 - day.weekday()) % 7 or 7)
    actions_rota.add_override(
        program,
        clinician=staff["Raman"],
        starts_at=localize(datetime.combine(wednesday, NINE), program.timezone, fold=0),
        ends_at=localize(datetime.combine(wednesday, FIVE), program.timezone, fold=0),
        reason="Covering Dr. Chen's conference day",
        acting_user=director,
    )
