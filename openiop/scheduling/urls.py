from django.urls import path

from openiop.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("", views.index, name="index"),
    path("my-week/", views.my_week, name="my_week"),
    path("my-week/reminders/", views.reminder_preferences, name="reminder_preferences"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/new/", views.calendar_new, name="calendar_new"),
    path("calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
    path("programs/<uuid:code>/week/", views.week_grid, name="week_grid"),
    path("programs/<uuid:code>/holidays/", views.add_holiday, name="add_holiday"),
    path("programs/<uuid:code>/closures/", views.closures, name="closures"),
    path("groups/<uuid:code>/", views.roster, name="roster"),
    path("groups/<uuid:code>/admit/", views.admit, name="admit"),
    path("groups/<uuid:code>/capacity/", views.set_capacity, name="set_capacity"),
    path("groups/<uuid:code>/extra-session/", views.add_extra_session, name="add_extra_session"),
    path("enrollments/<uuid:code>/end/", views.end_enrollment, name="end_enrollment"),
    path("sessions/<uuid:code>/", views.session_detail, name="session"),
    path("sessions/<uuid:code>/attendance/", views.record_attendance, name="record_attendance"),
    path("sessions/<uuid:code>/cancel/", views.cancel_session, name="cancel_session"),
    path("participants/<uuid:code>/ledger/", views.ledger, name="ledger"),
    path(
        "participants/<uuid:code>/makeup/<uuid:session_code>/",
        views.book_makeup,
        name="book_makeup",
    ),
    path(
        "participants/<uuid:code>/appointments/new/",
        views.new_appointment,
        name="new_appointment",
    ),
]
