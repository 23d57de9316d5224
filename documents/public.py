"""What the public verification page (the QR code's target) states: the document, whom it was issued to, its key facts — never personal data.

Anyone holding the paper can open the page without logging in. The rows common to every
document come from here; whom it was issued to and its key facts come from its kind's
declaration (``public_facts``), which states institution names (organisations, not
persons), dates, numbers and terms — never staff names, ID numbers or comments.
"""

from django.utils.translation import gettext as _

from common.formatting import chinese_datetime

from .models import Document


def public_facts(document: Document) -> list[tuple[str, str]]:
    rows = [
        (_("文号"), document.number),
        (_("文书类型"), document.kind_spec.label),
        (_("签发单位"), "、".join(issuer["name"] for issuer in document.issuers)),
        (_("签发时间"), chinese_datetime(document.issued_at) if document.issued_at else ""),
    ]
    return rows + document.kind_spec.public_facts(document)
