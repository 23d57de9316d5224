"""The registry of procedures: each procedure declares once what is particular to it; shared code asks here.

A procedure (事项) is a unit: its flow, its case-number code, its detail record, the
facts its pages and documents show, the documents it issues, its pages and its API
all hang off one `Procedure` declaration, registered when its flow module is imported
(workflows/flows.py imports every flow module, as viewflow requires). The case list
and page, timelines, scoping, the API's case endpoints, document facts, numbering and
the deadline watch never name a procedure: they look its declaration up by the code
stored on the case.

The registry sits in the bottom app so that every layer may read it (documents labels
its policy basis by procedure, for instance); only the procedures' own modules fill it.
The upper-layer parts (pages and API) are named by dotted module path, so that
declaring a procedure in the workflows layer imports nothing from the layers above.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class Procedure:
    """What is particular to one procedure."""

    code: str  # stored on the case: "clinic_filing"
    label: str  # 养老机构内设医疗机构备案
    case_code: str  # the two letters of its case numbers: <county prefix>-2026-BA-000123
    slug: str  # its URL segment: /cases/new/<slug>/, POST /api/v1/cases/<slug>/
    flow: Any  # the viewflow Flow class
    detail: str  # the related name of its own record on the case (case.clinic_filing)
    # (case, reveal_ids) -> the (label, value) rows after the shared ones, for pages and documents
    facts: Callable[[Any, bool], list[tuple[str, str]]]
    # the labels of the rows a certificate or notice states (the approval record states all)
    brief_facts: frozenset[str] = frozenset()
    # how pages name the case's institution: the applicant, or the drafting party
    institution_label: str = "申请机构"
    # states that read differently in this procedure: {"approved": "待生效"}
    state_labels: Mapping[str, str] = field(default_factory=dict)
    # (case) -> what a reviewer should notice (warnings, not refusals)
    review_warnings: Callable[[Any], list[str]] | None = None
    # the documents.kinds.DocumentKind declarations of the documents only this procedure issues
    documents: tuple[Any, ...] = ()
    # (case) -> whom its documents are issued to, for the public verification page (no personal data)
    public_facts: Callable[[Any], list[tuple[str, str]]] = field(default=lambda case: issued_to_the_applicant(case))
    # institution kinds that apply for it from the navigation's 申请 menu
    applicant_kinds: frozenset[str] = frozenset()
    # (detail key, code) -> the Chinese name of a code its audit events record (a subsidy
    # kind), or None; the auditor's history asks it before showing the code itself
    name_detail: Callable[[str, str], str | None] | None = None
    # dotted paths of its page and API modules: each has `urlpatterns`; see docs/architecture.md
    pages: str = ""
    api: str = ""

    def pages_module(self) -> ModuleType:
        return import_module(self.pages)

    def api_module(self) -> ModuleType:
        return import_module(self.api)


def issued_to_the_applicant(case: Any) -> list[tuple[str, str]]:
    """Whom a case's documents are issued to, as the public verification page says it (no personal data)."""
    return [("主送单位", case.institution.name)]


_registry: dict[str, Procedure] = {}


def register(procedure: Procedure) -> Procedure:
    """Add a procedure; registering the same code twice with another declaration is a programming error."""
    known = _registry.get(procedure.code)
    if known is not None and known != procedure:
        raise ValueError(f"procedure {procedure.code!r} is already registered")
    if any(p.case_code == procedure.case_code and p.code != procedure.code for p in _registry.values()):
        raise ValueError(f"case-number code {procedure.case_code!r} is taken")
    _registry[procedure.code] = procedure
    return procedure


def get(code: str) -> Procedure:
    return _registry[code]


def find(code: str) -> Procedure | None:
    return _registry.get(code)


def all_procedures() -> list[Procedure]:
    return list(_registry.values())


def codes() -> list[str]:
    return list(_registry)


def choices() -> list[tuple[str, str]]:
    """For model fields and forms (Django accepts a callable, so a new procedure needs no migration)."""
    return [(p.code, p.label) for p in _registry.values()]
