from django.urls import path

from openiop.audit import views

app_name = "audit"

urlpatterns = [
    path("record-access/", views.record_access, name="record_access"),
]
