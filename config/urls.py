"""URL map: the web UI, the REST API, the admin. viewflow's own pages are deliberately not mounted."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from workflows.views.cases import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("workflows.urls")),
    path("", include("documents.urls")),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]
