"""What only a browser shows: a township reviewer claims from 待领取, approves, and sees the case move on.

Playwright drives Debian's chromium (/usr/bin/chromium, see conftest.py); no browser is downloaded.
"""

import pytest
from django.conf import settings

from workflows.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_township_reviewer_claims_approves_and_sees_the_case_move_on(live_server, demo, driver, browser_page, tmp_path):
    case = driver.submit()  # 县社会福利中心, 安文街道: waits in twp-anwen's 待领取
    page = browser_page
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "twp-anwen")
        page.fill("#id_password", settings.DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("link", name="审核任务").click()
        page.get_by_role("link", name="待领取", exact=True).click()

        row = page.locator("#task-table tr", has_text=case.case_no)
        row.get_by_role("button", name="领取").click()
        page.wait_for_url("**/tasks/*/")
        assert "已领取" in page.locator(".messages").inner_text()

        page.get_by_role("radio", name="通过", exact=True).check()
        page.get_by_role("button", name="提交审核意见").click()
        page.wait_for_url("**/tasks/")
        assert "已办理" in page.locator(".messages").inner_text()

        page.goto(f"{live_server.url}/tasks/?view=queue")
        assert case.case_no not in page.locator("#task-table").inner_text()

        page.goto(f"{live_server.url}/cases/{case.case_no}/")
        timeline = page.locator("ol.timeline")
        township = timeline.locator("li", has_text="属地初审")
        assert "通过" in township.inner_text() and "done" in township.get_attribute("class")
        civil = timeline.locator("li", has_text="民政局确认养老机构登记")
        assert "待领取" in civil.inner_text() and "open" in civil.get_attribute("class")
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        raise

    case = Case.objects.get(pk=case.pk)
    open_task = case.task_set.get(status="NEW")
    assert open_task.flow_task.name == "civil_affairs_review"
    assert case.task_set.get(flow_task_type="HUMAN", decision="approve").owner.username == "twp-anwen"
