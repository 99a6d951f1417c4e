from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "openiop.notes"
    label = "notes"
    verbose_name = "Progress, group and psychotherapy notes"

    def ready(self) -> None:
        from openiop.accounts.encryption import register_encrypted_field
        from openiop.careplans.hooks import register_objective_notes
        from openiop.consent.access_requests.hooks import register_record_contents
        from openiop.notes.models import PsychotherapyNote
        from openiop.notes.queries import notes_by_objective_lineage
        from openiop.notes.record import record_counts

        # The plan shows, per objective, the notes that addressed it (the golden thread);
        # careplans sits below notes, so notes hands it the lookup.
        register_objective_notes(notes_by_objective_lineage)

        # `manage.py rotate_keys` re-encrypts psychotherapy notes with the MFA secrets.
        register_encrypted_field(PsychotherapyNote, "ciphertext", label="psychotherapy notes")

        # A delivered copy's accounting entry counts what the record held; consent sits
        # below notes, so notes hands it the counter.
        register_record_contents(record_counts)
