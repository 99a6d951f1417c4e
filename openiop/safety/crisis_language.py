"""Crisis language in what a participant writes between sessions (messages to the care team,
posts in a peer space): found here, once, so every place that takes free text applies the same
list the same way.

The phrase list is OpenIOP's operational default, not a validated screen: CLINICAL.md gives no
list, and no phrase list finds every person at risk or only them. A match never decides
anything clinical; it raises a safety alert (`raise_crisis_language_alert`) that a clinician
reviews through the ladder, and the peer space holds the post for a moderator. Programs add
their own phrases (their language, their participants' words) in the safety policy
(`SafetyPolicy.crisis_phrases`, one per line).

Matching is on whole words after normalising both sides: NFKC (full-width and compatibility
forms fold to plain letters), case-folded, invisible and direction-control characters removed
(a zero-width space must not hide "kill myself"), curly apostrophes made straight, and hyphens,
underscores and runs of spaces made one space ("self-harm" matches "self harm"); the words of
a phrase may also run together ("killmyself").
"""

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

# English and Spanish (the portal's languages). Each is a phrase a person might write about
# themselves; generic words ("die", "dead") alone would flag ordinary talk.
DEFAULT_PHRASES: tuple[str, ...] = (
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "take my own life",
    "take my life",
    "want to die",
    "wanna die",
    "better off dead",
    "no reason to live",
    "don't want to live",
    "dont want to live",
    "suicide",
    "suicidal",
    "hurt myself",
    "hurting myself",
    "self harm",
    "cut myself",
    "cutting myself",
    "overdose",
    "overdosed",
    "can't go on",
    "cannot go on",
    "matarme",
    "suicidarme",
    "quiero morir",
    "no quiero vivir",
    "hacerme daño",
)

# Format characters (Cf: zero-width, joiners, direction overrides and isolates, BOM) and
# other invisible marks.
_HIDDEN = {"\u00ad", "\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u3164", "\uffa0"}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'"})
_SEPARATORS = re.compile(r"[\s\-_\u2010-\u2015]+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    text = "".join(ch for ch in text if ch not in _HIDDEN and unicodedata.category(ch) != "Cf")
    return _SEPARATORS.sub(" ", text).strip()


def phrases_for(program: Any) -> list[str]:
    """The defaults plus the program's own phrases (safety policy), normalised, no repeats."""
    policy = getattr(program, "safety_policy", None) if program is not None else None
    extra = (policy.crisis_phrases or "").splitlines() if policy is not None else []
    seen: dict[str, None] = {}
    for phrase in (*DEFAULT_PHRASES, *extra):
        cleaned = normalise(phrase)
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def find(text: str, phrases: Iterable[str]) -> list[str]:
    """The phrases (from `phrases`, normalised) that occur in `text` as whole words, in list
    order. Returns phrases, never the text around them."""
    body = normalise(text)
    if not body:
        return []
    return [phrase for phrase in phrases if _pattern(phrase).search(body) is not None]


def _pattern(phrase: str) -> re.Pattern[str]:
    # Words may also run together ("killmyself", or a zero-width space between them, removed
    # above): the space between two words of a phrase is optional.
    words = r" ?".join(re.escape(word) for word in phrase.split(" "))
    return re.compile(rf"(?<!\w){words}(?!\w)")


def has_crisis_language(text: str, program: Any) -> list[str]:
    return find(text, phrases_for(program))
