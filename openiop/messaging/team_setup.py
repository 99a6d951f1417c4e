"""The team part's start-up (called from MessagingConfig.ready)."""

from openiop.accounts.encryption import register_encrypted_field


def ready() -> None:
    from openiop.messaging.models import CaseReviewDecision, TeamPost, TeamTask

    # `manage.py rotate_keys` re-encrypts the team's free text with the other secrets.
    register_encrypted_field(TeamPost, "ciphertext", label="team posts")
    register_encrypted_field(TeamTask, "note_ciphertext", label="task notes")
    register_encrypted_field(CaseReviewDecision, "ciphertext", label="case review decisions")
