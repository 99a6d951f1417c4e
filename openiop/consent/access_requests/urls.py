from django.urls import path

from openiop.consent.access_requests import views

app_name = "access_requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("participants/<uuid:code>/new/", views.new_request, name="new"),
    path("<uuid:code>/", views.request_detail, name="detail"),
    path("<uuid:code>/start/", views.start, name="start"),
    path("<uuid:code>/extend/", views.extend, name="extend"),
    path("<uuid:code>/deny/", views.deny, name="deny"),
    path("<uuid:code>/withdraw/", views.withdraw, name="withdraw"),
    path("<uuid:code>/deliver/", views.deliver, name="deliver"),
]
