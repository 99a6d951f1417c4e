from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "openiop.participants"
    label = "participants"
    verbose_name = "Participants"

    def ready(self) -> None:
        from openiop.audit.reads import register_read_details
        from openiop.participants.access import break_glass_read_details

        register_read_details(break_glass_read_details)
