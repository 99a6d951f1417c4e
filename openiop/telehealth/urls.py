from django.urls import path

from . import guest_views, views

app_name = "telehealth"

urlpatterns = [
    path("", views.sessions, name="sessions"),
    path("health/", views.video_health, name="health"),
    path("nodes/", views.janus_nodes, name="nodes"),
    path("nodes/<str:name>/drain/", views.janus_node_drain, name="node_drain"),
    path("<uuid:code>/join/", views.join, name="join"),
    path("<uuid:code>/waiting/", views.waiting, name="waiting"),
    path("<uuid:code>/status/", views.status, name="status"),
    path("<uuid:code>/room/", views.room, name="room"),
    path("<uuid:code>/ticket/", views.ticket, name="ticket"),
    path("<uuid:code>/presence/", views.presence, name="presence"),
    path("<uuid:code>/feeds/", views.feeds, name="feeds"),
    path("<uuid:code>/help/", views.request_help, name="help"),
    path(
        "<uuid:code>/people/<uuid:attendance_code>/help-seen/",
        views.acknowledge_help,
        name="help_seen",
    ),
    path("<uuid:code>/waiting-list/", views.waiting_list, name="waiting_list"),
    path("<uuid:code>/admit-all/", views.admit_all, name="admit_all"),
    path("<uuid:code>/people/<uuid:attendance_code>/admit/", views.admit, name="admit"),
    path("<uuid:code>/people/<uuid:attendance_code>/remove/", views.remove, name="remove"),
    path("<uuid:code>/people/<uuid:attendance_code>/mute/", views.mute, name="mute"),
    path("<uuid:code>/people/<uuid:attendance_code>/breakout/", views.breakout, name="breakout"),
    path(
        "<uuid:code>/people/<uuid:attendance_code>/called/",
        views.crisis_call,
        name="crisis_call",
    ),
    path("<uuid:code>/end/", views.end, name="end"),
    path("<uuid:code>/attendance/", views.attendance, name="attendance"),
    path(
        "<uuid:code>/people/<uuid:attendance_code>/correct/",
        views.correct_attendance,
        name="correct",
    ),
    # Guests (an interpreter, a family member): the clinician's side.
    path("<uuid:code>/guests/", guest_views.guests, name="guests"),
    path(
        "<uuid:code>/guests/<uuid:invite_code>/admit/",
        guest_views.guest_admit,
        name="guest_admit",
    ),
    path(
        "<uuid:code>/guests/<uuid:invite_code>/revoke/",
        guest_views.guest_revoke,
        name="guest_revoke",
    ),
    # The guest's own pages: no sign-in, reached through the link only.
    path("guest/<str:token>/", guest_views.guest_link, name="guest_link"),
    path("guest/<uuid:code>/waiting/", guest_views.guest_waiting, name="guest_waiting"),
    path("guest/<uuid:code>/status/", guest_views.guest_status, name="guest_status"),
    path("guest/<uuid:code>/room/", guest_views.guest_room, name="guest_room"),
    path("guest/<uuid:code>/ticket/", guest_views.guest_ticket, name="guest_ticket"),
    path("guest/<uuid:code>/presence/", guest_views.guest_presence, name="guest_presence"),
    path("guest/<uuid:code>/feeds/", guest_views.guest_feeds, name="guest_feeds"),
]
