import re

from django import forms
from django.template import Context, Template
from django.test import SimpleTestCase
from django.urls import reverse

from openiop.telehealth.tests.helpers import attendance_kwargs
from openiop.testing import BaseTestCase

# An empty POST leaves the views' forms unbound (`request.POST or None`).
BLANK = {"submitted": "yes"}


def summary_links(html: str) -> list[str]:
    match = re.search(r'<div class="error-summary"[^>]*data-error-summary>(.*?)</div>', html, re.S)
    assert match, "no error summary on the page"
    return re.findall(r'<a href="#([^"]+)">', match.group(1))


class ExampleForm(forms.Form):
    name = forms.CharField(label="Name")
    choice = forms.ChoiceField(
        label="How to reach you", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("The form as a whole is wrong.")


def render_summary(**context) -> str:
    template = Template('{% include "includes/error_summary.html" %}')
    return template.render(Context(context))


class ErrorSummaryTemplateTestCase(SimpleTestCase):
    def test_it_links_each_field_and_lists_form_errors(self):
        html = render_summary(form=ExampleForm(data={}))
        self.assertIn('role="alert"', html)
        self.assertIn('tabindex="-1"', html)
        self.assertIn("<h2>There is a problem</h2>", html)
        self.assertIn("<li>The form as a whole is wrong.</li>", html)
        # A radio group links to its first choice; a hidden field has nothing to link to.
        self.assertEqual(summary_links(html), ["id_name", "id_choice_0"])
        self.assertIn('<a href="#id_name">Name: This field is required.</a>', html)
        self.assertIn("<li>This field is required.</li>", html)

    def test_it_shows_nothing_for_an_unbound_or_valid_form(self):
        self.assertNotIn("error-summary", render_summary(form=ExampleForm()))
        self.assertNotIn("error-summary", render_summary(form=None))

    def test_one_summary_covers_two_forms_submitted_together(self):
        html = render_summary(
            form=ExampleForm(data={}, prefix="person"),
            second_form=ExampleForm(data={}, prefix="referral"),
        )
        self.assertEqual(html.count("There is a problem"), 1)
        self.assertEqual(
            summary_links(html),
            ["id_person-name", "id_person-choice_0", "id_referral-name", "id_referral-choice_0"],
        )


class ErrorSummaryOnPagesTestCase(BaseTestCase):
    def test_a_refused_participant_form_links_every_field_in_error(self):
        self.login(self.dana)
        response = self.client.post(reverse("participants:new"), BLANK)
        html = response.content.decode()
        form = response.context["form"]
        self.assertTrue(form.errors)
        self.assertEqual(summary_links(html), [form[name].id_for_label for name in form.errors])
        for name in form.errors:
            self.assertIn(f'id="{form[name].id_for_label}"', html)

    def test_the_referral_page_has_one_summary_for_both_its_forms(self):
        self.login(self.dana)
        response = self.client.post(reverse("intake:new"), BLANK)
        html = response.content.decode()
        self.assertEqual(html.count("There is a problem"), 1)
        links = summary_links(html)
        self.assertTrue(any(link.startswith("id_person-") for link in links), links)
        self.assertTrue(any(link.startswith("id_referral-") for link in links), links)

    def test_a_failed_sign_in_lists_the_form_error(self):
        response = self.client.post(
            reverse("account_login"), {"login": "alvarez@example.org", "password": "wrong"}
        )
        self.assertContains(response, "There is a problem")
        self.assertContains(response, "data-error-summary")

    def test_an_attendance_correction_links_to_the_fields_of_its_row(self):
        kwargs = attendance_kwargs(self, "own")
        self.login(self.alvarez)
        response = self.client.post(reverse("telehealth:correct", kwargs=kwargs), {"minutes": "5"})
        self.assertEqual(response.status_code, 400)
        links = summary_links(response.content.decode())
        self.assertEqual(links, [f"reason-{kwargs['attendance_code']}"])
        self.assertContains(response, f'id="reason-{kwargs["attendance_code"]}"', status_code=400)
