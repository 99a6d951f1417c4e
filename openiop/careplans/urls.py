from django.urls import path, register_converter

from openiop.careplans import booking_views
from openiop.careplans.views import plans, signing, summary


class PlanItemKind:
    """The kinds of item a plan holds, in URLs: /record/plans/<code>/objective/<code>/."""

    regex = "problem|goal|objective|intervention"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PlanItemKind, "plan_item")

app_name = "careplans"

urlpatterns = [
    path("<uuid:code>/plans/", plans.plans, name="plans"),
    path("<uuid:code>/plan/new/", plans.plan_new, name="plan_new"),
    path("plans/<uuid:code>/", plans.plan, name="plan"),
    path("plans/<uuid:code>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<uuid:code>/pdf/", plans.plan_pdf, name="plan_pdf"),
    path("plans/<uuid:code>/<plan_item:kind>/new/", plans.item_new, name="plan_item_new"),
    path(
        "plans/<uuid:code>/<plan_item:kind>/<uuid:item>/",
        plans.item_edit,
        name="plan_item_edit",
    ),
    path(
        "plans/<uuid:code>/<plan_item:kind>/<uuid:item>/remove/",
        plans.item_remove,
        name="plan_item_remove",
    ),
    path(
        "interventions/<uuid:code>/book/",
        booking_views.book_intervention,
        name="book_intervention",
    ),
    # The chart's clinical summary: /record/<participant code>/summary/…
    path("<uuid:code>/summary/", summary.summary, name="summary"),
    path("<uuid:code>/summary/<slug:kind>/add/", summary.add, name="summary_add"),
    path(
        "<uuid:code>/summary/<slug:kind>/<uuid:item>/edit/",
        summary.edit,
        name="summary_edit",
    ),
    path(
        "<uuid:code>/summary/<slug:kind>/<uuid:item>/remove/",
        summary.remove,
        name="summary_remove",
    ),
    path(
        "<uuid:code>/summary/<slug:kind>/<uuid:item>/history/",
        summary.history,
        name="summary_history",
    ),
    path("plans/<uuid:code>/sign/", signing.sign, name="sign"),
    path("plans/<uuid:code>/submit/", signing.submit, name="submit"),
    path("plans/<uuid:code>/return-to-draft/", signing.return_to_draft, name="return_to_draft"),
    path("plans/<uuid:code>/review/", signing.start_review, name="start_review"),
    path("plans/<uuid:code>/diff/", signing.plan_diff, name="plan_diff"),
    path("my-plan/", signing.my_plan, name="my_plan"),
    path("my-plan/<uuid:code>/sign/", signing.my_plan_sign, name="my_plan_sign"),
]
