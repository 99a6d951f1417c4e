from django.urls import path

from openiop.documents import views

app_name = "documents"

urlpatterns = [
    path("participants/<uuid:code>/", views.document_list, name="list"),
    path("participants/<uuid:code>/upload/", views.upload, name="upload"),
    path("<uuid:code>/download/", views.download, name="download"),
    path("<uuid:code>/remove/", views.remove, name="remove"),
]
