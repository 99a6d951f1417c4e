from django.urls import path

from openiop.portal import views

app_name = "portal"

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("crisis/", views.crisis, name="crisis"),
]
