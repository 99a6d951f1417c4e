"""The site's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as site_urls


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("malformed on purpose")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("failing on purpose")


handler400 = site_urls.handler400
handler500 = site_urls.handler500

urlpatterns = [
    path("test-errors/403/", forbidden),
    path("test-errors/400/", suspicious),
    path("test-errors/500/", broken),
    *site_urls.urlpatterns,
]
