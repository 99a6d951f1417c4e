from django.urls import reverse

from openiop.testing import BaseTestCase


class RecordAccessPageTestCase(BaseTestCase):
    def test_a_participant_sees_which_staff_opened_their_chart(self):
        self.login(self.alvarez)
        self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.client.logout()
        self.login(self.dana)
        self.client.get(reverse("participants:chart", args=[self.quinn.code]))
        self.client.logout()

        self.login(self.pat_user)
        self.client.get(reverse("participants:chart", args=[self.pat.code]))
        response = self.client.get(reverse("participants:record_access"))
        self.assertContains(response, "Rosa Alvarez, PsyD")
        self.assertContains(response, "Psychologist")
        self.assertContains(response, '<td data-label="Times">2</td>', html=True)
        # Dana opened Quinn's chart, not Pat's; Pat's own views are not listed.
        self.assertNotContains(response, "Dana")
        self.assertNotContains(response, "Patricia Lindqvist</bdi></td>")
