"""Web URLs of documents."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("documents/<int:pk>/pdf", views.download, name="download"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:token>/", views.public, name="public"),
]
