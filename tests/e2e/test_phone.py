"""Applicants use phones: every applicant page fits 390×844 without sideways scrolling, its menu
folds away behind a 菜单 button, and every field has a name a screen reader can say.

Each page is photographed. The pictures go to the test's temporary folder; with
UPDATE_SCREENSHOTS=1 they replace docs/img/phone-*.png, which docs/ui.md shows (every run
has new case numbers and times, so an ordinary run must not dirty the working tree).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from demo.cases import load_sample_cases
from documents.models import DocumentStatus
from workflows.models import Case

from .conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390
PHONE = {
    "viewport": {"width": PHONE_WIDTH, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP_WIDTH = 1280
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"

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


class Camera:
    """Screenshots into a folder; those meant for docs/ are cut to 64 colours (a third of the bytes)."""

    def __init__(self, folder: Path, *, for_docs: bool):
        self.folder = folder
        self.for_docs = for_docs

    def shoot(self, page, name: str, *, full_page: bool = True) -> None:
        path = self.folder / f"phone-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if self.for_docs:
            from PIL import Image

            with Image.open(path) as image:
                # Octree keeps the small coloured marks (badges, timeline dots) that median cut merges away.
                small = image.convert("RGB").quantize(
                    colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
                )
            small.save(path, optimize=True)


@pytest.fixture
def camera(tmp_path):
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        return Camera(DOCS_IMG, for_docs=True)
    return Camera(tmp_path, for_docs=False)


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


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


class PageCheck:
    """Visits pages and gathers every problem, so that one run reports them all (and shoots every page)."""

    def __init__(self, page, base_url: str, width: int, camera: Camera | None = None):
        self.page = page
        self.base_url = base_url
        self.width = width
        self.camera = camera
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
        if menu:
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
