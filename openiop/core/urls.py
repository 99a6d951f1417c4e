from django.urls import path

from openiop.core import views

app_name = "core"

urlpatterns = [
    path("health/", views.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("worklist/team/", views.team_worklist, name="team_worklist"),
]
