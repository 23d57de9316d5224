"""Signed documents checked the way an outsider would: poppler's pdfsig, pyHanko's validator, pdftotext."""

import re
import subprocess
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from common.formatting import amount_in_words
from documents import services as document_services
from documents.environment import check_document_dependencies
from documents.issuers import issuer_for
from documents.keys import create_root, create_unit_certificate, passphrase
from documents.models import Document
from institutions.models import Department

from .helpers import DOCTOR_ID, PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db


def pdfsig(path, nssdb) -> str:
    return subprocess.run(["pdfsig", "-nssdir", nssdb, str(path)], capture_output=True, text=True).stdout


def pdftotext(path) -> str:
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", text)


def pyhanko_bottom_lines(pdf: bytes) -> list[bool]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from documents.keys import trust_roots

    context = ValidationContext(trust_roots=list(trust_roots()), allow_fetching=False)
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    return [validate_pdf_signature(sig, context).bottom_line for sig in reader.embedded_signatures]


@pytest.fixture
def filed(driver, django_capture_on_commit_callbacks):
    case = driver.submit(medical_insurance=True)
    with django_capture_on_commit_callbacks(execute=True):
        driver.to_step(case, "end")
        driver.decide(case, "insurance-1", "reject", comment="暂不具备医保定点条件")
    return case


def read(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def saved(document: Document, tmp_path) -> tuple[bytes, object]:
    pdf = read(document)
    path = tmp_path / f"{document.kind}-v{document.version}.pdf"
    path.write_bytes(pdf)
    return pdf, path


def test_every_document_validates_in_pdfsig_and_pyhanko_and_carries_the_facts(filed, tmp_path, nssdb):
    documents = {d.kind: d for d in filed.documents.all()}
    assert set(documents) == {"filing_certificate", "rejection_notice", "approval_record"}
    expected_signer = {
        "filing_certificate": "磐安县卫生健康局",
        "rejection_notice": "磐安县医疗保障局",
        "approval_record": "磐安县卫生健康局",
    }
    for kind, document in documents.items():
        pdf, path = saved(document, tmp_path)
        report = pdfsig(path, nssdb)
        assert report.count("Signature is Valid.") == 1, report
        assert "Certificate is Trusted." in report and "Total document signed" in report
        assert expected_signer[kind] in report
        assert pyhanko_bottom_lines(pdf) == [True]
        text = pdftotext(path)
        for fact in (filed.case_no, document.number, "县社会福利中心", filed.institution.uscc):
            assert fact in text, (kind, fact)
        assert DOCTOR_ID not in text  # full ID numbers never go on paper
        assert [s.signer for s in document.signatures.all()] == [expected_signer[kind]]
    assert filed.clinic_filing.filing_no in pdftotext(saved(documents["filing_certificate"], tmp_path)[1])
    assert "暂不具备医保定点条件" in pdftotext(saved(documents["rejection_notice"], tmp_path)[1])
    record = pdftotext(saved(documents["approval_record"], tmp_path)[1])
    for step in (
        "属地初审",
        "民政局确认养老机构登记",
        "卫健局备案",
        "医保局决定医保定点",
        "安文街道审核员",
        "县卫健局审核员",
    ):
        assert step in record
    assert "330727********1235" in record and "心电图机" in record  # the record carries every fact, IDs masked


def test_one_changed_byte_makes_both_validators_say_invalid(filed, tmp_path, nssdb):
    document = filed.documents.get(kind="filing_certificate")
    pdf = bytearray(read(document))
    # Change one byte inside the first signed range, in the page content.
    position = pdf.index(b"stream", 2000) + 20
    pdf[position] ^= 0x01
    path = tmp_path / "tampered.pdf"
    path.write_bytes(bytes(pdf))
    report = pdfsig(path, nssdb)
    assert "Signature is Valid." not in report
    assert pyhanko_bottom_lines(bytes(pdf)) == [False]
    verdict = (
        APIClient()
        .post("/api/v1/documents/verify/", {"file": SimpleUploadedFile("x.pdf", bytes(pdf))}, format="multipart")
        .json()
    )
    assert verdict["valid"] is False and verdict["known"] is False
    assert verdict["signatures"][0]["valid"] is False and verdict["reason"]


def test_a_document_issued_by_two_units_carries_two_signatures_each_over_its_seal(
    filed, tmp_path, nssdb, django_capture_on_commit_callbacks
):
    health = Department.objects.get(code="health")
    civil = Department.objects.get(code="civil_affairs")
    with django_capture_on_commit_callbacks(execute=True):
        document = document_services.request_document(
            case=filed,
            kind="approval_record",
            issuers=[health, civil],
            supersedes=filed.documents.get(kind="approval_record"),
            reason="联合签发测试",
        )
    document.refresh_from_db()
    assert document.status == "issued", document.last_error
    pdf, path = saved(document, tmp_path)
    report = pdfsig(path, nssdb)
    assert report.count("Signature is Valid.") == 2 and report.count("Certificate is Trusted.") == 2, report
    assert pyhanko_bottom_lines(pdf) == [True, True]
    assert [s.signer for s in document.signatures.all()] == ["磐安县卫生健康局", "磐安县民政局"]

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(pdf))
    boxes = [tuple(float(v) for v in sig.sig_field["/Rect"]) for sig in reader.embedded_signatures]
    assert len(set(boxes)) == 2  # two distinct fields, one over each seal
    for x1, y1, x2, y2 in boxes:
        assert 100 < x2 - x1 < 130 and 100 < y2 - y1 < 130  # the 42 mm seal is ~119 pt wide


