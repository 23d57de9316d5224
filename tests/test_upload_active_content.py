"""Uploaded PDFs are parsed, and active content is refused with a clear Chinese reason (ASVS 12.2.1, 12.5.2).

The files are made here with pikepdf the way an attacker would: a script run on
opening (/OpenAction /JavaScript), a script hidden in the names tree and in an
object stream, a launch action on a link, an embedded file, a PDF that is also a web
page (HTML in a comment after the header), one that needs a password. Each is
refused at both doors — the API's attachment upload (415) and the web form — and a
plain PDF still passes. The verification upload is not refused for them (it only
verifies: docs/security.md); it can never call such a file valid.
"""

import io

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from common.validators import check_upload
from documents.verification import verify_pdf

from .helpers import PDF_BYTES
from .test_clinic_filing_api import api_as, assert_error, upload
from .web import WebUser


def saved(pdf: pikepdf.Pdf, **options) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer, **options)
    return buffer.getvalue()


def blank() -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    return pdf


def script(code: str = "app.alert('x')") -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(code))


def open_action_script() -> bytes:
    pdf = blank()
    pdf.Root.OpenAction = pdf.make_indirect(script())
    return saved(pdf)


def names_tree_script_in_object_stream() -> bytes:
    pdf = blank()
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("init"), pdf.make_indirect(script())])
    )
    return saved(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def annotation_script() -> bytes:
    pdf = blank()
    link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 9, 9], A=script())
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))
    return saved(pdf)


def launch_action() -> bytes:
    pdf = blank()
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
    link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 9, 9], A=launch)
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))
    return saved(pdf)


def embedded_file() -> bytes:
    pdf = blank()
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00", mime_type="application/octet-stream")
    return saved(pdf)


def html_polyglot() -> bytes:
    plain = saved(blank())
    return plain[:9] + b"%<html><body><script>alert(document.cookie)</script></body></html>\n" + plain[9:]


def password_protected() -> bytes:
    return saved(blank(), encryption=pikepdf.Encryption(user="secret", owner="secret"))


HOSTILE = {
    "open-action script": (open_action_script, "脚本"),
    "script in the names tree, in an object stream": (names_tree_script_in_object_stream, "脚本"),
    "script on a link": (annotation_script, "脚本"),
    "launch action": (launch_action, "启动外部程序"),
    "embedded file": (embedded_file, "内嵌了其他文件"),
    "PDF that is also HTML": (html_polyglot, "网页（HTML）"),
    "password to open": (password_protected, "已加密"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_check_upload_refuses_active_content_with_a_chinese_reason(name):
    make, words = HOSTILE[name]
    with pytest.raises(ValidationError) as info:
        check_upload(SimpleUploadedFile("证明.pdf", make()))
    assert info.value.code == "unsupported_type"
    assert words in info.value.messages[0]


def test_plain_pdfs_still_pass():
    assert check_upload(SimpleUploadedFile("a.pdf", PDF_BYTES)).mime_type == "application/pdf"
    assert check_upload(SimpleUploadedFile("b.pdf", saved(blank()))).mime_type == "application/pdf"
    # Only an owner password (no editing, as many issued documents are): readable, so checked and accepted.
    locked = saved(blank(), encryption=pikepdf.Encryption(user="", owner="owner-only"))
    assert check_upload(SimpleUploadedFile("c.pdf", locked)).mime_type == "application/pdf"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["open-action script", "PDF that is also HTML", "embedded file"])
def test_the_api_answers_415_and_stores_nothing(users, snapshot, name):
    make, words = HOSTILE[name]
    client = api_as("inst-welfare-centre")
    before = snapshot()
    error = assert_error(upload(client, make()), 415, "unsupported_type")
    assert words in error["message"]
    assert snapshot() == before


@pytest.mark.django_db
def test_the_web_form_shows_the_reason(users, snapshot):
    user = WebUser("inst-welfare-centre")
    before = snapshot()
    response = user.post(
        "/cases/new/clinic-filing/",
        {"files": SimpleUploadedFile("证明.pdf", open_action_script()), "staff-TOTAL_FORMS": "0"},
    )
    assert response.status_code == 200
    assert "PDF 文件含有脚本（JavaScript）" in response.content.decode()
    assert snapshot() == before


@pytest.mark.django_db
def test_verification_never_calls_a_file_with_a_script_added_valid(users, driver, django_capture_on_commit_callbacks):
    """The verification upload is not refused for active content, but a script added to a signed document breaks it."""
    case = driver.submit()
    with django_capture_on_commit_callbacks(execute=True):
        driver.file(case)
    original = case.documents.get(kind="filing_certificate").file.read()
    assert verify_pdf(original).valid
    writer = IncrementalPdfFileWriter(io.BytesIO(original))
    action = generic.DictionaryObject(
        {
            generic.NameObject("/S"): generic.NameObject("/JavaScript"),
            generic.NameObject("/JS"): generic.pdf_string("app.alert(1)"),
        }
    )
    writer.root[generic.NameObject("/OpenAction")] = writer.add_object(action)
    writer.update_root()
    tampered = io.BytesIO()
    writer.write(tampered)
    result = verify_pdf(tampered.getvalue())
    assert not result.valid and not result.known
    assert not verify_pdf(open_action_script()).valid
