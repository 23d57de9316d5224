"""The OpenAPI schema describes what the API really returns: page envelopes and every error (ASVS 13.1.5).

Before, the paginated lists were described as bare arrays and no error response was
described at all. The full check is schemathesis against the served app in CI
(scripts/fuzz-api.sh); these are the shapes it relies on, checked in the suite.
"""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient
from rest_framework.views import APIView

from api.common import paginated

from .test_clinic_filing_api import api_as, assert_error

pytestmark = pytest.mark.django_db

UNSAFE = {"post", "put", "patch", "delete"}


@pytest.fixture
def schema(demo) -> dict:
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return json.loads(response.content)


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def test_every_operation_describes_its_errors_with_the_one_error_body(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "fields"]
    count = 0
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        expected = {"400", "429"}
        if operation.get("security"):
            expected |= {"401", "403"}
        if method in UNSAFE:
            expected |= {"413", "415"}
        if "{" in path:
            expected.add("404")
        assert expected <= set(responses), f"{method.upper()} {path}: {sorted(expected - set(responses))}"
        for status in expected:
            body = responses[status]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/Error"}, f"{method.upper()} {path} {status}"
        assert "Retry-After" in responses["429"]["headers"]
        assert "text/html" in responses["414"]["content"]  # the web server's own page, before the application
        count += 1
    assert count > 25


@pytest.mark.parametrize(
    ("path", "username"),
    [("/api/v1/cases/", "auditor"), ("/api/v1/tasks/", "twp-anwen"), ("/api/v1/institutions/", "auditor")],
)
def test_paginated_lists_are_described_and_returned_as_page_envelopes(schema, users, path, username):
    described = resolve(
        schema, schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    )
    assert described["type"] == "object"
    assert {"count", "next", "previous", "results"} <= set(described["properties"])
    assert described["properties"]["results"]["type"] == "array"
    parameters = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
    assert {"page", "page_size"} <= parameters
    body = api_as(username).get(path).json()
    assert set(body) == {"count", "next", "previous", "results"} and isinstance(body["results"], list)


def test_the_audit_log_is_described_as_its_keyset_page(schema, users):
    described = resolve(
        schema,
        schema["paths"]["/api/v1/audit/events/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
    )
    assert set(described["properties"]) == {"results", "next_cursor"}
    body = api_as("auditor").get("/api/v1/audit/events/?limit=1").json()
    assert set(body) == {"results", "next_cursor"}


def test_a_page_past_the_last_is_a_described_404(users):
    assert_error(api_as("auditor").get("/api/v1/cases/?page=9999"), 404, "not_found")


def test_a_paginated_view_must_say_so_for_the_schema():
    """api.common.paginated refuses a view that does not name its pagination class."""
    with pytest.raises(ImproperlyConfigured, match="pagination_class"):
        paginated(None, APIView(), None, None)  # type: ignore[arg-type]
