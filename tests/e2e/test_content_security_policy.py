"""Every page works under the Content-Security-Policy: a real browser reports no violation (ASVS 14.4.3).

Chromium enforces the policy the server sends and reports each refused script, style
or image on the console; the walk covers the pages of each kind of user, the public
verification pages, the admin and the Swagger UI page (which has its own relaxation).
"""

import pytest
from django.conf import settings

from ..helpers import FilingDriver
from .conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/**")


def violations_on(page, base: str, paths: list[str]) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status < 500, path
        page.wait_for_load_state("networkidle")
    return found


def test_no_page_breaks_the_policy(live_server, demo, driver: FilingDriver, chromium):
    case = driver.submit()
    task = case.task_set.get(status="NEW")
    base = live_server.url
    walks = {
        None: ["/accounts/login/", "/verify/", "/no-such-page/", "/api/v1/docs/"],
        "inst-welfare-centre": ["/", "/cases/", f"/cases/{case.case_no}/", "/cases/new/clinic-filing/"],
        "twp-anwen": ["/tasks/", "/tasks/?view=queue", f"/tasks/{task.pk}/", f"/cases/{case.case_no}/"],
        "admin": ["/admin/", "/admin/permissions/user/", "/admin/permissions/user/1/change/", "/admin/auth/group/"],
    }
    problems: list[str] = []
    for username, paths in walks.items():
        page = new_page(chromium)
        if username:
            login(page, base, username)
        problems += violations_on(page, base, paths)
        page.context.close()
    assert not problems, "\n".join(problems)


def test_swagger_ui_works_under_the_strict_policy(live_server, demo, chromium):
    """No relaxation for /api/v1/docs/: the schema is drawn, an operation opens with its highlighted examples."""
    page = new_page(chromium)
    problems = violations_on(page, live_server.url, ["/api/v1/docs/"])
    page.wait_for_selector(".opblock-tag", timeout=15_000)  # the operations, grouped by tag, are drawn
    assert page.locator(".opblock").count() > 10
    page.locator(".opblock-summary").first.click()
    page.wait_for_selector(".opblock-body .responses-wrapper", timeout=15_000)
    page.locator(".try-out__btn").first.click()
    page.wait_for_timeout(500)
    assert not problems, "\n".join(problems)
