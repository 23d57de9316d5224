"""Every URL the product serves, generated from its URL patterns, refuses a foreign case, task, document or attachment.

No one has to remember to add a new page or endpoint here: the patterns are walked,
each parameter is filled with an object that belongs to 县社会福利中心 (安文街道), and
each outsider — another institution, another township, departments never routed,
and, for anything that acts, the auditor — must get 403, 404 or 405 from GET and from
POST, see none of its case numbers in any list, and change nothing. A pattern with a
parameter this test cannot fill fails the test, so a new kind of object is noticed.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from workflows import scoping, services

from .test_cooperation_web import approved_agreement

pytestmark = pytest.mark.django_db

OUTSIDERS = ["inst-xinwo-home", "twp-xinwo", "twp-xinwo-head", "finance-1", "finance-head", "insurance-1"]
READ_ONLY = ["auditor"]  # reads every case; may act on none
# Open to anyone by design (no case behind them, or a document's public page).
PUBLIC = {
    "home",
    "login",
    "logout",
    "api:schema",
    "api:docs",
    "api:token",
    "api:document-verify",
    "documents:verify",
    "documents:public",
}
# No case behind them: the working-day calendar is the same for every signed-in user, and
# only an administrator changes it (tests/test_calendar.py checks who may).
SHARED = {"api:calendar-year", "api:calendar-year-entered", "api:calendar-day"}
# Readable by some outsiders by design: institutions are public registry facts to the bureaus.
BUREAUS_READ = {"api:institution"}
SKIPPED_NAMESPACES = {"admin"}  # staff only: tests/test_admin_chinese.py


def named_patterns(resolver=None, namespace=""):
    """(name with namespace, pattern) of every named URL pattern."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if (entry.namespace or "") in SKIPPED_NAMESPACES:
                continue
            yield from named_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def parameters(pattern) -> list[str]:
    return list(pattern.pattern.converters)


@pytest.fixture
def world(users, driver, django_capture_on_commit_callbacks):
    """The target objects, all of 县社会福利中心: a filed filing with documents, an open filing, an agreement, a made-up case."""
    filed = driver.submit()
    with django_capture_on_commit_callbacks(execute=True):
        driver.file(filed)
    waiting = driver.submit("inst-welfare-centre", clinic_name="第二医务室")
    agreement = approved_agreement(users, django_capture_on_commit_callbacks)
    made_up = services.case_for(users("inst-welfare-centre"), _made_up_case(users))
    subsidy = _subsidy_case(users, driver)
    task = scoping.task_queue(users("twp-anwen")).get(process=waiting)
    return {
        "cases": [filed, waiting, agreement, made_up, subsidy],
        "task": task,
        "document": filed.documents.get(kind="filing_certificate"),
        "attachment": waiting.attachments.get(),
        "institution": users("inst-welfare-centre").institution,
        "statement": _statement(),
    }


def _statement():
    """A statement row of the audit log (its PDF a stand-in: who may fetch it is the question here)."""
    from django.core.files.base import ContentFile

    from audit.models import AuditStatement

    statement = AuditStatement(last_event_id=0, head="0" * 64, chain_count=0, event_count=0)
    statement.pdf.save("statement.pdf", ContentFile(b"%PDF-1.7 stand-in"), save=False)
    statement.save()
    return statement


def _subsidy_case(users, driver):
    """A hiring award of 县社会福利中心 (养中融医), waiting for the township."""
    from workflows.services.subsidy import submit_subsidy

    from .test_subsidy import hiring_body

    return submit_subsidy(user=users("inst-welfare-centre"), body=hiring_body(), attachments=[driver.attachment()])


def _made_up_case(users) -> str:
    from .test_clinic_filing_api import api_as

    response = api_as("inst-welfare-centre").post("/api/v1/cases/inspection/", {"subject": "消防检查"}, format="json")
    return response.json()["case_no"]


