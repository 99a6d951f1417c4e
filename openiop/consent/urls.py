from django.urls import path

from openiop.consent.views import invitations

app_name = "consent"

urlpatterns = [
    path("<uuid:code>/portal/", invitations.portal_access, name="portal_access"),
    path("<uuid:code>/portal/invite/", invitations.invite, name="invite"),
    path("<uuid:code>/portal/guardian/", invitations.invite_guardian, name="invite_guardian"),
    path("invitations/<uuid:code>/resend/", invitations.resend, name="invitation_resend"),
    path("invitations/<uuid:code>/revoke/", invitations.revoke, name="invitation_revoke"),
    path("guardians/<uuid:code>/revoke/", invitations.revoke_guardian, name="guardian_revoke"),
]
