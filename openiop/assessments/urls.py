from django.urls import path

from openiop.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<uuid:code>/", views.respond, name="respond"),
    path("<uuid:code>/autosave/", views.autosave, name="autosave"),
    path("submitted/<uuid:code>/", views.submitted, name="submitted"),
    path("participant/<uuid:code>/", views.participant_assessments, name="participant"),
    path("participant/<uuid:code>/assign/", views.assign, name="assign"),
    path("responses/<uuid:code>/", views.response_detail, name="response"),
    path("responses/<uuid:code>/fhir/", views.response_fhir, name="response_fhir"),
    path("responses/<uuid:code>/correct/", views.correct, name="correct"),
]
