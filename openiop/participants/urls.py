from django.urls import path

from openiop.participants import views

app_name = "participants"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("new/", views.new, name="new"),
    path("duplicates/", views.duplicate_decisions, name="duplicate_decisions"),
    path("me/record-access/", views.record_access, name="record_access"),
    path("emergency-access/", views.emergency_access, name="emergency_access"),
    path(
        "emergency-access/report/",
        views.emergency_access_report,
        name="emergency_access_report",
    ),
    path("emergency-access/<uuid:code>/", views.break_glass, name="break_glass"),
    path(
        "emergency-access/grants/<uuid:code>/end/",
        views.end_break_glass,
        name="end_break_glass",
    ),
    path("<uuid:code>/", views.chart, name="chart"),
    path("<uuid:code>/edit/", views.edit, name="edit"),
    path("<uuid:code>/care-team/", views.add_care_team_member, name="care_team_add"),
    path(
        "<uuid:code>/care-team/<uuid:member_code>/remove/",
        views.remove_care_team_member,
        name="care_team_remove",
    ),
]
