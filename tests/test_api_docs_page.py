"""The interactive API page (/api/v1/docs/) works on a closed network: everything it loads is ours.

Swagger UI comes from drf-spectacular-sidecar's files under STATIC_URL, not from a CDN;
its start-up script from the page's own address (``?script``), never inline, so the
page runs under the Content-Security-Policy; the page, like the schema it reads, needs
no login (docs/api.md).
"""

import re

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client


def asset_urls(page: str) -> list[str]:
    return re.findall(r'<script[^>]*\bsrc="([^"]+)"', page) + re.findall(r'<link[^>]*\bhref="([^"]+)"', page)


def test_docs_page_loads_only_our_own_static_files(db):
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<div id="swagger-ui"></div>' in page
    assert "医养通办 API" in page
    urls = asset_urls(page)
    assert "/api/v1/docs/?script=" in urls  # the start-up script, from the page's own view
    urls.remove("/api/v1/docs/?script=")
    assert len(urls) >= 4, urls  # css, favicon, bundle, preset
    assert "<script>" not in page and "<style>" not in page and "style=" not in page  # nothing inline
    static = "/" + settings.STATIC_URL.lstrip("/")
    for url in urls:
        assert url.startswith(static), f"{url} is not served from our static files"
        assert finders.find(url[len(static) :]), f"{url} does not resolve to a static file"
    assert not re.search(r"https?://", page), "nothing is fetched from another host"


def test_docs_page_reads_the_public_schema(db):
    script = Client().get("/api/v1/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    page = script.content.decode()
    assert 'url: "\\u002Fapi\\u002Fv1\\u002Fschema\\u002F"' in page or 'url: "/api/v1/schema/"' in page
    schema = Client().get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/cases/" in schema.content
    assert b"/api/v1/docs/" not in schema.content  # the page itself is not an API operation
