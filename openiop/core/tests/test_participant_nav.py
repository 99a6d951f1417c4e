from django.urls import reverse

from openiop.testing import BaseTestCase


class ParticipantNavigationTestCase(BaseTestCase):
    def test_a_participant_reaches_their_plan_and_notes_from_every_page(self):
        self.login(self.pat_user)
        home = self.client.get(reverse("home"))
        for name in ("careplans:my_plan", "notes:my_notes"):
            with self.subTest(page=name):
                self.assertContains(home, f'href="{reverse(name)}"')
                self.assertEqual(self.client.get(reverse(name)).status_code, 200)

    def test_staff_do_not_get_the_participant_links(self):
        self.login(self.alvarez)
        page = self.client.get(reverse("participants:caseload"))
        self.assertNotContains(page, reverse("careplans:my_plan"))
