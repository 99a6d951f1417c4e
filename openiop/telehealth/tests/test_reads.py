"""The facilitator's waiting list shows locations and call-back phones and is polled every few
seconds: one read event per page view, not one per poll and not none."""

import re

from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.testing import BaseTestCase

from .fakes import FakeJanus
from .helpers import pats_group, waiting_attendance


class WaitingListReadTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        FakeJanus.reset()
        self.session = pats_group(self)
        waiting_attendance(self.session, self.pat)
        self.login(self.alvarez)

    def reads(self):
        return AuditEvent.objects.filter(event_type="telehealth.waiting_list_viewed")

    def polled_url(self):
        room = self.client.get(reverse("telehealth:room", args=[self.session.code]))
        self.assertEqual(room.status_code, 200)
        found = re.search(r'hx-get="([^"]+)"', room.content.decode())
        assert found is not None
        return found.group(1).replace("&amp;", "&")

    def test_polls_of_one_page_view_record_one_read(self):
        url = self.polled_url()
        self.assertIn("?view=", url)
        for _ in range(5):
            self.assertContains(self.client.get(url), "(555) 555-0100")
        self.assertEqual(self.reads().count(), 1)
        event = self.reads().get()
        self.assertEqual(event.actor, self.alvarez)
        self.assertEqual(event.details, {"session": str(self.session.code)})

    def test_each_page_view_records_its_own_read(self):
        for _ in range(2):
            url = self.polled_url()
            self.client.get(url)
            self.client.get(url)
        self.assertEqual(self.reads().count(), 2)

    def test_the_list_opened_on_its_own_records_every_time(self):
        url = reverse("telehealth:waiting_list", args=[self.session.code])
        self.client.get(url)
        self.client.get(url)
        self.assertEqual(self.reads().count(), 2)

    def test_someone_elses_view_id_does_not_silence_a_read(self):
        url = self.polled_url()
        self.client.get(url)
        self.login(self.sam)
        self.client.get(url)
        self.assertEqual(
            list(self.reads().values_list("actor", flat=True)), [self.alvarez.pk, self.sam.pk]
        )
