"""Checking a PDF someone hands us: is it one of ours, unchanged, and validly signed — by whom?

Anything can arrive here (garbage, a huge file, a PDF signed by another CA, a changed
byte, an appended revision); every case ends in a clear answer, never an exception.
"""

import hashlib
import logging
from dataclasses import asdict, dataclass, field
from io import BytesIO

from django import forms
from django.conf import settings
from django.utils import timezone

from common.forms import ChineseForm

from .models import Document, DocumentStatus

logger = logging.getLogger(__name__)


@dataclass
class SignatureReport:
    signer: str
    valid: bool
    signed_at: str | None
    reason: str = ""


@dataclass
class VerificationResult:
    valid: bool
    known: bool
    number: str | None
    superseded: bool
    signatures: list[SignatureReport] = field(default_factory=list)
    reason: str = ""
    document: Document | None = None

    def as_api(self) -> dict:
        data = asdict(self)
        data.pop("document")
        data["signatures"] = [
            {"signer": s.signer, "valid": s.valid, "signed_at": s.signed_at, "reason": s.reason}
            for s in self.signatures
        ]
        return data


def verify_pdf(content: bytes) -> VerificationResult:
    """The whole verdict for the bytes of a file."""
    if len(content) > settings.VERIFY_MAX_BYTES:
        return VerificationResult(False, False, None, False, reason="文件过大，无法核验。")
    document = (
        Document.objects.filter(sha256=hashlib.sha256(content).hexdigest(), status=DocumentStatus.ISSUED)
        .select_related("superseded_by")
        .first()
    )
    known = document is not None
    if not content.startswith(b"%PDF-"):
        return VerificationResult(False, False, None, False, reason="不是 PDF 文件。")
    try:
        signatures, coverage_reason = _check_signatures(content)
    except Exception as error:  # a malformed PDF may break the parser anywhere
        logger.info("unreadable PDF submitted for verification: %r", error)
        return VerificationResult(False, known, None, False, reason="PDF 文件已损坏或无法解析。")
    all_valid = bool(signatures) and all(s.valid for s in signatures)
    reason = coverage_reason
    if not signatures:
        reason = "文件不含电子签名。"
    elif not all_valid:
        reason = reason or "电子签名无效：文件在签名后被修改，或签名不是由本县签发的证书所签。"
    elif not known:
        reason = "签名有效，但该文件不是本系统签发文书的原件（可能在签发后被追加修改）。"
    superseded = bool(document and document.is_superseded)
    from .services import note_verified

    note_verified(document=document, valid=all_valid and known, via="upload")
    return VerificationResult(
        valid=all_valid and known,
        known=known,
        number=document.number if document else None,
        superseded=superseded,
        signatures=signatures,
        reason=reason,
        document=document,
    )


def _check_signatures(content: bytes) -> tuple[list[SignatureReport], str]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from .keys import trust_roots

    reader = PdfFileReader(BytesIO(content), strict=False)
    embedded = reader.embedded_signatures
    roots = list(trust_roots())
    context = ValidationContext(trust_roots=roots, allow_fetching=False) if roots else None
    reports: list[SignatureReport] = []
    coverage_reason = ""
    for signature in embedded:
        try:
            status = validate_pdf_signature(signature, context)
            signer = _signer_name(status.signing_cert)
            signed_at = status.signer_reported_dt
            valid = bool(status.bottom_line) and context is not None
            reason = ""
            if not status.intact:
                reason = "签名后内容被修改。"
            elif not status.trusted or context is None:
                reason = "签名证书不属于本县电子文书证书体系。"
            elif not status.bottom_line:
                reason = "签名后文件被追加了不允许的修改。"
                coverage_reason = reason
            reports.append(
                SignatureReport(
                    signer=signer,
                    valid=valid,
                    signed_at=timezone.localtime(signed_at).isoformat() if signed_at else None,
                    reason=reason,
                )
            )
        except Exception as error:
            logger.info("signature could not be validated: %r", error)
            reports.append(SignatureReport(signer="未知", valid=False, signed_at=None, reason="签名无法解析。"))
    return reports, coverage_reason


def _signer_name(cert) -> str:
    try:
        return cert.subject.native.get("organization_name") or cert.subject.human_friendly
    except Exception:
        return "未知"


class VerifyForm(ChineseForm):
    file = forms.FileField(label="选择要核验的 PDF 文件")


def verify_upload_form(request) -> tuple[VerifyForm, VerificationResult | None]:
    if request.method != "POST":
        return VerifyForm(), None
    form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, None
    upload = form.cleaned_data["file"]
    if upload.size and upload.size > settings.VERIFY_MAX_BYTES:
        return form, VerificationResult(False, False, None, False, reason="文件过大，无法核验。")
    return form, verify_pdf(upload.read(settings.VERIFY_MAX_BYTES + 1))
