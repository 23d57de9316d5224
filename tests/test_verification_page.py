"""The public page a document's QR code opens, and the base URL that QR code is built from."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from documents.environment import check_public_base_url


@pytest.mark.parametrize(
    "debug, url, refused",
    [
        (False, "", True),  # the variable unset in production: no silent fallback
        (False, "ftp://yiyang.example.gov.cn", True),
        (False, "yiyang.example.gov.cn", True),  # no scheme
        (False, "https://", True),  # no host
        (False, "javascript:alert(1)", True),
        (False, "https://yiyang.example.gov.cn?x=1", True),
        (False, "https://yiyang.example.gov.cn", False),
        (False, "http://10.0.0.8:8000/yiyang", False),
        (True, "", False),  # development: the local default applies
    ],
)
def test_production_refuses_to_start_without_an_http_public_base_url(settings, debug, url, refused):
    settings.DEBUG = debug
    settings.PUBLIC_BASE_URL = url
    errors = check_public_base_url()
    assert [e.id for e in errors] == (["documents.E002"] if refused else [])
    assert all(e.is_serious() for e in errors)  # an Error, not a Warning
    if refused:
        # What `manage.py check`, `runserver`, `migrate` and the Celery worker run at start-up.
        with pytest.raises(SystemCheckError, match="PUBLIC_BASE_URL"):
            call_command("check")
    else:
        call_command("check")


def test_settings_fall_back_to_the_local_address_only_with_debug_on(monkeypatch):
    import importlib
    import os

    import config.settings as module

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", os.environ.get("SECRET_KEY", "x"))
    try:
        monkeypatch.setenv("DEBUG", "0")
        assert importlib.reload(module).PUBLIC_BASE_URL == ""
        monkeypatch.setenv("DEBUG", "1")
        assert importlib.reload(module).PUBLIC_BASE_URL == "http://127.0.0.1:8000"
        monkeypatch.setenv("DEBUG", "0")
        monkeypatch.setenv("PUBLIC_BASE_URL", "https://yiyang.example.gov.cn/")
        assert importlib.reload(module).PUBLIC_BASE_URL == "https://yiyang.example.gov.cn"
    finally:
        monkeypatch.undo()
        importlib.reload(module)
