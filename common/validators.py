"""Validators for the values people type: credit codes, ID numbers, money, plain text, files.

Each raises Django's ValidationError with a message in the user's language, so the
web forms and the API (which validates through the same forms) report the same thing.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from .active_content import REFUSALS, looks_like_html, pdf_refusal

# Markup has no business in a plain-text field: a tag, a comment, a script URL or an
# event handler is refused rather than silently stored and escaped later.
_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|javascript\s*:|\bon[a-z]+\s*=", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def validate_uscc(value: str) -> None:
    """统一社会信用代码: 18 characters with the GB 32100-2015 check character."""
    try:
        uscc.validate(value)
    except StdnumError:
        raise ValidationError(
            _("统一社会信用代码“%(value)s”无效：应为18位，且校验位正确。"),
            code="invalid_uscc",
            params={"value": value},
        ) from None


ID_NUMBER_FORMAT = re.compile(r"^\d{17}[\dX]$")
EARLIEST_BIRTH_YEAR = 1900


def validate_id_number(value: str) -> None:
    """居民身份证号码 (GB 11643): 18 characters, a real birth date not in the future, MOD 11-2 check.

    The first six digits are where the card was issued, not a fact about its holder's
    birth: a county's division code can be younger than the people who carry it (a code
    created in 1985 is on the cards of doctors born in 1968; docs/domain.md names one).
    So the region is not tied to the birth year (stdnum's ``ric.validate`` does tie them,
    and refuses such residents); each refusal names what is wrong.
    """
    number = (value or "").strip().upper()
    if not ID_NUMBER_FORMAT.match(number):
        raise ValidationError(
            _("身份证号码应为18位：前17位为数字，最后一位为数字或X（现为%(n)d位）。"),
            code="id_number_format",
            params={"n": len(number)},
        )
    birth = number[6:14]
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        raise ValidationError(
            _("身份证号码第7至14位的出生日期“%(birth)s”不是有效日期。"),
            code="id_number_birth_date",
            params={"birth": birth},
        ) from None
    if born.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(
            _("身份证号码中的出生日期“%(birth)s”早于%(year)d年，请核对。"),
            code="id_number_birth_date",
            params={"birth": birth, "year": EARLIEST_BIRTH_YEAR},
        )
    if born > timezone.localdate():
        raise ValidationError(
            _("身份证号码中的出生日期“%(birth)s”晚于今天，请核对。"),
            code="id_number_birth_date",
            params={"birth": birth},
        )
    if ric.calc_check_digit(number) != number[17]:  # stdnum takes the whole number and ignores its last character
        raise ValidationError(_("身份证号码最后一位校验位不正确，请核对号码。"), code="id_number_check_character")


def mask_id_number(value: str) -> str:
    """Show the region and the last four characters only: 110101********1234."""
    if len(value) != 18:
        return "*" * len(value)
    return f"{value[:6]}{'*' * 8}{value[-4:]}"


def validate_plain_text(value: str) -> None:
    if _MARKUP.search(value):
        raise ValidationError(_("不得包含HTML标签或脚本。"), code="markup")
    if _CONTROL.search(value):
        raise ValidationError(_("包含不可见的控制字符。"), code="control_characters")


def validate_money(value: Decimal) -> None:
    """Money is in 元 with at most two decimals, never negative."""
    if value < 0:
        raise ValidationError(_("金额不能为负数。"), code="negative")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError(_("金额最多保留两位小数（精确到分）。"), code="precision")


@dataclass(frozen=True)
class CheckedFile:
    """An uploaded file whose type was read from its content, not from its name."""

    content: bytes
    mime_type: str
    extension: str
    sha256: str


ALLOWED_UPLOAD_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}


def check_upload(uploaded: Any) -> CheckedFile:
    """Refuse files over the size limit, files that are not PDF, JPEG or PNG by content, and active content.

    A PDF with JavaScript, a launch action, an embedded file or multimedia, one that
    needs a password, or any file that is also a web page is refused with a message
    saying which (common/active_content.py). Raises ValidationError with code
    "too_large" or "unsupported_type"; the API turns these into 413 and 415.
    """
    limit = settings.UPLOAD_MAX_BYTES
    if uploaded.size is not None and uploaded.size > limit:
        raise ValidationError(
            _("文件过大：不得超过 %(limit)s MB。"),
            code="too_large",
            params={"limit": limit // (1024 * 1024)},
        )
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _("文件过大：不得超过 %(limit)s MB。"),
            code="too_large",
            params={"limit": limit // (1024 * 1024)},
        )
    if not content:
        raise ValidationError(_("文件为空。"), code="empty")
    kind = filetype.guess(content)
    mime = kind.mime if kind else None
    if mime not in ALLOWED_UPLOAD_TYPES or not _content_is_whole(mime, content):
        raise ValidationError(
            _("文件类型不受支持：仅接受 PDF、JPG 或 PNG 文件（按文件内容识别）。"),
            code="unsupported_type",
        )
    # Active content (common/active_content.py): the type is right, what it carries is not.
    refusal = pdf_refusal(content) if mime == "application/pdf" else None
    if refusal is None and looks_like_html(content):
        refusal = "html"
    if refusal is not None:
        raise ValidationError(REFUSALS[refusal], code="unsupported_type")
    return CheckedFile(
        content=content,
        mime_type=mime,
        extension=ALLOWED_UPLOAD_TYPES[mime],
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _content_is_whole(mime: str, content: bytes) -> bool:
    """A PDF must end with its trailer marker; an image must decode."""
    if mime == "application/pdf":
        return b"%%EOF" in content[-2048:]
    from io import BytesIO

    from PIL import Image

    try:
        with Image.open(BytesIO(content)) as image:
            image.verify()
    except Exception:
        return False
    return True
