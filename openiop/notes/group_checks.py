"""The checks a group note passes before it is signed (CLINICAL.md §5.2). Pure: plain data in,
flags out; nothing here reads the database.

Each attendee's note holds the shared part and only their own individual part, so:
- the shared part must name no group member (it goes to every attendee's chart), and an
  individual part must name no member but its own attendee ("do not name or identify other
  group members", §5.2);
- individual parts must differ from one another (payers deny cloned notes);
- each individual part should cite an objective of that attendee's own plan (§5.1: "linked
  treatment-plan goals and objectives addressed");
- attendance is complete: every booked member marked, an absence has its reason, whoever came
  has minutes and an individual part.

Every flag blocks signing except a missing objective, which the signer may confirm (an
attendee admitted this week may have no plan yet). Names are found case-insensitively, whole
words only, ignoring accents and the kind of apostrophe: "quinn's" finds Quinn, "Quinnton"
does not.
"""

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Names shorter than this (after folding) are not searched for: an initial matches too much.
MIN_NAME_LENGTH = 2

ATTENDED = frozenset({"present", "late", "left_early"})
ABSENT = frozenset({"absent", "excused"})


class Kind:
    SHARED_NAMES_MEMBER = "shared_names_member"
    INDIVIDUAL_NAMES_OTHER = "individual_names_other"
    IDENTICAL = "identical_individual_parts"
    NO_OBJECTIVE = "no_objective"
    NO_INDIVIDUAL_PART = "no_individual_part"
    ATTENDANCE_MISSING = "attendance_missing"
    REASON_MISSING = "absence_reason_missing"
    MINUTES_MISSING = "minutes_missing"


@dataclass(frozen=True)
class Member:
    """Someone booked into the session. `key` identifies them (any hashable id); `label` is
    how a flag shows them to the facilitator."""

    key: Any
    label: str
    given_name: str
    family_name: str
    preferred_name: str = ""

    def name_forms(self) -> tuple[str, ...]:
        """Full names first (so "Quinn Marlowe" is reported rather than "Quinn"), then each
        name alone."""
        return _name_forms(self.given_name, self.family_name, self.preferred_name)


@functools.lru_cache(maxsize=1024)
def _name_forms(given: str, family: str, preferred: str) -> tuple[str, ...]:
    forms = [f"{given} {family}"]
    if preferred:
        forms.append(f"{preferred} {family}")
    forms += [given, preferred, family]
    seen: dict[str, str] = {}
    for form in forms:
        folded = fold(form).strip()
        if len(folded) >= MIN_NAME_LENGTH and folded not in seen:
            seen[folded] = " ".join(form.split())
    return tuple(seen.values())


@dataclass(frozen=True)
class Part:
    """One attendee's line of the group note."""

    key: Any
    attendance: str
    individual_text: str = ""
    absence_reason: str = ""
    minutes: int | None = None
    objectives: frozenset[Any] = frozenset()
    plan_objectives: frozenset[Any] = frozenset()

    @property
    def attended(self) -> bool:
        return self.attendance in ATTENDED


@dataclass(frozen=True)
class Flag:
    kind: str
    message: str
    # The attendee whose part the flag is about (None: the shared part or several attendees).
    attendee: Any = None
    # Where in the note: a shared field's name, or "individual".
    where: str = ""
    # Members named, or attendees whose parts are identical.
    others: tuple[Any, ...] = ()
    found: tuple[str, ...] = field(default=())
    confirmable: bool = False


def fold(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe: what name matching compares."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'").casefold()


