"""Writes on cases and tasks: every web view and API endpoint goes through these functions."""

from .attachments import attachable, bind_attachments, store_attachments
from .cases import case_for, open_supplement_task, withdraw_case
from .clinic_filing import resubmit_clinic_filing, submit_clinic_filing
from .tasks import claim_task, decide_task, reassign_task, task_for, unclaim_task

__all__ = [
    "attachable",
    "bind_attachments",
    "case_for",
    "claim_task",
    "decide_task",
    "open_supplement_task",
    "reassign_task",
    "resubmit_clinic_filing",
    "store_attachments",
    "submit_clinic_filing",
    "task_for",
    "unclaim_task",
    "withdraw_case",
]
