from django.urls import path

from openiop.safety import views

app_name = "safety"

urlpatterns = [
    path("", views.alerts, name="alerts"),
    path("<uuid:code>/", views.alert, name="alert"),
    path("<uuid:code>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("concern/<uuid:code>/", views.raise_concern, name="raise_concern"),
]
