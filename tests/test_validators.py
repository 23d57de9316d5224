"""Validators of what people type and upload: codes, ID numbers, text, money, files."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from forms.validators import (
    check_upload,
    mask_id_number,
    validate_id_number,
    validate_money,
    validate_plain_text,
    validate_uscc,
)
from institutions.demo import demo_uscc

from .helpers import DOCTOR_ID, PDF_BYTES, png_bytes


@pytest.mark.parametrize("code", [demo_uscc("x", public=True), demo_uscc("y", public=False)])
def test_generated_demo_codes_are_valid(code):
    validate_uscc(code)


def test_uscc_one_character_changed_is_refused():
    code = demo_uscc("welfare-centre", public=True)
    validate_uscc(code)
    wrong_check = code[:-1] + ("1" if code[-1] != "1" else "2")
    for bad in (wrong_check, code[:17], code + "0", "A" * 18, ""):
        with pytest.raises(ValidationError) as info:
            validate_uscc(bad)
        assert "统一社会信用代码" in str(info.value)


def test_id_number_checksum_and_birth_date():
    validate_id_number(DOCTOR_ID)
    for bad in ("110105194912310021", "11010519491332002X", "1101051949123100", "abcdefghijklmnopqr"):
        with pytest.raises(ValidationError) as info:
            validate_id_number(bad)
        assert "身份证号码无效" in str(info.value)


def test_id_number_is_masked_to_region_and_last_four():
    assert mask_id_number("330727199003071230") == "330727********1230"


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", "正常<img src=x onerror=alert(1)>", "javascript:alert(1)", "<!-- x -->", "a\x00b"],
)
def test_markup_and_control_characters_are_refused(text):
    with pytest.raises(ValidationError):
        validate_plain_text(text)


@pytest.mark.parametrize("text", ["血压计、心电图机", "面积 < 200 平方米", "A&B 护理站", "a > b"])
def test_ordinary_text_passes(text):
    validate_plain_text(text)


def test_money_two_decimals_not_negative():
    validate_money(Decimal("50000.00"))
    validate_money(Decimal("0.01"))
    with pytest.raises(ValidationError):
        validate_money(Decimal("-0.01"))
    with pytest.raises(ValidationError):
        validate_money(Decimal("1.001"))


def test_upload_accepts_pdf_png_jpeg_by_content():
    from io import BytesIO

    from PIL import Image

    jpeg = BytesIO()
    Image.new("RGB", (3, 3)).save(jpeg, "JPEG")
    assert check_upload(SimpleUploadedFile("x.bin", PDF_BYTES)).mime_type == "application/pdf"
    assert check_upload(SimpleUploadedFile("x.pdf", png_bytes())).mime_type == "image/png"
    assert check_upload(SimpleUploadedFile("x", jpeg.getvalue())).extension == "jpg"


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00" + b"\x00" * 100,  # a Windows executable named .pdf
        b"<html><script>alert(1)</script></html>",
        b"%PDF-1.4\n truncated without trailer",
        png_bytes()[:20],  # a PNG cut short
        b"",
    ],
)
def test_upload_refuses_other_content_whatever_the_name(content):
    with pytest.raises(ValidationError) as info:
        check_upload(SimpleUploadedFile("证明.pdf", content, content_type="application/pdf"))
    assert info.value.code in {"unsupported_type", "empty"}


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_upload_size_limit_at_the_boundary():
    at_limit = PDF_BYTES + b" " * (1024 - len(PDF_BYTES) - 6) + b"%%EOF\n"
    assert len(at_limit) == 1024
    check_upload(SimpleUploadedFile("a.pdf", at_limit))
    with pytest.raises(ValidationError) as info:
        check_upload(SimpleUploadedFile("a.pdf", at_limit + b" "))
    assert info.value.code == "too_large"
