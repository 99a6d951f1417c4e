from datetime import UTC, datetime

import time_machine
from allauth.mfa.models import Authenticator
from django.urls import reverse

from openiop.testing import BaseTestCase


class SecurityKeyListTestCase(BaseTestCase):
    def test_it_dates_keys_in_the_viewers_zone(self):
        # 03:08 UTC on 1 December is still the evening of 30 November in New York.
        added = datetime(2026, 12, 1, 3, 8, tzinfo=UTC)
        with time_machine.travel(added, tick=False):
            Authenticator.objects.create(
                user=self.alvarez,
                type=Authenticator.Type.WEBAUTHN,
                data={"name": "Office key", "credential": {}},
                last_used_at=added,
            )
        with time_machine.travel(datetime(2026, 12, 2, 15, 0, tzinfo=UTC), tick=False):
            self.login(self.alvarez)
            response = self.client.get(reverse("mfa_list_webauthn"))
        self.assertContains(response, "Office key")
        self.assertContains(response, "Added on Mon 30 Nov 2026.")
        self.assertContains(response, "Last used Mon 30 Nov 2026, 10:08 PM EST")
        self.assertNotContains(response, "1 Dec")
