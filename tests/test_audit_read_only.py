"""The auditor reads everything and changes nothing — proven over every URL the product serves.

The URL patterns are walked (tests/test_isolation_generated.py fills their parameters
with a real case, task, document and attachment), and every page and endpoint that
could act is sent POST, PUT, PATCH and DELETE by the auditor, signed in on the web and
with an API token: each answer is 403, 404 or 405, and no table gains or loses a row.
Every page the auditor can open is then read for forms that post: only 退出 (and the
public document check, which changes nothing) may post.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .test_isolation_generated import urls_to_try, world  # noqa: F401  (world is a fixture)

pytestmark = pytest.mark.django_db

# What the auditor may still post: leaving, and checking a document's signature (no record changes).
MAY_POST = {"logout", "documents:verify", "api:document-verify", "api:token"}
# The actions issue #11 names, which the walk must have reached (a renamed URL must not drop out silently).
ACTIONS = {
    "api:task-claim",
    "api:task-unclaim",
    "api:task-decide",  # approve, return and reject
    "api:task-reassign",
    "api:case-withdraw",
    "api:case-resubmit",
    "api:clinic-filing",  # submit
    "api:subsidy",
    "api:cooperation",
    "api:case-objections",
    "api:case-confirm",
    "api:case-terminate",
    "api:budget",
    "api:policies",
    "api:calendar-day",
    "api:calendar-year-entered",
    "api:document-correct",
    "api:users",
    "api:institutions",
    "api:attachments",
    "workflows:task_claim",
    "workflows:task_unclaim",
    "workflows:task_reassign",
    "workflows:task_detail",  # where a decision is posted
    "workflows:case_withdraw",
    "workflows:case_resubmit",
    "workflows:clinic_filing_new",
    "workflows:object_to",
    "workflows:finance",  # the budget form
    "workflows:document_correct",
}


def every_url(world) -> list[tuple[str, str]]:  # noqa: F811
    """(name, url) of every pattern, objects filled — and the calendar and budget ones, which name no object."""
    urls = [(name, url) for name, url, _object in urls_to_try(world)]
    year = timezone.localdate().year
    urls += [
        ("api:calendar-day", reverse("api:calendar-day", kwargs={"day": f"{year}-10-01"})),
        ("api:calendar-year-entered", reverse("api:calendar-year-entered", kwargs={"year": year})),
        ("api:calendar-year", reverse("api:calendar-year", kwargs={"year": year})),
    ]
    return urls


@pytest.fixture
def auditor_clients(users):
    web = Client()
    web.force_login(users("auditor"))
    token, _ = Token.objects.get_or_create(user=users("auditor"))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return web, api


def test_every_action_refuses_the_auditor_and_changes_nothing(world, auditor_clients, snapshot):  # noqa: F811
    web, api = auditor_clients
    urls = every_url(world)
    assert ACTIONS <= {name for name, _url in urls}, ACTIONS - {name for name, _url in urls}
    before = snapshot()
    allowed = []
    bodies = {"decision": "approve", "comment": "x", "to": "twp-anwen-head", "text": "异议", "total": "1.00"}
    for name, url in urls:
        if name in MAY_POST:
            continue
        for method in ("post", "put", "patch", "delete"):
            if url.startswith("/api/"):
                response = getattr(api, method)(url, bodies, format="json")
            else:
                response = getattr(web, method)(url, bodies)
            if response.status_code not in (403, 404, 405):
                allowed.append(f"{method.upper()} {url} → {response.status_code}")
    assert not allowed, allowed
    assert snapshot() == before, "the auditor's requests changed the database"


FORM = re.compile(r"<form\b[^>]*>", re.I)


def test_no_page_the_auditor_opens_has_a_button_that_acts(world, auditor_clients):  # noqa: F811
    web, _api = auditor_clients
    case = world["cases"][0]
    pages = [url for name, url in every_url(world) if not url.startswith("/api/")]
    pages += [
        "/audit/",
        f"/audit/cases/{case.case_no}/",
        "/audit/activity/?actor=twp-anwen",
        "/audit/documents/",
    ]
    acting, opened = [], 0
    for url in pages:
        response = web.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        opened += 1
        for form in FORM.findall(response.content.decode()):
            if 'method="post"' not in form.lower():
                continue
            action = re.search(r'action="([^"]*)"', form)
            target = action.group(1) if action else url
            if target not in (reverse("logout"), reverse("documents:verify")):
                acting.append(f"{url}: {form}")
    assert opened >= 10  # the case pages, the lists, the workspace
    assert not acting, acting
