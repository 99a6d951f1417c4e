from django.urls import path

from openiop.safety.views import alerts, assessment, board, plan, rota

app_name = "safety"

urlpatterns = [
    path("", alerts.alerts, name="alerts"),
    path("<uuid:code>/", alerts.alert, name="alert"),
    path("<uuid:code>/acknowledge/", alerts.acknowledge, name="acknowledge"),
    path("concern/<uuid:code>/", alerts.raise_concern, name="raise_concern"),
    # Safety plans (views/plan.py).
    path("plans/<uuid:code>/", plan.participant_plans, name="participant_plans"),
    path("plans/<uuid:code>/start/", plan.plan_start, name="plan_start"),
    path("plan/<uuid:code>/", plan.plan, name="plan"),
    path("plan/<uuid:code>/review/", plan.plan_review, name="plan_review"),
    path("plan/<uuid:code>/pdf/", plan.plan_pdf, name="plan_pdf"),
    path("my-plan/", plan.my_plan, name="my_plan"),
    path("my-plan/acknowledge/", plan.my_plan_acknowledge, name="my_plan_acknowledge"),
    path("my-plan/pdf/", plan.my_plan_pdf, name="my_plan_pdf"),
    path("my-plan/sw.js", plan.my_plan_worker, name="my_plan_worker"),
]

# The on-call rota and safety policy of a program (its directors only).
urlpatterns += [
    path("rota/<str:program>/", rota.rota, name="rota"),
    path("rota/<str:program>/shifts/", rota.add_shift, name="rota_add_shift"),
    path(
        "rota/<str:program>/shifts/<int:shift>/remove/",
        rota.remove_shift,
        name="rota_remove_shift",
    ),
    path("rota/<str:program>/overrides/", rota.add_override, name="rota_add_override"),
    path(
        "rota/<str:program>/overrides/<int:override>/remove/",
        rota.remove_override,
        name="rota_remove_override",
    ),
    path("rota/<str:program>/policy/", rota.policy, name="rota_policy"),
    path("board/", board.boards, name="boards"),
    path("board/<uuid:code>/", board.board, name="board"),
    # Brief safety assessments (views/assessment.py).
    path("<uuid:code>/assessment/", assessment.start_from_alert, name="assessment_start"),
    path(
        "chart/<uuid:code>/assessments/",
        assessment.chart_assessments,
        name="assessment_list",
    ),
    path(
        "chart/<uuid:code>/assessments/start/",
        assessment.start_from_chart,
        name="assessment_start_chart",
    ),
    path("assessments/<uuid:code>/", assessment.assessment_detail, name="assessment"),
    path("assessments/<uuid:code>/edit/", assessment.edit, name="assessment_edit"),
    path(
        "assessments/<uuid:code>/autosave/",
        assessment.autosave,
        name="assessment_autosave",
    ),
    path("assessments/<uuid:code>/sign/", assessment.sign, name="assessment_sign"),
]
