"""The auditor in a browser: searches cases, opens one case's history, exports the search as XLSX, and finds
no button that acts — at a desktop (1280×900) and on a phone (390×844), neither scrolling sideways.

Pictures go to the test's temporary folder; with UPDATE_SCREENSHOTS=1 they replace
docs/img/audit-*.png, which docs/audit-workspace.md shows.
"""

import io

import pytest

from demo.cases import load_sample_cases
from workflows.models import Case

from .conftest import camera_for, log_in, new_page
from .test_phone import PHONE, PHONE_WIDTH, PageCheck

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every button an auditor may see: the search forms' 查询 and 退出. Anything else would act.
HARMLESS_BUTTONS = {"查询", "退出"}
ACTING_FORMS = """() => Array.from(document.querySelectorAll("form"))
  .filter((f) => (f.getAttribute("method") || "get").toLowerCase() === "post")
  .map((f) => f.getAttribute("action"))
  .filter((action) => action !== "/accounts/logout/")"""


def buttons(page) -> set[str]:
    found = page.locator("button, input[type=submit], input[type=button]")
    return {
        (found.nth(i).inner_text() or found.nth(i).get_attribute("value") or "").strip() for i in range(found.count())
    }


def assert_reads_only(page) -> None:
    assert page.evaluate(ACTING_FORMS) == [], page.url
    assert buttons(page) <= HARMLESS_BUTTONS, (page.url, buttons(page))


@pytest.fixture
def county(demo):
    """The sample county, loaded before the browser starts (signing runs its own event loop)."""
    load_sample_cases()


def test_the_auditor_searches_opens_a_history_exports_xlsx_and_finds_nothing_that_acts(
    live_server, county, chromium, tmp_path
):
    camera = camera_for(tmp_path, "audit-")
    page = new_page(chromium)
    try:
        log_in(page, live_server.url, "auditor")
        page.wait_for_url("**/audit/")  # the auditor lands on the workspace
        assert page.locator("h1").inner_text() == "审计 · 办件查询"
        assert_reads_only(page)

        # Search: cases that 县卫健局 reviewed.
        page.get_by_label("经办单位").select_option(value="health")
        page.get_by_role("button", name="查询").click()
        page.wait_for_url("**/audit/?*unit=health*")
        rows = page.locator("#audit-cases tbody tr")
        expected = [
            c
            for c in Case.objects.order_by("-submitted_at", "-id")
            if c.task_set.filter(unit_label__contains="卫健").exists()
        ]
        assert rows.count() == min(len(expected), 20) and expected
        assert expected[0].case_no in rows.first.inner_text()
        camera.shoot(page, "search", full_page=False)

        # Export the search as XLSX: a download, a workbook with Chinese headers and the same cases.
        with page.expect_download() as event:
            page.get_by_role("link", name="Excel（XLSX）").click()
        download = event.value
        assert download.suggested_filename.startswith("audit-cases-") and download.suggested_filename.endswith(".xlsx")
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read()), read_only=True).active
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert table[0][:3] == ["办件编号", "事项", "申请机构"]
        assert [row[0] for row in table[1:]] == [c.case_no for c in expected]

        # One case's history: its events, its timeline, its documents, the record PDF.
        case = expected[0]
        rows.first.get_by_role("link", name=case.case_no).click()
        page.wait_for_url(f"**/audit/cases/{case.case_no}/")
        events = page.locator("#audit-events tbody tr")
        assert events.count() >= 3 and "提交申请" in events.first.inner_text()
        assert page.locator("ol.timeline li").count() >= 2
        assert page.get_by_role("link", name="审批记录表（PDF，按需生成，未签章）").is_visible()
        assert_reads_only(page)
        camera.shoot(page, "case")

        # The approver's activity from the history, and the register.
        page.locator("#audit-events a").first.click()
        page.wait_for_url("**/audit/activity/?actor=*")
        assert "条操作" in page.locator("main").inner_text()
        assert_reads_only(page)
        camera.shoot(page, "activity", full_page=False)
        page.get_by_role("link", name="发文登记簿").click()
        assert page.locator("#register tbody tr").count() >= 1
        assert_reads_only(page)
        camera.shoot(page, "register", full_page=False)

        # The ordinary pages an auditor reads hold nothing that acts either.
        for path in ("/cases/", f"/cases/{case.case_no}/"):
            page.goto(live_server.url + path)
            assert_reads_only(page)
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        raise


def test_the_workspace_fits_a_phone(live_server, county, chromium, tmp_path):
    camera = camera_for(tmp_path, "audit-phone-")
    page = new_page(chromium, **PHONE)
    pages = PageCheck(page, live_server.url, PHONE_WIDTH)
    case = Case.objects.filter(procedure="subsidy").order_by("id").first()
    log_in(page, live_server.url, "auditor")
    pages.visit("search", "/audit/?unit=health")
    camera.shoot(page, "search", full_page=False)
    pages.visit("case", f"/audit/cases/{case.case_no}/")
    camera.shoot(page, "case", full_page=False)
    pages.visit("activity", "/audit/activity/?actor=twp-anwen")
    pages.visit("register", "/audit/documents/")
    assert not pages.problems, pages.problems
