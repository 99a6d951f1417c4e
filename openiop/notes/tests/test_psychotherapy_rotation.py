"""`manage.py rotate_keys` re-encrypts psychotherapy notes with the MFA secrets."""

from io import StringIO

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from openiop.audit.models import AuditEvent
from openiop.lib.crypto import Keyring, key_id_of, new_entry
from openiop.notes.models import PsychotherapyNote
from openiop.notes.psychotherapy import actions
from openiop.testing import BaseTestCase

K1 = new_entry("k1")
K2 = new_entry("k2")
TEXTS = ["First session: guarded.", "Second: spoke of the accident.", "Third: 100% engaged ✓"]


def ring(*entries: str) -> Keyring:
    """`entries`, then the test settings' key, which the personas' MFA secrets are under."""
    named = Keyring.parse(",".join(entries), source="OPENIOP_ENCRYPTION_KEYS")
    settings_ring = settings.OPENIOP_ENCRYPTION_KEYRING
    return Keyring(
        ids=(*named.ids, *settings_ring.ids),
        source=named.source,
        _fernets={**named._fernets, **settings_ring._fernets},
    )


def stored_key_ids() -> list[str | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM notes_psychotherapynote ORDER BY id")
        return [key_id_of(value) for (value,) in cursor.fetchall()]


class RotationTest(BaseTestCase):
    def setUp(self):
        super().setUp()
        with override_settings(OPENIOP_ENCRYPTION_KEYRING=ring(K1)):
            for text in TEXTS:
                actions.write_note(self.pat, text=text, acting_user=self.alvarez)

    def test_rotation_moves_every_note_to_the_new_key_and_the_old_key_can_go(self):
        self.assertEqual(stored_key_ids(), ["k1"] * 3)
        before = list(PsychotherapyNote.objects.order_by("id").values("edit_version", "updated_at"))
        with override_settings(OPENIOP_ENCRYPTION_KEYRING=ring(K2, K1)):
            out = StringIO()
            call_command("rotate_keys", stdout=out)
            self.assertIn("  psychotherapy notes: 3 re-encrypted, 0 already on it.", out.getvalue())
            self.assertEqual(stored_key_ids(), ["k2"] * 3)

            out = StringIO()
            call_command("rotate_keys", stdout=out)
            self.assertIn("  psychotherapy notes: 0 re-encrypted, 3 already on it.", out.getvalue())
        # Rotation is not an edit: the author's version counter and "last changed" stay.
        after = list(PsychotherapyNote.objects.order_by("id").values("edit_version", "updated_at"))
        self.assertEqual(after, before)
        with override_settings(OPENIOP_ENCRYPTION_KEYRING=ring(K2)):
            notes = PsychotherapyNote.objects.order_by("id")
            self.assertEqual([actions.decrypt(note) for note in notes], TEXTS)

    def test_the_audit_event_counts_the_notes_with_the_secrets(self):
        with override_settings(OPENIOP_ENCRYPTION_KEYRING=ring(K2, K1)):
            call_command("rotate_keys", stdout=StringIO())
        event = AuditEvent.objects.get(event_type="accounts.encryption_keys_rotated")
        # Six staff TOTP secrets and three notes; counts only, never text.
        self.assertEqual(event.details, {"key_id": "k2", "rotated": 9, "already_current": 0})

    def test_a_note_on_a_key_no_longer_configured_stops_rotation_with_its_id(self):
        with (
            override_settings(OPENIOP_ENCRYPTION_KEYRING=ring(K2)),
            self.assertRaisesMessage(CommandError, "key 'k1', which is not in"),
        ):
            call_command("rotate_keys", stdout=StringIO())