def test_public_verification_page_shows_validity_without_personal_data(filed):
    document = filed.documents.get(kind="filing_certificate")
    page = Client().get(f"/verify/{document.verify_token}/").content.decode()
    for shown in (document.number, "备案凭证", "磐安县卫生健康局", filed.case_no, "现行有效"):
        assert shown in page
    for hidden in ("王医生", "李护士", DOCTOR_ID, "********1235", filed.clinic_filing.services):
        assert hidden not in page
    assert Client().get("/verify/not-a-token/").status_code == 404


def test_a_correction_supersedes_and_both_stay_verifiable(
    filed, users, django_capture_on_commit_callbacks, tmp_path, nssdb
):
    old = filed.documents.get(kind="filing_certificate")
    head = APIClient()
    head.force_authenticate(users("health-head"))
    assert APIClient().post(f"/api/v1/documents/{old.pk}/correct/", {"reason": "x"}).status_code == 401
    outsider = APIClient()
    outsider.force_authenticate(users("health-1"))  # a reviewer, not the head
    assert (
        outsider.post(f"/api/v1/documents/{old.pk}/correct/", {"reason": "机构名称更正"}, format="json").status_code
        == 403
    )
    institution = filed.institution
    institution.name = "磐安县社会福利中心"
    institution.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = head.post(f"/api/v1/documents/{old.pk}/correct/", {"reason": "机构名称更正"}, format="json")
    assert response.status_code == 201, response.content
    new = Document.objects.get(pk=response.json()["id"])
    assert new.version == 2 and new.supersedes == old and new.number != old.number and new.status == "issued"
    assert "磐安县社会福利中心" in pdftotext(saved(new, tmp_path)[1])
    assert head.get(f"/api/v1/documents/{old.pk}/").json()["superseded_by"] == new.pk
    assert "已被更正版本替代" in Client().get(f"/verify/{old.verify_token}/").content.decode()
    old_pdf = read(old)
    verdict = (
        APIClient()
        .post("/api/v1/documents/verify/", {"file": SimpleUploadedFile("old.pdf", old_pdf)}, format="multipart")
        .json()
    )
    assert verdict == {**verdict, "valid": True, "known": True, "superseded": True, "number": old.number}
    assert "Signature is Valid." in pdfsig(saved(old, tmp_path)[1], nssdb)
    # The old version cannot be corrected again; the new one can.
    assert head.post(f"/api/v1/documents/{old.pk}/correct/", {"reason": "再次更正"}, format="json").status_code == 409


def unsigned_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p lang='zh'>磐安县卫生健康局 备案凭证（伪造）</p>").write_pdf()


