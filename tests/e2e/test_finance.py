"""财政局's desk in a browser: a hiring award waits in 待领取; 通过 beyond the budget is refused on the
page, the head sets the budget on /finance/, then 通过 with the payment closes the case with its
补助核定通知书.

The case is driven to 财政局 through the API (fast); everything 财政局 does is clicked. Pictures
(1280×900) go to the test's temporary folder; with UPDATE_SCREENSHOTS=1 they replace
docs/img/finance-*.png, which docs/ui.md shows.
"""

import pytest
from django.utils import timezone

from documents.models import DocumentStatus
from workflows.models import Budget, Case, CaseState

from ..test_clinic_filing_api import api_as
from ..test_subsidy import HOME, end_notice, hiring_body, submit, to_notice
from .conftest import camera_for, log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VOUCHER = "磐财拨〔2026〕0201号"


def approve_with_payment(page) -> None:
    """通过, with today's date and the voucher; the step's payment fields are only asked for on 通过."""
    page.get_by_role("radio", name="通过", exact=True).check()
    page.get_by_label("说明").fill("预算内，予以核定拨付。")
    page.get_by_label("拨付日期").fill(timezone.localdate().isoformat())
    page.get_by_label("拨付凭证号").fill(VOUCHER)
    page.get_by_role("button", name="提交审核意见").click()


def test_finance_refuses_beyond_the_budget_then_approves_and_the_decision_is_issued(
    live_server, demo, chromium, tmp_path
):
    case_no = submit(api_as(HOME), hiring_body())["case_no"]  # 本科, 50,000.00元
    to_notice(case_no)
    end_notice(case_no)  # now in 财政局's 待领取; no budget for hiring this year yet
    camera = camera_for(tmp_path, "finance-")
    page = new_page(chromium)
    head = new_page(chromium)
    try:
        log_in(page, live_server.url, "finance-1")
        page.get_by_role("link", name="审核任务").click()
        page.get_by_role("link", name="待领取", exact=True).click()
        row = page.locator("#task-table tr", has_text=case_no)
        assert "医养结合资金补助" in row.inner_text() and "财政局核定拨付" in row.inner_text()
        camera.shoot(page, "queue", full_page=False)
        row.get_by_role("button", name="领取").click()
        page.wait_for_url("**/tasks/*/")
        task_url = page.url
        assert "已领取" in page.locator(".messages").inner_text()

        # The budget beside the decision: nothing set, so nothing remains and 通过 cannot fit.
        panel = page.locator("#budget")
        assert f"{timezone.localdate().year}年入职奖补预算" in panel.inner_text()
        assert figures(panel) == {
            "预算总额": "0.00元",
            "已核定": "0.00元",
            "剩余": "0.00元",
            "本件金额": "50,000.00元（超出剩余预算，不能核定）",
        }

        # 通过 is refused with the figures, on the page; the typed payment stays for the next try.
        approve_with_payment(page)
        summary = page.locator("#error-summary")
        summary.wait_for()
        assert "超出预算" in summary.inner_text() and "剩余0.00元，本件50,000.00元" in summary.inner_text()
        assert page.get_by_label("拨付凭证号").input_value() == VOUCHER
        camera.shoot(page, "over-budget", full_page=False)
        case = Case.objects.get(case_no=case_no)
        assert case.state == CaseState.IN_REVIEW and case.subsidy.paid_on is None
        open_task = case.task_set.get(status="ASSIGNED")
        assert open_task.flow_task.name == "finance_review" and open_task.owner.username == "finance-1"

        # 财政局's head sets this year's budget on the desk.
        log_in(head, live_server.url, "finance-head")
        head.get_by_role("link", name="补助预算").click()
        assert "本年度尚未设置预算" in head.locator("#budget-table").inner_text()
        head.get_by_label("补助类型").select_option(label="入职奖补")
        head.get_by_label("预算总额（元）").fill("300000.00")
        head.get_by_role("button", name="保存预算").click()
        head.wait_for_url("**/finance/")
        assert "预算已更新" in head.locator(".messages").inner_text()
        line = head.locator("#budget-table tr", has_text="入职奖补")
        assert "300,000.00元" in line.inner_text()
        assert Budget.objects.get(kind="hiring").total == 300000

        # Back on the task: the panel now fits, and 通过 goes through.
        page.goto(task_url)
        assert figures(page.locator("#budget")) == {
            "预算总额": "300,000.00元",
            "已核定": "0.00元",
            "剩余": "300,000.00元",
            "本件金额": "50,000.00元",
        }
        camera.shoot(page, "task")
        approve_with_payment(page)
        page.wait_for_url("**/tasks/")
        assert f"已办理：{case_no} 财政局核定拨付" in page.locator(".messages").inner_text()
        page.get_by_role("link", name="待领取", exact=True).click()
        assert case_no not in page.locator("#task-table").inner_text()

        # The case: 已办结, the payment among its facts, the signed 补助核定通知书 to download.
        page.goto(f"{live_server.url}/cases/{case_no}/")
        assert page.locator("h1 .badge").inner_text() == "已办结"
        facts = page.locator("table.facts").inner_text()
        assert VOUCHER in facts and "50,000.00元（伍万元整）" in facts
        decision = page.locator("table.list tr", has_text="补助核定通知书")
        assert "已签发" in decision.inner_text() and "磐财医养补〔" in decision.inner_text()
        download = decision.get_by_role("link", name="下载 PDF")
        with page.expect_download() as event:
            download.click()
        assert event.value.suggested_filename.endswith(".pdf")
        camera.shoot(page, "case")

        # The desk, as the reviewer reads it: committed and paid, no budget form.
        page.get_by_role("link", name="补助预算").click()
        assert "50,000.00元" in page.locator("#budget-table tr", has_text="入职奖补").inner_text()
        payment = page.locator("#payments-table tr", has_text=case_no)
        assert VOUCHER in payment.inner_text() and "50,000.00元" in payment.inner_text()
        assert page.get_by_role("button", name="保存预算").count() == 0
        camera.shoot(page, "desk")
        head.reload()
        camera.shoot(head, "desk-head")
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        head.screenshot(path=str(tmp_path / "failure-head.png"), full_page=True)
        raise

    case = Case.objects.get(case_no=case_no)
    assert case.state == CaseState.APPROVED and case.subsidy.voucher_no == VOUCHER
    document = case.documents.get(kind="subsidy_decision")
    assert document.status == DocumentStatus.ISSUED, document.last_error


def figures(panel) -> dict[str, str]:
    """The budget panel as {label: value}."""
    rows = panel.locator("tr")
    return {
        rows.nth(i).locator("th").inner_text().strip(): rows.nth(i).locator("td").inner_text().strip()
        for i in range(rows.count())
    }
