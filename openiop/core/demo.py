"""A synthetic demo organisation. Every person here is invented."""

import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.contrib.auth.hashers import make_password
from django.db import transaction

from openiop.accounts.models import StateLicense, User
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Program, ProgramMembership

DEMO_PASSWORD = "demo-password-2026"
DEMO_PROGRAM = "Adult Mental Health IOP"
DEMO_DOMAIN = "demo.openiop.invalid"

# The group leads hold licences in every state demo participants live in (STATES below), so
# every demo member can join their group's video session (issue 13, item 10).
GROUP_LEAD_STATES = ["NY", "NJ", "CT", "PA"]

# (given, family, role, discipline, credentials, licensed states)
STAFF = [
    (
        "Dana",
        "Director",
        User.Role.PROGRAM_DIRECTOR,
        User.Discipline.PSYCHOLOGIST,
        "PhD",
        ["NY", "NJ"],
    ),
    (
        "Rosa",
        "Alvarez",
        User.Role.CLINICIAN,
        User.Discipline.PSYCHOLOGIST,
        "PsyD",
        GROUP_LEAD_STATES,
    ),
    ("Wei", "Chen", User.Role.CLINICIAN, User.Discipline.PSYCHIATRIST, "MD", ["NY", "NJ", "CT"]),
    (
        "Amara",
        "Okafor",
        User.Role.CLINICIAN,
        User.Discipline.SOCIAL_WORKER,
        "LCSW",
        GROUP_LEAD_STATES,
    ),
    ("Jonah", "Brooks", User.Role.CLINICIAN, User.Discipline.COUNSELOR, "LMHC", GROUP_LEAD_STATES),
    ("Priya", "Raman", User.Role.CLINICIAN, User.Discipline.NURSE, "RN", ["NY", "NJ"]),
    ("Sam", "Rivera", User.Role.CLINICIAN, User.Discipline.PEER_SPECIALIST, "CPS", []),
    ("Malik", "Osei", User.Role.CLINICIAN, User.Discipline.PEER_SPECIALIST, "CPS", []),
    ("Lena", "Novak", User.Role.CLINICIAN, User.Discipline.CASE_MANAGER, "", []),
    ("Ivy", "Intake", User.Role.INTAKE_COORDINATOR, "", "", []),
    ("Ada", "Admin", User.Role.ADMINISTRATOR, "", "", []),
]

GIVEN = [
    "Avery",
    "Blake",
    "Casey",
    "Devon",
    "Emerson",
    "Finley",
    "Harper",
    "Jordan",
    "Kai",
    "Logan",
    "Morgan",
    "Noor",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
    "Rowan",
    "Sage",
    "Skyler",
    "Taylor",
    "Lior",
    "Mika",
    "Nadia",
    "Omar",
    "Yara",
    "Zeynep",
    "Tomás",
    "Aiko",
]
FAMILY = sorted(
    [
        "Ashdown",
        "Birchfield",
        "Calloway",
        "Dunmore",
        "Ellery",
        "Fairbank",
        "Glenwood",
        "Hollis",
        "Ingram",
        "Jessop",
        "Kettering",
        "Lindqvist",
        "Marlowe",
        "Northcott",
        "Ormsby",
        "Pemberton",
        "Quillan",
        "Redfern",
        "Sallow",
        "Thackery",
        "Achterberg",
        "Baptiste",
        "Castellanos",
        "Delacroix",
        "Eze",
        "Fonseca",
        "Gallagher",
        "Haddad",
        "Ishikawa",
        "Jankowski",
        "Kowalczyk",
        "Mbeki-Lowe",
        "Nakashima",
        "O'Rourke",
        "Petrakis",
        "Szabo",
        "Van der Berg",
        "Wójcik",
    ]
)
# Family names step by a number coprime to the list's length: neighbours differ, and a
# family name comes back only after len(FAMILY) people (it once gave 27 "Ashdown"s in a row).
FAMILY_STEP = 7
PRONOUNS = ["she/her", "he/him", "they/them", ""]
STATES = ["NY", "NY", "NY", "NJ", "NJ", "CT", "PA"]
ZONES = {
    "NY": "America/New_York",
    "NJ": "America/New_York",
    "CT": "America/New_York",
    "PA": "America/New_York",
}

# Care-team roles that suit each discipline; peer specialists read but do not change charts.
TEAM_ROLE = {
    User.Discipline.PSYCHOLOGIST: (CareTeamMember.Role.PRIMARY_CLINICIAN, True),
    User.Discipline.SOCIAL_WORKER: (CareTeamMember.Role.THERAPIST, True),
    User.Discipline.COUNSELOR: (CareTeamMember.Role.THERAPIST, True),
    User.Discipline.PSYCHIATRIST: (CareTeamMember.Role.PSYCHIATRIC_PRESCRIBER, True),
    User.Discipline.NURSE: (CareTeamMember.Role.NURSE, True),
    User.Discipline.CASE_MANAGER: (CareTeamMember.Role.CASE_MANAGER, True),
    User.Discipline.PEER_SPECIALIST: (CareTeamMember.Role.PEER_SUPPORT, False),
}


@dataclass
class Login:
    email: str
    role: str
    totp_secret: str | None


# One of the first participants (who have questionnaires waiting and sessions booked) reads
# OpenIOP in Spanish (docs/i18n.md). The name is synthetic, like every other.
SPANISH_SPEAKER = 3
SPANISH_SPEAKER_FIELDS = {"given_name": "Marisol", "family_name": "Ibarrola", "language": "es"}


