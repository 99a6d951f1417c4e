"""Text helpers for identity fields: emails and people's names."""

import unicodedata

# Invisible characters that can reorder or hide text (Trojan Source, CVE-2021-42574) or make two
# names look alike. ZWJ/ZWNJ (U+200D/U+200C) stay allowed: Persian and Indic names use them.
FORBIDDEN_IN_NAMES = frozenset(
    [
        "\u061c",  # Arabic letter mark
        "\u200b",  # zero width space
        "\u200e",  # left-to-right mark
        "\u200f",  # right-to-left mark
        "\u2060",  # word joiner
        "\ufeff",  # zero width no-break space (BOM)
        *(chr(c) for c in range(0x202A, 0x202F)),  # LRE, RLE, PDF, LRO, RLO
        *(chr(c) for c in range(0x2066, 0x206A)),  # LRI, RLI, FSI, PDI
    ]
)


def staff_name(given: str, family: str, preferred: str = "") -> str:
    """How staff screens name a participant, everywhere: the given and family names, with the
    name they go by between them when it differs ("Patricia (Pat) Lindqvist"), so the person
    is both identified and addressed as they ask. Participants' own and other participants'
    screens use the short name instead ("Pat L.")."""
    preferred = preferred.strip()
    name = " ".join(part for part in (given.strip(), family.strip()) if part)
    if preferred and preferred.casefold() != given.strip().casefold():
        first = f"{given.strip()} ({preferred})" if given.strip() else preferred
        return " ".join(part for part in (first, family.strip()) if part)
    return name


def normalize_email(email: str) -> str:
    """The one form an email takes for storage and look-up: NFKC, then case-folded.

    Full-width and other compatibility forms fold onto their plain letters, so
    "ＰＡＴ@Example.org" and "pat@example.org" are the same account.
    """
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def invisible_characters(value: str) -> list[str]:
    """The code points in `value` that a name must not contain, labelled like "U+202E"."""
    found = []
    for char in value:
        if char in FORBIDDEN_IN_NAMES or (unicodedata.category(char) == "Cc"):
            found.append(f"U+{ord(char):04X}")
    return found


# Letters from other scripts that look like Latin ones in most fonts (Unicode's confusables,
# the common subset): "раt@example.org" with Cyrillic р and а passes for "pat@example.org".
HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "е": "e",
        "ё": "e",
        "һ": "h",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "к": "k",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        # Greek
        "α": "a",
        "ε": "e",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ω": "w",
        # Latin look-alikes
        "ı": "i",
        "ℓ": "l",
    }
)
ZERO_WIDTH = frozenset(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"])


def email_skeleton(email: str) -> str:
    """What an address looks like on screen, for spotting look-alikes (UTS #39 "skeleton",
    simplified): normalized, zero-width characters removed, common Cyrillic and Greek
    homoglyphs mapped to the Latin letters they imitate. Two different addresses with the same
    skeleton would be read as one by a person; never use it as the address itself."""
    folded = normalize_email(email)
    visible = "".join(char for char in folded if char not in ZERO_WIDTH)
    return visible.translate(HOMOGLYPHS)
