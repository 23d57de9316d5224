"""Turning a document row into a PDF: its context, its HTML template, WeasyPrint."""

import gc
from contextlib import contextmanager
from dataclasses import dataclass

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from common.formatting import chinese_date

from .issuers import issuer_from_json
from .models import Document
from .seal import seal_svg
from .signing import SealBox

PX = 0.75  # CSS px → PDF points


def verification_url(document: Document) -> str:
    return settings.PUBLIC_BASE_URL + reverse("documents:public", args=[document.verify_token])


@dataclass
class SealBlock:
    anchor: str  # the element id the signature field is placed over
    name: str
    svg: str
    role: str = ""  # what the unit signs as, where a document says so (甲方（盖章）)


def seal_rows(seals: list[SealBlock]) -> list[list[SealBlock | None]]:
    """Seals two to a row, the last row filled from the right (a single seal sits at the right margin)."""
    rows = [seals[i : i + 2] for i in range(0, len(seals), 2)]
    if rows and len(rows[-1]) == 1:
        rows[-1] = [None, rows[-1][0]]
    return rows


def build_context(document: Document, *, issued_at) -> dict:
    """The letterhead, number, seals and QR code every document has, and what its kind states."""
    kind = document.kind_spec
    font = settings.DOCUMENT_FONT_FAMILY
    issuers = [issuer_from_json(data) for data in document.issuers]
    url = verification_url(document)
    seals = [
        SealBlock(
            anchor=f"seal-{index}",
            name=issuer.name,
            svg=mark_safe(seal_svg(issuer.name, font_family=settings.SEAL_FONT_FAMILY)),
        )
        for index, issuer in enumerate(issuers)
    ]
    if kind.seal_roles:
        for seal, role in zip(seals, kind.seal_roles(document, issuers), strict=True):
            seal.role = role
    context = {
        "document": document,
        "kind_label": kind.label,
        "issuers": issuers,
        "lead": issuers[0],
        "issued_date": chinese_date(issued_at),
        "seal_rows": seal_rows(seals),
        "font_family": font,
        "qr_svg": mark_safe(segno.make(url, error="m").svg_inline(scale=2, border=1, dark="#000")),
        "verification_url": url,
        "superseded_number": document.supersedes.number if document.supersedes_id else "",
    }
    context.update(kind.context(document))
    return context


def render_html(document: Document, *, issued_at) -> str:
    return render_to_string(document.kind_spec.template, build_context(document, issued_at=issued_at))


def render_document(document: Document, *, issued_at) -> tuple[bytes, list[SealBox]]:
    """The PDF, and where each issuer's seal landed (for placing its signature field over it)."""
    from weasyprint import HTML

    html = render_html(document, issued_at=issued_at)
    with cyclic_gc_paused():
        rendered = HTML(string=html).render()
        pdf = rendered.write_pdf()
    boxes: dict[str, SealBox] = {}
    for index, page in enumerate(rendered.pages):
        for anchor, (x1, y1, x2, y2) in page.anchors.items():
            if anchor.startswith("seal-"):
                # CSS px from the top-left → PDF points from the bottom-left.
                height = page.height
                boxes[anchor] = SealBox(index, (x1 * PX, (height - y2) * PX, x2 * PX, (height - y1) * PX))
    seals = [boxes[f"seal-{n}"] for n in range(len(document.issuers))]
    return pdf, seals


def render_unsigned_pdf(template: str, context: dict) -> bytes:
    """A PDF in the documents' look that no unit numbers or signs (a record printed on request).

    The template extends documents/base.html and replaces its letterhead and closing
    (number, seals, QR code), so nothing on it can pass for an issued document.
    """
    from weasyprint import HTML

    html = render_to_string(template, {"font_family": settings.DOCUMENT_FONT_FAMILY, "document": None, **context})
    with cyclic_gc_paused():
        return HTML(string=html).write_pdf()


@contextmanager
def cyclic_gc_paused():
    """Layout allocates hundreds of thousands of short-lived objects, and the cyclic
    collector's passes over them cost 10–20 % of a render; collect once afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
