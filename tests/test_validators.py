"""Validators of what people type and upload: codes, ID numbers, text, money, files."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from stdnum.cn import ric

from common.validators import (
    check_upload,
    mask_id_number,
    validate_id_number,
    validate_money,
    validate_plain_text,
    validate_uscc,
)
from demo.accounts import demo_uscc
from forms.clinic_filing import StaffForm

from .helpers import DOCTOR_ID, PDF_BYTES, png_bytes


@pytest.mark.parametrize(
    "code", [demo_uscc("x", public=True, division="330727"), demo_uscc("y", public=False, division="330727")]
)
def test_generated_demo_codes_are_valid(code):
    validate_uscc(code)


def test_uscc_one_character_changed_is_refused():
    code = demo_uscc("welfare-centre", public=True, division="330727")
    validate_uscc(code)
    wrong_check = code[:-1] + ("1" if code[-1] != "1" else "2")
    for bad in (wrong_check, code[:17], code + "0", "A" * 18, ""):
        with pytest.raises(ValidationError) as info:
            validate_uscc(bad)
        assert "统一社会信用代码" in str(info.value)


def id_number(region: str, born: date, sequence: str = "123") -> str:
    """A real-shaped ID number with its MOD 11-2 check character."""
    body = f"{region}{born:%Y%m%d}{sequence}"
    return body + ric.calc_check_digit(body + "0")  # stdnum ignores the last character it is given


@pytest.mark.parametrize(
    "number",
    [
        "33072719550808002X",  # 磐安, born 1955: the region code is younger than its holder
        "330727196803151235",  # born 1968
        "330727200305060073",  # born 2003
        "330727197901010019",  # born 1979
        "33072719731120004X",  # born 1973
        "33072719680201006X",  # an X check character
        "33072719680201006x",  # typed in lower case: accepted and stored upper-case by the form field
        "11010519491231002X",  # 北京 110105, born 1949
        DOCTOR_ID,
    ],
)
def test_real_people_of_every_age_are_accepted(number):
    validate_id_number(number)


def test_the_check_character_is_named_when_wrong():
    with pytest.raises(ValidationError) as info:
        validate_id_number("330727196803151236")
    assert "校验位" in str(info.value)


@pytest.mark.parametrize(
    "number, words",
    [
        ("3307271968031512", "应为18位"),
        ("3307271968031512360", "应为18位"),
        ("33072719680315123Y", "应为18位"),
        ("abcdefghijklmnopqr", "应为18位"),
        ("330727196813151230", "不是有效日期"),  # month 13
        ("330727190002290000", "不是有效日期"),  # 1900 was not a leap year
        ("330727189912310000", "早于1900年"),
    ],
)
def test_each_refusal_names_what_is_wrong(number, words):
    with pytest.raises(ValidationError) as info:
        validate_id_number(number)
    assert words in str(info.value)


def test_birth_date_today_is_accepted_and_tomorrow_refused():
    today = timezone.localdate()
    validate_id_number(id_number("330727", today))
    validate_id_number(id_number("330727", today - timedelta(days=1)))
    with pytest.raises(ValidationError) as info:
        validate_id_number(id_number("330727", today + timedelta(days=1)))
    assert "晚于今天" in str(info.value)


def test_leap_day_birth_is_accepted():
    validate_id_number(id_number("330727", date(2000, 2, 29)))


def test_staff_form_shows_one_message_for_a_short_number():
    form = StaffForm(data={"name": "张三", "id_number": "33072719", "role": "other"})
    assert not form.is_valid()
    assert form.errors["id_number"] == ["身份证号码应为18位：前17位为数字，最后一位为数字或X（现为8位）。"]


def test_staff_form_stores_the_number_upper_case():
    form = StaffForm(data={"name": "张三", "id_number": " 33072719680201006x ", "role": "other"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == "33072719680201006X"


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
