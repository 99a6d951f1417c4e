"""The audit trail of answering, scoring, alerting and correcting holds no clinical content."""

from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.urls import reverse

from openiop.assessments import actions
from openiop.assessments.actions import shipped_instrument
from openiop.assessments.models import InstrumentDefinition, Response
from openiop.audit.models import AuditEvent
from openiop.safety.models import SafetyAlert
from openiop.testing import BaseTestCase

FIXTURE = Path(__file__).parent / "fixtures" / "example-site-instrument.json"
NONE, SEVERAL = "LA6568-5", "LA6569-3"
CONCERN = "Gave away belongings"
# Keys that would name clinical content if they came back.
CLINICAL_KEYS = {
    "answers",
    "changed_items",
    "critical_items",
    "findings",
    "instrument",
    "items",
    "key",
    "label",
    "missing_items",
    "note",
    "scores",
}


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


class AssessmentAuditDetailsTestCase(BaseTestCase):
    def test_the_flows_leave_no_clinical_detail_on_the_trail(self):
        call_command("load_instrument", str(FIXTURE), by=self.admin.email, stdout=StringIO())
        phq9 = shipped_instrument("phq-9")
        assignment = actions.assign_instrument(self.pat, phq9, acting_user=self.alvarez)

        self.login(self.pat_user)
        self.client.post(reverse("assessments:autosave", args=[assignment.code]), {"q-9": SEVERAL})
        url = reverse("assessments:respond", args=[assignment.code])
        self.client.post(url, {"q-1": SEVERAL, "q-9": SEVERAL, "action": "submit"})
        self.client.post(url, {"q-1": SEVERAL, "q-9": SEVERAL, "action": "submit_incomplete"})
        response = Response.objects.get(status=Response.Status.SUBMITTED)

        self.login(self.alvarez)
        self.client.get(reverse("assessments:response", args=[response.code]))
        self.client.get(reverse("assessments:response_fhir", args=[response.code]))
        actions.correct_response(
            response,
            {str(n): NONE for n in range(1, 9)} | {"9": SEVERAL},
            reason="Clarified in session",
            acting_user=self.alvarez,
        )
        self.client.post(
            reverse("safety:raise_concern", args=[self.pat.code]), {"concern": CONCERN}
        )
        alert = SafetyAlert.objects.get(kind=SafetyAlert.Kind.CRITICAL_ITEM)
        self.client.post(
            reverse("safety:acknowledge", args=[alert.code]),
            {"action": "risk_assessed", "note": "Low acute risk after assessment"},
        )

        events = list(AuditEvent.objects.all())
        types = {e.event_type for e in events}
        self.assertLessEqual(
            {
                "assessment.instrument_loaded",
                "assessment.assigned",
                "assessment.answers_saved",
                "assessment.submitted",
                "assessment.response_viewed",
                "assessment.exported",
                "assessment.corrected",
                "safety.alert_raised",
                "safety.alert_repeated",
                "safety.alert_acknowledged",
            },
            types,
        )
        forbidden = {CONCERN, "Clarified in session", "Low acute risk after assessment"}
        for row in InstrumentDefinition.objects.all():
            definition = row.definition
            forbidden |= {row.key, row.title}
            forbidden |= {c.id for c in definition.critical_items}
            forbidden |= {c.label for c in definition.critical_items}
            forbidden |= {q.link_id for q in definition.questions}
            forbidden |= {o.code for q in definition.questions for o in q.options}
        for event in events:
            with self.subTest(event=event.event_type):
                self.assertFalse(CLINICAL_KEYS & set(event.details), event.details)
                self.assertFalse(forbidden & set(strings(event.details)), event.details)
