from django.apps import AppConfig
from django.db.models.signals import post_save


class FeedbackConfig(AppConfig):
    name = "openiop.feedback"
    label = "feedback"
    verbose_name = "Session feedback"

    def ready(self) -> None:
        from openiop.assessments.context import register_assignment_context
        from openiop.assessments.models import Response
        from openiop.feedback.context import session_contexts
        from openiop.feedback.signals import response_saved

        post_save.connect(response_saved, sender=Response, dispatch_uid="feedback.response_saved")
        register_assignment_context(session_contexts)
