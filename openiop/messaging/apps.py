from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "openiop.messaging"
    label = "messaging"
    verbose_name = "Messaging: participant and care team threads, team tasks, case review"
