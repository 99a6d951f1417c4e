from django.urls import path

from openiop.community import views

app_name = "community"

urlpatterns = [
    path("", views.index, name="index"),
    path("<uuid:code>/", views.space, name="space"),
    path("<uuid:code>/rules/", views.accept_rules, name="accept_rules"),
    path("<uuid:code>/post/", views.new_thread, name="new_thread"),
    path("<uuid:code>/moderation/", views.moderation, name="moderation"),
    path("<uuid:code>/lock/", views.lock_space, name="lock_space"),
    path(
        "<uuid:code>/members/<uuid:participant_code>/",
        views.remove_member,
        name="remove_member",
    ),
    path("posts/<uuid:code>/", views.thread, name="thread"),
    path("posts/<uuid:code>/reply/", views.reply, name="reply"),
    path("posts/<uuid:code>/report/", views.report, name="report"),
    path("posts/<uuid:code>/moderate/", views.moderate, name="moderate"),
    path("posts/<uuid:code>/review/", views.review, name="review"),
]
