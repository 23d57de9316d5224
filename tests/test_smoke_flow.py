"""The clinic-filing route through the service layer: every branch of DOMAIN.md procedure 1."""

import pytest
from viewflow.workflow.status import STATUS

from workflows.models import CaseState
from workflows.models.clinic_filing import InsuranceDecision

pytestmark = pytest.mark.django_db


def test_full_route_with_insurance(driver):
    case = driver.submit(medical_insurance=True)
    assert case.state == CaseState.IN_REVIEW
    assert case.case_no.startswith("PA-")
    driver.file(case)
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert case.status == STATUS.DONE
    assert case.clinic_filing.filing_no
    assert case.clinic_filing.insurance_decision == InsuranceDecision.APPROVED
