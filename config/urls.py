from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from openiop.core import errors
from openiop.core import views as core_views

# The admin signs in through the same login, lockout and MFA pages as everyone else.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "OpenIOP administration"

handler400 = errors.bad_request
handler500 = errors.server_error

urlpatterns = [
    path("", core_views.home, name="home"),
    path("", include("openiop.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("language/", include("openiop.accounts.urls")),
    path("participants/", include("openiop.participants.urls")),
    path("assessments/", include("openiop.assessments.urls")),
    path("safety/", include("openiop.safety.urls")),
    path("intake/", include("openiop.intake.urls")),
    path("schedule/", include("openiop.scheduling.urls")),
    path("programs/", include("openiop.programs.urls")),
    path("video/", include("openiop.telehealth.urls")),
    path("record/", include("openiop.careplans.urls")),
    path("notes/", include("openiop.notes.urls")),
    path("discharge/", include("openiop.discharge.urls")),
    path("consent/", include("openiop.consent.urls")),
    path("welcome/", include("openiop.consent.welcome_urls")),
    path("documents/", include("openiop.documents.urls")),
    path("access-requests/", include("openiop.consent.access_requests.urls")),
    path("releases/", include("openiop.consent.release_urls")),
    path("outcomes/", include("openiop.outcomes.urls")),
    path("feedback/", include("openiop.feedback.urls")),
    path("billing/", include("openiop.billing.urls")),
    path("messages/", include("openiop.messaging.urls")),
    path("community/", include("openiop.community.urls")),
    path("portal/", include("openiop.portal.urls")),
    path("admin/", admin.site.urls),
]
