from django.urls import path

from openiop.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.referrals, name="referrals"),
    path("new/", views.new, name="new"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("targets/<uuid:code>/", views.targets, name="targets"),
    path("<uuid:code>/", views.referral, name="referral"),
    path("<uuid:code>/screening/", views.screening, name="screening"),
    path("<uuid:code>/assessment/", views.assessment, name="assessment"),
    path("<uuid:code>/level-of-care/", views.level_of_care, name="level_of_care"),
    path("<uuid:code>/outcome/", views.outcome, name="outcome"),
    path("rules/<uuid:code>/", views.rules, name="rules"),
]
