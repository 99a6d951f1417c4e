from openiop.audit.models import AuditEvent
from openiop.audit.reads import READ_EVENTS, record_read
from openiop.testing import BaseTestCase


class RecordReadTests(BaseTestCase):
    def test_it_records_a_known_read(self):
        record_read("participant.chart_viewed", acting_user=self.alvarez, participant=self.pat)
        event = AuditEvent.objects.get()
        self.assertEqual(
            (event.event_type, event.participant), ("participant.chart_viewed", self.pat)
        )

    def test_it_refuses_an_event_the_matrix_would_not_count(self):
        self.assertNotIn("participant.updated", READ_EVENTS)
        with self.assertRaises(ValueError):
            record_read("participant.updated", acting_user=self.alvarez)
        self.assertFalse(AuditEvent.objects.exists())
