"""The public page a document's QR code opens, and the base URL that QR code is built from."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.utils import timezone

from common.formatting import chinese_datetime
from documents.environment import check_public_base_url
from documents.rendering import verification_url
from permissions.models import User

from .helpers import DOCTOR_ID, NURSE_ID
from .test_agreement_document import issued_agreement, next_three_year_term
from .test_documents import pdftotext


def public_page(document) -> str:
    """The page as a passer-by who scanned the QR code sees it: no login."""
    response = Client().get(f"/verify/{document.verify_token}/")
    assert response.status_code == 200
    return response.content.decode()


def assert_no_personal_data(page: str, case) -> None:
    hidden = [DOCTOR_ID, NURSE_ID, "110105", "330727199", "王医生", "李护士", "暂不具备医保定点条件", "材料不全"]
    # Reviewers' and applicants' own names are personal data too.
    hidden += [
        u.display_name for u in User.objects.filter(username__in=["twp-anwen", "civil-1", "health-1", "insurance-1"])
    ]
    if case.procedure == "clinic_filing":
        hidden.append(case.clinic_filing.services)
    for value in hidden:
        assert value and value not in page, value


@pytest.mark.django_db
def test_filing_documents_show_when_to_whom_and_the_key_facts_and_no_personal_data(
    driver, django_capture_on_commit_callbacks
):
    case = driver.submit(medical_insurance=True)
    driver.decide(case, "twp-anwen", "return")  # a comment ("材料不全") that must not leak
    from workflows import services

    services.resubmit_clinic_filing(
        user=driver.users("inst-welfare-centre"),
        case_no=case.case_no,
        filing={
            k: getattr(case.clinic_filing, k)
            for k in (
                "clinic_name",
                "clinic_type",
                "services",
                "floor_area",
                "equipment",
                "opening_date",
                "medical_insurance",
            )
        },
        staff=list(case.clinic_filing.staff.values("name", "id_number", "role", "licence_no")),
        attachments=[],
    )
    with django_capture_on_commit_callbacks(execute=True):
        driver.to_step(case, "end")
        driver.decide(case, "insurance-1", "reject", comment="暂不具备医保定点条件")
    documents = {d.kind: d for d in case.documents.all()}

    certificate = documents["filing_certificate"]
    page = public_page(certificate)
    issued = timezone.localtime(certificate.issued_at)
    assert f"{issued.year}年{issued.month}月{issued.day}日 {issued:%H:%M}" in page
    assert chinese_datetime(certificate.issued_at) in page
    for shown in (
        "现行有效",
        certificate.number,
        "备案凭证",
        "磐安县卫生健康局",
        case.case_no,
        "县社会福利中心",
        case.clinic_filing.filing_no,
        case.clinic_filing.clinic_name,
        "主送单位",
        "备案编号",
    ):
        assert shown in page, shown
    assert_no_personal_data(page, case)

    notice = public_page(documents["rejection_notice"])
    assert "医保定点申请" in notice and "磐安县医疗保障局" in notice and "县社会福利中心" in notice
    assert_no_personal_data(notice, case)

    record = public_page(documents["approval_record"])
    assert "办理结果" in record and case.case_no in record
    assert_no_personal_data(record, case)


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


@pytest.mark.django_db
def test_agreement_page_shows_the_parties_term_and_fee(users, django_capture_on_commit_callbacks):
    start, end = next_three_year_term()
    case = issued_agreement(
        users,
        django_capture_on_commit_callbacks,
        start_date=start.isoformat(),
        end_date=end.isoformat(),
        annual_fee="36000.00",
    )
    document = case.documents.get(kind="cooperation_agreement")
    page = public_page(document)
    for shown in (
        "医养合作协议",
        document.number,
        "县社会福利中心",
        "安文街道社区卫生服务中心",
        "磐安县卫生健康局",
        "磐安县民政局",
        f"{start.year}年1月1日至{end.year}年12月31日",
        "36,000.00元（叁万陆仟元整）",
        chinese_datetime(document.issued_at),
    ):
        assert shown in page, shown
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", page)
    assert_no_personal_data(page, case)


@pytest.mark.django_db
def test_the_qr_code_opens_the_public_page_under_public_base_url(
    users, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.PUBLIC_BASE_URL = "https://yiyang.example.gov.cn"
    start, end = next_three_year_term()
    case = issued_agreement(
        users, django_capture_on_commit_callbacks, start_date=start.isoformat(), end_date=end.isoformat()
    )
    document = case.documents.get(kind="cooperation_agreement")
    url = verification_url(document)
    assert url == f"https://yiyang.example.gov.cn/verify/{document.verify_token}/"
    path = tmp_path / "agreement.pdf"
    with document.file.open("rb") as handle:
        path.write_bytes(handle.read())
    assert url in pdftotext(path)  # printed under the QR code (the QR encodes the same string)
    assert Client().get(url.removeprefix(settings.PUBLIC_BASE_URL)).status_code == 200
