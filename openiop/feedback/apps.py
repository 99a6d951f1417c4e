from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "openiop.feedback"
    label = "feedback"
    verbose_name = "Session feedback"
