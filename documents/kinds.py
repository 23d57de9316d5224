"""The kinds of official documents: each is declared once, with its series, its template and what it states.

The documents app renders, numbers, signs and verifies any kind without knowing the
cases behind it. What a kind states is supplied by whoever declares it (the
workflows layer, per procedure): `context` gives its template what it needs beyond
the shared letterhead, seals and QR code, and `public_facts` what the public
verification page may show — never personal data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DocumentKind:
    code: str  # stored on the document: "filing_certificate"; its template is documents/<code>.html
    label: str  # 备案凭证
    series: str  # its part of the number: <unit 代字>医养备〔2026〕1号 → 医养备
    # (document) -> the template's context beyond the shared one
    context: Callable[[Any], dict]
    # (document) -> the (label, value) rows the public verification page adds
    public_facts: Callable[[Any], list[tuple[str, str]]]
    # (document, issuers) -> what each issuer signs as (甲方（盖章）…), where the document says so
    seal_roles: Callable[[Any, list], list[str]] | None = None

    @property
    def template(self) -> str:
        return f"documents/{self.code}.html"


_kinds: dict[str, DocumentKind] = {}


def register_kind(kind: DocumentKind) -> DocumentKind:
    known = _kinds.get(kind.code)
    if known is not None and known != kind:
        raise ValueError(f"document kind {kind.code!r} is already registered")
    _kinds[kind.code] = kind
    return kind


def get_kind(code: str) -> DocumentKind:
    return _kinds[code]


def kind_choices() -> list[tuple[str, str]]:
    """For the model field (a callable: a new kind needs no migration)."""
    return [(kind.code, kind.label) for kind in _kinds.values()]
