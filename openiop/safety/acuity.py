"""How urgent each kind of signal is: the rule a signal matched gives the alert its acuity.

The defaults are OpenIOP's operational choices from CLINICAL.md ("Alert acuity defaults"), not
published standards; a program overrides any rule in its SafetyPolicy.acuity_rules
(docs/safety.md). An alert's acuity is the highest of its signals' and never drops while open.
"""

from typing import Any

from openiop.safety.models import Acuity

# rule key -> (default acuity, what the rule means, as shown on the alert and in docs).
RULES: dict[str, tuple[Acuity, str]] = {
    "asq_acute_positive": (Acuity.EMERGENCY, "ASQ acute positive (imminent risk)"),
    "help_requested": (Acuity.EMERGENCY, '"I need help" pressed in a video session'),
    "asq_positive": (Acuity.HIGH, "ASQ non-acute positive"),
    "phq9_item9_high": (Acuity.HIGH, "PHQ-9 item 9 answered more than half the days or more"),
    "crisis_language": (Acuity.HIGH, "Crisis language in a message or peer post"),
    "deterioration_with_item9": (Acuity.HIGH, "Reliable deterioration with item 9 above 0"),
    "phq9_item9_low": (Acuity.ELEVATED, "PHQ-9 item 9 answered several days"),
    "phq9_item9_missing": (Acuity.ELEVATED, "PHQ-9 item 9 not answered"),
    "clinician_concern": (Acuity.ELEVATED, "A clinician's concern"),
    "peer_concern": (Acuity.ELEVATED, "A peer specialist's or staff member's concern"),
    "deterioration": (Acuity.ELEVATED, "Reliable deterioration"),
    # A site-loaded instrument's critical item that matched none of the rules above.
    "critical_item": (Acuity.ELEVATED, "Critical answer on an instrument"),
}


def rule_label(rule: str) -> str:
    return RULES[rule][1] if rule in RULES else rule


def acuity_for(rule: str, program: Any = None) -> Acuity:
    """The acuity of `rule` in `program` (its SafetyPolicy, else the default)."""
    default = RULES[rule][0] if rule in RULES else Acuity.ELEVATED
    policy = getattr(program, "safety_policy", None) if program is not None else None
    if policy is None:
        return default
    override = (policy.acuity_rules or {}).get(rule)
    if override in Acuity.values:
        return Acuity(override)
    return default
