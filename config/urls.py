"""URL map: the web UI, the REST API, the admin. viewflow's own pages are deliberately not mounted."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponseBadRequest
from django.template import loader
from django.urls import include, path

from web.cases import home

# The admin speaks the product's name, not "Django 管理".
admin.site.site_header = "医养通办 · 系统管理"
admin.site.site_title = "医养通办系统管理"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("web.urls")),
    path("", include("documents.urls")),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]


def bad_request(request, exception):
    """The 400 page, rendered without the request.

    A Host header outside ALLOWED_HOSTS fails in CommonMiddleware, before the
    authentication middleware sets request.user; Django's own handler renders with
    the request, so the context processors (the navigation reads request.user) raised
    and the answer became a 500.
    """
    return HttpResponseBadRequest(loader.render_to_string("400.html"))


handler400 = bad_request
