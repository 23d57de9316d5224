"""Public URLs of documents: the QR page and verification by upload."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:token>/", views.public, name="public"),
]
