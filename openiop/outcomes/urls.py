from django.urls import path

from openiop.outcomes.views import dashboard, progress, schedules

app_name = "outcomes"

urlpatterns = [
    # Measurement schedules and completion rates (a program's directors only).
    path("schedules/", schedules.index, name="schedules_index"),
    path("programs/<str:code>/schedules/", schedules.schedules, name="schedules"),
    path("programs/<str:code>/schedules/add/", schedules.add, name="schedule_add"),
    path(
        "programs/<str:code>/schedules/defaults/",
        schedules.add_defaults,
        name="schedule_defaults",
    ),
    path("schedules/<str:code>/deactivate/", schedules.deactivate, name="schedule_deactivate"),
    path("programs/<str:code>/completion/", schedules.completion_rates, name="completion"),
    # Measures and progress: the clinician's page and the participant's "My progress".
    path("participant/<uuid:code>/progress/", progress.progress, name="progress"),
    path("my-progress/", progress.my_progress, name="my_progress"),
    # Program outcomes dashboard (docs/outcomes.md).
    path("dashboard/", dashboard.dashboards, name="dashboards"),
    path("dashboard/<uuid:code>/", dashboard.dashboard, name="dashboard"),
    path("dashboard/<uuid:code>/export.csv", dashboard.dashboard_export, name="dashboard_export"),
]
