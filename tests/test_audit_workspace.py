"""The auditor's workspace over the sample county: search, a case's history, activity, the register, the PDF, exports.

Read through the doors auditors use (the Django test client for the pages); the
exports are parsed back (csv, openpyxl) and checked for their Chinese headers and rows.
"""

import csv
import io

import pytest
from django.test import Client

from demo.cases import load_sample_cases
from workflows.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(demo):
    """The sample county (seed_demo --sample-cases): every state, documents, overdue steps."""
    load_sample_cases()


def web(users, username: str = "auditor") -> Client:
    client = Client()
    client.force_login(users(username))
    return client


def listed(response) -> list[str]:
    """The case numbers of the search result table, in order."""
    body = response.content.decode()
    table = body[body.index('id="audit-cases"') :]
    return [chunk.split("<", 1)[0] for chunk in table.split('/">')[1:] if chunk[:2].isalpha()]


def csv_rows(response) -> list[list[str]]:
    content = response.content
    assert content.startswith("\ufeff".encode()), "a BOM, so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_the_search_page_lists_every_case_with_links_and_filters(county, users):
    client = web(users)
    response = client.get("/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "审计 · 办件查询" in body and "经办单位" in body and "审批人" in body
    total = Case.objects.count()
    assert f"共 {total} 条" in body or total <= 20
    first = Case.objects.order_by("-submitted_at", "-id").first()
    assert f'href="/audit/cases/{first.case_no}/"' in body
