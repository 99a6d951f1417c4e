"""The consent texts every program starts with: plain language (about an 8th-grade reading
level), program-neutral, synthetic. A program's directors edit them (each edit is a new version).

The texts are a starting point written for OpenIOP, not legal advice: a program has them
reviewed by its own counsel before use. The Part 2 texts follow the consent elements of
42 CFR 2.31 as summarised in CLINICAL.md §6.5 ([VERIFY] every element against the amended rule),
and the SUD counseling notes consent is its own text, never combined with another (§2.31(b)).
"""

from django.db import IntegrityError, transaction
from django.utils import translation

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.programs.models import Program

from .models import ConsentKind, ConsentText

TREATMENT = """\
This form is about the care you will get in this program. Please read it. Ask us about anything \
that is not clear.

What the program is
This is an intensive outpatient program (IOP). You meet with a group several times a week, \
and with your own clinician too. Most sessions happen over video. A care team plans your care \
with you: a therapist, a psychiatric prescriber, a peer specialist and others.

What you agree to
- I agree to take part in this program's care. This includes group sessions, individual \
sessions, family sessions if I want them, medication visits, and questionnaires about how I am \
doing.
- My care team will write a treatment plan with me. I can ask questions about it and help \
change it.
- I will try to come to every session, on time. If I cannot come, I will tell my care team.

What you can expect
- Your care team will treat you with respect and explain your care in words you understand.
- Therapy can help, but there is no promise of a result. Talking about hard things can feel \
worse for a while before it feels better.
- Your care team writes notes about your sessions. These notes are part of your health \
record. You can ask for a copy of your record.

Privacy
Your records are private. We share them only as the law allows: for example, with other people \
who treat you, to get paid for your care, or if you give written permission. There are times \
the law says we must share information without your permission: if we believe you or someone \
else is in serious danger, if a child or a vulnerable adult is being harmed, or if a court \
orders it.

Ending care
You can stop treatment at any time. Please talk to your care team first, so they can help you \
plan what comes next. Your care team may also end or change your care if this program is no \
longer the right level of care for you. They will explain why and help you find other care.

If you are in crisis
This program is not an emergency service. In a crisis, call or text 988 (the Suicide & Crisis \
Lifeline) or call 911.
"""

TELEHEALTH = """\
Most of your sessions happen over video ("telehealth"). This form explains how that works, \
what the risks are, and what happens in an emergency.

Where you are: the location rule
- At the start of every session, you will tell us where you are: the address or place, and \
the state.
- You must be in a state where your clinician is licensed. If you are somewhere else, the \
session may have to be moved. We will check this before each session.
- Please be in a private place where others cannot hear you, if you can.

The emergency plan
- If you are in danger during a session, your clinician will try to help you over video or by \
phone. They will use the phone number you give at the start of the session.
- If your clinician believes you or someone else is in serious danger, staff may call \
emergency services (911) and send them to the location you gave at the start of the session.
- If the video drops during a crisis, your clinician will call you at the number you gave. If \
they cannot reach you and they are worried about your safety, they may call emergency services.
- Outside of sessions, in a crisis, call or text 988 (the Suicide & Crisis Lifeline) or call \
911. Do not wait for a session.

The risks of video
- Privacy: we use a secure video service. But someone near you could hear or see your \
session. Someone who gets into your device or network could too. Use your own device if you \
can, and a private place.
- Dropped connections: the video or sound may freeze or drop. If that happens, try to join \
again. If you cannot, your clinician will call you at the number you gave.
- Video is not for emergencies. We cannot send help as fast as an in-person service can. In an \
emergency, call 911.
- Some problems are hard to care for over video. If video is not working for you, your care \
team will talk with you about other care.

What you agree to
- I will say where I am at the start of each session, and give a phone number where I can be \
reached.
- I understand that staff may call emergency services to the location I gave if they believe I \
am in serious danger.
- I understand the risks of video and that video is not for emergencies.
- I may stop using video at any time by telling my care team. This may mean I need care \
somewhere else.
"""

GROUP_CONFIDENTIALITY = """\
Groups work because people feel safe to speak. This agreement protects everyone in your group, \
including you.

What you agree to
- I will not tell anyone outside the group who is in my group.
- I will not share what other people say in group. I may talk about what I learned, and about \
my own story, but not about anyone else.
- I will join group from a private place, where no one else can see or hear the session. I will \
use headphones if other people are nearby.
- I will not contact other group members outside the program about things said in group, unless \
they agree.
- If I see someone from my group in public, I will let them decide whether to say hello.

Please know
- The staff must keep what you say private, except when the law says they must share it (for \
example, if someone is in serious danger).
- Other group members are asked to keep this agreement too. But we cannot promise that every \
person will. Think about what you choose to share.
- If someone breaks this agreement, the care team may ask them to leave the group.
"""

RECORDING = """\
Recording a session can break the privacy of everyone in it. This agreement applies to all \
sessions in this program: group, individual and family sessions.

What you agree to
- I will not record any session: no video, no sound, no photos and no screenshots.
- I will not let anyone else record a session from my device or my room.
- I will not share any part of a session on social media or anywhere else.

What the program does
- The program does not record sessions either. Your clinicians write notes; they do not keep \
video or sound of your sessions.
- If the program ever wants to record a session (for example, for training), it will ask you \
first in writing. You can say no, and your care will not change.

If someone breaks this agreement, the care team may ask them to leave the group or end their \
video sessions.
"""

