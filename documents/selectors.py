"""Reads of documents: the basis a document cites. (Which documents a user may see: workflows.scoping.)"""

from datetime import date

from django.db.models import Q

from .models import PolicyBasis


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
