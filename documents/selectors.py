"""Reads of documents: which a user may see (those of the cases the user may see), and the basis a document cites."""

from datetime import date

from django.db.models import Q, QuerySet

from workflows import scoping

from .models import Document, DocumentStatus, PolicyBasis


def visible_documents(user) -> QuerySet:
    return Document.objects.filter(case__in=scoping.visible_cases(user).values("pk")).select_related("case")


def issued_document_for(user, document_id) -> Document | None:
    try:
        return visible_documents(user).get(pk=int(document_id), status=DocumentStatus.ISSUED)
    except (Document.DoesNotExist, ValueError, TypeError):
        return None


def basis_in_force(*, applies_to: str, on: date) -> list[PolicyBasis]:
    """The basis documents of a procedure in force on ``on``, in citing order.

    Both ends of a period count (民法典 第1259条): a plan whose period ends on 31
    December is still cited on 31 December and no longer on 1 January.
    """
    return list(
        PolicyBasis.objects.filter(applies_to=applies_to, effective_from__lte=on)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
        .order_by("sort_order", "effective_from", "id")
    )
