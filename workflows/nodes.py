"""The two human steps every procedure is made of: a unit's review and the applicant's supplement.

A ``ReviewStep`` offers the three decisions of DOMAIN.md and routes by the one taken:
approve to the next step, return to the applicant's ``Supplement`` (by default the
flow's ``supplement`` node), reject to the flow's ``rejected`` node. After the
applicant resubmits, the supplement goes back to the very step that returned it.
The flow's chart shows all these edges, so the route can be read off the flow module.
"""

from typing import Any, Protocol

from django.utils import timezone
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.status import STATUS

from common.cached import cached, forget_on_change

from . import units
from .calendar import add_working_days, working_days_between
from .models import CaseState, Decision, StepDeadline
from .task_rows import insert_task


def step_days_key(procedure: str, step: str) -> str:
    return f"step-days:{procedure}:{step}"


# Every new step reads its promised days (the administrator's StepDeadline row).
forget_on_change(StepDeadline, lambda row: [step_days_key(row.procedure, row.step)])


class DecisionFields(Protocol):
    """What a step's approval must also state, and what the approval then does (in the deciding transaction).

    ``clean`` turns the decision's ``fields`` into values or raises InvalidInput naming
    each field; ``apply`` runs under the case's lock just before the step completes and
    may refuse (e.g. RuleViolation: over budget), which rolls the whole decision back.
    """

    def clean(self, task: Any, fields: dict) -> dict: ...

    def apply(self, task: Any, cleaned: dict) -> None: ...


class StepActivation(ViewActivation):
    """A human task that is routed to its unit, labelled and given its due date on creation."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        """viewflow's ``ViewActivation.create``, with the step prepared before its INSERT.

        viewflow inserts the task and only then lets a node touch it, which would cost a
        second UPDATE for the unit label and due date on every step of every case. The
        body is viewflow 2.x's, with ``prepare`` moved before ``task.save()``.
        """
        task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        owner_permission = flow_task.calc_owner_permission(activation)
        if owner_permission:
            task.owner_permission = owner_permission
            task.owner_permission_obj = flow_task.calc_owner_permission_obj(activation)
        owner = flow_task.calc_owner(activation)
        if owner:
            task.owner = owner
            task.status = STATUS.ASSIGNED
        if getattr(prev_activation.task, "decision", "") == Decision.RETURN:
            activation.process.returned_times += 1  # lets a later step skip the look-up of returns
        flow_task.prepare(activation)
        insert_task(task, previous=prev_activation.task)  # with its link to the step before, in one statement
        activation.process.save()  # only the columns prepare changed (SavesChangedFields), if any
        if flow_task._on_create is not None:
            flow_task._on_create(activation)
        return activation

    @Activation.status.super()
    def create_next(self):
        node, data = self.flow_task.next_after(self)
        yield node._create(self, self.task.token, data=data)


class ReviewStep(flow.View):
    """A unit reviews the case: approve, return for supplement, or reject."""

    activation_class = StepActivation

    def __init__(
        self,
        *,
        unit: units.Unit,
        days: int | None,
        title: str,
        case_state: str = CaseState.IN_REVIEW,
        rejects: str | None = None,
        decision_fields: "DecisionFields | None" = None,
    ):
        super().__init__(view=None)  # our own pages execute the task; viewflow's are not mounted
        self.unit = unit
        self.days = days
        # What a reject at this step refuses, when it is not the whole application (医保定点申请).
        self.rejects = rejects
        # What an approval at this step must also state (finance: the payment date and voucher).
        self.decision_fields = decision_fields
        self.case_state = case_state
        self._routes = {Decision.APPROVE: None, Decision.RETURN: this.supplement, Decision.REJECT: this.rejected}
        self.Annotation(title=title)
        self.Permission(unit.permission, obj=unit.resolve)

    def Approve(self, node) -> "ReviewStep":
        self._routes = {**self._routes, Decision.APPROVE: node}
        return self

    def Return(self, node) -> "ReviewStep":
        self._routes = {**self._routes, Decision.RETURN: node}
        return self

    def Reject(self, node) -> "ReviewStep":
        self._routes = {**self._routes, Decision.REJECT: node}
        return self

    def _resolve(self, instance) -> None:
        super()._resolve(instance)
        self._routes = {decision: this.resolve(instance, node) for decision, node in self._routes.items()}

    def _outgoing(self):
        for decision, node in self._routes.items():
            yield Edge(src=self, dst=node, edge_class="next", label=str(Decision(decision).label))

    def next_after(self, activation) -> tuple:
        decision = activation.task.decision
        data = {"resume": self.name} if decision == Decision.RETURN else {}
        return self._routes[decision], data

    def promised_days(self, case) -> int | None:
        """The administrator's figure for this step (StepDeadline), or the flow's default from DOMAIN.md."""
        if self.days is None:
            return None  # a party's own step: no promised deadline
        row = cached(
            step_days_key(case.procedure, self.name),
            lambda: (
                StepDeadline.objects.filter(procedure=case.procedure, step=self.name)
                .values_list("days", flat=True)
                .first()
            ),
        )
        return row or self.days

    def prepare(self, activation) -> None:
        """Label the task with its unit, start its clock and show the case as under review.

        The clock stops while a case is with the applicant: a step that comes back
        after a return gets only the working days it had left.
        """
        task, case = activation.task, activation.process
        task.unit_label = str(task.owner_permission_obj)
        days = self.promised_days(case)
        if days is not None:
            used = self._days_used_before(case) if case.returned_times else 0
            task.due = add_working_days(timezone.localdate(), max(days - used, 0))
        case.state = self.case_state  # saved with the new task (StepActivation.create)

    def _days_used_before(self, case) -> int:
        """Working days this step already spent on the case before it returned it."""
        return sum(
            working_days_between(timezone.localdate(t.created), timezone.localdate(t.finished))
            # only steps that returned the case: after an objection a step starts a fresh period
            for t in case.task_set.filter(flow_task=self, status=STATUS.DONE, decision=Decision.RETURN).only(
                "created", "finished"
            )
        )


class ConfirmStep(ReviewStep):
    """A party agrees to a draft (approve) or asks for changes (return); it cannot reject."""

    def __init__(self, *, unit: units.Unit, title: str):
        # days=None: the parties' own negotiation has no promised deadline.
        super().__init__(unit=unit, days=None, title=title, case_state=CaseState.DRAFT)
        self._routes = {Decision.APPROVE: None, Decision.RETURN: this.revision}


class Supplement(flow.View):
    """The applicant supplements what a reviewer asked for, then the case goes back to that reviewer."""

    activation_class = StepActivation

    def __init__(self, *, title: str, unit: units.Unit = units.APPLICANT, case_state: str = CaseState.RETURNED):
        super().__init__(view=None)
        self.unit = unit
        self.case_state = case_state
        self.Annotation(title=title)
        self.Permission(unit.permission, obj=unit.resolve)

    def _returning_steps(self):
        return [
            node
            for node in self.flow_class._nodes_by_name.values()
            if isinstance(node, ReviewStep) and node._routes.get(Decision.RETURN) is self
        ]

    def _outgoing(self):
        for node in self._returning_steps():
            yield Edge(src=self, dst=node, edge_class="next", label=str(node.task_title))

    def next_after(self, activation) -> tuple:
        return self.flow_class.instance.node(activation.task.data["resume"]), {}

    def prepare(self, activation) -> None:
        task, case = activation.task, activation.process
        task.unit_label = str(task.owner_permission_obj)
        case.state = self.case_state  # saved with the new task (StepActivation.create)
