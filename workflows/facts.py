"""A case's facts as (label, value) rows: the case page, the task page and the documents show the same.

The shared rows come first; each procedure's declaration adds its own (its `facts`), and
says which of them a certificate or notice states (its `brief_facts`).
"""

from django.utils.translation import gettext as _

from .models import Case

# The shared rows a certificate or notice states; the approval record and the pages carry all.
SHARED_BRIEF = frozenset({"办件编号", "申请机构", "统一社会信用代码"})


def case_facts(case: Case, *, reveal_ids: bool = False, brief: bool = False) -> list[tuple[str, str]]:
    """All facts of the case; ``brief`` keeps those an issued certificate or notice states."""
    procedure = case.procedure_spec
    rows = [
        (_("办件编号"), case.case_no),
        (_("事项"), str(procedure.label)),
        (str(procedure.institution_label), case.institution.name),
        (_("统一社会信用代码"), case.institution.uscc),
        (_("属地"), case.township.name),
        *procedure.facts(case, reveal_ids),
    ]
    if brief:
        kept = SHARED_BRIEF | procedure.brief_facts
        rows = [(label, value) for label, value in rows if label in kept]
    return rows


def review_warnings(case: Case) -> list[str]:
    """What a reviewer should notice on this case (its procedure's warnings; none by default)."""
    warn = case.procedure_spec.review_warnings
    return warn(case) if warn else []
