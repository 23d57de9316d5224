"""Rate limits and lock-outs (ASVS 2.2.1, 11.1.4, 13.2.x): per address or per user, said truthfully.

The suite runs without rate limits (config/settings_test.py); each test here turns
them on. Behind the reverse proxy the client's address comes from X-Forwarded-For
only when the proxy is declared trusted (TRUSTED_PROXY_COUNT); otherwise a client
could pick its own address, and with no proxy declared behind one, every client
would share the proxy's address and lock each other out.
"""

import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import BaseThrottle

from common.http import client_address
from common.throttling import AnonymousRateThrottle
from config import settings as production

from .helpers import PDF_BYTES
from .test_clinic_filing_api import api_as, assert_error

pytestmark = pytest.mark.django_db


def rates(anon: str | None = None, user: str | None = None) -> dict:
    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user}}


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def verify(client: Client, **headers):
    return client.post("/api/v1/documents/verify/", {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)}, **headers)


def test_the_production_rates_are_60_anonymous_and_1200_per_user():
    assert production.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"anon": "60/min", "user": "1200/min"}
    classes = production.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    assert classes == ["common.throttling.AnonymousRateThrottle", "common.throttling.UserRateThrottle"]


def test_anonymous_upload_is_throttled_per_address_with_429_and_retry_after(demo):
    with override_settings(REST_FRAMEWORK=rates(anon="3/min")):
        client = Client()
        for _ in range(3):
            assert verify(client).status_code == 200
        refused = verify(client)
        error = assert_error(refused, 429, "throttled")
        assert "请求过于频繁" in error["message"]
        assert 1 <= int(refused["Retry-After"]) <= 60
        assert f"{refused['Retry-After']} 秒" in error["message"]
        # Another address has its own allowance.
        assert verify(Client(REMOTE_ADDR="10.0.0.9")).status_code == 200


def test_the_public_upload_page_shares_the_anonymous_allowance(demo):
    """The web page /verify/ takes the same 20 MB anonymous upload as the API: one allowance per address."""
    with override_settings(REST_FRAMEWORK=rates(anon="3/min")):
        client = Client()
        assert verify(client).status_code == 200  # the API
        for _ in range(2):
            assert client.post("/verify/", {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)}).status_code == 200
        assert client.get("/verify/").status_code == 200  # reading the page is not counted
        refused = client.post("/verify/", {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)})
        assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
        assert "请求过于频繁" in refused.content.decode()
        assert_error(verify(client), 429, "throttled")


def test_the_token_endpoint_is_an_anonymous_endpoint_too(demo):
    with override_settings(REST_FRAMEWORK=rates(anon="2/min")):
        client = APIClient()
        for _ in range(2):
            client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
        assert_error(client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json"), 429)


def test_signed_in_calls_are_throttled_per_user_not_per_address(users):
    applicant, reviewer = api_as("inst-welfare-centre"), api_as("twp-anwen")
    with override_settings(REST_FRAMEWORK=rates(user="5/min")):
        for _ in range(5):
            assert applicant.get("/api/v1/me/").status_code == 200
        refused = applicant.get("/api/v1/me/")
        assert_error(refused, 429, "throttled")
        assert int(refused["Retry-After"]) >= 1
        assert reviewer.get("/api/v1/me/").status_code == 200  # same address, another user


def test_schema_describes_the_429():
    schema = json.loads(APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json").content)
    verify_op = schema["paths"]["/api/v1/documents/verify/"]["post"]["responses"]
    assert "429" in verify_op and "Retry-After" in verify_op["429"]["headers"]


# --- the lock-out -----------------------------------------------------------------------


def fail_logins(client: APIClient, username: str, times: int) -> list:
    return [
        client.post("/api/v1/auth/token/", {"username": username, "password": "wrong-password-1"}, format="json")
        for _ in range(times)
    ]


def test_an_api_login_after_lockout_says_the_account_is_locked_and_for_how_long(users):
    client = APIClient()
    answers = fail_logins(client, "twp-anwen", settings.AXES_FAILURE_LIMIT - 1)
    assert all(a.status_code == 400 and a.json()["error"]["code"] == "invalid_credentials" for a in answers)
    # The failure that reaches the limit, and every try after it, even with the right password.
    for password in ("wrong-password-1", settings.DEMO_PASSWORD):
        response = client.post("/api/v1/auth/token/", {"username": "twp-anwen", "password": password}, format="json")
        error = assert_error(response, 429, "account_locked")
        assert "已被锁定" in error["message"] and "15 分钟" in error["message"]
        assert "用户名或密码错误" not in error["message"]
        assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60


def test_the_web_login_says_the_same(users):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "civil-1", "password": "wrong-password-1"})
    page = client.post("/accounts/login/", {"username": "civil-1", "password": settings.DEMO_PASSWORD})
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    text = page.content.decode()
    assert "已被锁定" in text and "15 分钟" in text


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_each_client_is_locked_out_alone(users):
    """Eight wrong passwords from one client leave the account open to the others behind the same proxy."""
    attacker = APIClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    fail_logins(attacker, "twp-anwen", settings.AXES_FAILURE_LIMIT)
    assert_error(fail_logins(attacker, "twp-anwen", 1)[0], 429, "account_locked")
    colleague = APIClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = colleague.post(
        "/api/v1/auth/token/", {"username": "twp-anwen", "password": settings.DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(users):
    attacker = APIClient(REMOTE_ADDR="192.0.2.1")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attacker.credentials(HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")  # a new "address" every try
        attacker.post("/api/v1/auth/token/", {"username": "civil-1", "password": "wrong-password-1"}, format="json")
    attacker.credentials(HTTP_X_FORWARDED_FOR="10.9.9.9")
    response = attacker.post(
        "/api/v1/auth/token/", {"username": "civil-1", "password": settings.DEMO_PASSWORD}, format="json"
    )
    assert_error(response, 429, "account_locked")


def test_the_lockout_and_the_throttles_read_the_same_address():
    raw = APIRequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.1")
    for proxies, expected in ((0, "127.0.0.1"), (1, "198.51.100.1"), (2, "203.0.113.7"), (5, "203.0.113.7")):
        with override_settings(
            TRUSTED_PROXY_COUNT=proxies, REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
        ):
            assert client_address(raw) == expected
            assert AnonymousRateThrottle().get_ident(Request(raw)) == expected
            # DRF's own reading with NUM_PROXIES agrees.
            assert BaseThrottle().get_ident(Request(raw)) == expected
