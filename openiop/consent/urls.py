"""Consents (the participant's: sign, copy, revoke; a guardian's for the participants they
look after; a chart's; a program's texts) and portal invitations (a chart's portal access,
guardians)."""

from django.urls import path

from openiop.consent.views import consents, invitations

app_name = "consent"

urlpatterns = [
    path("", consents.mine, name="mine"),
    path("sign/<str:kind>/", consents.sign, name="sign"),
    path("<uuid:code>/", consents.detail, name="detail"),
    path("<uuid:code>/revoke/", consents.revoke, name="revoke"),
    path("<uuid:code>/consent.pdf", consents.consent_pdf, name="pdf"),
    path("<uuid:code>/consent.json", consents.consent_fhir, name="fhir"),
    path("family/<uuid:code>/", consents.ward_consents, name="ward_consents"),
    path("family/<uuid:code>/sign/<str:kind>/", consents.ward_sign, name="ward_sign"),
    path("participants/<uuid:code>/", consents.participant_consents, name="participant"),
    path("programs/<uuid:code>/", consents.program_texts, name="program_texts"),
    path("programs/<uuid:code>/<str:kind>/", consents.edit_text, name="edit_text"),
    path("<uuid:code>/portal/", invitations.portal_access, name="portal_access"),
    path("<uuid:code>/portal/invite/", invitations.invite, name="invite"),
    path("<uuid:code>/portal/guardian/", invitations.invite_guardian, name="invite_guardian"),
    path("invitations/<uuid:code>/resend/", invitations.resend, name="invitation_resend"),
    path("invitations/<uuid:code>/revoke/", invitations.revoke, name="invitation_revoke"),
    path("guardians/<uuid:code>/revoke/", invitations.revoke_guardian, name="guardian_revoke"),
]
