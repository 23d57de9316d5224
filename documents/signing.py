"""PAdES signatures: each issuing unit signs in turn (incremental updates), over its own seal.

A document is stored only if every signature then validates against the county
trust roots — the same check an outsider's validator makes.
"""

import hashlib
from dataclasses import dataclass
from io import BytesIO

from django.utils import timezone

from institutions.county import current_county

from .issuers import Issuer, issuer_from_json
from .keys import signer_for, trust_roots

# P-256 signature, two certificates and the signed attributes fit in ~2 KB.
SIGNATURE_BYTES_RESERVED = 8192


@dataclass(frozen=True)
class SealBox:
    """Where a unit's seal is drawn: page index and a box in PDF points (origin bottom-left)."""

    page: int
    box: tuple[float, float, float, float]


class SignatureInvalid(Exception):
    """A freshly made signature does not validate: the document must not be stored."""


def sign_pdf(pdf: bytes, issuers: list[Issuer], seal_boxes: list[SealBox], *, reason: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp.noop import NoOpStampStyle

    location = current_county().signing_location  # e.g. province and county, from the county's row
    for index, (issuer, seal) in enumerate(zip(issuers, seal_boxes, strict=True)):
        metadata = signers.PdfSignatureMetadata(
            field_name=f"seal-{index}-{issuer.code}",
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=f"{issuer.name}{reason}",
            location=location,
            name=issuer.name,
        )
        signer = signers.PdfSigner(
            metadata,
            signer=signer_for(issuer),
            # The seal is part of the page; the widget sits over it without painting anything.
            stamp_style=NoOpStampStyle(),
            new_field_spec=fields.SigFieldSpec(
                sig_field_name=metadata.field_name, on_page=seal.page, box=tuple(round(v, 2) for v in seal.box)
            ),
        )
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        # A fixed reservation spares pyHanko a dry-run signature to estimate the size.
        pdf = signer.sign_pdf(writer, bytes_reserved=SIGNATURE_BYTES_RESERVED).getvalue()
    return pdf


def validate_signatures(pdf: bytes) -> list[dict]:
    """Validate every signature; raise SignatureInvalid unless all are intact, trusted and cover the file."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = list(trust_roots())
    if not roots:
        raise SignatureInvalid("no trust roots: run manage.py make_signing_keys")
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    reader = PdfFileReader(BytesIO(pdf))
    results = []
    for embedded in reader.embedded_signatures:
        status = validate_pdf_signature(embedded, context)
        if not status.bottom_line:
            raise SignatureInvalid(f"signature {embedded.field_name} does not validate: {status.summary()}")
        cert = status.signing_cert
        results.append(
            {
                "signer": cert.subject.native.get("organization_name", ""),
                "certificate_sha256": hashlib.sha256(cert.dump()).hexdigest(),
                "signed_at": status.signer_reported_dt or timezone.now(),
            }
        )
    return results


def sign_and_validate(document, pdf: bytes, seal_boxes: list[SealBox]) -> tuple[bytes, list[dict]]:
    issuers = [issuer_from_json(data) for data in document.issuers]
    signed = sign_pdf(pdf, issuers, seal_boxes, reason=f"签发{document.get_kind_display()}{document.number}")
    signatures = validate_signatures(signed)
    if len(signatures) != len(issuers):
        raise SignatureInvalid(f"expected {len(issuers)} signatures, found {len(signatures)}")
    return signed, signatures
