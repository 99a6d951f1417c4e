from django.urls import path

from openiop.messaging import threads_views as views

urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new_thread, name="new_thread"),
    path("inbox/", views.inbox, name="inbox"),
    path("thread/<uuid:code>/", views.thread, name="thread"),
    path("thread/<uuid:code>/updates/", views.thread_updates, name="thread_updates"),
    path("thread/<uuid:code>/lock/", views.lock, name="lock"),
    path("attachment/<uuid:code>/", views.attachment, name="attachment"),
    path("programs/<uuid:code>/office-hours/", views.office_hours, name="office_hours"),
]
