from django.urls import path

from openiop.core import views

app_name = "core"

urlpatterns = [
    path("health/", views.health, name="health"),
    path("health/live/", views.health, name="live"),
    path("health/ready/", views.ready, name="ready"),
    path("metrics/", views.metrics, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("worklist/team/", views.team_worklist, name="team_worklist"),
    path("board/", views.board_index, name="board_index"),
    path("board/<uuid:code>/", views.board, name="board"),
]
