"""Titles of common ICD-10-CM mental and behavioral codes (chapter 5, F01–F99).

ICD-10-CM is maintained by CMS and NCHS and its code titles are in the public domain; the
titles below are copied from the code set as published (tabular list, FY2024–FY2026). The list
is only a convenience for filling in a diagnosis's text: a code missing from it is still a
valid code, stored with `UNKNOWN_TITLE` for the clinician to complete.
"""

# Shown (and stored) for a valid code whose title is not in TITLES.
UNKNOWN_TITLE = "(title not on file — add it)"

TITLES: dict[str, str] = {
    # Mental and behavioral disorders due to psychoactive substance use (F10–F19)
    "F10.10": "Alcohol abuse, uncomplicated",
    "F10.11": "Alcohol abuse, in remission",
    "F10.20": "Alcohol dependence, uncomplicated",
    "F10.21": "Alcohol dependence, in remission",
    "F11.10": "Opioid abuse, uncomplicated",
    "F11.20": "Opioid dependence, uncomplicated",
    "F11.21": "Opioid dependence, in remission",
    "F12.10": "Cannabis abuse, uncomplicated",
    "F12.20": "Cannabis dependence, uncomplicated",
    "F12.21": "Cannabis dependence, in remission",
    "F13.20": "Sedative, hypnotic or anxiolytic dependence, uncomplicated",
    "F14.10": "Cocaine abuse, uncomplicated",
    "F14.20": "Cocaine dependence, uncomplicated",
    "F15.20": "Other stimulant dependence, uncomplicated",
    "F17.210": "Nicotine dependence, cigarettes, uncomplicated",
    # Schizophrenia, schizotypal, delusional and other non-mood psychotic disorders (F20–F29)
    "F20.9": "Schizophrenia, unspecified",
    "F25.0": "Schizoaffective disorder, bipolar type",
    "F25.1": "Schizoaffective disorder, depressive type",
    "F25.9": "Schizoaffective disorder, unspecified",
    # Mood [affective] disorders (F30–F39)
    "F31.0": "Bipolar disorder, current episode hypomanic",
    "F31.10": "Bipolar disorder, current episode manic without psychotic features, unspecified",
    "F31.11": "Bipolar disorder, current episode manic without psychotic features, mild",
    "F31.12": "Bipolar disorder, current episode manic without psychotic features, moderate",
    "F31.13": "Bipolar disorder, current episode manic without psychotic features, severe",
    "F31.2": "Bipolar disorder, current episode manic severe with psychotic features",
    "F31.30": (
        "Bipolar disorder, current episode depressed, mild or moderate severity, unspecified"
    ),
    "F31.31": "Bipolar disorder, current episode depressed, mild",
    "F31.32": "Bipolar disorder, current episode depressed, moderate",
    "F31.4": "Bipolar disorder, current episode depressed, severe, without psychotic features",
    "F31.5": "Bipolar disorder, current episode depressed, severe, with psychotic features",
    "F31.60": "Bipolar disorder, current episode mixed, unspecified",
    "F31.81": "Bipolar II disorder",
    "F31.9": "Bipolar disorder, unspecified",
    "F32.0": "Major depressive disorder, single episode, mild",
    "F32.1": "Major depressive disorder, single episode, moderate",
    "F32.2": "Major depressive disorder, single episode, severe without psychotic features",
    "F32.3": "Major depressive disorder, single episode, severe with psychotic features",
    "F32.4": "Major depressive disorder, single episode, in partial remission",
    "F32.5": "Major depressive disorder, single episode, in full remission",
    "F32.81": "Premenstrual dysphoric disorder",
    "F32.89": "Other specified depressive episodes",
    "F32.9": "Major depressive disorder, single episode, unspecified",
    "F32.A": "Depression, unspecified",
    "F33.0": "Major depressive disorder, recurrent, mild",
    "F33.1": "Major depressive disorder, recurrent, moderate",
    "F33.2": "Major depressive disorder, recurrent severe without psychotic features",
    "F33.3": "Major depressive disorder, recurrent, severe with psychotic symptoms",
    "F33.40": "Major depressive disorder, recurrent, in remission, unspecified",
    "F33.41": "Major depressive disorder, recurrent, in partial remission",
    "F33.42": "Major depressive disorder, recurrent, in full remission",
    "F33.8": "Other recurrent depressive disorders",
    "F33.9": "Major depressive disorder, recurrent, unspecified",
    "F34.0": "Cyclothymic disorder",
    "F34.1": "Dysthymic disorder",
    "F39": "Unspecified mood [affective] disorder",
    # Anxiety, dissociative, stress-related, somatoform and other nonpsychotic disorders (F40–F48)
    "F40.00": "Agoraphobia, unspecified",
    "F40.01": "Agoraphobia with panic disorder",
    "F40.10": "Social phobia, unspecified",
    "F40.11": "Social phobia, generalized",
    "F41.0": "Panic disorder [episodic paroxysmal anxiety]",
    "F41.1": "Generalized anxiety disorder",
    "F41.8": "Other specified anxiety disorders",
    "F41.9": "Anxiety disorder, unspecified",
    "F42.2": "Mixed obsessional thoughts and acts",
    "F42.9": "Obsessive-compulsive disorder, unspecified",
    "F43.0": "Acute stress reaction",
    "F43.10": "Post-traumatic stress disorder, unspecified",
    "F43.11": "Post-traumatic stress disorder, acute",
    "F43.12": "Post-traumatic stress disorder, chronic",
    "F43.20": "Adjustment disorder, unspecified",
    "F43.21": "Adjustment disorder with depressed mood",
    "F43.22": "Adjustment disorder with anxiety",
    "F43.23": "Adjustment disorder with mixed anxiety and depressed mood",
    "F43.24": "Adjustment disorder with disturbance of conduct",
    "F43.25": "Adjustment disorder with mixed disturbance of emotions and conduct",
    "F43.81": "Prolonged grief disorder",
    "F43.9": "Reaction to severe stress, unspecified",
    # Disorders of adult personality and behavior (F60–F69)
    "F60.3": "Borderline personality disorder",
    "F60.9": "Personality disorder, unspecified",
    # Behavioral and emotional disorders with onset in childhood and adolescence (F90–F98)
    "F90.0": "Attention-deficit hyperactivity disorder, predominantly inattentive type",
    "F90.1": "Attention-deficit hyperactivity disorder, predominantly hyperactive type",
    "F90.2": "Attention-deficit hyperactivity disorder, combined type",
    "F90.8": "Attention-deficit hyperactivity disorder, other type",
    "F90.9": "Attention-deficit hyperactivity disorder, unspecified type",
}


def normalize_code(value: str) -> str:
    """How a typed code is stored: trimmed, upper case, with the dot after the category
    ("f331" → "F33.1"). The result is not validated here (models.ICD10_CM does that)."""
    code = value.strip().upper()
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def title_for(code: str) -> str:
    return TITLES.get(code, UNKNOWN_TITLE)
