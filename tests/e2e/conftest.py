"""Playwright in Debian's chromium for the browser tests; no browser is downloaded."""

import os
import shutil

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


@pytest.fixture
def browser_page(chromium):
    """A desktop page (1280×900)."""
    return new_page(chromium)
