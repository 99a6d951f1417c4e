from django.urls import path

from openiop.participants import views

app_name = "participants"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("new/", views.new, name="new"),
    path("duplicates/", views.duplicate_decisions, name="duplicate_decisions"),
    path("me/record-access/", views.record_access, name="record_access"),
    path("<uuid:code>/", views.chart, name="chart"),
    path("<uuid:code>/edit/", views.edit, name="edit"),
    path("<uuid:code>/care-team/", views.add_care_team_member, name="care_team_add"),
    path(
        "<uuid:code>/care-team/<uuid:member_code>/remove/",
        views.remove_care_team_member,
        name="care_team_remove",
    ),
]
