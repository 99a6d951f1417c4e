"""What the brief safety assessment asks of the apps above safety.

- Site-loaded suicide-risk instruments (a site-licensed C-SSRS, say) live in `assessments`,
  which registers a lookup of a participant's completed responses to them here.
(The location a participant last reported for a video session comes from
openiop.safety.hooks.last_location, which the alert page uses too.)

Each app registers from its AppConfig.ready; with nothing registered the lookups answer
"none", so safety works alone (and in tests of safety alone).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RiskResponse:
    """A submitted response to a suicide-risk instrument, as the assessment page lists it."""

    pk: int
    code: Any
    title: str
    submitted_at: datetime


@dataclass(frozen=True)
class RiskInstruments:
    """The site's suicide-risk instruments and the participant's completed responses."""

    titles: list[str] = field(default_factory=list)
    responses: list[RiskResponse] = field(default_factory=list)


RiskLookup = Callable[[Any], RiskInstruments]

_risk_lookups: list[RiskLookup] = []


def register_risk_instruments(lookup: RiskLookup) -> None:
    if lookup not in _risk_lookups:
        _risk_lookups.append(lookup)


def risk_instruments(participant: Any) -> RiskInstruments:
    titles: list[str] = []
    responses: list[RiskResponse] = []
    for lookup in _risk_lookups:
        found = lookup(participant)
        titles.extend(found.titles)
        responses.extend(found.responses)
    return RiskInstruments(titles=titles, responses=responses)
