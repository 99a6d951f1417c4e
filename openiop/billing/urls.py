"""Billing: coverage, authorizations, charges, 837 batches, utilization review packets."""

from django.urls import path

from openiop.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.index, name="index"),
    path("programs/<uuid:code>/setup/", views.setup, name="setup"),
    path("programs/<uuid:code>/payers/<uuid:payer_code>/", views.payer_edit, name="payer_edit"),
    path("programs/<uuid:code>/charges/", views.charges, name="charges"),
    path("programs/<uuid:code>/charges.csv", views.charges_csv, name="charges_csv"),
    path("programs/<uuid:code>/charges/generate/", views.generate, name="generate"),
    path("programs/<uuid:code>/payers/<uuid:payer_code>/export/", views.export, name="export"),
    path("batches/<uuid:code>/837.x12", views.batch_file, name="batch_file"),
    path("participants/<uuid:code>/", views.chart, name="chart"),
    path(
        "participants/<uuid:code>/coverage/<uuid:coverage_code>/",
        views.coverage_edit,
        name="coverage_edit",
    ),
    path(
        "participants/<uuid:code>/coverage/<uuid:coverage_code>/end/",
        views.coverage_end,
        name="coverage_end",
    ),
    path("participants/<uuid:code>/ur-packet.pdf", views.ur_packet_pdf, name="ur_packet"),
]
