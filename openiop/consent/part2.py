"""42 CFR Part 2 (2024 rule): the notice that goes with every disclosure of Part 2 records.

The text is §2.32(a)(1) as amended in 2024 (Statement 1), copied from CLINICAL.md §6.5, which
cites its sources. The pre-2024 wording is obsolete from 16 February 2026 and must not be used.
"""

NOTICE_TITLE = "Notice to accompany disclosure (42 CFR 2.32)"

NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules "
    "(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony "
    "that describes the information contained in this record, in any civil, criminal, "
    "administrative, or legislative proceedings by any Federal, State, or local authority, "
    "against the patient, unless authorized by the consent of the patient, except as provided at "
    "42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In "
    "addition, the Federal rules prohibit you from making any other use or disclosure of this "
    "record unless at least one of the following applies: (i) Further use or disclosure is "
    "expressly permitted by the written consent of the individual whose information is being "
    "disclosed in this record or as otherwise permitted by 42 CFR part 2. (ii) You are a covered "
    "entity or business associate and have received the record for treatment, payment, or health "
    "care operations, or (iii) You have received the record from a covered entity or business "
    "associate as permitted by 45 CFR part 164, subparts A and E. A general authorization for the "
    "release of medical or other information is NOT sufficient to meet the required elements of "
    "written consent to further use or redisclose the record (see 42 CFR 2.31)."
)

# §2.32(a)(2): the abbreviated statement, for places too small for the full notice (a FHIR
# resource's label text, a page footer).
SHORT_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."

# FHIR meta.security codes for Part 2 data (CLINICAL.md §7).
SECURITY_LABELS = [
    {
        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
        "code": "ETH",
        "display": "substance abuse information sensitivity",
    },
    {
        "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
        "code": "R",
        "display": "restricted",
    },
    {
        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
        "code": "NORDSCLCD",
        "display": "no redisclosure without consent directive",
    },
]

# ICD-10-CM F10–F19: "Mental and behavioral disorders due to psychoactive substance use". A
# diagnosis in this block names a substance use disorder, so it is Part 2 information wherever
# it appears (42 CFR 2.11: information that would identify a person as having an SUD).
SUD_ICD10_PREFIXES = tuple(f"F{n}" for n in range(10, 20))


def is_sud_code(code: str) -> bool:
    """Whether an ICD-10-CM code is a substance use disorder (F10–F19), dotted or not."""
    return code.strip().upper().startswith(SUD_ICD10_PREFIXES)
