"""The error pages a user can meet (400, 403, CSRF failure, 404, 500) are the product's, in Chinese.

With DEBUG off, as in production. This module doubles as the URLconf of the 403 and
500 cases (`pytest.mark.urls`): the product's own URLs plus two views that fail on
purpose.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.template import loader
from django.test import Client, override_settings
from django.urls import path

import config.urls

from .web import WebUser


def refuse(request):
    raise PermissionDenied("只有协议双方可以终止协议。")


def refuse_bare(request):
    raise PermissionDenied


def crash(request):
    raise RuntimeError("boom in a view")


urlpatterns = [
    path("test-only/refuse/", refuse),
    path("test-only/refuse-bare/", refuse_bare),
    path("test-only/crash/", crash),
    *config.urls.urlpatterns,
]
handler400 = config.urls.handler400

# Chinese browsers' own settings call it "Cookie"; it is the word users will find there.
ALLOWED_WORDS = {"Cookie"}
THIRD_PARTY_MARKS = ("Django", "Material", "viewflow", "Forbidden", "Not Found", "Bad Request", "Server Error", "CSRF")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_chinese_page(response, status: int, heading: str) -> str:
    """The page has the status, the Chinese heading, no English words and nothing of viewflow's pages."""
    html = response.content.decode()
    assert response.status_code == status, html[:500]
    assert f"<h1>{heading}</h1>" in html
    assert '<html lang="zh-CN">' in html
    text = visible_text(html)
    english = set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_WORDS
    assert not english, f"English words on the page: {english} in {text}"
    for mark in THIRD_PARTY_MARKS:
        assert mark not in html
    return html


@pytest.fixture(autouse=True)
def production_mode():
    with override_settings(DEBUG=False):
        yield


@pytest.mark.parametrize("name", ["400.html", "403.html", "403_csrf.html", "404.html", "500.html"])
def test_project_templates_win_over_viewflow(name):
    """viewflow ships 400/403/404/500.html ("Django Material"); the project's templates/ comes first."""
    origin = Path(loader.get_template(name).origin.name)
    assert origin == Path(settings.BASE_DIR) / "templates" / name


def test_unknown_url_is_the_chinese_404(demo, client):
    html = assert_chinese_page(client.get("/no-such-page/"), 404, "页面不存在")
    assert 'href="/"' in html


def test_404_keeps_the_navigation_of_a_logged_in_user(demo):
    user = WebUser("inst-welfare-centre")
    html = assert_chinese_page(user.get("/cases/PA-2026-BA-999999/"), 404, "页面不存在")
    assert "退出" in html and "办件" in html  # base.html's header, with the user's sections


def test_refusal_is_the_chinese_403_with_its_reason(demo, client):
    with override_settings(ROOT_URLCONF=__name__):
        html = assert_chinese_page(client.get("/test-only/refuse/"), 403, "无权操作")
        assert "只有协议双方可以终止协议。" in html
        assert_chinese_page(client.get("/test-only/refuse-bare/"), 403, "无权操作")


def test_admin_refusal_is_the_chinese_403(demo):
    """A real door: the audit log cannot be deleted, even by an administrator."""
    from django.db import transaction

    from audit.services import record

    with transaction.atomic():
        event = record(action="case_submitted", case_no="PA-2026-BA-000001")
    admin = WebUser("admin")
    assert_chinese_page(admin.get(f"/admin/audit/auditevent/{event.pk}/delete/"), 403, "无权操作")


def test_form_posted_without_csrf_token_gets_the_chinese_csrf_page(demo):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": "admin", "password": settings.DEMO_PASSWORD})
    assert_chinese_page(response, 403, "页面已过期，请重新提交")


def test_csrf_failure_of_a_logged_in_user(demo):
    user = WebUser("inst-welfare-centre")
    response = user.post_without_csrf("/cases/new/clinic-filing/")
    assert_chinese_page(response, 403, "页面已过期，请重新提交")


def test_unknown_host_is_the_chinese_400_not_a_crash(demo):
    """Before, the 400 handler rendered with the request and the navigation's request.user raised: a 500."""
    client = Client(raise_request_exception=False)
    response = client.get("/cases/", HTTP_HOST="evil.example")
    assert_chinese_page(response, 400, "请求无效")


def test_view_that_crashes_gives_the_chinese_500(demo):
    with override_settings(ROOT_URLCONF=__name__):
        client = Client(raise_request_exception=False)
        assert_chinese_page(client.get("/test-only/crash/"), 500, "系统出错")
        user = WebUser("inst-welfare-centre")
        user.client.raise_request_exception = False
        assert_chinese_page(user.get("/test-only/crash/"), 500, "系统出错")


def test_500_and_400_pages_need_no_database_and_no_request():
    """No `db` fixture: any query here would fail the test (pytest-django blocks the database)."""
    assert "<h1>系统出错</h1>" in loader.render_to_string("500.html")
    assert "<h1>请求无效</h1>" in loader.render_to_string("400.html")
