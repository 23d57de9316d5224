"""Web URLs of documents."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("documents/<int:pk>/pdf", views.download, name="download"),
    path("documents/<int:pk>/correct/", views.correct, name="correct"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:token>/", views.public, name="public"),
]
