"""Working a task: claim, unclaim, reassign, decide. The web UI and the API both call these.

Each action runs under the flow's process lock (SELECT … FOR UPDATE) in one
transaction with its audit event; a lock that stays busy becomes a Conflict (409),
and every action re-checks, under the lock, that the task is still in the state
and in the hands the user saw.
"""

from contextlib import contextmanager
from typing import cast

from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.status import STATUS

from audit.services import batched, chain_head_of, record, with_chain_head
from common import held_writes
from common.compiled import CompiledGet, compiled_get
from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from common.validators import validate_plain_text
from permissions.grants import grants_for
from permissions.models import User

from .. import scoping
from ..decisions import clean_decision
from ..models import CaseTask, Decision
from ..nodes import ReviewStep


def _locking_read(user) -> CompiledGet:
    """locked_task's SELECT, compiled once per scope (common/compiled.py): its SQL depends only on the user and the grants."""

    def build():
        return with_chain_head(
            scoping.workable_tasks(user)
            .select_related(None)  # the case only: a bigger join costs more to build than it saves
            .select_related("process")
            .select_for_update(of=("self", "process")),
            "process__case_no",
        )

    return compiled_get(("locked_task", transaction.get_connection().alias, user.pk, grants_for(user).signature), build)


@contextmanager
def locked_activation(task: CaseTask):
    """The task's activation under its process lock; a busy lock is a 409, never a 500."""
    try:
        with task.activation() as activation:
            yield activation
    except FlowLockFailed:
        raise Conflict(_("该办件正在被他人处理，请稍后重试。"), code="busy") from None


@contextmanager
def locked_task(user, task_id, *, reviews_only: bool = True):
    """The user's task and its case, locked and read in ONE query, as an activation.

    The lock comes first: SELECT … FOR UPDATE OF the task and the case, with the user's
    scope (scoping.workable_tasks) in the same WHERE — a task outside it is NotFound,
    whatever its state — the case joined, and the head of the
    case's audit chain read alongside (record(previous=…)), so neither the permission
    check, viewflow nor the audit log reads the rows again. A head that moved while the
    lock was awaited is caught by the chain's unique (chain, seq) and read again. Locking the case row is
    viewflow's process lock (workflows/locking.py takes the same row), so every other
    action on the case waits; a wait longer than ``lock_timeout`` is a 409.
    """
    try:
        pk = int(task_id)
    except (ValueError, TypeError):
        raise NotFound() from None
    with transaction.atomic():
        try:
            task = cast(CaseTask | None, _locking_read(user).get(pk))
        except OperationalError:  # PostgreSQL lock_timeout; SQLite "database is locked"
            raise Conflict(_("该办件正在被他人处理，请稍后重试。"), code="busy") from None
        if task is None:
            raise NotFound()
        if reviews_only and not isinstance(task.flow_task, ReviewStep):
            raise NotFound()
        with batched():  # the action's audit events: one INSERT as it ends (five when a filing closes)
            yield task.flow_task.activation_class(task)


@contextmanager
def locked_case(case):
    """The case's process lock without a task, for withdrawals and other case-wide actions."""
    try:
        with case.flow_class.lock(case.pk):
            case.refresh_from_db()
            yield case
    except FlowLockFailed:
        raise Conflict(_("该办件正在被他人处理，请稍后重试。"), code="busy") from None


def finish_party_task(activation, user) -> None:
    """An institution's own step (supplement, confirmation) is done by whoever acts for it: no claiming."""
    if activation.task.owner_id is None:
        activation.assign(user)
    elif activation.task.owner_id != user.pk:
        activation.reassign(user)
    activation.start(None)
    activation.execute()


