"""Cases, their tasks and the procedure-specific records behind them."""

from .alerts import TaskAlert
from .attachments import Attachment
from .calendar import CalendarDay, CalendarYear
from .case import Case, CaseParty, CaseState, CaseTask, Decision
from .clinic_filing import ClinicFiling, ClinicStaff
from .cooperation import CooperationAgreement, Notification, ServiceItem
from .deadlines import StepDeadline
from .subsidy import Budget, SubsidyApplication, SubsidyObjection, SubsidyPolicy

__all__ = [
    "Attachment",
    "CalendarDay",
    "CalendarYear",
    "Case",
    "CaseParty",
    "CaseState",
    "CaseTask",
    "ClinicFiling",
    "ClinicStaff",
    "CooperationAgreement",
    "Notification",
    "ServiceItem",
    "StepDeadline",
    "Budget",
    "SubsidyApplication",
    "SubsidyObjection",
    "SubsidyPolicy",
    "Decision",
    "TaskAlert",
]
