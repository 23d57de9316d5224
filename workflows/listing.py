"""Filtering and ordering the case and task lists — one set of filter names for the pages and the API.

The pages and the API read the same query parameters (``procedure``, ``status``,
``township``, ``institution``, ``q``, ``submitted_after``, ``submitted_before`` for
cases; ``procedure``, ``q``, ``sort`` for tasks) through the same parser and apply
them with the same functions, so a filter cannot mean one thing on a page and another
in the API. The API refuses a malformed value (400); a page ignores it and shows
the unfiltered list, as a search box should.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from common import procedures
from common.errors import InvalidInput
from institutions.models import Department, Township
from permissions.roles import REVIEW_DEPARTMENT, REVIEW_TOWNSHIP

from .models import CaseState, CaseTask, Decision

MAX_QUERY_LENGTH = 40

# Task orderings offered by the queues: by promised date (the default for open work), or by arrival.
# Steps without a promised date (an institution's own) sort last either way.
TASK_ORDERINGS: dict[str, tuple[Any, ...]] = {
    "due": (F("due").asc(nulls_last=True), "id"),
    "-due": (F("due").desc(nulls_last=True), "-id"),
    "created": ("created", "id"),
    "-created": ("-created", "-id"),
    "-finished": ("-finished", "-id"),
}


class QueryReader:
    """Reads query parameters, collecting a field error for each malformed one."""

    def __init__(self, params: Mapping[str, str], *, strict: bool) -> None:
        self.params = params
        self.strict = strict
        self.errors: dict[str, list[str]] = {}

    def text(self, name: str) -> str:
        value = (self.params.get(name) or "").strip()
        if len(value) > MAX_QUERY_LENGTH:
            return self.bad(name, _("不超过%(n)d个字符。") % {"n": MAX_QUERY_LENGTH}, "")
        return value

    def choice(self, name: str, allowed: Sequence[str], default: str = "") -> str:
        value = (self.params.get(name) or "").strip()
        if value and value not in allowed:
            return self.bad(name, _("应为以下之一：%(values)s。") % {"values": "、".join(allowed)}, default)
        return value or default

    def integer(self, name: str) -> int | None:
        value = (self.params.get(name) or "").strip()
        if not value:
            return None
        if not (value.isascii() and value.isdigit()) or len(value) > 18:
            return self.bad(name, _("应为整数编号。"), None)
        return int(value)

    def day(self, name: str) -> date | None:
        value = (self.params.get(name) or "").strip()
        if not value:
            return None
        try:
            parsed = parse_date(value) if len(value) == 10 else None
        except ValueError:
            parsed = None
        if parsed is None:
            return self.bad(name, _("日期格式应为 YYYY-MM-DD。"), None)
        return parsed

    def bad(self, name: str, message: str, fallback: Any) -> Any:
        self.errors[name] = [message]
        return fallback

    def done(self) -> None:
        if self.errors and self.strict:
            raise InvalidInput(fields=self.errors)


@dataclass(frozen=True)
class CaseFilters:
    procedure: str = ""
    status: str = ""
    township: str = ""
    institution: int | None = None
    q: str = ""
    submitted_after: date | None = None
    submitted_before: date | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str], *, strict: bool) -> "CaseFilters":
        read = QueryReader(params, strict=strict)
        filters = cls(**cls._read(read))
        read.done()
        return filters

    @staticmethod
    def _read(read: QueryReader) -> dict[str, Any]:
        return {
            "procedure": read.choice("procedure", procedures.codes()),
            "status": read.choice("status", CaseState.values),
            "township": read.text("township"),
            "institution": read.integer("institution"),
            "q": read.text("q"),
            "submitted_after": read.day("submitted_after"),
            "submitted_before": read.day("submitted_before"),
        }

    def as_query(self) -> dict[str, str]:
        """The non-empty filters as query parameters (for pager links)."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) not in ("", None)}


def filter_cases(cases: QuerySet, filters: CaseFilters) -> QuerySet:
    if filters.procedure:
        cases = cases.filter(procedure=filters.procedure)
    if filters.status:
        cases = cases.filter(state=filters.status)
    if filters.township:
        cases = cases.filter(township__code=filters.township)
    if filters.institution is not None:
        cases = cases.filter(institution_id=filters.institution)
    if filters.q:
        cases = cases.filter(Q(case_no__icontains=filters.q) | Q(institution__name__icontains=filters.q))
    if filters.submitted_after:
        cases = cases.filter(submitted_at__date__gte=filters.submitted_after)
    if filters.submitted_before:
        cases = cases.filter(submitted_at__date__lte=filters.submitted_before)
    return cases


