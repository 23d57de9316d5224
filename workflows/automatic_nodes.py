"""The steps a flow runs by itself — Function, If, End — without viewflow's savepoint around each.

viewflow wraps each automatic step in ``transaction.atomic(savepoint=True)`` so that,
when it runs with ``propagate_exception=False`` (its timers, jobs and events), a failing
step can be rolled back alone and left in the ERROR state for an administrator. In this
project these steps run inside a decision or a submission, where exceptions propagate
(viewflow's default): a failure rolls the whole transaction back, and the savepoint
only costs two statements a step — eight when a filing closes (SAVEPOINT and RELEASE
around the filing number, the 医保 question, the closing and the end).

So each activation below runs its step directly when exceptions propagate, and exactly
as viewflow does (guard and savepoint) when they do not. A caller that catches a flow's
exception and goes on inside the same transaction must give the flow its own
``transaction.atomic()``, as workflows/services/subsidy.py does for the notice timer.

For the same reason each such step's row is inserted once, when it is done — viewflow
inserts it NEW and at once updates it to DONE, a second write for a step that is over
within the same transaction (four more statements when a filing closes). Until then
the step has no primary key, so these activations compare by identity, not by their
task's key as viewflow's do: each creates a task of its own, never one another
activation also holds (that is the Join's case, not used here). Its ``created`` is then
the moment it was written, at its end; pages and the timeline show human steps only.

And a run of such steps is written together, in one statement on PostgreSQL with the
links between them (workflows/task_rows.py): a step whose next step is also one of
these hands its row on, and the last of the run — before a person's step, or the End —
writes them all. A filing's closing run (number, 医保 question, closing, end) is one
statement instead of eight. The End looks for other open steps of the case only in a
flow that has a Split: on a straight route none can be open.
"""

from django.utils.timezone import now
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.context import context
from viewflow.workflow.nodes.end import EndActivation
from viewflow.workflow.nodes.func import FunctionActivation
from viewflow.workflow.nodes.if_gate import IfActivation
from viewflow.workflow.signals import flow_finished, task_finished, task_started
from viewflow.workflow.status import PROCESS

from .task_rows import insert_route


class _InsertedWhenDone(Activation):
    """An automatic step whose row is written once, already DONE (when exceptions propagate).

    A run of such steps is written together: a step followed by another of them hands its
    row on, and the last of the run — the one before a person's step, or the End —
    writes them all in one statement (task_rows.insert_route), after the stored step
    the run began from.
    """

    _after = None  # the stored step the unwritten run follows; None when viewflow's create() stored the row
    _unwritten: tuple = ()  # the finished steps after it, this one last
    _handed_on = False

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        if not context.propagate_exception:
            return super().create(flow_task, prev_activation, token, data=data, seed=seed)
        task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        if getattr(prev_activation, "_handed_on", False):
            activation._after, activation._unwritten = prev_activation._after, (*prev_activation._unwritten, task)
        else:
            activation._after, activation._unwritten = prev_activation.task, (task,)
        return activation

    @Activation.status.super()
    def complete(self):
        if self._after is None:  # created by viewflow's own create(): its row is stored already
            return super().complete.original()
        # viewflow's complete(): finished, its row written — here with the run — and task_finished
        self.task.finished = now()
        if isinstance(self._next_node(), Function | If | End):
            self._handed_on = True  # the next step writes this row with its own
        else:
            insert_route(list(self._unwritten), after=self._after)
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)

    def _next_node(self):
        """The node this step goes on to, known once it has run (an If's branch); None after the End."""
        return None

    def _started(self) -> None:
        self.task.started = now()
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return id(self)


class DirectFunctionActivation(_InsertedWhenDone, FunctionActivation):
    def _next_node(self):
        return self.flow_task._next

    @Activation.status.super()
    def activate(self):
        if not context.propagate_exception:
            return super().activate.original()
        self._started()
        self.flow_task._func(self)


class DirectIfActivation(_InsertedWhenDone, IfActivation):
    def _next_node(self):
        return self.flow_task._on_true if self._condition_result else self.flow_task._on_false

    @Activation.status.super()
    def activate(self):
        if not context.propagate_exception:
            return super().activate.original()
        self._condition_result = self.flow_task._condition(self)


class DirectEndActivation(_InsertedWhenDone, EndActivation):
    @Activation.status.super()
    def activate(self):
        """viewflow's End: the case is finished when no other step of it is still open."""
        if not context.propagate_exception:
            return super().activate.original()
        self._started()
        still_open = self.flow_task.runs_in_parallel() and self._others_open()
        if not still_open:
            self.process.status = PROCESS.DONE
            self.process.finished = now()
            self.process.save()
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)
        if not still_open:
            flow_finished.send(sender=self.flow_class, process=self.process, task=self.task)

    def _others_open(self) -> bool:
        others = self.flow_class.task_class._default_manager.filter(process=self.process, finished__isnull=True)
        if self.task.pk is not None:  # not yet inserted (_InsertedWhenDone) when exceptions propagate
            others = others.exclude(pk=self.task.pk)
        return others.exists()


class Function(flow.Function):
    activation_class = DirectFunctionActivation


class If(flow.If):
    activation_class = DirectIfActivation


class End(flow.End):
    activation_class = DirectEndActivation

    def runs_in_parallel(self) -> bool:
        """Whether the flow can have two steps open at once (a Split): only then may End find others still open.

        Without a Split every step of a case opens only once the one before it is done, so
        the End of a straight route — a filing, a subsidy — skips viewflow's look-up.
        """
        if self._parallel is None:
            self._parallel = any(isinstance(node, flow.Split) for node in self.flow_class.instance.nodes())
        return self._parallel

    _parallel: bool | None = None
