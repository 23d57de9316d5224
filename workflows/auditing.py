"""The auditor's reads: case search, a case's whole history, one person's activity, the document register.

Pages and the API call these and render what they return — a page as HTML, an export
as CSV or XLSX (common/exports.py) with the same Chinese columns — so an export holds
exactly the rows the page lists. Every read is county-wide (the auditor's scope);
the doors check the role first.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, QuerySet
from django.utils import timezone

from audit.history import EventLine, case_events, line
from common import procedures
from common.exports import Column, Table
from documents.kinds import kind_choices
from documents.models import Document, DocumentStatus
from documents.register import RegisterLine, register_line
from documents.rendering import render_unsigned_pdf
from institutions.county import current_county

from .documents import APPROVAL_RECORD
from .facts import case_facts
from .listing import AuditCaseFilters, filter_audit_cases, late_steps
from .models import Case, Decision
from .selectors import case_timeline, human_steps


def audit_cases(filters: AuditCaseFilters, *, today: date | None = None) -> QuerySet:
    """The cases matching an auditor's search, newest first, each marked ``late`` if a step is or was overdue."""
    today = today or timezone.localdate()
    cases = Case.objects.select_related("institution", "township")
    return (
        filter_audit_cases(cases, filters, today=today)
        .annotate(late=Exists(late_steps(today)))
        .order_by("-submitted_at", "-id")
    )


CASE_COLUMNS = [
    Column("办件编号", 22),
    Column("事项", 26),
    Column("申请机构", 28),
    Column("属地", 12),
    Column("状态", 10),
    Column("提交时间", 20),
    Column("办结时间", 20),
    Column("金额（元）", 14),
    Column("超期", 6),
]


def cases_table(cases: QuerySet) -> Table:
    rows = (
        [
            case.case_no,
            case.get_procedure_display(),
            case.institution.name,
            case.township.name,
            case.get_state_display(),
            case.submitted_at,
            case.decided_at,
            case.amount,
            "是" if case.late else "否",
        ]
        for case in cases.iterator(chunk_size=2000)
    )
    return Table("办件", CASE_COLUMNS, rows)


EVENT_COLUMNS = [
    Column("时间", 20),
    Column("账号", 18),
    Column("姓名", 14),
    Column("角色", 18),
    Column("单位", 18),
    Column("动作", 20),
    Column("办件编号", 22),
    Column("详情", 60),
]


def step_titles(procedure_code: str) -> dict[str, str]:
    """Step codes of a procedure's flow → their titles (the log records ``township_review``, people read 属地初审)."""
    procedure = procedures.find(procedure_code)
    if procedure is None:
        return {}
    return {node.name: str(node.task_title) for node in procedure.flow.instance.nodes()}


def event_lines(events) -> list[EventLine]:
    """Events as lines, the codes in their details named (steps by each case's own procedure; one query)."""
    events = list(events)
    case_nos = {event.case_no for event in events if event.case_no}
    procedure_of = dict(Case.objects.filter(case_no__in=case_nos).values_list("case_no", "procedure"))
    titles = {code: step_titles(code) for code in set(procedure_of.values())}

    named: dict[tuple[str, str, str], str | None] = {}  # one look-up per code, however many events

    def namer(event):
        procedure_code = procedure_of.get(event.case_no, "")
        steps = titles.get(procedure_code, {})
        procedure = procedures.find(procedure_code)

        def name_of(key: str, code: str) -> str | None:
            if procedure is not None and procedure.name_detail is not None:
                memo = (procedure_code, key, code)
                if memo not in named:
                    named[memo] = procedure.name_detail(key, code)
                if named[memo]:
                    return named[memo]
            if key == "step":
                return steps.get(code)
            if key == "procedure":
                found = procedures.find(code)
                return str(found.label) if found else None
            if key == "kind":
                return dict(kind_choices()).get(code)
            if key == "decision":
                return str(Decision(code).label) if code in Decision.values else None
            return None

        return name_of

    return [line(event, name_of=namer(event)) for event in events]


def events_table(title: str, events: QuerySet) -> Table:
    def rows():
        batch = []
        for event in events.iterator(chunk_size=2000):
            batch.append(event)
            if len(batch) == 2000:
                yield from event_lines(batch)
                batch = []
        yield from event_lines(batch)

    return Table(
        title,
        EVENT_COLUMNS,
        ([e.at, e.actor, e.actor_display, e.roles, e.unit, e.action_label, e.case_no, e.details_text] for e in rows()),
    )


REGISTER_COLUMNS = [
    Column("文号", 28),
    Column("文书类型", 16),
    Column("版本", 6),
    Column("办件编号", 22),
    Column("发往", 28),
    Column("编号单位", 20),
    Column("状态", 8),
    Column("签发时间", 20),
    Column("签章单位", 36),
    Column("被替代为", 28),
]


def register_table(documents: QuerySet) -> Table:
    rows = (
        [
            r.number,
            r.kind_label,
            r.version,
            r.case_no,
            r.issued_to,
            r.issuer,
            r.status_label,
            r.issued_at,
            "、".join(r.signers),
            r.superseded_by,
        ]
        for r in map(register_line, documents.iterator(chunk_size=2000))
    )
    return Table("发文登记簿", REGISTER_COLUMNS, rows)


def register_lines(documents) -> list[RegisterLine]:
    return [register_line(document) for document in documents]


@dataclass
class CaseHistory:
    """Everything about one case an auditor reads on one page."""

    case: Case
    facts: list[tuple[str, str]]
    timeline: list
    events: list[EventLine]
    documents: list[Document]


def case_history(case: Case) -> CaseHistory:
    return CaseHistory(
        case=case,
        # The auditor holds no step: ID numbers stay masked, as for every reader but the deciding reviewer.
        facts=case_facts(case, reveal_ids=False),
        timeline=case_timeline(case, human_steps(case)),
        events=event_lines(case_events(case.case_no)),
        documents=list(case.documents.select_related("superseded_by").prefetch_related("signatures").order_by("id")),
    )


def approval_record_pdf(case: Case, *, generated_by: str, now: datetime | None = None) -> bytes:
    """The 审批记录表 of the case as it stands: submission, every step and every timeline event, unsigned."""
    return render_unsigned_pdf(
        "documents/approval_record_on_request.html",
        {
            "kind_label": "审批记录表（按需生成）",
            "county_name": current_county().system_title,
            "case": case,
            "facts": case_facts(case, reveal_ids=False),
            "timeline": case_timeline(case, human_steps(case)),
            "issued_records": case.documents.filter(kind=APPROVAL_RECORD.code, status=DocumentStatus.ISSUED).order_by(
                "version"
            ),
            "generated_by": generated_by,
            "generated_at": timezone.localtime(now or timezone.now()),
        },
    )
