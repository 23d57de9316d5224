"""The procedures' flows, where viewflow looks for them (one module per procedure beside this one)."""

from .clinic_filing import ClinicFilingFlow
from .cooperation import CooperationFlow
from .subsidy import SubsidyFlow

__all__ = ["ClinicFilingFlow", "CooperationFlow", "SubsidyFlow"]
