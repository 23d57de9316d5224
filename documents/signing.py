"""Signing documents (PAdES) — the first cut stores them unsigned; see issue 3."""


def sign_and_validate(document, pdf: bytes) -> tuple[bytes, list[dict]]:
    return pdf, []
