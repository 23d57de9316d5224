"""The sample county: cases in every state for the demo accounts, made through the real services.

``python manage.py seed_demo --sample-cases`` calls :func:`load_sample_cases`. Every
case is submitted, claimed, decided, confirmed, withdrawn or terminated by the demo
account that would do it, through the same services (and the same forms' validation)
the web pages and the API use, so each case has its real history, audit events,
tasks, deadlines and documents.

This module is the script — which states, reached by which steps, on which dates; the
county's ``sample_cases.json`` is the cast — which of its institutions files or agrees
in each state, with what clinic, staff, terms and reviewers' comments. Another county
gets its own samples by writing that file, with no change here.

Two things a freshly installed county cannot have lived through are arranged, each
explained where it is done:

- Agreements in force since last year: a county that goes live registers the
  agreements its homes already signed on paper (存量协议). The form accepts a start
  date up to one year back for exactly this, so those agreements are drafted today with
  their real terms; no date is moved.
- One overdue step: the case is made today and its timestamps and due dates are then
  moved back (``_backdate``), because a deadline can only pass with time.

The samples are loaded once: an audit event (``MARKER``) records their case numbers,
and a second run finds it and adds nothing.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from stdnum.cn import ric

from audit.models import AuditEvent
from audit.services import record
from common.validators import check_upload, mask_id_number
from forms.clinic_filing import ClinicFilingForm, StaffFormSet, staff_formset_data
from forms.cooperation import CooperationForm
from institutions.county import current_county
from institutions.models import Institution
from permissions.models import User
from workflows import scoping, services
from workflows.calendar import add_working_days
from workflows.models import Case, Decision, SubsidyApplication
from workflows.nodes import ReviewStep
from workflows.services import cooperation as agreements
from workflows.services.agreements import run_agreement_lifecycle
from workflows.services.deadline_watch import watch_deadlines
from workflows.services.subsidy import end_due_notices, set_budget, submit_subsidy

# The audit event that says the samples are in; its detail lists their case numbers.
MARKER = "sample_cases_loaded"


@dataclass
class SampleCase:
    """One sample case as the command reports it: what it is and who sees it where."""

    case_no: str
    procedure: str
    state: str
    what: str
    who: str


def samples_loaded() -> AuditEvent | None:
    """The marker event if the samples were loaded before (the audit log is append-only)."""
    return AuditEvent.objects.filter(action=MARKER).order_by("id").first()


# --- people ------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    # The first six digits are where the card was issued: the county's division code,
    # which its staff born long before that code existed carry too (docs/domain.md).
    region: str
    born: date
    # the 3-digit sequence code; its last digit is odd for men and even for women
    sequence: str
    role: str  # doctor / nurse / other (StaffRole)
    licence_no: str = ""

    @classmethod
    def from_data(cls, data: dict, region: str) -> "Person":
        return cls(
            data["name"],
            data.get("region", region),
            date.fromisoformat(data["born"]),
            data["sequence"],
            data["role"],
            data.get("licence_no", ""),
        )

    @property
    def id_number(self) -> str:
        body = f"{self.region}{self.born:%Y%m%d}{self.sequence}"
        # stdnum's calc_check_digit reads the first 17 of 18 characters: pad a placeholder.
        return body + ric.calc_check_digit(body + "0")

    def as_staff_row(self) -> dict:
        return {"name": self.name, "id_number": self.id_number, "role": self.role, "licence_no": self.licence_no}


# --- documents an applicant uploads ----------------------------------------------------

ATTACHMENTS = (
    ("业务用房产权（租赁）证明.pdf", "业务用房产权（租赁）证明"),
    ("医护人员执业证书.pdf", "医护人员执业证书"),
    ("内设医疗机构管理制度.pdf", "内设医疗机构管理制度"),
)


def _sample_pdf(title: str, institution: Institution, clinic_name: str, staff: list[Person]) -> bytes:
    """A one-page PDF that says plainly it is a demo stand-in for the scanned material."""
    from weasyprint import HTML

    rows = "".join(
        f"<tr><td>{escape(p.name)}</td><td>{mask_id_number(p.id_number)}</td><td>{escape(p.licence_no or '—')}</td></tr>"
        for p in staff
    )
    html = f"""<html><head><style>
      @page {{ size: A4; margin: 25mm }}
      body {{ font-family: "{settings.DOCUMENT_FONT_FAMILY}"; font-size: 12pt }}
      h1 {{ font-size: 18pt; text-align: center }} td {{ padding: 2mm 4mm; border-bottom: 0.5pt solid #999 }}
    </style></head><body>
      <h1>{escape(title)}</h1>
      <p>申请机构：{escape(institution.name)}</p>
      <p>内设医疗机构：{escape(clinic_name)}</p>
      <table>{rows}</table>
      <p style="margin-top: 15mm; color: #a00">演示材料：本文件由演示数据生成，代替扫描件，不是真实证明材料。</p>
    </body></html>"""
    return HTML(string=html).write_pdf()


# --- the builder -------------------------------------------------------------------


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def _first_of_month(day: date, months: int) -> date:
    """The first day of the month `months` after (or before, if negative) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# The bureaus' review steps of an agreement, in the order the samples take them.
AGREEMENT_BUREAUS = ("health_review", "civil_affairs_review")
# The demo accounts of the bureaus' reviewers (demo/accounts.py names them).
BUREAU_REVIEWERS = {
    "civil_affairs_review": "civil-1",
    "health_filing": "health-1",
    "insurance_review": "insurance-1",
    "health_review": "health-1",
}


class _County:
    """Acts as the demo accounts act, through the services, and notes what it made."""

    def __init__(self, today: date, region: str):
        self.today = today
        self.region = region  # where the staff's ID cards were issued
        self.made: list[SampleCase] = []
        self._users: dict[str, User] = {}

    def user(self, username: str) -> User:
        if username not in self._users:
            self._users[username] = User.objects.get(username=username)
        return self._users[username]

    @staticmethod
    def applicant(code: str) -> str:
        return f"inst-{code}"

    @staticmethod
    def township_reviewer(code: str) -> str:
        """The reviewer of the institution's township, who does its 属地初审."""
        return f"twp-{Institution.objects.get(code=code).township.code}"

    def reviewer(self, step: str, institution_code: str) -> str:
        if step == "township_review":
            return self.township_reviewer(institution_code)
        return BUREAU_REVIEWERS[step]

    def note(self, case: Case, what: str, who: str) -> Case:
        case.refresh_from_db()
        self.made.append(
            SampleCase(case.case_no, str(case.get_procedure_display()), str(case.get_state_display()), what, who)
        )
        return case

    # clinic filings

    def file(self, applicant: str, *, clinic: dict, staff: list[Person]) -> Case:
        """The applicant uploads its materials and submits, as the 申请备案 page does."""
        user = self.user(applicant)
        uploads = [
            (
                name,
                check_upload(
                    SimpleUploadedFile(name, _sample_pdf(title, user.institution, clinic["clinic_name"], staff))
                ),
            )
            for name, title in ATTACHMENTS
        ]
        attachments = services.store_attachments(user=user, files=uploads)
        form = ClinicFilingForm(
            data={**clinic, "attachments": [a.pk for a in attachments]},
            attachment_choices=services.attachable(user),
        )
        formset = StaffFormSet(data=staff_formset_data([p.as_staff_row() for p in staff]), prefix="staff")
        if not (form.is_valid() and formset.is_valid()):
            raise ValueError(
                f"sample filing of {applicant} is invalid: {form.errors} {formset.errors} {formset.non_form_errors()}"
            )
        return services.submit_clinic_filing(
            user=user,
            filing={name: form.cleaned_data[name] for name in ClinicFilingForm.FIELDS},
            staff=[row for row in formset.cleaned_data if row],
            attachments=list(form.cleaned_data["attachments"]),
        )

    def claim(self, case: Case, reviewer: str):
        user = self.user(reviewer)
        task = scoping.task_queue(user).get(process=case)
        return services.claim_task(user=user, task_id=task.pk)

    def decide(
        self, case: Case, reviewer: str, decision: str = Decision.APPROVE, comment: str = "", missing_items=()
    ) -> Case:
        """The reviewer claims the case's step from its 待领取 and decides it."""
        task = self.claim(case, reviewer)
        services.decide_task(
            user=self.user(reviewer), task_id=task.pk, decision=decision, comment=comment, missing_items=missing_items
        )
        case.refresh_from_db()
        return case

    def file_sample(self, sample: dict) -> Case:
        """The sample's institution files the sample's clinic with its staff."""
        staff = [Person.from_data(person, self.region) for person in sample["staff"]]
        return self.file(self.applicant(sample["applicant"]), clinic=_clinic(sample["clinic"], self.today), staff=staff)

    def approve(self, case: Case, sample: dict, *steps: str) -> Case:
        """Each step's reviewer approves it in turn, with the sample's comment for that step."""
        comments = sample.get("comments", {})
        for step in steps:
            self.decide(case, self.reviewer(step, sample["applicant"]), comment=comments.get(step, ""))
        return case

    # agreements

    def terms(
        self,
        elderly: str,
        medical: str,
        *,
        start: date,
        end: date,
        residents: int,
        items: list[str],
        visits: int,
        fee: str,
    ) -> dict:
        """The terms as the 起草合作协议 form cleans them (so the samples obey its rules)."""
        form = CooperationForm(
            data={
                "elderly_care_institution": Institution.objects.get(code=elderly).pk,
                "medical_institution": Institution.objects.get(code=medical).pk,
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "residents": residents,
                "service_items": items,
                "visits_per_week": visits,
                "annual_fee": fee,
            }
        )
        if not form.is_valid():
            raise ValueError(f"sample agreement {elderly} × {medical} is invalid: {form.errors}")
        return {name: form.cleaned_data[name] for name in CooperationForm.FIELDS}

    def agree(self, drafter: str, other: str, terms: dict) -> Case:
        """One party drafts, the other confirms: the agreement goes to the township."""
        case = agreements.draft_cooperation(user=self.user(drafter), terms=terms)
        return agreements.confirm_cooperation(user=self.user(other), case_no=case.case_no)

    def approve_agreement(self, case: Case, comments: dict) -> Case:
        """Township, then 卫健局 and 民政局 (parallel steps, taken here one after the other)."""
        township = f"twp-{case.township.code}"
        for step, reviewer in (("township_review", township), *((s, BUREAU_REVIEWERS[s]) for s in AGREEMENT_BUREAUS)):
            self.decide(case, reviewer, comment=comments.get(step, ""))
        return case

    def sample_terms(self, sample: dict, *, start: date, end: date) -> dict:
        """The sample agreement's terms for a term the script chose."""
        return self.terms(
            sample["elderly_care"],
            sample["medical"],
            start=start,
            end=end,
            residents=sample["residents"],
            items=sample["service_items"],
            visits=sample["visits_per_week"],
            fee=sample["annual_fee"],
        )


def _backdate(case: Case, days: int) -> None:
    """Move a case's timeline `days` back, as if it had been submitted then (demo only).

    The submission and every step's timestamps move by the same amount and each review
    step's due date is recomputed from its new start, as ReviewStep.prepare computes it
    (no step of this case was returned, so no time was used before). The audit events
    keep the moment they were really written: the log is append-only and hash-chained.
    """
    shift = timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(submitted_at=case.submitted_at - shift)
    for task in case.task_set.all():
        moved = {
            name: getattr(task, name) - shift
            for name in ("created", "assigned", "started", "finished")
            if getattr(task, name) is not None
        }
        node = task.flow_task
        if isinstance(node, ReviewStep) and node.days is not None:
            moved["due"] = add_working_days(timezone.localdate(moved["created"]), node.days)
        type(task).objects.filter(pk=task.pk).update(**moved)


def _days_back_for_overdue(today: date, step_days: int, *, overdue_by: int = 2) -> int:
    """How many days back a step must have started to be `overdue_by` working days past due."""
    days = step_days
    while add_working_days(today - timedelta(days=days), step_days + overdue_by) >= today:
        days += 1
    return days


# What a clinic offers and holds when its sample gives nothing else: generic, not any county's.
GENERAL_SERVICES = "常见病、多发病诊治；慢性病管理与用药指导；老年人健康体检；院内感染防控；急症初步处置与转诊"
NURSING_SERVICES = "日常护理；生命体征监测；压疮预防与护理；康复护理指导；用药管理"
GENERAL_EQUIPMENT = "心电图机、全自动电子血压计、血糖仪、制氧机、自动体外除颤器（AED）、急救药品柜、诊察床"
NURSING_EQUIPMENT = "血压计、血糖仪、雾化器、吸痰器、气垫床、急救箱"


def _clinic(data: dict, today: date) -> dict:
    """The 申请备案 form's fields for a sample clinic, opening `opens_in_days` from today."""
    nursing = data["type"] == "nursing_station"
    form = {
        "clinic_name": data["name"],
        "clinic_type": data["type"],
        "services": data.get("services") or (NURSING_SERVICES if nursing else GENERAL_SERVICES),
        "floor_area": data["area"],
        "equipment": data.get("equipment") or (NURSING_EQUIPMENT if nursing else GENERAL_EQUIPMENT),
        "opening_date": (today + timedelta(days=data["opens_in_days"])).isoformat(),
    }
    if data.get("medical_insurance"):
        form["medical_insurance"] = "on"
    return form


def _filings(county: _County, samples: dict) -> None:
    today = county.today

    # 1. 属地初审, waiting in the township's 待领取.
    sample = samples["waiting_at_township"]
    applicant, township = county.applicant(sample["applicant"]), county.township_reviewer(sample["applicant"])
    case = county.file_sample(sample)
    county.note(case, "属地初审，待领取", f"{township} 审核任务→待领取；{applicant}")

    # 2. 属地初审, claimed by the township's reviewer: in its 待办. (The demo's sample is
    # a home of 100 beds or more, which must run its own clinic, asking for 医保定点 too.)
    sample = samples["claimed_at_township"]
    applicant, township = county.applicant(sample["applicant"]), county.township_reviewer(sample["applicant"])
    case = county.file_sample(sample)
    county.claim(case, township)
    county.note(case, "属地初审，已领取", f"{township} 审核任务→待办；{applicant}")

    # 3. At 民政局, overdue: its 5 working days ran out at least two working days ago.
    sample = samples["overdue_at_civil_affairs"]
    applicant, township = county.applicant(sample["applicant"]), county.township_reviewer(sample["applicant"])
    case = county.approve(county.file_sample(sample), sample, "township_review")
    # A deadline can only pass with time: move this case back so that the 民政局 step,
    # started when the township approved, is overdue; the deadline watch then escalates
    # it to 民政局's head, as the hourly beat would have.
    _backdate(case, _days_back_for_overdue(today, 5))
    county.note(
        case, "民政局确认登记，已超期", f"civil-1 审核任务→待领取；civil-head 时限提醒；{township}；{applicant}"
    )

    # 4. At 卫健局 (备案).
    sample = samples["at_health_filing"]
    applicant, township = county.applicant(sample["applicant"]), county.township_reviewer(sample["applicant"])
    case = county.approve(county.file_sample(sample), sample, "township_review", "civil_affairs_review")
    county.note(case, "卫健局备案", f"health-1 审核任务→待领取；{township}；{applicant}")

    # 5. Filed by 卫健局 (the filing number is assigned); 医保局 decides the 医保定点 it asked for.
    sample = samples["filed_insurance_pending"]
    applicant, township = county.applicant(sample["applicant"]), county.township_reviewer(sample["applicant"])
    case = county.file_sample(sample)
    county.approve(case, sample, "township_review", "civil_affairs_review", "health_filing")
    county.note(
        case,
        "已备案并分配备案编号，待医保局决定医保定点",
        f"insurance-1 审核任务→待领取；health-1 已办；{township}；{applicant}",
    )

    # 6. Returned by 卫健局 for supplement (the demo's: a nursing station short of nurses).
    sample = samples["returned_by_health"]
    applicant, township = county.applicant(sample["applicant"]), county.township_reviewer(sample["applicant"])
    case = county.approve(county.file_sample(sample), sample, "township_review", "civil_affairs_review")
    county.decide(
        case,
        "health-1",
        Decision.RETURN,
        comment=sample["comments"]["health_filing"],
        missing_items=sample["missing_items"],
    )
    county.note(case, "卫健局退回，待申请人补正", f"{applicant} 补正；health-1 已办；{township}")

    # 7. Rejected at 属地初审, with its rejection notice.
    sample = samples["rejected_at_township"]
    applicant, township = county.applicant(sample["applicant"]), county.township_reviewer(sample["applicant"])
    case = county.file_sample(sample)
    county.decide(case, township, Decision.REJECT, comment=sample["comments"]["township_review"])
    county.note(case, "属地初审不予通过，不予通过通知书", f"{applicant}；{township} 已办")

    # 8. Filed, 医保定点 granted: its signed 备案凭证.
    sample = samples["filed_insurance_granted"]
    applicant, township = county.applicant(sample["applicant"]), county.township_reviewer(sample["applicant"])
    case = county.file_sample(sample)
    county.approve(case, sample, "township_review", "civil_affairs_review", "health_filing", "insurance_review")
    county.note(
        case,
        "已备案，同意医保定点：备案凭证、审批记录表",
        f"{applicant}；{township}、civil-1、health-1、insurance-1 已办",
    )

    # 9. Withdrawn by the applicant while at 属地初审.
    sample = samples["withdrawn"]
    applicant, township = county.applicant(sample["applicant"]), county.township_reviewer(sample["applicant"])
    case = county.file_sample(sample)
    services.withdraw_case(user=county.user(applicant), case_no=case.case_no)
    county.note(case, "申请人撤回", f"{applicant}；{township}")


def _parties(county: _County, sample: dict) -> tuple[str, str, str]:
    """The accounts of the elderly-care party, the medical party and their township."""
    elderly, medical = county.applicant(sample["elderly_care"]), county.applicant(sample["medical"])
    return elderly, medical, county.township_reviewer(sample["elderly_care"])


def _agreements(county: _County, samples: dict) -> None:
    today = county.today
    reviewed = samples["review_comments"]

    # In force: three years from the first of January (registered at go-live, see the
    # module docstring); drafted by the home.
    sample = samples["active"]
    elderly, medical, township = _parties(county, sample)
    start = date(today.year, 1, 1)
    case = county.agree(
        elderly, medical, county.sample_terms(sample, start=start, end=_add_years(start, 3) - timedelta(days=1))
    )
    county.approve_agreement(case, reviewed)
    county.note(case, "三年期，双方及两局签章的医养合作协议", f"{elderly}、{medical} 合作协议；{township}")

    # Approved, taking effect on the first of next month (待生效); drafted by the health centre.
    sample = samples["upcoming"]
    elderly, medical, township = _parties(county, sample)
    start = _first_of_month(today, 1)
    case = county.agree(
        medical, elderly, county.sample_terms(sample, start=start, end=_add_years(start, 1) - timedelta(days=1))
    )
    county.approve_agreement(case, reviewed)
    county.note(case, f"待生效：{start:%Y-%m-%d}起生效", f"{elderly}、{medical} 合作协议；{township}")

    # In force since last year and ending in 20 days: the lifecycle run below reminds both parties.
    sample = samples["expiring"]
    elderly, medical, expiring_township = _parties(county, sample)
    end = today + timedelta(days=20)
    expiring = county.agree(
        elderly, medical, county.sample_terms(sample, start=_add_years(end, -1) + timedelta(days=1), end=end)
    )
    county.approve_agreement(expiring, reviewed)
    expiring_parties = (elderly, medical)

    # Terminated early by the health centre, with its signed termination notice.
    sample = samples["terminated"]
    elderly, medical, township = _parties(county, sample)
    start = _first_of_month(today, -8)
    case = county.agree(
        elderly, medical, county.sample_terms(sample, start=start, end=_add_years(start, 2) - timedelta(days=1))
    )
    county.approve_agreement(case, reviewed)
    agreements.terminate_cooperation(
        user=county.user(medical), case_no=case.case_no, reason=sample["termination_reason"]
    )
    county.note(case, "乙方提前终止，终止通知书", f"{elderly}、{medical} 合作协议；{township}")

    # A one-year agreement that ended yesterday: the lifecycle run below expires it, and
    # the health centre then drafts its renewal, which waits for the home's confirmation.
    renewed = samples["expired_and_renewed"]
    end = today - timedelta(days=1)
    elderly, medical, township = _parties(county, renewed)
    expired = county.agree(
        elderly, medical, county.sample_terms(renewed, start=_add_years(end, -1) + timedelta(days=1), end=end)
    )
    county.approve_agreement(expired, reviewed)

    # In bureau review, after one round of changes: the home asked for other terms (the demo's: a lower fee).
    sample = samples["in_review_after_changes"]
    in_review_elderly, in_review_medical, in_review_township = _parties(county, sample)
    terms = county.sample_terms(
        sample, start=_first_of_month(today, 1), end=_first_of_month(today, 13) - timedelta(days=1)
    )
    case = agreements.draft_cooperation(user=county.user(in_review_medical), terms=terms)
    agreements.request_cooperation_changes(
        user=county.user(in_review_elderly), case_no=case.case_no, comment=sample["change_request"]
    )
    agreements.resubmit_cooperation(
        user=county.user(in_review_medical),
        case_no=case.case_no,
        terms={**terms, "annual_fee": Decimal(sample["agreed_fee"])},
    )
    agreements.confirm_cooperation(user=county.user(in_review_elderly), case_no=case.case_no)
    county.decide(case, in_review_township, comment=reviewed.get("township_review", ""))
    county.note(
        case,
        "卫健局、民政局并行审核",
        f"health-1、civil-1 审核任务→待领取；{in_review_township} 已办；{in_review_elderly}、{in_review_medical}",
    )

    # The daily lifecycle job, as cron or beat runs it: expires the agreement that ended
    # yesterday and reminds both parties of the one ending in 20 days.
    run_agreement_lifecycle(today=today)
    county.note(
        expiring,
        f"{expiring.cooperation.end_date:%Y-%m-%d}到期，已向双方发到期提醒",
        f"{'、'.join(expiring_parties)} 合作协议及到期提醒；{expiring_township}",
    )
    county.note(expired, "一年期协议昨日到期", f"{elderly}、{medical} 合作协议；{township}")

    renewal = agreements.renew_cooperation(
        user=county.user(medical),
        case_no=expired.case_no,
        terms={**agreements.renewal_terms(expired), "annual_fee": Decimal(renewed["renewal_fee"])},
    )
    home = Institution.objects.get(code=renewed["elderly_care"])
    county.note(renewal, f"续签{expired.case_no}，待{home.name}确认", f"{elderly} 案件页确认；{medical}；{township}")


def _subsidies(county: _County, samples: dict) -> None:
    """This year's budgets, and hiring awards on notice, at 财政局, and paid (DOMAIN.md procedure 3)."""
    head = county.user("finance-head")
    for kind, total in samples.get("budgets", {}).items():
        set_budget(user=head, year=county.today.year, kind=kind, total=total)
    for sample in samples.get("hiring", []):
        applicant = county.user(county.applicant(sample["applicant"]))
        employee = Person.from_data({**sample["employee"], "role": "other"}, county.region)
        body = {
            "kind": "hiring",
            "employee_name": employee.name,
            "id_number": employee.id_number,
            "education": sample["education"],
            "establishment": False,
            "hired_on": (county.today - timedelta(days=sample["hired_days_ago"])).isoformat(),
        }
        proof = SimpleUploadedFile(
            "劳动合同及学历证书.pdf",
            _sample_pdf("劳动合同及学历证书", applicant.institution, employee.name, [employee]),
        )
        attachments = services.store_attachments(user=applicant, files=[(proof.name, check_upload(proof))])
        case = submit_subsidy(user=applicant, body=body, attachments=attachments)
        comments = sample.get("comments", {})
        county.decide(case, county.township_reviewer(sample["applicant"]), comment=comments.get("township_review", ""))
        bureau = "health-1" if applicant.institution.kind == "medical" else "civil-1"
        county.decide(case, bureau, comment=comments.get("bureau_confirmation", ""))
        who = f"{county.applicant(sample['applicant'])}；补助公示 /notices/（无需登录）"
        if sample["stage"] != "notice":
            # The notice began twelve days ago and its five working days have run: the timer moves it on.
            SubsidyApplication.objects.filter(pk=case.pk).update(
                notice_starts_on=county.today - timedelta(days=12),
                notice_ends_on=add_working_days(county.today - timedelta(days=12), 5),
            )
            end_due_notices()
            who = f"finance-1 审核任务→待领取；{county.applicant(sample['applicant'])}"
        if sample["stage"] == "granted":
            task = county.claim(case, "finance-1")
            services.decide_task(
                user=county.user("finance-1"),
                task_id=task.pk,
                decision=Decision.APPROVE,
                comment=comments.get("finance_review", ""),
                fields={"paid_on": county.today.isoformat(), "voucher_no": sample["voucher_no"]},
            )
            who = f"{county.applicant(sample['applicant'])}（补助核定通知书）；finance-1 补助预算"
        county.note(case, f"入职奖补（{employee.name}）", who)


def read_samples(directory: Path) -> dict:
    """The county's cast of sample cases; a county without the file has no samples."""
    path = Path(directory) / "sample_cases.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: this county's data directory has no sample cases")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def load_sample_cases(directory: Path | str | None = None) -> list[SampleCase]:
    """Make the sample cases of the county's directory (default: settings.COUNTY_DATA_DIR), all or nothing,
    and leave the marker; the caller checks it first.

    One transaction: a refusal half-way (say an institution already has an open filing)
    leaves nothing behind. The documents the decisions requested are issued when it
    commits (transaction.on_commit), eagerly in the embedded set-up or by the workers.
    """
    # Today, not a date of the caller's choosing: the services and forms date everything by the clock.
    samples = read_samples(directory if directory is not None else settings.COUNTY_DATA_DIR)
    today = timezone.localdate()
    county = _County(today, current_county().division_code)
    with transaction.atomic():
        _filings(county, samples["filings"])
        _agreements(county, samples["agreements"])
        _subsidies(county, samples.get("subsidies", {}))
        # The hourly deadline watch, once: escalates the overdue 民政局 step.
        watch_deadlines(today=today)
        made = sorted(county.made, key=lambda sample: sample.case_no)
        record(action="sample_cases_loaded", detail={"cases": [sample.case_no for sample in made]})
    return made


def marked_cases(event: AuditEvent) -> list[Case]:
    """The sample cases a marker event names, in case-number order."""
    numbers = event.detail.get("cases", [])
    found = {case.case_no: case for case in Case.objects.filter(case_no__in=numbers).select_related("institution")}
    return [found[number] for number in numbers if number in found]


__all__ = ["MARKER", "SampleCase", "load_sample_cases", "marked_cases", "samples_loaded"]
