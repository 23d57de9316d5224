"""Every malformed request is a 4xx in the API's error format (or the 400 page), never a 500 (ASVS 5.1, 13.1).

What schemathesis found against the running app, each as a test: JSON ``false`` in a
date field, a NUL byte in a filter (a 500 on PostgreSQL, which cannot store NUL), a
Host header outside ALLOWED_HOSTS; and their neighbours: other wrong JSON types, control
characters in any query parameter or in the path, an oversized JSON body, a token that
is not a token, digits that are not ASCII. Each refusal changes nothing.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from .helpers import api_filing
from .test_clinic_filing_api import api_as, assert_error, create_case, upload
from .test_cooperation_api import CENTRE, HOME, agreed, bureau, terms
from .test_error_pages import assert_chinese_page

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [False, True, 0, 20260101, {"y": 2026}, ["2026-01-01"]])
def test_a_date_of_the_wrong_json_type_is_400_on_cooperation(users, snapshot, value):
    client = api_as(HOME)
    before = snapshot()
    error = assert_error(
        client.post("/api/v1/cases/cooperation/", terms(users, end_date=value), format="json"), 400, "invalid"
    )
    assert "end_date" in error["fields"]
    assert snapshot() == before


@pytest.mark.parametrize("value", [False, True, 3.5, {"d": 1}])
def test_a_date_of_the_wrong_json_type_is_400_on_clinic_filing(users, snapshot, value):
    client = api_as("inst-welfare-centre")
    attachment = upload(client).json()["id"]
    before = snapshot()
    body = api_filing([attachment], opening_date=value)
    error = assert_error(client.post("/api/v1/cases/clinic-filing/", body, format="json"), 400, "invalid")
    assert "opening_date" in error["fields"]
    assert snapshot() == before


def test_a_date_of_the_wrong_json_type_is_400_on_resubmit(users, snapshot):
    case_no = agreed(users)
    bureau(api_as("civil-1"), case_no, "approve")
    bureau(api_as("health-1"), case_no, "return", comment="请补充健康档案服务", missing_items=["健康档案服务"])
    client = api_as(HOME)
    before = snapshot()
    response = client.post(f"/api/v1/cases/{case_no}/resubmit/", {"start_date": False}, format="json")
    assert "start_date" in assert_error(response, 400, "invalid")["fields"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("residents", True),  # a boolean is not a number, though Python says 1
        ("annual_fee", False),
        ("visits_per_week", True),
        ("elderly_care_institution", 1.5),  # an id is never a fraction
        ("service_items", [True]),
        ("service_items", "onsite_visits"),
    ],
)
def test_other_wrong_json_types_are_field_errors(users, snapshot, field, value):
    client = api_as(HOME)
    before = snapshot()
    response = client.post("/api/v1/cases/cooperation/", terms(users, **{field: value}), format="json")
    assert field in assert_error(response, 400, "invalid")["fields"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/institutions/?kind=%00",
        "/api/v1/institutions/?township=a%00b",
        "/api/v1/cases/?q=%00",
        "/api/v1/cases/?township=%1f",
        "/api/v1/tasks/?q=x%0ay",
        "/api/v1/audit/events/?actor=%00",
        "/api/v1/institutions/?%00=1",  # the name, too
        "/api/v1/cases/PA-2026%00/",  # and the path
    ],
)
def test_control_characters_anywhere_in_the_query_or_path_are_400(users, url):
    error = assert_error(api_as("auditor").get(url), 400, "invalid")
    assert error["fields"]


def test_control_characters_on_a_page_are_the_400_page(users):
    from .web import WebUser

    response = WebUser("inst-welfare-centre").get("/cases/?q=%00")
    assert_chinese_page(response, 400, "请求无效")


@pytest.mark.parametrize("value", ["²", "١٢", "12a", "9" * 30])
def test_numbers_that_are_not_plain_ascii_digits_are_400(users, value):
    assert_error(api_as("auditor").get("/api/v1/cases/", {"institution": value}), 400, "invalid")
    assert_error(api_as("auditor").get("/api/v1/audit/events/", {"cursor": value}), 400, "invalid")


def test_an_impossible_instant_is_400(users):
    response = api_as("auditor").get("/api/v1/audit/events/", {"after": "2026-13-45T25:00:00"})
    assert "after" in assert_error(response, 400, "invalid")["fields"]


def test_unknown_host_is_400_in_the_api_format_too(demo):
    response = Client(raise_request_exception=False).get("/api/v1/me/", HTTP_HOST="evil.example")
    assert_error(response, 400, "invalid")
    page = Client(raise_request_exception=False).get("/cases/", HTTP_HOST="evil.example")
    assert_chinese_page(page, 400, "请求无效")


def test_an_unknown_api_address_is_404_in_the_api_format(demo):
    assert_error(APIClient().get("/api/v1/no-such-thing/"), 404, "not_found")


def test_a_json_body_over_the_limit_is_413_before_it_is_read(users, snapshot, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = api_as(HOME)
    before = snapshot()
    body = terms(users, note="x" * 2000)
    assert_error(client.post("/api/v1/cases/cooperation/", body, format="json"), 413, "too_large")
    assert snapshot() == before


@pytest.mark.parametrize("key", ["abc", "g" * 40, "A" * 40, "é" * 40])
def test_a_token_that_is_not_a_token_is_401(demo, key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert_error(client.get("/api/v1/me/"), 401, "not_authenticated")


def test_a_nul_in_a_header_is_400_before_any_lookup(demo):
    """A NUL in the token or the session cookie would reach the database's lookup of it."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "a" * 39 + "\x00")
    assert "headers" in assert_error(client.get("/api/v1/me/"), 400, "invalid")["fields"]


def test_the_counterparty_fields_of_a_wrong_type_change_nothing(users, snapshot):
    """The same check guards every procedure's form: the clinic filing's staff and booleans too."""
    client = api_as("inst-welfare-centre")
    case = create_case(client)
    before = snapshot()
    response = client.post(
        "/api/v1/cases/clinic-filing/",
        {"medical_insurance": "yes", "floor_area": True, "attachments": [True]},
        format="json",
    )
    fields = assert_error(response, 400, "invalid")["fields"]
    assert {"medical_insurance", "floor_area", "attachments"} <= set(fields)
    assert snapshot() == before
    assert case["case_no"]
    assert api_as(CENTRE).get("/api/v1/me/").status_code == 200
