from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "openiop.messaging"
    label = "messaging"
    verbose_name = "Messaging: participant and care team threads, team tasks, case review"

    def ready(self) -> None:
        from openiop.accounts.encryption import register_encrypted_field
        from openiop.messaging.models import Message, Thread
        from openiop.messaging.team_setup import ready as team_ready

        # `manage.py rotate_keys` re-encrypts message text with the other secrets. Automatic
        # replies store no text (an empty value, which the rotation must skip).
        register_encrypted_field(Message, "ciphertext", label="messages")
        register_encrypted_field(Thread, "subject_ciphertext", label="message subjects")
        # The care team's posts, task notes and case-review decisions.
        team_ready()