def task_for(user, task_id) -> CaseTask:
    """A task the user may act on, or NotFound (also for tasks outside its jurisdiction)."""
    try:
        return scoping.workable_tasks(user).get(pk=int(task_id))
    except (CaseTask.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _require_open(task: CaseTask) -> None:
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
        raise Conflict(_("该环节已办结，不能再操作。"), code="task_closed")


def claim_task(*, user, task_id) -> CaseTask:
    with locked_task(user, task_id) as activation:
        task = activation.task
        _require_open(task)
        if task.owner_id:
            raise Conflict(
                _("该任务已由他人领取。") if task.owner_id != user.pk else _("您已领取该任务。"), code="task_taken"
            )
        if not scoping.holds(user, task):
            raise Forbidden(_("您无权领取该任务。"))
        with held_writes.holding(task):  # owner and status go with the audit event, in one statement
            activation.assign(user)
        record(
            action="task_claimed",
            actor=user,
            case_no=task.process.case_no,
            detail={"task": task.pk},
            previous=chain_head_of(task),
        )
    return task


def unclaim_task(*, user, task_id) -> CaseTask:
    with locked_task(user, task_id, reviews_only=False) as activation:
        task = activation.task
        _require_open(task)
        if task.owner_id != user.pk:
            raise Forbidden(_("只能退回由您领取的任务。"))
        activation.unassign()
        record(
            action="task_unclaimed",
            actor=user,
            case_no=task.process.case_no,
            detail={"task": task.pk},
            previous=chain_head_of(task),
        )
    return task


REASSIGN_REASON_MAX = 200


def reassign_task(*, user, task_id, to_username: object, reason: object = "") -> CaseTask:
    """A unit head hands an open review task of its unit to one of the unit's reviewers.

    The move — from whom, to whom, by whom and why — is an audit event, and the case's
    timeline shows it to everyone who can see the case.
    """
    task = task_for(user, task_id)
    if not scoping.can_head(user, task):
        raise Forbidden(_("只有本单位科室负责人可以改派任务。"))
    if not isinstance(reason, str | None):
        raise InvalidInput(fields={"reason": [_("改派原因应为文字。")]})
    reason = (reason or "").strip()
    if not isinstance(to_username, str) or not to_username:
        raise InvalidInput(fields={"to": [_("请填写改派对象的用户名。")]})
    if len(reason) > REASSIGN_REASON_MAX:
        raise InvalidInput(fields={"reason": [_("改派原因不超过%(n)d字。") % {"n": REASSIGN_REASON_MAX}]})
    try:
        validate_plain_text(reason)
    except ValidationError as error:
        raise InvalidInput(fields={"reason": error.messages}) from None
    target = User.objects.filter(username=to_username, is_active=True).first()
    if target is None or not scoping.holds(target, task):
        raise InvalidInput(fields={"to": [_("改派对象须为本单位的审核人员。")]})
    with locked_activation(task) as activation:
        task = activation.task
        _require_open(task)
        previous = task.owner if task.owner_id else None
        if previous is not None and previous.pk == target.pk:
            raise InvalidInput(fields={"to": [_("该任务已由%(name)s办理，请选择其他人员。") % {"name": target}]})
        if previous is not None:
            activation.reassign(target)
        else:
            activation.assign(target)
        record(
            action="task_reassigned",
            actor=user,
            case_no=task.process.case_no,
            detail={
                "task": task.pk,
                "step": task.flow_task.name,
                "from": previous.username if previous else None,
                "from_name": str(previous) if previous else None,
                "to": target.username,
                "to_name": str(target),
                "reason": reason,
            },
        )
    return task


def decide_task(
    *, user, task_id, decision: object, comment: object = "", missing_items: object = (), fields: object = None
) -> CaseTask:
    """Approve, return for supplement, or reject; the flow then routes the case on.

    Every check runs under the case's lock, after the one query that reads and locks the
    task (locked_task): a refused decision rolls back having written nothing.
    """
    with locked_task(user, task_id) as activation:
        task = activation.task
        comment, missing_items = clean_decision(decision=decision, comment=comment, missing_items=missing_items)
        if fields is not None and not isinstance(fields, dict):
            raise InvalidInput(fields={"fields": [_("应为对象。")]})
        step_fields = task.flow_task.decision_fields
        if fields and step_fields is None:
            raise InvalidInput(fields={"fields": [_("该环节没有可填写的字段。")]})
        cleaned = step_fields.clean(task, fields or {}) if step_fields and decision == Decision.APPROVE else {}
        _require_open(task)
        if task.owner_id != user.pk:
            raise Forbidden(_("请先领取该任务再办理。") if not task.owner_id else _("该任务已由他人领取。"))
        if not scoping.holds(user, task):
            raise Forbidden(_("您已不再负责该单位的审核。"))
        task.decision = str(decision)  # one of Decision.values: clean_decision checked it
        task.comment = comment
        task.missing_items = missing_items
        if step_fields is not None and cleaned:
            task.data = {**task.data, "fields": {k: str(v) for k, v in cleaned.items()}}
            step_fields.apply(task, cleaned)
        # The decision is logged before what it sets off (the next step, a number, the
        # documents), so the case's chain reads cause before effect — and the chain head
        # read with the lock is still the head.
        record(
            action=f"task_{decision}",
            actor=user,
            case_no=task.process.case_no,
            detail={
                "task": task.pk,
                "step": task.flow_task.name,
                "decision": str(decision),
                "comment": comment,
                "missing_items": missing_items,
            },
            previous=chain_head_of(task),
        )
        activation.start(None)
        activation.execute()
    return task


__all__ = [
    "Decision",
    "claim_task",
    "decide_task",
    "finish_party_task",
    "locked_activation",
    "locked_case",
    "locked_task",
    "reassign_task",
    "task_for",
    "unclaim_task",
]
