from django.urls import path

from openiop.careplans import booking_views

app_name = "careplans"

urlpatterns: list = [
    path(
        "interventions/<uuid:code>/book/",
        booking_views.book_intervention,
        name="book_intervention",
    ),
]
