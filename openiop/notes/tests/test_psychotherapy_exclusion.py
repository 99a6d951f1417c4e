"""A psychotherapy note's words are nowhere but in its author's own pages.

One note is written with a canary phrase, then looked for everywhere else it could leak to:
the chart, the participant's own pages, every export (the full-record PDF, the FHIR export,
calendar feeds), the caseload, every row of every table read back as text, a `pg_dump` of the
whole database, and every SQL statement and log line written meanwhile. The rows are
committed (a TransactionTestCase), so the dump sees what another connection would.
"""

import logging
import os
import subprocess
from unittest import mock

from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse

from openiop.accounts.mfa import MFA_VERIFIED_SESSION_KEY
from openiop.lib import pdf as pdf_module
from openiop.notes.models import PsychotherapyNote
from openiop.notes.psychotherapy import actions
from openiop.notes.tests.helpers import group_session, signed_note
from openiop.scheduling.actions.calendar import create_calendar_feed
from openiop.testing import Personas, TransactionalTestCase
from openiop.tests.authz import response_kwargs

CANARY = "CANARY-PSY-7f3a"


def forms_of(text: str) -> list[str]:
    """The canary as it could appear: as typed, upper/lower case, hex (bytea), escaped."""
    return [text, text.lower(), text.upper(), text.encode().hex(), text.replace("-", "\\u002d")]


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class CanaryTest(Personas, TransactionalTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.create_personas()

    def login(self, user) -> None:
        self.client.force_login(user)
        if user.is_staff_member:
            session = self.client.session
            session[MFA_VERIFIED_SESSION_KEY] = True
            session.save()

    def assert_absent(self, where: str, content: bytes | str) -> None:
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        for form in forms_of(CANARY):
            self.assertNotIn(form, text, f"the canary leaked into {where}")

    def all_rows_as_text(self) -> str:
        """Every row of every table, each cast whole to text (all columns, JSON included)."""
        parts: list[str] = []
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                name = connection.ops.quote_name(table)
                cursor.execute(f"SELECT t::text FROM {name} AS t")
                parts.extend(row[0] for row in cursor.fetchall())
        return "\n".join(parts)

    def pg_dump(self) -> str:
        db = connection.settings_dict
        env = {**os.environ}
        if db.get("PASSWORD"):
            env["PGPASSWORD"] = db["PASSWORD"]
        command = ["pg_dump", "--no-owner", "--dbname", db["NAME"]]
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if db.get(key):
                command += [flag, str(db[key])]
        return subprocess.run(
            command, env=env, capture_output=True, text=True, check=True, timeout=120
        ).stdout

    def test_the_canary_is_found_only_on_its_authors_own_pages(self):
        logs = Capture()
        root, sql = logging.getLogger(), logging.getLogger("django.db.backends")
        levels = root.level, sql.level
        root.addHandler(logs)
        root.setLevel(logging.DEBUG)
        sql.setLevel(logging.DEBUG)
        connection.force_debug_cursor = True  # every SQL statement and its parameters logged
        try:
            self.exercise()
        finally:
            connection.force_debug_cursor = False
            root.removeHandler(logs)
            root.setLevel(levels[0])
            sql.setLevel(levels[1])
        self.assertTrue(any("notes_psychotherapynote" in line for line in logs.lines))
        self.assert_absent("the SQL statements and logs", "\n".join(logs.lines))

        rows = self.all_rows_as_text()
        note = PsychotherapyNote.objects.get()
        self.assertIn(note.ciphertext, rows)  # the read does reach the note's row
        self.assert_absent("a raw read of every table", rows)

        dump = self.pg_dump()
        self.assertIn(note.ciphertext, dump)
        self.assert_absent("pg_dump", dump)

    def exercise(self) -> None:
        session = group_session(self, participants=[self.pat, self.quinn])
        signed = signed_note(
            self.pat,
            self.alvarez,
            started_at=session.starts_at,
            kind="group",
            session=session,
            shared_text="Distress tolerance: TIPP skills.",
            individual_text="Pat practised paced breathing.",
        )
        # Through the pages, as the author would: write, read, edit.
        self.login(self.alvarez)
        new = reverse("notes:psychotherapy_new", args=[self.pat.code])
        response = self.client.post(
            new + f"?session={session.code}",
            {"text": f"{CANARY} first thoughts.", "session": str(session.code)},
        )
        note = PsychotherapyNote.objects.get()
        self.assertRedirects(response, reverse("notes:psychotherapy_note", args=[note.code]))
        self.client.post(
            reverse("notes:psychotherapy_edit", args=[note.code]),
            {"text": f"{CANARY} revised thoughts.", "version": 1},
        )
        # Positive control: the same check finds it where it belongs.
        own_page = self.client.get(reverse("notes:psychotherapy_note", args=[note.code]))
        self.assertContains(own_page, CANARY)
        self.assertEqual(
            actions.decrypt(note.__class__.objects.get()), f"{CANARY} revised thoughts."
        )

        gad7 = response_kwargs(self, "own")["code"]
        pages = {
            "the chart": reverse("participants:chart", args=[self.pat.code]),
            "the caseload search": reverse("participants:caseload") + f"?q={CANARY}",
            "the session page": reverse("scheduling:session", args=[session.code]),
            "the ledger": reverse("scheduling:ledger", args=[self.pat.code]),
            "the questionnaires": reverse("assessments:participant", args=[self.pat.code]),
            "the FHIR export": reverse("assessments:response_fhir", args=[gad7]),
            "the list of private notes": reverse("notes:psychotherapy_list", args=[self.pat.code]),
            "the worklist": reverse("home"),
            "the chart's notes": reverse("notes:participant_notes", args=[self.pat.code]),
            "a signed note": reverse("notes:note", args=[signed.code]),
            "the group note": reverse("notes:group_note", args=[session.code]),
            "the clinical summary": reverse("careplans:summary", args=[self.pat.code]),
            "the treatment plans": reverse("careplans:plans", args=[self.pat.code]),
        }
        participant_pages = {
            "the participant's home": reverse("home"),
            "the participant's chart": reverse("participants:chart", args=[self.pat.code]),
            "who has seen my record": reverse("participants:record_access"),
            "my week": reverse("scheduling:my_week"),
            "my questionnaires": reverse("assessments:mine"),
            "my notes": reverse("notes:my_notes"),
            "my signed note": reverse("notes:my_note", args=[signed.code]),
        }
        record_url = reverse("notes:record_pdf", args=[self.pat.code])
        for viewer, urls in (
            (self.alvarez, pages),
            (self.dana, {"the chart": pages["the chart"]}),
            (self.sam, {"the chart": pages["the chart"]}),
            (self.pat_user, participant_pages),
        ):
            self.login(viewer)
            for where, url in urls.items():
                response = self.client.get(url, follow=True)
                self.assertEqual(response.status_code, 200, f"{where} as {viewer.email}")
                self.assert_absent(f"{where} as {viewer.email}", response.content)
            self.assert_absent(f"the record PDF for {viewer.email}", self.record_pdf(record_url))
            note_pdf = reverse(
                "notes:my_note_pdf" if viewer.is_participant else "notes:pdf", args=[signed.code]
            )
            self.assert_absent(f"the note's PDF for {viewer.email}", self.record_pdf(note_pdf))
            feed = create_calendar_feed(viewer, acting_user=viewer)
            ics = self.client.get(reverse("scheduling:feed", kwargs={"token": feed}))
            self.assertEqual(ics.status_code, 200)
            self.assert_absent(f"the calendar feed of {viewer.email}", ics.content)

    def record_pdf(self, url: str) -> str:
        """The PDF's bytes and the HTML WeasyPrint laid it out from."""
        seen: list[str] = []

        def keep(name, context):
            html = render_to_string(name, context)
            seen.append(html)
            return html

        with mock.patch.object(pdf_module, "render_to_string", keep):
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(seen), 1)
        self.assertIn("Pat practised paced breathing.", seen[0])
        return seen[0] + response.content.decode("latin-1")
