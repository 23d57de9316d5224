"""Cases, their tasks and the procedure-specific records behind them."""

from .alerts import TaskAlert
from .attachments import Attachment
from .calendar import CalendarDay
from .case import Case, CaseParty, CaseState, CaseTask, Decision, Procedure
from .clinic_filing import ClinicFiling, ClinicStaff
from .cooperation import CooperationAgreement, Notification, ServiceItem
from .numbering import NumberSequence

__all__ = [
    "Attachment",
    "CalendarDay",
    "Case",
    "CaseParty",
    "CaseState",
    "CaseTask",
    "ClinicFiling",
    "ClinicStaff",
    "CooperationAgreement",
    "Notification",
    "ServiceItem",
    "Decision",
    "NumberSequence",
    "Procedure",
    "TaskAlert",
]
