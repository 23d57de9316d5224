"""URL map: the web UI, the REST API, the admin. viewflow's own pages are deliberately not mounted."""

import base64
import hashlib
import re

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.template import loader
from django.urls import include, path
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from common.http import error_json, is_api
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

_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def _standalone(page: str, response: HttpResponse) -> HttpResponse:
    """Let the page's own inline <style> through the Content-Security-Policy, by its hash.

    The 400 and 500 pages carry their few styles inline (they must render when the
    static files are what failed); the policy allows exactly that text and nothing else.
    """
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in _STYLE.findall(page)
    ]
    response._csp_update = {"style-src": hashes}  # type: ignore[attr-defined]  # read by django-csp
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page (or the API's error JSON), rendered without the request.

    A Host header outside ALLOWED_HOSTS fails in CommonMiddleware, before the
    authentication middleware sets request.user; Django's own handler renders with
    the request, so the context processors (the navigation reads request.user) raised
    and the answer became a 500.
    """
    if is_api(request):
        return error_json(400, "invalid", _("请求无效。"))
    page = loader.render_to_string("400.html")
    return _standalone(page, HttpResponseBadRequest(page))


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An unknown address under /api/ answers in the API's error format; pages get the 404 page."""
    if is_api(request):
        return error_json(404, "not_found", _("未找到，或您无权查看。"))
    return page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page (or the API's error JSON), rendered without the request like Django's own."""
    if is_api(request):
        return error_json(500, "server_error", _("系统出错，请稍后再试；如果一直出现，请联系系统管理员。"))
    page = loader.render_to_string("500.html")
    return _standalone(page, HttpResponseServerError(page))


handler400 = bad_request
handler404 = not_found
handler500 = server_error
