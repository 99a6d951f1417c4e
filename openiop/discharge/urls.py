"""Discharge summaries and aftercare (CLINICAL.md §5.4)."""

from django.urls import path

from openiop.discharge import views

app_name = "discharge"

urlpatterns = [
    path("participants/<uuid:code>/new/", views.new, name="new"),
    path("<uuid:code>/", views.summary, name="summary"),
    path("<uuid:code>/edit/", views.edit, name="edit"),
    path("<uuid:code>/refresh/", views.refresh, name="refresh"),
    path("<uuid:code>/sign/", views.sign, name="sign"),
    path("<uuid:code>/summary.pdf", views.summary_pdf, name="summary_pdf"),
]
