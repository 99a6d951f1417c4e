"""The public pages a portal invitation's link opens (no sign-in needed)."""

from django.urls import path

from openiop.consent.views import invitations

app_name = "welcome"

urlpatterns = [
    path("set-password/", invitations.set_password, name="set_password"),
    path("<str:token>/", invitations.accept, name="accept"),
]
