from django.urls import path

from openiop.programs import views

app_name = "programs"

urlpatterns = [
    path("", views.index, name="index"),
    path("<uuid:code>/", views.setup, name="setup"),
    path("<uuid:code>/settings/", views.settings, name="settings"),
    path("<uuid:code>/tracks/new/", views.track_new, name="track_new"),
    path("tracks/<uuid:code>/", views.track, name="track"),
    path("tracks/<uuid:code>/blocks/", views.track_block_add, name="track_block_add"),
    path(
        "tracks/<uuid:code>/blocks/<int:block_id>/remove/",
        views.track_block_remove,
        name="track_block_remove",
    ),
    path("tracks/<uuid:code>/groups/new/", views.group_new, name="group_new"),
    path("groups/<uuid:code>/", views.group, name="group"),
    path("groups/<uuid:code>/facilitators/", views.facilitator_add, name="facilitator_add"),
    path(
        "groups/<uuid:code>/facilitators/<int:facilitator_id>/remove/",
        views.facilitator_remove,
        name="facilitator_remove",
    ),
    path("groups/<uuid:code>/topics/", views.topic_add, name="topic_add"),
    path("groups/<uuid:code>/topics/<int:topic_id>/", views.topic_edit, name="topic_edit"),
    path("groups/<uuid:code>/topics/<int:topic_id>/move/", views.topic_move, name="topic_move"),
    path(
        "groups/<uuid:code>/topics/<int:topic_id>/remove/",
        views.topic_remove,
        name="topic_remove",
    ),
]