def foreign_signed_pdf(tmp_path) -> bytes:
    """A PDF signed with a certificate from another CA (same unit name, different root)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    root_cert, root_key = create_root()
    issuer = issuer_for(Department.objects.get(code="health"))
    cert, key = create_unit_certificate(issuer, root_cert, root_key)
    path = tmp_path / "foreign.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"x", key, cert, [root_cert], serialization.BestAvailableEncryption(passphrase())
        )
    )
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=passphrase())
    unsigned = unsigned_pdf()
    meta = signers.PdfSignatureMetadata(field_name="forged", subfilter=fields.SigSeedSubFilter.PADES)
    return (
        signers.PdfSigner(meta, signer=signer)
        .sign_pdf(IncrementalPdfFileWriter(BytesIO(unsigned), strict=False))
        .getvalue()
    )


def appended_revision(pdf: bytes) -> bytes:
    """An incremental update after signing that changes what the page shows."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    page["/MediaBox"] = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 300, 300)])
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_verification_answers_every_kind_of_bad_file_clearly(filed, tmp_path, settings):
    api = APIClient()
    genuine = read(filed.documents.get(kind="filing_certificate"))

    def verify(content: bytes, name: str = "x.pdf"):
        response = api.post(
            "/api/v1/documents/verify/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
        )
        assert response.status_code in (200, 413), response.content
        return response

    ok = verify(genuine).json()
    assert ok["valid"] and ok["known"] and not ok["superseded"] and ok["signatures"][0]["signer"] == "磐安县卫生健康局"

    cases = {
        "garbage": os_random(5000),
        "not a pdf": png_bytes(),
        "unsigned pdf": unsigned_pdf(),
        "malformed pdf": PDF_BYTES,
        "signed by another CA": foreign_signed_pdf(tmp_path),
        "appended revision": appended_revision(genuine),
        "truncated": genuine[: len(genuine) // 2],
    }
    for label, content in cases.items():
        verdict = verify(content).json()
        assert verdict["valid"] is False, label
        assert verdict["reason"], label
    assert "不是 PDF" in verify(cases["not a pdf"]).json()["reason"]
    assert "不含电子签名" in verify(cases["unsigned pdf"]).json()["reason"]
    foreign = verify(cases["signed by another CA"]).json()
    assert foreign["signatures"][0]["valid"] is False and "证书" in foreign["signatures"][0]["reason"]
    appended = verify(cases["appended revision"]).json()
    assert appended["known"] is False

    settings.VERIFY_MAX_BYTES = 1000
    huge = verify(genuine)
    assert huge.status_code == 413 or huge.json()["valid"] is False

    # The web page gives the same answers, with signing times in local Chinese format.
    page = Client().post("/verify/", {"file": SimpleUploadedFile("x.pdf", cases["garbage"])})
    assert page.status_code == 200 and "核验未通过" in page.content.decode()
    settings.VERIFY_MAX_BYTES = 20 * 1024 * 1024
    page = Client().post("/verify/", {"file": SimpleUploadedFile("x.pdf", genuine)}).content.decode()
    assert "核验通过" in page and re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", page) and "+08:00" not in page


def os_random(n: int) -> bytes:
    import os

    return os.urandom(n)


def test_each_unit_numbers_each_series_from_1_every_year(driver, django_capture_on_commit_callbacks):
    first = driver.submit("inst-welfare-centre")
    second = driver.submit("inst-xinwo-home")
    with django_capture_on_commit_callbacks(execute=True):
        driver.file(first)
        driver.file(second, township="twp-xinwo")
    year = timezone.localdate().year
    numbers = sorted(Document.objects.filter(case__in=[first, second]).values_list("number", flat=True))
    # Two series of one unit in one year: each starts at 1号 (磐卫医养备 and 磐卫医养审记 count apart).
    assert numbers == sorted(
        [
            f"磐卫医养备〔{year}〕1号",
            f"磐卫医养备〔{year}〕2号",
            f"磐卫医养审记〔{year}〕1号",
            f"磐卫医养审记〔{year}〕2号",
        ]
    )


def test_numbers_issued_under_one_counter_stay_and_each_series_continues_after_them(
    driver, django_capture_on_commit_callbacks
):
    """The migration to per-kind series: nothing already issued is renumbered or issued twice."""
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from common.models import NumberSequence
    from documents.issuers import issuer_for
    from documents.numbering import new_document_number

    case = driver.submit()
    year = timezone.localdate().year
    health = issuer_for(Department.objects.get(code="health"))
    # Issued under the old single counter: 备 1, 备 2, then the agreement got 协 3.
    for kind, n in (("filing_certificate", 1), ("approval_record", 2), ("cooperation_agreement", 3)):
        code = {"filing_certificate": "医养备", "approval_record": "医养审记", "cooperation_agreement": "医养协"}[kind]
        Document.objects.create(
            case=case,
            kind=kind,
            number=f"磐卫{code}〔{year}〕{n}号",
            number_issuer=health.as_json(),
            issuers=[health.as_json()],
        )
    NumberSequence.objects.all().delete()
    migration = importlib.import_module("documents.migrations.0004_number_series_per_kind")
    # The migration runs on the models as they stood then (the counter was workflows').
    historical = MigrationExecutor(connection).loader.project_state(("documents", "0004_number_series_per_kind")).apps
    migration.continue_per_kind(historical, None)
    with transaction.atomic():
        assert new_document_number(health, "filing_certificate") == f"磐卫医养备〔{year}〕2号"
        assert new_document_number(health, "approval_record") == f"磐卫医养审记〔{year}〕3号"
        assert new_document_number(health, "cooperation_agreement") == f"磐卫医养协〔{year}〕4号"
        assert new_document_number(health, "rejection_notice") == f"磐卫医养不予〔{year}〕1号"


def test_issuing_is_idempotent(filed):
    document = filed.documents.get(kind="filing_certificate")
    before = (document.sha256, document.file.name, document.signatures.count())
    again = document_services.issue(document.pk)
    assert (again.sha256, again.file.name, again.signatures.count()) == before
    assert (
        document_services.request_document(
            case=filed, kind=document.kind, issuers=[Department.objects.get(code="health")]
        )
        == document
    )
    assert Document.objects.filter(case=filed, kind=document.kind).count() == 1


def test_a_failed_render_is_retried_and_then_issued(driver, monkeypatch, django_capture_on_commit_callbacks):
    from documents import rendering, tasks

    case = driver.submit()
    real = rendering.render_document
    calls = {"n": 0}

    def flaky(document, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("disk hiccup")
        return real(document, **kwargs)

    monkeypatch.setattr(rendering, "render_document", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        driver.decide(case, "twp-anwen", "reject", comment="不符合条件")
    notice = case.documents.get(kind="rejection_notice")
    assert notice.status in ("pending", "issued")
    if notice.status == "pending":  # eager mode: the retry waits for the sweep
        assert "disk hiccup" in notice.last_error and notice.attempts == 1
        Document.objects.filter(pk=notice.pk).update(requested_at=notice.requested_at.replace(year=2000))
        assert tasks.retry_pending_documents() >= 1
        notice.refresh_from_db()
    assert notice.status == "issued"


def test_start_up_check_fails_without_font_or_harfbuzz(settings, monkeypatch):
    assert check_document_dependencies() == []
    settings.DOCUMENT_FONT_FAMILY = "No Such Font SC"
    assert any("No Such Font SC" in e.msg for e in check_document_dependencies())
    settings.DOCUMENT_FONT_FAMILY = "AR PL UMing CN"
    import ctypes.util

    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert any("libharfbuzz-subset0" in e.msg for e in check_document_dependencies())


@pytest.mark.parametrize(
    "amount, words",
    [
        ("50000.00", "伍万元整"),
        ("20000.00", "贰万元整"),
        ("500000.00", "伍拾万元整"),
        ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("0.01", "壹分"),
    ],
)
def test_amounts_in_capital_numerals(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_text_under_a_seal_stays_legible_as_under_red_ink(tmp_path):
    """A seal stamped over black text leaves it black; over white paper it is red (pdftoppm's pixels)."""
    from django.conf import settings
    from PIL import Image
    from weasyprint import HTML

    from documents.seal import seal_svg

    svg = seal_svg("磐安县卫生健康局", font_family=settings.SEAL_FONT_FAMILY)
    html = (
        "<style>@page { size: 100mm 100mm; margin: 0 } div { position: absolute }</style>"
        "<div style='left: 30mm; top: 30mm; width: 20mm; height: 20mm; background: #000'></div>"
        f"<div style='left: 20mm; top: 20mm; width: 42mm; height: 42mm'>{svg}</div>"
    )
    pdf = tmp_path / "seal.pdf"
    HTML(string=html).write_pdf(pdf)
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", str(pdf), str(tmp_path / "seal")], check=True)
    image = Image.open(tmp_path / "seal.png").convert("RGB")
    px = 72 / 25.4
    under_star = image.getpixel((round(41 * px), round(41 * px)))  # the star's centre, over the black box
    on_ring = image.getpixel((round(41 * px), round((41 - 19.74) * px)))  # the ring's top, over white paper
    assert max(under_star) < 60, under_star  # still black: the seal hides nothing under it
    assert on_ring[0] > 180 and on_ring[1] < 120 and on_ring[2] < 120, on_ring  # red
    assert on_ring[1] > 10  # not solid paint: the paper shows through a little, as through ink
