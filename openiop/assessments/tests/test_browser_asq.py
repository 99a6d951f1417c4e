"""The ASQ on a phone (390 × 844): a refusal brings the crisis resources at once, and the
result page keeps its header readable and numbers the questions as printed (4, 4a, 4b, 5)."""

import re

import pytest

from openiop.assessments import actions
from openiop.assessments.actions import shipped_instrument
from openiop.assessments.models import Response
from openiop.safety.models import Acuity, SafetyAlert
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HEADER_WIDTHS = (
    "[...document.querySelectorAll('dl.header dd')].map(e => e.getBoundingClientRect().width)"
)


class AsqOnAPhoneTestCase(BrowserTestCase):
    viewport = PHONE

    def test_asq_refusal_is_positive_and_the_result_page_fits_a_phone(self):
        asq = shipped_instrument("asq")
        actions.assign_instrument(self.pat, asq, acting_user=self.alvarez)
        self.page.set_default_timeout(20_000)
        self.sign_in(self.pat_user)
        page = self.page
        page.get_by_role("link", name="Questionnaires").click()
        page.get_by_role("link", name=re.compile("ASQ")).click()
        for number in ("1", "2", "3"):
            page.get_by_role("group", name=re.compile(rf"^{number}\. ")).get_by_label(
                "No", exact=True
            ).check()
        # A refusal counts as "yes": crisis resources at once, and the acuity question.
        page.get_by_role("group", name=re.compile(r"^4\. ")).get_by_label(
            "I'd rather not answer"
        ).check()
        inline = page.locator('[data-crisis-for="q-4"] .crisis')
        inline.wait_for()
        self.assertIn("988", inline.inner_text())
        acuity = page.get_by_role("group", name=re.compile(r"^5\. "))
        acuity.wait_for()
        page.get_by_text("Saved.").wait_for()
        self.assertEqual(SafetyAlert.objects.get(participant=self.pat).acuity, Acuity.HIGH)
        acuity.get_by_label("No", exact=True).check()
        page.get_by_text("Saved.").wait_for()
        page.get_by_role("button", name="Submit", exact=True).click()
        page.get_by_role("heading", name=re.compile("help is there right now")).wait_for()

        # Dr. Alvarez opens the result on her phone.
        response = Response.objects.get(participant=self.pat, status=Response.Status.SUBMITTED)
        self.context.close()
        self.context = self.browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
        self.page = page = self.context.new_page()
        page.set_default_timeout(20_000)
        self.sign_in(self.alvarez)
        page.goto(self.url(response.get_absolute_url()))
        page.get_by_role("heading", name=re.compile("ASQ"), level=1).wait_for()
        numbers = page.locator(".qnum").all_inner_texts()
        self.assertEqual(numbers, ["1.", "2.", "3.", "4.", "4a.", "4b.", "5."])
        # Nothing runs off the side, and every header value gets the page's width.
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), PHONE["width"])
        widths = page.evaluate(HEADER_WIDTHS)
        self.assertTrue(widths)
        self.assertGreater(min(widths), PHONE["width"] * 0.6, widths)
        self.assertIn("Positive screen", page.content())
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("asq-result-390")
        # Just above the phone layout the long finding labels sit beside their answers
        # without squeezing them.
        page.set_viewport_size({"width": 700, "height": 844})
        widths = page.evaluate(HEADER_WIDTHS)
        self.assertGreater(min(widths), 700 * 0.4, widths)
