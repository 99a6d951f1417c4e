from django.urls import path

from openiop.consent import release_views as views

app_name = "releases"

urlpatterns = [
    path("mine/", views.my_releases, name="mine"),
    path("mine/new/", views.new_release, name="new"),
    path("mine/<uuid:code>/revoke/", views.revoke, name="revoke"),
    path("mine/disclosures/", views.my_disclosures, name="my_disclosures"),
    path("participants/<uuid:code>/", views.chart, name="chart"),
]
