"""Signed statements of the audit log (审计日志锚定声明), and the whole check of the log against the latest.

The statement is a small PDF, rendered and signed by 县卫健局 with the same machinery
as every official document (WeasyPrint, the unit's seal, a PAdES signature), stating
the cut-off event, the number of events and chains and the root hash over every
chain's head. It lives in the documents layer because the audit app below it must not
know how to sign; the statement rows themselves are audit.models.AuditStatement.
"""

import hashlib
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from audit.models import AuditStatement
from audit.statements import statement_facts
from audit.verification import Verdict, latest_statement, verify_log
from common.formatting import chinese_datetime
from institutions.models import Department

from .issuers import issuer_for
from .rendering import PX, cyclic_gc_paused
from .seal import seal_svg
from .signing import SealBox, sign_pdf, validate_signatures

TEMPLATE = "documents/audit_statement.html"
# Written into the PDF's Subject so a checker reads the root without parsing page text.
SUBJECT_PREFIX = "yiyang-audit-root:"


def issue_statement() -> AuditStatement:
    """State every chain's head as of the last committed event, sign it and store it."""
    facts = statement_facts()
    now = timezone.now()
    issuer = issuer_for(Department.objects.get(code=Department.Code.HEALTH))
    html = render_to_string(
        TEMPLATE,
        {
            "issuer": issuer,
            "at": chinese_datetime(now),
            "at_iso": timezone.localtime(now).isoformat(),
            "facts": facts,
            "root": facts.head,
            "subject": f"{SUBJECT_PREFIX}{facts.head};last:{facts.last_event_id}",
            "font_family": settings.DOCUMENT_FONT_FAMILY,
            "seal": mark_safe(seal_svg(issuer.name, font_family=settings.SEAL_FONT_FAMILY)),
        },
    )
    pdf, box = _render(html)
    signed = sign_pdf(pdf, [issuer], [box], reason=f"签署审计日志锚定声明（截至事件#{facts.last_event_id}）")
    validate_signatures(signed)
    statement = AuditStatement(
        at=now,
        last_event_id=facts.last_event_id,
        head=facts.head,
        chain_count=facts.chain_count,
        event_count=facts.event_count,
        heads=facts.heads,
        pdf_sha256=hashlib.sha256(signed).hexdigest(),
    )
    statement.pdf.save(
        f"audit-statement-{now:%Y%m%d-%H%M%S}-{facts.last_event_id}.pdf", ContentFile(signed), save=False
    )
    statement.save()
    return statement


def _render(html: str) -> tuple[bytes, SealBox]:
    from weasyprint import HTML

    with cyclic_gc_paused():
        rendered = HTML(string=html).render()
        pdf = rendered.write_pdf()
    for index, page in enumerate(rendered.pages):
        if "seal-0" in page.anchors:
            x1, y1, x2, y2 = page.anchors["seal-0"]
            height = page.height
            return pdf, SealBox(index, (x1 * PX, (height - y2) * PX, x2 * PX, (height - y1) * PX))
    raise RuntimeError("the statement template has no seal-0 anchor")


def embedded_root(pdf: bytes) -> str | None:
    """The root hash the signed PDF states (its Subject), or None if it states none."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    trailer = PdfFileReader(BytesIO(pdf), strict=False).trailer_view
    try:
        subject = str(trailer["/Info"]["/Subject"])
    except KeyError:
        return None
    if not subject.startswith(SUBJECT_PREFIX):
        return None
    return subject[len(SUBJECT_PREFIX) :].split(";", 1)[0]


def check_statement_pdf(statement: AuditStatement) -> str:
    """'' if the statement's PDF is intact, validly signed and states the row's root; else why not."""
    if not statement.pdf:
        return f"声明#{statement.pk}没有签名文件"
    try:
        with statement.pdf.open("rb") as handle:
            pdf = handle.read()
    except OSError:
        return f"声明#{statement.pk}的签名文件缺失"
    try:
        validate_signatures(pdf)
        root = embedded_root(pdf)
    except Exception:  # a changed file may break the parser anywhere
        return f"声明#{statement.pk}的签名文件无效（签名后被修改或不是本县证书所签）"
    if root != statement.head:
        return f"声明#{statement.pk}的签名文件所载根哈希与声明记录不符：声明记录被修改"
    return ""


def verify_audit(*, workers: int = 1) -> Verdict:
    """Every chain recomputed, the latest statement's heads and root compared, and its signed PDF checked."""
    statement = latest_statement()
    verdict = verify_log(statement, use_latest=False, workers=workers)
    if statement is not None:
        problem = check_statement_pdf(statement)
        if problem:
            verdict.fail(None, problem)
            verdict.statement = statement.pk
    return verdict
