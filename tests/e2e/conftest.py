"""Playwright in Debian's chromium for the browser tests; no browser is downloaded."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture
def chromium():
    """A headless chromium for one test; each test opens the contexts (desktop, phone) it needs."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not shutil.which(CHROMIUM):
        message = "needs playwright and Debian's chromium at /usr/bin/chromium"
        if settings.REQUIRE_SERVICES:
            pytest.fail(message + " but REQUIRE_SERVICES=1")
        pytest.skip(message)
    from django.db import connections

    # Playwright's sync API runs an event loop in greenlets; Django must still let this
    # thread use the ORM, and it keys connections by context: close the ones opened
    # before the browser started, and those opened while it ran, or the test database
    # cannot be dropped.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    connections.close_all()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()
        connections.close_all()


def new_page(browser, **context_options):
    """A page in a fresh context (its own cookies), Chinese locale, desktop unless told otherwise."""
    options = {"locale": "zh-CN", **DESKTOP, **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    return context.new_page()


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def browser_page(chromium):
    """A desktop page (1280×900)."""
    return new_page(chromium)


class Camera:
    """Screenshots named <prefix><name>.png; those meant for docs/ are cut to 64 colours (a third of the bytes)."""

    def __init__(self, folder: Path, *, prefix: str, for_docs: bool):
        self.folder = folder
        self.prefix = prefix
        self.for_docs = for_docs

    def shoot(self, page, name: str, *, full_page: bool = True) -> None:
        path = self.folder / f"{self.prefix}{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if self.for_docs:
            from PIL import Image

            with Image.open(path) as image:
                # Octree keeps the small coloured marks (badges, timeline dots) that median cut merges away.
                small = image.convert("RGB").quantize(
                    colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
                )
            small.save(path, optimize=True)


def camera_for(tmp_path: Path, prefix: str) -> Camera:
    """Into the test's temporary folder; with UPDATE_SCREENSHOTS=1 into docs/img (every run has new
    case numbers and times, so an ordinary run must not dirty the working tree)."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        return Camera(DOCS_IMG, prefix=prefix, for_docs=True)
    return Camera(tmp_path, prefix=prefix, for_docs=False)
