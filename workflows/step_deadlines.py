"""The promised working days of every review step, kept as StepDeadline rows the administrator edits."""

from common import procedures

from .models import StepDeadline
from .nodes import ReviewStep


def review_steps():
    """(procedure, node) for every review step with a promised deadline, in each flow's order."""
    for procedure in procedures.all_procedures():
        for node in procedure.flow.instance.nodes():
            if isinstance(node, ReviewStep) and node.days is not None:
                yield procedure, node


def create_step_deadlines(**kwargs) -> None:
    """After each migration: a row for every review step that has none, with the flow's default; never overwrite one."""
    for procedure, node in review_steps():
        StepDeadline.objects.get_or_create(
            procedure=procedure.code, step=node.name, defaults={"title": str(node.task_title), "days": node.days}
        )
