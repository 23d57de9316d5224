"""Task pages: the queues (待办, 待领取, 已办, 本单位), one task with its decision form, claim and unclaim."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from common import procedures
from forms.decisions import DecisionForm, ReassignForm
from workflows import scoping, selectors, services
from workflows.facts import case_facts, review_warnings
from workflows.listing import TaskFilters, filter_tasks
from workflows.models import Decision

from .common import error_summary, refusals_as_pages, refusals_on_form

# The orderings each kind of list offers (TASK_ORDERINGS in workflows/listing.py).
SORTS_BY_VIEW = {
    "open": [
        ("due", "承诺办结时间（最早在前）"),
        ("-due", "承诺办结时间（最晚在前）"),
        ("created", "到达时间（最早在前）"),
        ("-created", "到达时间（最新在前）"),
    ],
    "archive": [
        ("-finished", "办理时间（最新在前）"),
        ("due", "承诺办结时间（最早在前）"),
        ("-due", "承诺办结时间（最晚在前）"),
    ],
}
ALERTS_SHOWN = 10  # the deadline alerts above the queues; the rest are in the lists, ordered by due date

QUEUES = {
    "inbox": ("待办", scoping.task_inbox),
    "queue": ("待领取", scoping.task_queue),
    "archive": ("已办", scoping.task_archive),
    "unit": ("本单位在办", scoping.unit_open_tasks),
}


PAGE_SIZE = 25


class UncountedPage:
    """One page of a list read as page_size + 1 rows: whether a next page exists, never how many.

    A queue can hold tens of thousands of steps; a COUNT(*) over them would cost more than
    the page itself (docs/performance.md), and nobody pages to the 900th page of 待领取 —
    they search or sort instead. The pager says 上一页 / 下一页 and the page's number.
    """

    def __init__(self, rows, number: int, size: int = PAGE_SIZE) -> None:
        fetched = list(rows[(number - 1) * size : number * size + 1])
        self.number = number
        self.object_list = fetched[:size]
        self.has_next = len(fetched) > size
        self.has_previous = number > 1
        self.previous_page_number = number - 1
        self.next_page_number = number + 1

    @classmethod
    def of(cls, rows, page: str | None) -> "UncountedPage":
        try:
            number = int(page or 1)
        except ValueError:
            number = 1
        return cls(rows, min(max(number, 1), 10_000))

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


@login_required
def task_list(request):
    view = request.GET.get("view", "inbox")
    if view not in QUEUES:
        view = "inbox"
    tabs = [(key, label) for key, (label, _) in QUEUES.items() if key != "unit" or scoping.can_head_any(request.user)]
    filters = TaskFilters.from_query(
        request.GET, strict=False, default_sort="-finished" if view == "archive" else "due"
    )
    tasks = filter_tasks(QUEUES[view][1](request.user).select_related("process__institution"), filters)
    page = UncountedPage.of(tasks, request.GET.get("page"))
    # One more than shown tells whether there are more, without counting them.
    alerts = scoping.deadline_alerts(request.user, limit=ALERTS_SHOWN + 1)
    return render(
        request,
        "workflows/task_list.html",
        {
            "section": "tasks",
            "view": view,
            "tabs": tabs,
            "filters": filters,
            "procedures": procedures.choices(),
            "sorts": SORTS_BY_VIEW["archive" if view == "archive" else "open"],
            "page": page,
            "alerts": alerts[:ALERTS_SHOWN],
            "alerts_more": len(alerts) > ALERTS_SHOWN,
            "can_head": scoping.can_head_any(request.user),
        },
    )


@login_required
def task_detail(request, task_id):
    user = request.user
    with refusals_as_pages(request):
        task = services.task_for(user, task_id)
    form = DecisionForm()
    fields_form = step_fields_form(request, task)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        approving = form.is_valid() and form.cleaned_data["decision"] == Decision.APPROVE
        fields_ok = fields_form is None or not approving or fields_form.is_valid()
        if form.is_valid() and fields_ok:
            with refusals_on_form(form) as refused:
                services.decide_task(
                    user=user,
                    task_id=task.pk,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                    missing_items=form.cleaned_data["missing_items"],
                    fields=fields_form.cleaned_data if fields_form is not None and approving else None,
                )
            if not refused:
                messages.success(request, f"已办理：{task.process.case_no} {task.flow_task.task_title}。")
                return redirect("workflows:task_list")
        task.refresh_from_db()
    return _task_page(request, task, form=form, fields_form=fields_form)


def procedure_pages(task):
    return task.process.procedure_spec.pages_module()


def step_fields_form(request, task):
    """The form of what this step's approval must also state (its procedure's ``step_fields_form``), if any."""
    hook = getattr(procedure_pages(task), "step_fields_form", None)
    return hook(request, task) if hook else None


def _task_page(request, task, *, form=None, reassign_form=None, fields_form=None):
    """The task page: the case, the decision form for its holder, reassignment for the unit's head."""
    user, case = request.user, task.process
    mine = task.is_open and task.owner_id == user.pk
    form = form or DecisionForm()
    if fields_form is None:
        fields_form = step_fields_form(request, task)
    # What only this procedure's task page shows (e.g. the budget beside 财政局's decision).
    own = getattr(procedure_pages(task), "task_page", lambda request, task: {})(request, task)
    if reassign_form is None and task.is_open and scoping.can_head(user, task):
        reassign_form = ReassignForm(reviewers=scoping.users_holding(task))
    return render(
        request,
        "workflows/task_detail.html",
        {
            "section": "tasks",
            "task": task,
            "case": case,
            "facts": case_facts(case, reveal_ids=mine),
            "warnings": review_warnings(case),
            "timeline": selectors.case_timeline(case),
            "attachments": case.attachments.all(),
            "form": form,
            "reassign_form": reassign_form,
            "fields_form": fields_form,
            "problems": error_summary(form, fields_form, reassign_form),
            "mine": mine,
            "claimable": task.is_open and not task.owner_id and scoping.holds(user, task),
            **own,
        },
    )


@login_required
@require_POST
def task_claim(request, task_id):
    with refusals_as_pages(request) as refused:
        task = services.claim_task(user=request.user, task_id=task_id)
    if refused:
        return redirect(f"{_list_url()}?view=queue")
    messages.success(request, f"已领取：{task.process.case_no}。")
    return redirect("workflows:task_detail", task_id=task.pk)


@login_required
@require_POST
def task_unclaim(request, task_id):
    with refusals_as_pages(request) as refused:
        services.unclaim_task(user=request.user, task_id=task_id)
    if not refused:
        messages.success(request, "已退回待领取队列。")
    return redirect(f"{_list_url()}?view=inbox")


@login_required
@require_POST
def task_reassign(request, task_id):
    with refusals_as_pages(request):
        task = services.task_for(request.user, task_id)
    if not scoping.can_head(request.user, task):
        raise PermissionDenied("只有本单位科室负责人可以改派任务。")
    form = ReassignForm(request.POST, reviewers=scoping.users_holding(task))
    if form.is_valid():
        with refusals_on_form(form) as refused:
            task = services.reassign_task(
                user=request.user,
                task_id=task.pk,
                to_username=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
            )
        if not refused:
            messages.success(request, f"已将 {task.process.case_no} 改派给 {task.owner}。")
            return redirect(f"{_list_url()}?view=unit")
    task.refresh_from_db()
    return _task_page(request, task, reassign_form=form)


def _list_url() -> str:
    return reverse("workflows:task_list")
