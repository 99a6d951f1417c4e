from django.urls import path

from openiop.safety import views, views_assessment, views_board, views_plan, views_rota

app_name = "safety"

urlpatterns = [
    path("", views.alerts, name="alerts"),
    path("<uuid:code>/", views.alert, name="alert"),
    path("<uuid:code>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("concern/<uuid:code>/", views.raise_concern, name="raise_concern"),
    # Safety plans (views_plan.py).
    path("plans/<uuid:code>/", views_plan.participant_plans, name="participant_plans"),
    path("plans/<uuid:code>/start/", views_plan.plan_start, name="plan_start"),
    path("plan/<uuid:code>/", views_plan.plan, name="plan"),
    path("plan/<uuid:code>/review/", views_plan.plan_review, name="plan_review"),
    path("plan/<uuid:code>/pdf/", views_plan.plan_pdf, name="plan_pdf"),
    path("my-plan/", views_plan.my_plan, name="my_plan"),
    path("my-plan/acknowledge/", views_plan.my_plan_acknowledge, name="my_plan_acknowledge"),
    path("my-plan/pdf/", views_plan.my_plan_pdf, name="my_plan_pdf"),
    path("my-plan/sw.js", views_plan.my_plan_worker, name="my_plan_worker"),
]

# The on-call rota and safety policy of a program (its directors only).
urlpatterns += [
    path("rota/<str:program>/", views_rota.rota, name="rota"),
    path("rota/<str:program>/shifts/", views_rota.add_shift, name="rota_add_shift"),
    path(
        "rota/<str:program>/shifts/<int:shift>/remove/",
        views_rota.remove_shift,
        name="rota_remove_shift",
    ),
    path("rota/<str:program>/overrides/", views_rota.add_override, name="rota_add_override"),
    path(
        "rota/<str:program>/overrides/<int:override>/remove/",
        views_rota.remove_override,
        name="rota_remove_override",
    ),
    path("rota/<str:program>/policy/", views_rota.policy, name="rota_policy"),
    path("board/", views_board.boards, name="boards"),
    path("board/<uuid:code>/", views_board.board, name="board"),
    # Brief safety assessments (views_assessment.py).
    path("<uuid:code>/assessment/", views_assessment.start_from_alert, name="assessment_start"),
    path(
        "chart/<uuid:code>/assessments/",
        views_assessment.chart_assessments,
        name="assessment_list",
    ),
    path(
        "chart/<uuid:code>/assessments/start/",
        views_assessment.start_from_chart,
        name="assessment_start_chart",
    ),
    path("assessments/<uuid:code>/", views_assessment.assessment_detail, name="assessment"),
    path("assessments/<uuid:code>/edit/", views_assessment.edit, name="assessment_edit"),
    path(
        "assessments/<uuid:code>/autosave/",
        views_assessment.autosave,
        name="assessment_autosave",
    ),
    path("assessments/<uuid:code>/sign/", views_assessment.sign, name="assessment_sign"),
]
