"""Which documents a user may read: those of the cases the user may see."""

from django.db.models import QuerySet

from permissions import scoping

from .models import Document, DocumentStatus


def visible_documents(user) -> QuerySet:
    return Document.objects.filter(case__in=scoping.visible_cases(user).values("pk")).select_related("case")


def issued_document_for(user, document_id) -> Document | None:
    try:
        return visible_documents(user).get(pk=int(document_id), status=DocumentStatus.ISSUED)
    except (Document.DoesNotExist, ValueError, TypeError):
        return None
