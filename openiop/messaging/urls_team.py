"""The care team's coordination (issue 15, Build 2), mounted under /messages/."""

from django.urls import path

from openiop.messaging import team_views

urlpatterns = [
    path("team/<uuid:code>/", team_views.team, name="team"),
    path("team/<uuid:code>/posts/", team_views.add_post, name="team_post"),
    path("team/<uuid:code>/posts/new/", team_views.new_posts, name="team_new_posts"),
    path("team/<uuid:code>/tasks/", team_views.add_task, name="task_add"),
    path("tasks/", team_views.my_tasks, name="my_tasks"),
    path("tasks/<uuid:code>/status/", team_views.task_status, name="task_status"),
    path("case-review/", team_views.case_review_index, name="case_review_index"),
    path("case-review/<uuid:code>/", team_views.case_review_page, name="case_review"),
    path(
        "case-review/<uuid:code>/participants/<uuid:participant_code>/decision/",
        team_views.decide,
        name="case_review_decide",
    ),
]
