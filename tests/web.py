"""A browser-like test client: logs in through the login page and sends the CSRF token like a form would."""

from django.conf import settings
from django.test import Client


class WebUser:
    def __init__(self, username: str, password: str | None = None):
        self.client = Client(enforce_csrf_checks=True)
        self.username = username
        self.login(password or settings.DEMO_PASSWORD)

    def _token(self) -> str:
        if settings.CSRF_COOKIE_NAME not in self.client.cookies:
            self.client.get("/accounts/login/")
        return self.client.cookies[settings.CSRF_COOKIE_NAME].value

    def login(self, password: str):
        self.client.get("/accounts/login/")
        response = self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": password, "csrfmiddlewaretoken": self._token()},
        )
        assert response.status_code == 302, f"login of {self.username} failed"
        return response

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data["csrfmiddlewaretoken"] = self._token()
        return self.client.post(url, data, **kwargs)

    def post_without_csrf(self, url: str, data: dict | None = None):
        return self.client.post(url, data or {})


def filing_post_data(filing: dict, staff: list[dict], **extra) -> dict:
    """The clinic-filing form as the browser posts it (formset management fields included)."""
    data = {
        "clinic_name": filing["clinic_name"],
        "clinic_type": filing["clinic_type"],
        "services": filing["services"],
        "floor_area": str(filing["floor_area"]),
        "equipment": filing["equipment"],
        "opening_date": filing["opening_date"].isoformat(),
        "staff-TOTAL_FORMS": str(len(staff)),
        "staff-INITIAL_FORMS": "0",
        "staff-MIN_NUM_FORMS": "1",
        "staff-MAX_NUM_FORMS": "50",
    }
    if filing.get("medical_insurance"):
        data["medical_insurance"] = "on"
    for index, person in enumerate(staff):
        for key, value in person.items():
            data[f"staff-{index}-{key}"] = value
    data.update(extra)
    return data
