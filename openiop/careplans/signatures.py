"""Who must sign a treatment plan, and who may sign it as what (CLINICAL.md §5.3).

Every plan needs the participant and the primary clinician (the care-team member whose role is
primary clinician). A program with `requires_physician_certification` also needs a physician
on the care team, who certifies the weekly hours (42 CFR 424.24(d), CLINICAL.md §1.4).

A physician is a care-team member whose discipline is psychiatrist, or whose credentials name
an MD or a DO degree (a psychiatric nurse practitioner, say, is not one). Only members of the
participant's care team sign for the team: a director or a coordinator who may edit the chart
does not sign unless they sit on the team.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from openiop.accounts.models import User
from openiop.careplans.content import load_content, plan_hash
from openiop.careplans.models import PlanSignature, TreatmentPlan
from openiop.careplans.reviews import REVIEW_REASONS, DueReview, local_today, review_for
from openiop.lib.access import Access
from openiop.participants.access import participant_access
from openiop.participants.models import CareTeamMember, Participant

Role = PlanSignature.Role

ATTESTATIONS = {
    Role.PARTICIPANT: "I took part in making this plan and I agree to it.",
    Role.PRIMARY_CLINICIAN: (
        "I wrote this plan with the participant, who took part in making it, and I approve it "
        "as their primary clinician."
    ),
    Role.PHYSICIAN: (
        "I have reviewed this plan and I certify that the participant needs intensive "
        "outpatient services for at least {hours} hours a week."
    ),
}
PHYSICIAN_DEGREES = {"MD", "DO"}
# Hours in a week: anything above cannot be a real certification.
MAX_WEEKLY_HOURS = Decimal("168")


class SigningError(Exception):
    """A plan that cannot be submitted or signed; the messages say why, for the person."""

    def __init__(self, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


def is_physician(user: User) -> bool:
    if user.discipline == User.Discipline.PSYCHIATRIST:
        return True
    tokens = re.split(r"[^A-Za-z]+", user.credentials.replace(".", ""))
    return bool(PHYSICIAN_DEGREES & {token.upper() for token in tokens if token})


def attestation(role: str, *, hours: Decimal | None = None) -> str:
    return ATTESTATIONS[Role(role)].format(hours=hours)


def required_roles(plan: TreatmentPlan) -> list[str]:
    roles = [Role.PARTICIPANT, Role.PRIMARY_CLINICIAN]
    program = plan.participant.program
    if program is not None and program.requires_physician_certification:
        roles.append(Role.PHYSICIAN)
    return [str(role) for role in roles]


def care_team(participant: Participant) -> list[CareTeamMember]:
    return list(participant.care_team.select_related("clinician").order_by("id"))


def primary_clinicians(team: list[CareTeamMember]) -> list[User]:
    return [m.clinician for m in team if m.role == CareTeamMember.Role.PRIMARY_CLINICIAN]


def physicians(team: list[CareTeamMember]) -> list[User]:
    return [m.clinician for m in team if is_physician(m.clinician)]


def why_not(plan: TreatmentPlan, user: User, role: str, team: list[CareTeamMember]) -> str | None:
    """None when `user` may sign `plan` as `role`, else the reason they may not."""
    if role not in required_roles(plan):
        if role == Role.PHYSICIAN:
            return "This program does not ask for a physician's certification."
        return "Choose how you are signing."
    if role == Role.PARTICIPANT:
        if plan.participant.user_id != user.pk:
            return "Only the participant signs as the participant."
        return None
    member = next((m for m in team if m.clinician_id == user.pk), None)
    if member is None:
        return "Only a member of the participant's care team can sign this plan."
    if not member.can_write:
        return "Your place on this care team is read-only: you cannot sign the plan."
    if role == Role.PRIMARY_CLINICIAN:
        if member.role != CareTeamMember.Role.PRIMARY_CLINICIAN:
            names = ", ".join(u.display_name for u in primary_clinicians(team))
            return (
                f"Only the primary clinician ({names}) can sign as primary clinician."
                if names
                else "The care team has no primary clinician to sign."
            )
        return None
    if not is_physician(user):
        return (
            "Only a physician on the care team (a psychiatrist, or a doctor with an MD or DO) "
            "can certify this plan."
        )
    return None


@dataclass
class RoleStatus:
    role: str
    label: str
    expected: str
    signature: PlanSignature | None
    matches: bool

    @property
    def is_signed(self) -> bool:
        return self.signature is not None


def role_statuses(
    plan: TreatmentPlan, team: list[CareTeamMember], current_hash: str
) -> list[RoleStatus]:
    """Each required signature: who should give it, and the signature if given."""
    signed = {s.role: s for s in plan.signatures.select_related("signed_by")}
    expected = {
        Role.PARTICIPANT: plan.participant.short_name,
        Role.PRIMARY_CLINICIAN: ", ".join(u.display_name for u in primary_clinicians(team))
        or "No primary clinician on the care team yet",
        Role.PHYSICIAN: ", ".join(u.display_name for u in physicians(team))
        or "No physician on the care team yet",
    }
    return [
        RoleStatus(
            role=role,
            label=str(Role(role).label),
            expected=expected[Role(role)],
            signature=signed.get(role),
            matches=signed[role].content_hash == current_hash if role in signed else True,
        )
        for role in required_roles(plan)
    ]


@dataclass
class SigningPanel:
    """What the signatures box of a plan page shows to one viewer."""

    plan: TreatmentPlan
    roles: list[RoleStatus]
    current_hash: str
    can_write: bool
    sign_roles: list[str]
    versions: list[TreatmentPlan]
    open_version: TreatmentPlan | None
    review: DueReview | None

    @property
    def can_submit(self) -> bool:
        return self.can_write and self.plan.status == TreatmentPlan.Status.DRAFT

    @property
    def can_return_to_draft(self) -> bool:
        return self.can_write and self.plan.status == TreatmentPlan.Status.AWAITING_SIGNATURES

    @property
    def can_start_review(self) -> bool:
        return (
            self.can_write
            and self.plan.status == TreatmentPlan.Status.ACTIVE
            and self.open_version is None
        )

    @property
    def still_to_sign(self) -> list[RoleStatus]:
        return [r for r in self.roles if not r.is_signed]

    @property
    def review_reasons(self) -> list[tuple[str, str]]:
        return [(str(r.value), str(r.label)) for r in REVIEW_REASONS]

    @property
    def default_review_reason(self) -> str:
        return self.review.reason if self.review else TreatmentPlan.Reason.SCHEDULED_REVIEW

    @property
    def next_version(self) -> TreatmentPlan | None:
        return next((v for v in self.versions if v.previous_id == self.plan.pk), None)


def signing_panel(plan: TreatmentPlan, user: User) -> SigningPanel:
    """The box's content for `user`, who already passed the plan's gate (nothing recorded)."""
    load_content(plan)
    current = plan_hash(plan)
    team = care_team(plan.participant)
    can_write = participant_access(user, plan.participant) >= Access.WRITE
    awaiting = plan.status == TreatmentPlan.Status.AWAITING_SIGNATURES
    roles = role_statuses(plan, team, current)
    sign_roles = [
        r.role
        for r in roles
        if awaiting
        and not r.is_signed
        and r.role != Role.PARTICIPANT
        and why_not(plan, user, r.role, team) is None
    ]
    versions = list(
        TreatmentPlan.objects.filter(lineage=plan.lineage, participant=plan.participant).order_by(
            "number"
        )
    )
    open_version = next(
        (
            v
            for v in versions
            if v.status in (TreatmentPlan.Status.DRAFT, TreatmentPlan.Status.AWAITING_SIGNATURES)
        ),
        None,
    )
    review = None
    if plan.status == TreatmentPlan.Status.ACTIVE:
        review = review_for(plan, today=local_today(plan))
    return SigningPanel(
        plan=plan,
        roles=roles,
        current_hash=current,
        can_write=can_write,
        sign_roles=sign_roles,
        versions=versions,
        open_version=open_version,
        review=review,
    )
