"""The sample county of `seed_demo --sample-cases`: every state, every queue, real documents, loaded once."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from viewflow.workflow.status import STATUS

from audit.models import AuditEvent
from common.validators import validate_id_number
from demo.cases import MARKER
from documents.models import DocumentStatus
from institutions.models import Institution, Township
from workflows import scoping
from workflows.models import Case, CaseState, ClinicStaff, Notification
from workflows.models.clinic_filing import InsuranceDecision
from workflows.nodes import ConfirmStep
from workflows.services.cases import open_party_task, open_supplement_task

pytestmark = pytest.mark.django_db

# What each procedure can reach (workflows/clinic_filing.py, workflows/cooperation.py and
# the services): a filing is never a draft and has no term; an agreement can end in any state.
REACHABLE = {
    "clinic_filing": {
        CaseState.IN_REVIEW,
        CaseState.RETURNED,
        CaseState.APPROVED,
        CaseState.REJECTED,
        CaseState.WITHDRAWN,
    },
    "cooperation": set(CaseState.values) - {CaseState.PUBLIC_NOTICE},
    "subsidy": {CaseState.PUBLIC_NOTICE, CaseState.IN_REVIEW, CaseState.APPROVED},
}


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--quiet-accounts", *args, stdout=out)
    return out.getvalue()


def filing(code: str) -> Case:
    return Case.objects.get(procedure="clinic_filing", institution__code=code)


def agreement(elderly: str, state: str) -> Case:
    return Case.objects.get(procedure="cooperation", cooperation__elderly_care_institution__code=elderly, state=state)


def step_names(tasks) -> set[tuple[str, str]]:
    return {(task.process.case_no, task.flow_task.name) for task in tasks}


def issued(case: Case, kind: str):
    document = case.documents.get(kind=kind)
    assert document.status == DocumentStatus.ISSUED, (case.case_no, kind, document.last_error)
    assert document.signatures.exists() and document.file
    return document


def test_the_sample_county(users, snapshot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = seed("--sample-cases")
    today = timezone.localdate()
    # (The documents are issued after the command's transaction commits: here, when the capture ends.)
    assert "Sample cases loaded: 19 cases" in output, output

    # Every state both procedures can reach, each made by the flows (history and audit are real).
    present = {p: set(Case.objects.filter(procedure=p).values_list("state", flat=True)) for p in REACHABLE}
    assert present["clinic_filing"] == REACHABLE["clinic_filing"]
    assert present["cooperation"] == {
        CaseState.DRAFT,
        CaseState.IN_REVIEW,
        CaseState.APPROVED,
        CaseState.ACTIVE,
        CaseState.EXPIRED,
        CaseState.TERMINATED,
    }
    assert present["subsidy"] == REACHABLE["subsidy"]
    # Subsidies: one on 公示 (public, no login), one waiting for 财政局, one paid with its signed decision.
    from django.test import Client

    on_notice = Case.objects.get(procedure="subsidy", state=CaseState.PUBLIC_NOTICE)
    assert on_notice.case_no in Client().get("/notices/").content.decode()
    finance_queue = scoping.task_queue(users("finance-1")).filter(process__procedure="subsidy")
    assert finance_queue.count() == 1
    granted = Case.objects.get(procedure="subsidy", state=CaseState.APPROVED)
    issued(granted, "subsidy_decision")
    assert granted.subsidy.voucher_no and granted.subsidy.budget_year == today.year
    assert set().union(*present.values()) == set().union(*REACHABLE.values()) == set(CaseState.values)
    for case in Case.objects.all():
        assert AuditEvent.objects.filter(case_no=case.case_no, action="case_submitted").count() == 1
        assert case.task_set.filter(flow_task_type="HUMAN").exists() or case.state == CaseState.WITHDRAWN

    # 安文街道: one filing waiting in 待领取, one claimed by twp-anwen in its 待办.
    waiting, claimed = filing("anwen-qinchunyuan"), filing("welfare-centre")
    anwen = users("twp-anwen")
    assert step_names(scoping.task_queue(anwen)) == {(waiting.case_no, "township_review")}
    assert step_names(scoping.task_inbox(anwen)) == {(claimed.case_no, "township_review")}

    # The bureaus' queues: 民政局 (one overdue, escalated to its head), 卫健局, 医保局; the
    # agreement in review waits at both bureaus at once.
    in_review = agreement("shuangxi-centre", CaseState.IN_REVIEW)
    at_civil, at_health, at_insurance = filing("xinwo-home"), filing("shuangfeng-centre"), filing("renchuan-yishouyuan")
    assert step_names(scoping.task_queue(users("civil-1"))) == {
        (at_civil.case_no, "civil_affairs_review"),
        (in_review.case_no, "civil_affairs_review"),
    }
    assert step_names(scoping.task_queue(users("health-1"))) == {
        (at_health.case_no, "health_filing"),
        (in_review.case_no, "health_review"),
    }
    assert step_names(scoping.task_queue(users("insurance-1"))) == {(at_insurance.case_no, "insurance_review")}
    assert (
        at_insurance.clinic_filing.filing_no
        and at_insurance.clinic_filing.insurance_decision == InsuranceDecision.PENDING
    )
    overdue = at_civil.task_set.get(status=STATUS.NEW)
    assert overdue.is_overdue and overdue.due < today
    assert [alert.task for alert in scoping.deadline_alerts(users("civil-head"))] == [overdue]

    # Returned for supplement, with what is missing; the applicant holds the case.
    returned = filing("yushan-home")
    assert returned.state == CaseState.RETURNED and open_supplement_task(returned) is not None
    return_step = returned.task_set.filter(decision="return").get()
    assert return_step.flow_task.name == "health_filing" and len(return_step.missing_items) == 2

    # Rejected with its notice; filed with its signed 备案凭证 (and 医保定点 granted); withdrawn.
    rejected = filing("shanghu-centre")
    assert rejected.state == CaseState.REJECTED
    issued(rejected, "rejection_notice")
    filed = filing("jianshan-centre")
    assert filed.state == CaseState.APPROVED and filed.clinic_filing.insurance_decision == InsuranceDecision.APPROVED
    certificate = issued(filed, "filing_certificate")
    assert certificate.number.startswith("磐卫医养备〔")
    issued(filed, "approval_record")
    assert filing("fangqian-centre").state == CaseState.WITHDRAWN

    # Agreements: in force (and signed), starting next month, ending within 30 days with
    # both parties reminded, terminated early with its notice, expired with a renewal drafted.
    active = agreement("welfare-centre", CaseState.ACTIVE)
    assert issued(active, "cooperation_agreement").signatures.count() == 4
    upcoming = agreement("panfeng-centre", CaseState.APPROVED)
    assert upcoming.cooperation.start_date > today and upcoming.cooperation.start_date.day == 1
    expiring = agreement("lengshui-centre", CaseState.ACTIVE)
    terms = expiring.cooperation
    assert today < terms.end_date <= today + timedelta(days=30)
    # In force for most of a year, yet a start the form accepts (at most a year back, forms/cooperation.py).
    assert today - timedelta(days=366) <= terms.start_date <= today - timedelta(days=300)
    assert terms.reminded_at is not None
    assert sorted(
        n.institution.code for n in Notification.objects.filter(case=expiring, kind="agreement_expiring")
    ) == [
        "lengshui-centre",
        "lengshui-hc",
    ]
    terminated = agreement("yaochuan-centre", CaseState.TERMINATED)
    issued(terminated, "termination_notice")
    expired = agreement("jiuhe-centre", CaseState.EXPIRED)
    draft = agreement("jiuhe-centre", CaseState.DRAFT)
    assert draft.cooperation.renewal_of == expired and draft.institution.code == "jiuhe-hc"
    confirmation = open_party_task(draft, ConfirmStep)
    assert confirmation is not None and scoping.holds(users("inst-jiuhe-centre"), confirmation)
    assert not scoping.holds(users("inst-jiuhe-hc"), confirmation)

    # The applicant's and the other party's lists; every township reviewer whose township
    # can hold a case (one with an elderly-care institution) sees at least one.
    welfare = set(scoping.visible_cases(users("inst-welfare-centre")).values_list("case_no", flat=True))
    assert welfare == {claimed.case_no, active.case_no}
    assert active in scoping.visible_cases(users("inst-anwen-chc"))
    townships = Township.objects.filter(institutions__kind=Institution.Kind.ELDERLY_CARE).distinct()
    assert townships.count() == 13
    for township in townships:
        assert scoping.visible_cases(users(f"twp-{township.code}")).exists(), township.code

    # Realistic people: valid ID numbers of staff born from the 1950s to the 2000s, one with X.
    numbers = list(ClinicStaff.objects.values_list("id_number", flat=True))
    for number in numbers:
        validate_id_number(number)
    assert {int(number[6:9]) for number in numbers} >= {195, 196, 197, 198, 199, 200}
    assert any(number.endswith("X") for number in numbers)

    # Running it again adds nothing, and says so.
    before = snapshot()
    again = seed("--sample-cases")
    assert "already loaded" in again and "nothing added" in again
    assert snapshot() == before
    assert AuditEvent.objects.filter(action=MARKER).count() == 1


def test_plain_seed_demo_is_an_empty_county(snapshot):
    output = seed()
    assert "Demo data loaded" in output and "Sample cases" not in output
    assert not Case.objects.exists()
    assert not AuditEvent.objects.filter(action=MARKER).exists()