PART2_TPO = """\
Consent to share my substance use disorder records for treatment, payment and health care \
operations (42 CFR Part 2)

Federal law (42 CFR Part 2) protects records about substance use disorder (SUD) care. This \
program may not share them without your written consent, except in the few cases the law allows. \
This form lets you give consent to share them for your treatment, for payment, and for health \
care operations. You do not have to sign it. Your care in this program does not depend on it.

My name: the name I type when I sign below.

Who may share my records
This program, its staff, and the people who work for it under contract.

What information may be shared
My substance use disorder records from this program: that I am a patient here; my diagnoses; \
my assessments and screening results, including alcohol and drug use; my treatment plan and \
progress notes; my medications, including medications for substance use disorder; my \
attendance; and my test results. This consent does NOT cover SUD counseling notes. Those need a \
separate consent.

Who may receive my records
My treating providers (doctors, nurses, therapists and others who treat me), my health plans \
and insurers, and the people who help them with treatment, payment or health care operations \
(such as care coordinators and billing services).

Why: the purpose
For treatment, payment, and health care operations.

Redisclosure
If my records are shared with a health care provider, health plan, or someone who works for \
them under this consent, they may share them again as the HIPAA rules allow. The records may \
then no longer be protected by 42 CFR Part 2. They still may not be used against me in a \
civil, criminal, administrative or legislative case without my specific consent or a court \
order.

How long this lasts
Expiration: none. This consent lasts until I revoke it.

My right to revoke
I can revoke (cancel) this consent at any time. I can do this in the patient portal (My \
consents, then "Revoke"), or by telling my care team in writing. Revoking stops future sharing \
from then on. It does not undo sharing that already happened while my consent was in force.

My other rights
- I can ask for a list of who my records were shared with (an accounting of disclosures).
- I can ask the program to limit sharing for treatment, payment or health care operations.
- Signing is my choice. The program will not refuse to treat me if I do not sign.
"""

PART2_COUNSELING_NOTES = """\
Consent to share my SUD counseling notes (42 CFR Part 2)

This is a separate consent. It is never combined with any other consent form. You do not have to \
sign it, and your care does not depend on it.

What SUD counseling notes are
Sometimes a counselor keeps private notes about what was said in a counseling session. These \
"SUD counseling notes" are kept apart from the rest of your record. Federal law (42 CFR Part 2) \
says they may not be used or shared without a separate consent from you.

Who may share them
This program, and the counselor who wrote the notes.

What may be shared
The SUD counseling notes from my counseling sessions in this program. Nothing else is covered by \
this consent.

Who may receive them
My treating providers, named by my care team when they ask to share the notes. The program \
will tell me who received them if I ask.

Why: the purpose
To help coordinate my treatment.

How long this lasts
Expiration: one year from the day I sign, unless I revoke it sooner.

My right to revoke
I can revoke this consent at any time, in the patient portal (My consents, then "Revoke") or by \
telling my care team in writing. Revoking stops future sharing. It does not undo sharing that \
already happened.

Signing is my choice. The program will not refuse to treat me if I do not sign.
"""

RELEASE = """\
Release of information

This form lets the program send some of my records to a person or organization I choose. The \
form below the text names who receives them, what they receive, why, and until when.

- I choose who receives my records, what they receive and why.
- If the records include substance use disorder (SUD) records, federal law (42 CFR Part 2) \
protects them. Each time they are sent, a notice goes with them that says the recipient may \
not share them again except as the law allows.
- This release ends on the date shown. I can revoke it sooner at any time, in the patient \
portal (My consents) or by telling my care team in writing. Revoking stops future sharing. It \
does not undo sharing that already happened.
- Records shared with someone who is not covered by health privacy laws may be shared again by \
them and may no longer be protected.
- Signing is my choice. My care does not depend on it.
- I can ask for a list of every time my records were shared.
"""

# A text's title is the form's English name: consent texts are legal texts in English
# (docs/i18n.md), whatever language is active when this module is imported.
with translation.override("en"):
    DEFAULT_TEXTS: dict[str, tuple[str, str]] = {
        ConsentKind.TREATMENT: (str(ConsentKind.TREATMENT.label), TREATMENT),
        ConsentKind.TELEHEALTH: (str(ConsentKind.TELEHEALTH.label), TELEHEALTH),
        ConsentKind.GROUP_CONFIDENTIALITY: (
            str(ConsentKind.GROUP_CONFIDENTIALITY.label),
            GROUP_CONFIDENTIALITY,
        ),
        ConsentKind.RECORDING: (str(ConsentKind.RECORDING.label), RECORDING),
        ConsentKind.PART2_TPO: (str(ConsentKind.PART2_TPO.label), PART2_TPO),
        ConsentKind.PART2_COUNSELING_NOTES: (
            str(ConsentKind.PART2_COUNSELING_NOTES.label),
            PART2_COUNSELING_NOTES,
        ),
        ConsentKind.RELEASE: (str(ConsentKind.RELEASE.label), RELEASE),
    }


@transaction.atomic
def ensure_texts(program: Program, *, acting_user: User | None = None) -> list[ConsentText]:
    """Version 1 of the default text for each kind the program has no text for. Idempotent, and
    safe when two requests race (the unique version constraint keeps one of each)."""
    have = set(ConsentText.objects.filter(program=program).values_list("kind", flat=True))
    created = []
    for kind, (title, body) in DEFAULT_TEXTS.items():
        if kind in have:
            continue
        try:
            with transaction.atomic():
                text = ConsentText.objects.create(
                    program=program,
                    kind=kind,
                    version=1,
                    title=title,
                    body=body,
                    created_by=acting_user,
                )
        except IntegrityError:
            continue
        created.append(text)
    if created:
        record(
            "consent.default_texts_created",
            acting_user=acting_user,
            details={"program": str(program.code), "number": len(created)},
        )
    return created
