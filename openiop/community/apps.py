from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "openiop.community"
    label = "community"
    verbose_name = "Community: moderated peer spaces for groups and alumni"

    def ready(self) -> None:
        from openiop.accounts.encryption import register_encrypted_field
        from openiop.community.models import Post

        # `manage.py rotate_keys` re-encrypts peer-space posts with the other secrets.
        register_encrypted_field(Post, "ciphertext", label="peer-space posts")
