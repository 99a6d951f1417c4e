from django.urls import path

from openiop.feedback import views

app_name = "feedback"

urlpatterns = [
    path("trends/", views.trend_page, name="trends"),
]
