"""Applicants use phones: every applicant page fits 390×844 without sideways scrolling, its menu
folds away behind a 菜单 button, and every field has a name a screen reader can say.

Each page is photographed. The pictures go to the test's temporary folder; with
UPDATE_SCREENSHOTS=1 they replace docs/img/phone-*.png, which docs/ui.md shows (every run
has new case numbers and times, so an ordinary run must not dirty the working tree).
"""

from datetime import date

import pytest

from demo.cases import load_sample_cases
from documents.models import DocumentStatus
from workflows.models import Case

from ..helpers import PDF_BYTES
from ..test_subsidy import hiring_body
from ..test_validators import id_number
from .conftest import Camera, camera_for, log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390
PHONE = {
    "viewport": {"width": PHONE_WIDTH, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP_WIDTH = 1280

# Every input, select and textarea a person fills in must have a name: a <label for>, a
# wrapping <label>, aria-label or aria-labelledby, with some text in it. Hidden fields and
# buttons are exempt; fields in closed <details> are not (they open on a tap).
UNNAMED_FIELDS = """() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter((el) => !["hidden", "submit", "button", "reset", "image"].includes(el.type))
  .filter((el) => {
    const text = (node) => !!node && node.textContent.trim() !== "";
    const byFor = !!el.id && Array.from(document.querySelectorAll("label[for]")).some((l) => l.htmlFor === el.id && text(l));
    const byWrap = text(el.closest("label"));
    const byAria = (el.getAttribute("aria-label") || "").trim() !== "";
    const byRef = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).some((id) => text(document.getElementById(id)));
    return !(byFor || byWrap || byAria || byRef);
  })
  .map((el) => el.outerHTML.slice(0, 120))"""


@pytest.fixture
def camera(tmp_path):
    return camera_for(tmp_path, "phone-")


@pytest.fixture
def county(demo):
    """The sample county (seed_demo --sample-cases): real cases, timelines and signed documents.

    县社会福利中心 has an agreement in force (with its signed documents) and a filing in
    安文街道's review, claimed by twp-anwen.
    """
    load_sample_cases()
    agreement = Case.objects.get(procedure="cooperation", institution__code="welfare-centre", state="active")
    filing = Case.objects.get(procedure="clinic_filing", institution__code="welfare-centre")
    document = agreement.documents.order_by("id").first()
    assert document.status == DocumentStatus.ISSUED, document.last_error
    return {"agreement": agreement, "filing": filing, "document": document}


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


class PageCheck:
    """Visits pages and gathers every problem, so that one run reports them all (and shoots every page)."""

    def __init__(self, page, base_url: str, width: int, camera: Camera | None = None, *, folds: bool = True):
        self.page = page
        self.base_url = base_url
        self.width = width
        self.camera = camera
        self.folds = folds  # a phone folds its menu behind 菜单; a desktop keeps its menu bar
        self.problems: list[str] = []

    def visit(self, name: str, path: str | None = None, *, menu: bool = True, full_page: bool = True) -> None:
        if path is not None:
            self.page.goto(self.base_url + path)
        if self.camera:
            self.camera.shoot(self.page, name, full_page=full_page)
        self.check(name, menu=menu)

    def check(self, name: str, *, menu: bool = True) -> None:
        if (width := scroll_width(self.page)) > self.width:
            self.problems.append(f"{name}: scrolls sideways ({width}px > {self.width}px)")
        if unnamed := self.page.evaluate(UNNAMED_FIELDS):
            self.problems.append(f"{name}: fields without a label: {unnamed}")
        if menu and self.folds:
            self.check_menu(name)

    def check_menu(self, name: str) -> None:
        """The links stay folded until 菜单 is tapped, then show, and fold again on a second tap."""
        links = self.page.locator("header.top nav a")
        toggle = self.page.locator("header.top .menu-button")
        if links.count() == 0 or not toggle.is_visible():
            self.problems.append(f"{name}: no menu links or no 菜单 button")
            return
        if any(links.nth(i).is_visible() for i in range(links.count())):
            self.problems.append(f"{name}: menu links show before 菜单 is tapped")
        toggle.tap()
        if not all(links.nth(i).is_visible() for i in range(links.count())):
            self.problems.append(f"{name}: menu links still hidden after tapping 菜单")
        if (width := scroll_width(self.page)) > self.width:
            self.problems.append(f"{name}: the open menu scrolls sideways ({width}px)")
        toggle.tap()
        if links.first.is_visible():
            self.problems.append(f"{name}: a second tap on 菜单 does not fold the menu")


def test_applicant_pages_fit_a_phone(live_server, county, chromium, camera, tmp_path):
    page = new_page(chromium, **PHONE)
    pages = PageCheck(page, live_server.url, PHONE_WIDTH, camera)
    agreement, document = county["agreement"], county["document"]
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        pages.visit("login", menu=False, full_page=False)
        log_in(page, live_server.url, "inst-welfare-centre")

        pages.visit("cases", "/cases/")
        page.locator("header.top .menu-button").tap()
        camera.shoot(page, "menu", full_page=False)
        page.locator("header.top .menu-button").tap()

        # The filing form with a second staff row added, then refused: the rows wrap with
        # their own labels, and the error summary fits.
        page.goto(f"{live_server.url}/cases/new/clinic-filing/")
        page.get_by_role("button", name="增加一名人员").click()
        rows = page.locator("#staff-rows .staff-row")
        assert rows.count() == 2
        rows.first.get_by_label("姓名").fill("王医生")
        assert rows.first.locator(".cell-label").first.is_visible() and not page.locator(".staff-head").is_visible()
        pages.visit("filing-form")
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_selector("#error-summary")
        pages.visit("filing-form-refused", full_page=False)

        pages.visit("cooperation-form", "/cases/new/cooperation/")
        pages.visit("case", f"/cases/{agreement.case_no}/")
        assert document.number in page.locator("table.list").inner_text()
        pages.visit("case-filing", f"/cases/{county['filing'].case_no}/", full_page=False)
        pages.visit("agreements", "/agreements/")
        assert agreement.case_no in page.locator("#registry-table").inner_text()

        pages.visit("verify", "/verify/", full_page=False)
        page.set_input_files("#id_file", document.file.path)
        page.get_by_role("button", name="核验", exact=True).click()
        page.wait_for_selector("#verify-result")
        assert "核验通过" in page.locator("#verify-result").inner_text()
        pages.visit("verify-result")
        # The page behind the document's QR code.
        pages.visit("public", f"/verify/{document.verify_token}/")
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        raise
    assert pages.problems == []


def test_subsidy_pages_fit_a_phone(live_server, county, chromium, camera, tmp_path):
    """The subsidy pages an applicant meets, on a phone and (pictures in the temporary folder only) a desktop."""
    on_notice = Case.objects.get(procedure="subsidy", state="public_notice")  # 新窝养老院's hiring award
    proof = tmp_path / "学历证书.pdf"
    proof.write_bytes(PDF_BYTES)
    phone = PageCheck(new_page(chromium, **PHONE), live_server.url, PHONE_WIDTH, camera)
    desktop = PageCheck(
        new_page(chromium),
        live_server.url,
        DESKTOP_WIDTH,
        Camera(tmp_path, prefix="desktop-", for_docs=False),
        folds=False,
    )
    # One person each: the second application for the same person would be refused as a duplicate.
    hired = {
        phone: hiring_body(),
        desktop: hiring_body(employee_name="李明", id_number=id_number("330727", date(2001, 7, 9))),
    }
    for pages in (phone, desktop):
        page = pages.page
        try:
            # 公示 is public: no login, no menu; the employee is named by surname only.
            pages.visit("subsidy-notices-public", "/notices/", menu=False)
            row = page.locator("#notices-table tbody tr", has_text=on_notice.case_no)
            assert "周*" in row.inner_text() and "周雨萱" not in page.content()
            assert page.get_by_role("link", name="登录本系统").is_visible()
            log_in(page, live_server.url, "inst-welfare-centre")

            # Each kind with its standard and its conditions, before choosing.
            pages.visit("subsidy-kinds", "/cases/new/subsidy/")
            hiring = page.locator(".card", has_text="入职奖补").locator("table.facts").inner_text()
            assert "本科及以上50,000.00元" in hiring and "医中延养或养中融医机构；非在编人员；每人一次" in hiring
            page.get_by_role("link", name="申请入职奖补").click()
            fill_hiring_form(page, hired[pages], establishment="是（在编）")
            page.get_by_role("button", name="试算").click()
            assert "在编人员不享受入职奖补。" in page.locator("#quote").inner_text()
            pages.visit("subsidy-quote-refused")
            page.get_by_label("是否在编").select_option(label="否（非在编）")
            page.get_by_role("button", name="试算").click()
            assert "符合申请条件，补助金额 50,000.00元（伍万元整）" in page.locator("#quote").inner_text()
            pages.visit("subsidy-quote")

            page.set_input_files("#id_files", str(proof))
            page.get_by_role("button", name="提交申请").click()
            page.wait_for_url("**/cases/PA-*/")
            assert "补助申请已提交" in page.locator(".messages").inner_text()
            pages.visit("subsidy-case")

            pages.visit("subsidy-notices", "/notices/")
            page.locator("#notices-table tbody tr", has_text=on_notice.case_no).get_by_role(
                "link", name="提出异议"
            ).click()
            page.wait_for_url(f"**/notices/{on_notice.case_no}/object/")
            # What is objected to stands above the form.
            assert on_notice.institution.name in page.locator(".card", has_text="公示内容").inner_text()
            pages.visit("subsidy-objection")
            # An empty objection (after the confirmation) comes back with its one error, which fits too.
            page.once("dialog", lambda dialog: dialog.accept())
            page.get_by_role("button", name="提交异议").click()
            page.wait_for_selector("#error-summary")
            pages.check("subsidy-objection-refused")
        except Exception:
            page.screenshot(path=str(tmp_path / f"failure-{pages.width}.png"), full_page=True)
            raise
    assert phone.problems + desktop.problems == []


def fill_hiring_form(page, body: dict, *, establishment: str) -> None:
    """A hiring award as tests/test_subsidy.py's hiring_body() states it (本科, hired 40 days ago)."""
    page.get_by_label("入职人员姓名").fill(body["employee_name"])
    page.get_by_label("入职人员身份证号码").fill(body["id_number"])
    page.get_by_label("入职日期").fill(body["hired_on"])
    page.get_by_label("学历").select_option(body["education"])
    page.get_by_label("是否在编").select_option(label=establishment)


def test_reviewer_pages_fit_a_phone(live_server, county, chromium, camera):
    task = county["filing"].task_set.get(status="ASSIGNED")  # claimed by twp-anwen
    reviewer = PageCheck(new_page(chromium, **PHONE), live_server.url, PHONE_WIDTH, camera)
    log_in(reviewer.page, live_server.url, "twp-anwen")
    reviewer.visit("tasks", "/tasks/", full_page=False)
    reviewer.visit("task", f"/tasks/{task.pk}/")
    # The decision's radios are one named group (fieldset and legend), not three loose buttons.
    assert reviewer.page.get_by_role("group", name="审核意见").get_by_role("radio").count() == 3

    head = PageCheck(new_page(chromium, **PHONE), live_server.url, PHONE_WIDTH)
    log_in(head.page, live_server.url, "twp-anwen-head")
    head.visit("task-reassign", f"/tasks/{task.pk}/#reassign")
    assert head.page.get_by_label("改派给").is_visible()
    head.visit("tasks-unit", "/tasks/?view=unit")

    # 卫健局's head may correct the agreement it numbered: the 更正重发 form in the documents table.
    bureau = PageCheck(new_page(chromium, **PHONE), live_server.url, PHONE_WIDTH)
    log_in(bureau.page, live_server.url, "health-head")
    bureau.page.goto(f"{live_server.url}/cases/{county['agreement'].case_no}/")
    bureau.page.locator("summary", has_text="更正重发").first.tap()
    assert bureau.page.get_by_label("更正原因").first.is_visible()
    bureau.check("case-correct")
    assert reviewer.problems + head.problems + bureau.problems == []


def test_the_desktop_keeps_its_menu_bar_and_does_not_scroll_sideways(live_server, demo, chromium):
    page = new_page(chromium)
    desktop = PageCheck(page, live_server.url, DESKTOP_WIDTH)
    page.goto(f"{live_server.url}/accounts/login/")
    desktop.check("login", menu=False)
    log_in(page, live_server.url, "inst-welfare-centre")
    page.goto(f"{live_server.url}/cases/new/clinic-filing/")
    desktop.check("filing-form", menu=False)
    assert desktop.problems == []
    # No 菜单 button on a desktop: the links are simply there.
    assert not page.locator("header.top .menu-button").is_visible()
    links = page.locator("header.top nav a")
    assert links.count() >= 3 and all(links.nth(i).is_visible() for i in range(links.count()))
    # The staff rows keep their one header row; the per-cell labels are for screen readers only.
    assert page.locator(".staff-head").is_visible()
    assert page.locator("#staff-rows .cell-label").first.bounding_box()["width"] <= 1


def test_the_label_check_catches_an_unnamed_field(live_server, demo, chromium):
    """The check above must be able to fail: bare fields are reported, a wrapped one is not."""
    page = new_page(chromium, **PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate(UNNAMED_FIELDS) == []
    page.evaluate("""() => document.querySelector("form").insertAdjacentHTML("beforeend",
      '<input name="bare"><select name="alone"></select><label><input name="wrapped"> 名称</label><label for="x"></label><input id="x" name="empty-label">')""")
    unnamed = page.evaluate(UNNAMED_FIELDS)
    assert [next(n for n in ("bare", "alone", "empty-label") if f'name="{n}"' in html) for html in unnamed] == [
        "bare",
        "alone",
        "empty-label",
    ]