@functools.lru_cache(maxsize=2048)
def _pattern(name: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in fold(name).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def names_found(text: str, member: Member) -> list[str]:
    """The forms of `member`'s name that occur in `text` as whole words."""
    return _found(fold(text), member) if text else []


def _found(folded: str, member: Member) -> list[str]:
    return [form for form in member.name_forms() if _pattern(form).search(folded)]


def _named(text: str, members: Iterable[Member]) -> list[tuple[Member, list[str]]]:
    """Each member named in `text`, with the forms of their name found."""
    if not text:
        return []
    folded = fold(text)
    found = [(member, _found(folded, member)) for member in members]
    return [(member, names) for member, names in found if names]


def normalise(text: str) -> str:
    """What "identical" compares: case and runs of whitespace do not count."""
    return " ".join(text.split()).casefold()


def _list(labels: Iterable[str]) -> str:
    items = list(labels)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _quoted(found: Iterable[str]) -> str:
    return _list(f"“{name}”" for name in found)


def check_group_note(
    shared: dict[str, str], members: Sequence[Member], parts: Sequence[Part]
) -> list[Flag]:
    """Flags for a group note: `shared` maps each shared field's label to its text, `members`
    is the session's roster, `parts` each member's line (a member without one is unmarked)."""
    labels = {member.key: member.label for member in members}
    by_key = {part.key: part for part in parts}
    flags: list[Flag] = []

    for where, text in shared.items():
        named = _named(text, members)
        if named:
            found = tuple(name for _, names in named for name in names)
            flags.append(
                Flag(
                    Kind.SHARED_NAMES_MEMBER,
                    f"{where} names a group member ({_quoted(found)}): it goes into every "
                    "attendee's chart, so name no one there.",
                    where=where,
                    others=tuple(m.key for m, _ in named),
                    found=found,
                )
            )

    for member in members:
        part = by_key.get(member.key)
        label = member.label
        if part is None or not part.attendance:
            flags.append(
                Flag(
                    Kind.ATTENDANCE_MISSING,
                    f"Record {label}'s attendance.",
                    attendee=member.key,
                )
            )
            continue
        if part.attendance in ABSENT:
            if not part.absence_reason.strip():
                flags.append(
                    Flag(
                        Kind.REASON_MISSING,
                        f"Say why {label} was absent.",
                        attendee=member.key,
                    )
                )
            continue
        if not part.minutes:
            flags.append(
                Flag(
                    Kind.MINUTES_MISSING,
                    f"Enter the minutes {label} attended.",
                    attendee=member.key,
                )
            )
        if not part.individual_text.strip():
            flags.append(
                Flag(
                    Kind.NO_INDIVIDUAL_PART,
                    f"Write {label}'s individual part.",
                    attendee=member.key,
                    where="individual",
                )
            )
        else:
            others = [m for m in members if m.key != member.key]
            named = _named(part.individual_text, others)
            if named:
                found = tuple(name for _, names in named for name in names)
                flags.append(
                    Flag(
                        Kind.INDIVIDUAL_NAMES_OTHER,
                        f"{label}'s individual part names another group member "
                        f"({_quoted(found)}): each part goes into its own attendee's chart "
                        "only, so name no one else.",
                        attendee=member.key,
                        where="individual",
                        others=tuple(m.key for m, _ in named),
                        found=found,
                    )
                )
        if not part.objectives & part.plan_objectives:
            reason = (
                "cites no objective of their own plan"
                if part.plan_objectives
                else "cites no objective: they have no plan objectives yet"
            )
            flags.append(
                Flag(
                    Kind.NO_OBJECTIVE,
                    f"{label}'s individual part {reason}.",
                    attendee=member.key,
                    where="individual",
                    confirmable=True,
                )
            )

    same: dict[str, list[Any]] = defaultdict(list)
    for member in members:
        part = by_key.get(member.key)
        if part is not None and part.attended and part.individual_text.strip():
            same[normalise(part.individual_text)].append(member.key)
    for keys in same.values():
        if len(keys) > 1:
            flags.append(
                Flag(
                    Kind.IDENTICAL,
                    f"The individual parts of {_list(labels[k] for k in keys)} are identical: "
                    "payers deny cloned notes, so write each one for its attendee.",
                    where="individual",
                    others=tuple(keys),
                )
            )
    return flags


def blocking(flags: Iterable[Flag], *, confirmed: bool = False) -> list[Flag]:
    """The flags that still stop signing; `confirmed` accepts the confirmable ones."""
    return [flag for flag in flags if not (flag.confirmable and confirmed)]