@dataclass(frozen=True)
class TaskFilters:
    procedure: str = ""
    q: str = ""
    sort: str = "due"

    @classmethod
    def from_query(cls, params: Mapping[str, str], *, strict: bool, default_sort: str = "due") -> "TaskFilters":
        read = QueryReader(params, strict=strict)
        filters = cls(
            procedure=read.choice("procedure", procedures.codes()),
            q=read.text("q"),
            sort=read.choice("sort", list(TASK_ORDERINGS), default_sort),
        )
        read.done()
        return filters

    def as_query(self) -> dict[str, str]:
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)}


def filter_tasks(tasks: QuerySet, filters: TaskFilters) -> QuerySet:
    """Search by case number or institution name, narrow to a procedure, order as asked."""
    if filters.procedure:
        tasks = tasks.filter(process__procedure=filters.procedure)
    if filters.q:
        tasks = tasks.filter(
            Q(process__case_no__icontains=filters.q) | Q(process__institution__name__icontains=filters.q)
        )
    return tasks.order_by(*TASK_ORDERINGS[filters.sort])


OVERDUE_CHOICES = ("true", "false")


@dataclass(frozen=True)
class AuditCaseFilters(CaseFilters):
    """The case list's filters plus what an auditor asks: the unit that reviewed, who decided, lateness.

    ``unit`` is a department code (``health``) or a township code (``anwen``): cases that
    were routed to that unit at any step. ``approver`` is a username: cases in which that
    user decided a step. ``overdue=true``: cases with a step past its promised date —
    still open after it, or decided after it (``false``: none).
    """

    unit: str = ""
    approver: str = ""
    overdue: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, str], *, strict: bool) -> "AuditCaseFilters":
        read = QueryReader(params, strict=strict)
        filters = cls(
            **cls._read(read),
            unit=read.choice("unit", unit_codes()),
            approver=read.text("approver"),
            overdue=read.choice("overdue", OVERDUE_CHOICES),
        )
        read.done()
        return filters


def unit_codes() -> list[str]:
    """Every unit a step can be routed to: the county's departments, then its townships."""
    return [*Department.objects.values_list("code", flat=True), *Township.objects.values_list("code", flat=True)]


def filter_audit_cases(cases: QuerySet, filters: AuditCaseFilters, *, today: date) -> QuerySet:
    """The case filters, then unit, approver and lateness — each an EXISTS over the case's steps."""
    cases = filter_cases(cases, filters)
    steps = CaseTask.objects.filter(process=OuterRef("pk"), flow_task_type="HUMAN")
    if filters.unit:
        routed = Q(pk__in=[])
        for permission, model in ((REVIEW_DEPARTMENT, Department), (REVIEW_TOWNSHIP, Township)):
            keys = [str(pk) for pk in model.objects.filter(code=filters.unit).values_list("pk", flat=True)]
            if keys:
                routed |= Q(owner_permission=permission, owner_permission_obj_pk__in=keys)
        cases = cases.filter(Exists(steps.filter(routed)))
    if filters.approver:
        decided = steps.filter(owner__username=filters.approver, status=STATUS.DONE, decision__in=Decision.values)
        cases = cases.filter(Exists(decided))
    if filters.overdue:
        late = late_steps(today)
        cases = cases.filter(Exists(late)) if filters.overdue == "true" else cases.exclude(Exists(late))
    return cases


def late_steps(today: date) -> QuerySet:
    """The outer case's review steps that are past their promised date: still open after it, or decided after it."""
    return CaseTask.objects.filter(process=OuterRef("pk"), flow_task_type="HUMAN").filter(
        Q(status__in=(STATUS.NEW, STATUS.ASSIGNED), due__lt=today)
        | Q(status=STATUS.DONE, due__isnull=False, finished__date__gt=F("due"))
    )


@dataclass(frozen=True)
class RegisterFilters:
    """The document register's filters: the number's year, and the unit whose series numbered it."""

    year: int | None = None
    unit: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, str], *, strict: bool) -> "RegisterFilters":
        read = QueryReader(params, strict=strict)
        year = read.integer("year")
        if year is not None and not 2000 <= year <= 2999:
            year = read.bad("year", _("年度应为2000至2999之间的整数。"), None)
        filters = cls(year=year, unit=read.choice("unit", unit_codes()))
        read.done()
        return filters


@dataclass(frozen=True)
class ActivityFilters:
    """One person's activity: the account, and the first and last local day (both included)."""

    actor: str = ""
    after: date | None = None
    before: date | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str], *, strict: bool) -> "ActivityFilters":
        read = QueryReader(params, strict=strict)
        filters = cls(actor=read.text("actor"), after=read.day("after"), before=read.day("before"))
        read.done()
        return filters