def urls_to_try(world) -> list[tuple[str, str, bool]]:
    """(name, url, names a target object) for every pattern, each parameter filled."""
    fill = {
        "task_id": [world["task"].pk],
        "case_no": [case.case_no for case in world["cases"]],
    }
    # Parameters that name no one's object (a kind of subsidy, a year): the page is the user's own.
    not_objects = {"kind": "hiring", "year": timezone.localdate().year}
    by_prefix = {
        "documents": world["document"].pk,
        "attachments": world["attachment"].pk,
        "audit": world["statement"].pk,
    }
    urls, unknown = [], []
    for name, pattern in named_patterns():
        if name in PUBLIC or name in SHARED:
            continue
        params = parameters(pattern)
        if not params:
            urls.append((name, reverse(name), False))
            continue
        if params == ["pk"]:
            route = str(pattern.pattern)
            if route.startswith("institutions/"):
                urls.append((name, reverse(name, kwargs={"pk": world["institution"].pk}), True))
            elif route.startswith("tasks/"):
                urls.append((name, reverse(name, kwargs={"pk": world["task"].pk}), True))
            elif route.split("/")[0] in by_prefix:
                urls.append((name, reverse(name, kwargs={"pk": by_prefix[route.split("/")[0]]}), True))
            else:
                unknown.append(f"{name}: {route}")
            continue
        if set(params) <= set(not_objects):
            urls.append((name, reverse(name, kwargs={p: not_objects[p] for p in params}), False))
            continue
        if len(params) == 1 and params[0] in fill:
            urls += [(name, reverse(name, kwargs={params[0]: value}), True) for value in fill[params[0]]]
            continue
        unknown.append(f"{name}: {pattern.pattern}")
    assert not unknown, f"fill these parameters in tests/test_isolation_generated.py: {unknown}"
    return urls


def clients_for(user) -> dict[bool, Client]:
    """One signed-in client per door (logging in once: a login is a session and an access-log row)."""
    web, api = Client(), APIClient()
    web.force_login(user)
    api.force_authenticate(user)
    return {False: web, True: api}


def targets(world) -> list[str]:
    return [case.case_no for case in world["cases"]] + [world["document"].number]


@pytest.mark.parametrize("username", OUTSIDERS + READ_ONLY)
def test_no_url_lets_an_outsider_see_or_change_anothers_case(username, users, world, snapshot):
    user = users(username)
    urls = urls_to_try(world)
    assert len(urls) > 40  # every page and endpoint, several times over the cases
    clients = clients_for(user)
    before = snapshot()
    first_new_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    reached, leaked = [], []
    for name, url, has_object in urls:
        client = clients[url.startswith("/api/")]

        for method in ("get", "post"):
            if not has_object and method == "post":
                continue  # creating one's own things is not foreign access (the services' own tests cover it)
            kwargs = {"format": "json"} if url.startswith("/api/") and method == "post" else {}
            response = getattr(client, method)(url, {}, **kwargs) if method == "post" else client.get(url)
            assert response.status_code < 500, f"{username} {method.upper()} {url}: {response.status_code}"
            if not has_object:
                body = response.content.decode(errors="replace")
                leaked += [f"{url} shows {target}" for target in targets(world) if target in body]
                continue
            allowed = (username in READ_ONLY and method == "get") or (
                name in BUREAUS_READ and username.startswith(("finance", "insurance")) and method == "get"
            )
            if not allowed and response.status_code not in (403, 404, 405):
                reached.append(f"{method.upper()} {url} → {response.status_code}")
    if username in READ_ONLY:
        leaked = []  # the auditor reads every case by design
    assert not reached, f"{username} reached: {reached}"
    assert not leaked, f"{username} saw: {leaked}"
    # Reading an issued document is itself an audit event (the auditor may); nothing else is written.
    recorded = set(AuditEvent.objects.filter(id__gt=first_new_event).values_list("action", flat=True))
    assert recorded <= ({"document_downloaded"} if username in READ_ONLY else set()), recorded
    after = snapshot()
    after.pop("audit.AuditEvent"), before.pop("audit.AuditEvent")
    assert after == before, f"{username}'s requests changed the database"


def test_the_auditor_is_refused_every_action_with_a_token_too(users, world, snapshot):
    """The API authenticates tokens inside the view: the read-only guard is also a DRF permission."""
    from rest_framework.authtoken.models import Token

    token, _created = Token.objects.get_or_create(user=users("auditor"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    before = snapshot()
    task, case = world["task"], world["cases"][1]
    for url, data in (
        (f"/api/v1/tasks/{task.pk}/claim/", {}),
        (f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"}),
        (f"/api/v1/cases/{case.case_no}/withdraw/", {}),
        ("/api/v1/cases/clinic-filing/", {}),
    ):
        response = client.post(url, data, format="json")
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden", url
        assert "审计员只能查阅" in response.json()["error"]["message"]
    assert client.get(f"/api/v1/cases/{case.case_no}/").status_code == 200  # reading stays open
    assert snapshot() == before