def demo_family_name(index: int) -> str:
    return FAMILY[index * FAMILY_STEP % len(FAMILY)]


def staff_email(given: str, family: str) -> str:
    return f"{given}.{family}@{DEMO_DOMAIN}".lower()


def participant_email(index: int) -> str:
    return f"participant{index:04d}@{DEMO_DOMAIN}"


@transaction.atomic
def load(*, participants: int = 30, weeks: int = 8, seed: int = 2026) -> Program:
    """Create the demo program, its staff and `participants` synthetic participants.

    `weeks` is the program's typical length (the scheduling work expands sessions over it).
    """
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    program = Program.objects.create(
        name=DEMO_PROGRAM,
        level_of_care=Program.LevelOfCare.IOP,
        timezone="America/New_York",
        weekly_minimum_hours=Decimal("9.0"),
        daily_minimum_hours=Decimal("3.0"),
        typical_length_weeks=weeks,
        # Notes by supervisees (Jonah Brooks, supervised by Dana) and peer specialists wait
        # for a co-signature.
        requires_cosignature=True,
    )
    password_hash = make_password(DEMO_PASSWORD)
    staff = {}
    for given, family, role, discipline, credentials, states in STAFF:
        user = User(
            email=staff_email(given, family),
            given_name=given,
            family_name=family,
            role=role,
            discipline=discipline,
            credentials=credentials,
            is_staff=role == User.Role.ADMINISTRATOR,
            is_superuser=role == User.Role.ADMINISTRATOR,
            password=password_hash,
        )
        user.save()
        StateLicense.objects.bulk_create(StateLicense(user=user, state=s) for s in states)
        TOTP.activate(user, generate_totp_secret())
        staff[family] = user
        if role == User.Role.PROGRAM_DIRECTOR:
            ProgramMembership.objects.create(
                program=program, user=user, role=ProgramMembership.Role.DIRECTOR
            )
        elif role != User.Role.ADMINISTRATOR:
            ProgramMembership.objects.create(program=program, user=user)
    ProgramMembership.objects.create(
        program=program, user=staff["Chen"], role=ProgramMembership.Role.ON_CALL
    )
    staff["Brooks"].supervisor = staff["Director"]
    staff["Brooks"].save(update_fields=["supervisor"])

    users = User.objects.bulk_create(
        User(
            **{
                "email": participant_email(i),
                "given_name": GIVEN[i % len(GIVEN)],
                "family_name": demo_family_name(i),
                "role": User.Role.PARTICIPANT,
                "password": password_hash,
                **(SPANISH_SPEAKER_FIELDS if i == SPANISH_SPEAKER else {}),
            }
        )
        for i in range(1, participants + 1)
    )
    today = date.today()
    rows = []
    for i, user in enumerate(users, start=1):
        state = rng.choice(STATES)
        rows.append(
            Participant(
                user=user,
                program=program,
                given_name=user.given_name,
                family_name=user.family_name,
                pronouns=rng.choice(PRONOUNS),
                date_of_birth=today - timedelta(days=rng.randint(19 * 365, 70 * 365)),
                home_state=state,
                timezone=ZONES.get(state, "America/New_York"),
                phone=f"+1555{i:07d}",
                email=user.email,
                emergency_contact_name=f"{rng.choice(GIVEN)} {user.family_name}",
                emergency_contact_phone=f"+1555{i + 5000000:07d}",
                emergency_contact_relationship=rng.choice(
                    ["Parent", "Partner", "Sibling", "Friend"]
                ),
            )
        )
    created = Participant.objects.bulk_create(rows)

    # Each participant gets a primary clinician, a psychiatrist and a peer specialist; therapists
    # and the case manager rotate. Dr. Chen is the on-call psychiatrist but prescribes for half.
    primaries = itertools.cycle([staff["Alvarez"], staff["Okafor"], staff["Brooks"]])
    members = []
    for index, participant in enumerate(created):
        team = [next(primaries), staff["Raman"], staff["Rivera"]]
        if index % 2 == 0:
            team.append(staff["Chen"])
        if index % 3 == 0:
            team.append(staff["Novak"])
        for clinician in team:
            team_role, can_write = TEAM_ROLE[User.Discipline(clinician.discipline)]
            if clinician.discipline in (User.Discipline.SOCIAL_WORKER, User.Discipline.COUNSELOR):
                team_role = CareTeamMember.Role.PRIMARY_CLINICIAN
            members.append(
                CareTeamMember(
                    participant=participant,
                    clinician=clinician,
                    role=team_role,
                    can_write=can_write,
                )
            )
    CareTeamMember.objects.bulk_create(members)
    return program


def logins(limit_participants: int = 3) -> list[Login]:
    result = []
    staff = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exclude(
        role=User.Role.PARTICIPANT
    )
    for user in staff.order_by("id"):
        authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        secret = decrypt(authenticator.data["secret"]) if authenticator else None
        result.append(Login(user.email, user.get_role_display(), secret))
    participants = User.objects.filter(
        email__endswith=f"@{DEMO_DOMAIN}", role=User.Role.PARTICIPANT
    ).order_by("id")[:limit_participants]
    result.extend(
        Login(user.email, "Participant" + (" (Spanish)" if user.language == "es" else ""), None)
        for user in participants
    )
    return result
