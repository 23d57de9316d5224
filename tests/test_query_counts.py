"""Each queue page costs a fixed, small number of SQL queries, however long the queue.

The pages (待办, 待领取, 已办, 本单位在办) and the API's task lists are read a page plus one
row at a time, with no COUNT(*) over the queue, and their deadline alerts come from the
user's own queues (workflows/scoping.py). bench/queues.py measures the same pages at a
million task rows on PostgreSQL; this test keeps their query count from creeping up.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from viewflow.workflow.status import STATUS

from workflows import scoping
from workflows.models import CaseTask, TaskAlert

from .test_clinic_filing_api import api_as

pytestmark = pytest.mark.django_db

# The most queries a queue page may take (issue #13: at most 10 per page).
MAX_PAGE_QUERIES = 10

PAGES = [
    ("twp-anwen", "/tasks/?view=inbox"),
    ("twp-anwen", "/tasks/?view=queue"),
    ("twp-anwen", "/tasks/?view=archive"),
    ("twp-anwen-head", "/tasks/?view=unit"),
    ("twp-anwen", "/tasks/?view=queue&page=2"),
    ("twp-anwen", "/tasks/?view=queue&sort=-due&procedure=clinic_filing"),
]
API_LISTS = [
    ("twp-anwen", "/api/v1/tasks/?view=inbox"),
    ("twp-anwen", "/api/v1/tasks/?view=queue"),
    ("twp-anwen", "/api/v1/tasks/?view=archive"),
    ("twp-anwen-head", "/api/v1/tasks/?view=unit"),
    ("twp-anwen", "/api/v1/tasks/?view=queue&page=2"),
]


@pytest.fixture
def anwen_work(driver, users):
    """twp-anwen holds one step, has one waiting and has decided one; the head sees them as its unit's."""
    decided = driver.submit("inst-welfare-centre")
    driver.decide(decided, "twp-anwen")
    held = driver.submit("inst-anwen-qinchunyuan")
    reviewer = users("twp-anwen")
    task = scoping.task_queue(reviewer).get(process=held)
    from workflows import services

    services.claim_task(user=reviewer, task_id=task.pk)
    return CaseTask.objects.get(pk=task.pk), CaseTask.objects.filter(process=decided, owner=reviewer).get()


def grow(anwen_work, copies: int) -> None:
    """`copies` more rows of each kind — held, waiting, finished — with alerts on some of them."""
    held, done = anwen_work
    today = timezone.localdate()
    rows = []
    for number in range(copies):
        for template, status, owner in (
            (held, STATUS.ASSIGNED, held.owner),
            (held, STATUS.NEW, None),
            (done, STATUS.DONE, done.owner),
        ):
            row = CaseTask.objects.get(pk=template.pk)
            row.pk = None
            row.status, row.owner = status, owner
            row.due = today + timedelta(days=number % 7 - 3)
            rows.append(row)
    created = CaseTask.objects.bulk_create(rows)
    TaskAlert.objects.bulk_create(
        TaskAlert(
            task=row,
            kind=TaskAlert.Kind.OVERDUE if row.due < today else TaskAlert.Kind.DUE_SOON,
            due=row.due,
        )
        for row in created
        if row.status != STATUS.DONE and row.due <= today + timedelta(days=1)
    )


def page_queries(django_assert_max_num_queries, client, url: str) -> int:
    with django_assert_max_num_queries(MAX_PAGE_QUERIES) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def web_client(users, username: str) -> Client:
    client = Client()
    client.force_login(users(username))
    return client


def test_each_queue_page_takes_the_same_few_queries_however_long_the_queue(
    anwen_work, users, django_assert_max_num_queries
):
    clients = {name: web_client(users, name) for name in {name for name, _ in PAGES}}
    for name, url in PAGES:  # warm-up: sessions, template caches
        clients[name].get(url)
    grow(anwen_work, 30)  # more than a page of each
    small = {url: page_queries(django_assert_max_num_queries, clients[name], url) for name, url in PAGES}
    grow(anwen_work, 200)
    large = {url: page_queries(django_assert_max_num_queries, clients[name], url) for name, url in PAGES}
    assert large == small


def test_each_api_task_list_takes_the_same_few_queries_however_long_the_list(
    anwen_work, users, django_assert_max_num_queries
):
    clients = {name: api_as(name) for name in {name for name, _ in API_LISTS}}
    grow(anwen_work, 30)
    small = {url: page_queries(django_assert_max_num_queries, clients[name], url) for name, url in API_LISTS}
    grow(anwen_work, 200)
    large = {url: page_queries(django_assert_max_num_queries, clients[name], url) for name, url in API_LISTS}
    assert large == small


def test_the_pages_say_next_without_a_total(anwen_work, users):
    grow(anwen_work, 30)
    client = web_client(users, "twp-anwen")
    first = client.get("/tasks/?view=queue").content.decode()
    assert "第 1 页" in first and "下一页" in first and "上一页" not in first and "共" not in first
    second = client.get("/tasks/?view=queue&page=2").content.decode()
    assert "第 2 页" in second and "上一页" in second and "下一页" not in second
    # The alerts box shows the first ten and says there are more, without counting them.
    assert "另有更多提醒" in first


def test_the_api_gives_count_only_on_the_last_page(anwen_work, users):
    grow(anwen_work, 30)  # 30 waiting in twp-anwen's queue: pages of 20 and 10; 31 decided
    client = api_as("twp-anwen")
    first = client.get("/api/v1/tasks/?view=queue").json()
    assert first["count"] is None and first["previous"] is None and len(first["results"]) == 20
    assert first["next"].endswith("/api/v1/tasks/?page=2&view=queue")
    last = client.get(first["next"]).json()
    assert last["count"] == 30 and last["next"] is None and len(last["results"]) == 10
    assert last["previous"].endswith("/api/v1/tasks/?view=queue")
    # A short list is counted on its only page; a page past the end is a 404 as before.
    assert client.get("/api/v1/tasks/?view=archive&page_size=100").json()["count"] == 31
    assert client.get("/api/v1/tasks/?view=queue&page=9").status_code == 404
    assert client.get("/api/v1/tasks/?view=queue&page=x").status_code == 404


def test_the_schema_says_count_may_be_null():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    listing = schema["paths"]["/api/v1/tasks/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    component = schema["components"]["schemas"][listing["$ref"].rsplit("/", 1)[1]]
    assert component["properties"]["count"]["nullable"] is True
