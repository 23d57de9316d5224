"""The sample county: cases in every state for the demo accounts, made through the real services.

``python manage.py seed_demo --sample-cases`` calls :func:`load_sample_cases`. Every
case is submitted, claimed, decided, confirmed, withdrawn or terminated by the demo
account that would do it, through the same services (and the same forms' validation)
the web pages and the API use, so each case has its real history, audit events,
tasks, deadlines and documents.

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

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

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
from institutions.models import Institution
from permissions.models import User
from workflows import scoping

from . import services
from .deadlines import add_working_days
from .models import Case, Decision
from .models.cooperation import ServiceItem
from .nodes import ReviewStep
from .services import cooperation as agreements
from .services.agreements import run_agreement_lifecycle
from .services.deadline_watch import watch_deadlines

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

# The first six digits are where the card was issued: Panan's code 330727 dates from 1985,
# and its staff born in the 1950s–1970s carry it too (DOMAIN.md, rules of language and law).
PANAN = "330727"


@dataclass(frozen=True)
class Person:
    name: str
    region: str
    born: date
    # the 3-digit sequence code; its last digit is odd for men and even for women
    sequence: str
    role: str  # doctor / nurse / other (StaffRole)
    licence_no: str = ""

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


class _County:
    """Acts as the demo accounts act, through the services, and notes what it made."""

    def __init__(self, today: date):
        self.today = today
        self.made: list[SampleCase] = []
        self._users: dict[str, User] = {}

    def user(self, username: str) -> User:
        if username not in self._users:
            self._users[username] = User.objects.get(username=username)
        return self._users[username]

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

    def approve_agreement(self, case: Case, township: str, comments: tuple[str, str, str]) -> Case:
        """Township, then 卫健局 and 民政局 (parallel steps, taken here one after the other)."""
        for reviewer, comment in zip((township, "health-1", "civil-1"), comments, strict=True):
            self.decide(case, reviewer, comment=comment)
        return case


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


ONSITE, CHECKUP, EDUCATION, FREE_CLINIC, PHONE, GREEN, RECORDS = (
    ServiceItem.ONSITE_VISITS,
    ServiceItem.ANNUAL_CHECKUP,
    ServiceItem.HEALTH_EDUCATION,
    ServiceItem.FREE_CLINIC_TCM,
    ServiceItem.PHONE_ADVICE,
    ServiceItem.GREEN_CHANNEL,
    ServiceItem.HEALTH_RECORDS,
)


def _clinic(
    name: str, kind: str, *, area: str, services_text: str, equipment: str, opens: date, insurance: bool = False
) -> dict:
    data = {
        "clinic_name": name,
        "clinic_type": kind,
        "services": services_text,
        "floor_area": area,
        "equipment": equipment,
        "opening_date": opens.isoformat(),
    }
    if insurance:
        data["medical_insurance"] = "on"
    return data


GENERAL_SERVICES = "常见病、多发病诊治；慢性病管理与用药指导；老年人健康体检；院内感染防控；急症初步处置与转诊"
NURSING_SERVICES = "日常护理；生命体征监测；压疮预防与护理；康复护理指导；用药管理"
GENERAL_EQUIPMENT = "心电图机、全自动电子血压计、血糖仪、制氧机、自动体外除颤器（AED）、急救药品柜、诊察床"
NURSING_EQUIPMENT = "血压计、血糖仪、雾化器、吸痰器、气垫床、急救箱"


def _filings(county: _County) -> None:
    today = county.today

    # 1. 属地初审, waiting in 安文街道's 待领取.
    case = county.file(
        "inst-anwen-qinchunyuan",
        clinic=_clinic(
            "沁春园养老院护理站",
            "nursing_station",
            area="62.50",
            services_text=NURSING_SERVICES,
            equipment=NURSING_EQUIPMENT,
            opens=today + timedelta(days=45),
        ),
        staff=[
            Person("陈晓燕", PANAN, date(1991, 7, 14), "128", "nurse", "201533012871"),
            Person("周丽萍", PANAN, date(1979, 10, 2), "046", "nurse", "200233004512"),
        ],
    )
    county.note(case, "属地初审，待领取", "twp-anwen 审核任务→待领取；inst-anwen-qinchunyuan")

    # 2. 属地初审, claimed by twp-anwen: in its 待办. The county's biggest home (600 beds)
    # must run its own clinic (100 beds or more), and asks for 医保定点 too.
    case = county.file(
        "inst-welfare-centre",
        clinic=_clinic(
            "县社会福利中心医务室",
            "clinic_room",
            area="186.40",
            services_text=GENERAL_SERVICES + "；中医理疗",
            equipment=GENERAL_EQUIPMENT + "、中频治疗仪",
            opens=today + timedelta(days=30),
            insurance=True,
        ),
        staff=[
            Person("张卫东", PANAN, date(1958, 3, 12), "031", "doctor", "110330700004127"),  # 返聘
            Person("卢海燕", PANAN, date(1986, 11, 23), "042", "doctor", "110330727000562"),
            Person("厉秀芳", PANAN, date(1972, 9, 8), "064", "nurse", "199533001276"),
            Person("孔佳怡", PANAN, date(1998, 5, 16), "026", "nurse", "202033015508"),  # check character X
            Person("羊志强", PANAN, date(2001, 2, 27), "015", "other"),  # 药剂员
        ],
    )
    county.claim(case, "twp-anwen")
    county.note(case, "属地初审，已领取", "twp-anwen 审核任务→待办；inst-welfare-centre")

    # 3. At 民政局, overdue: its 5 working days ran out at least two working days ago.
    case = county.file(
        "inst-xinwo-home",
        clinic=_clinic(
            "新渥敬老院医务室",
            "clinic_room",
            area="96.00",
            services_text=GENERAL_SERVICES,
            equipment=GENERAL_EQUIPMENT,
            opens=today + timedelta(days=20),
        ),
        staff=[
            Person("周国平", PANAN, date(1963, 4, 19), "017", "doctor", "110330700002215"),
            Person("陈雅婷", PANAN, date(1995, 12, 1), "088", "nurse", "201833010347"),
        ],
    )
    county.decide(case, "twp-xinwo", comment="经现场核查，医务室设在敬老院一楼，与申报材料一致，同意上报。")
    # A deadline can only pass with time: move this case back so that the 民政局 step,
    # started when the township approved, is overdue; the deadline watch then escalates
    # it to 民政局's head, as the hourly beat would have.
    _backdate(case, _days_back_for_overdue(today, 5))
    county.note(
        case, "民政局确认登记，已超期", "civil-1 审核任务→待领取；civil-head 时限提醒；twp-xinwo；inst-xinwo-home"
    )

    # 4. At 卫健局 (备案).
    case = county.file(
        "inst-shuangfeng-centre",
        clinic=_clinic(
            "双峰乡居家养老服务中心卫生所",
            "health_post",
            area="120.80",
            services_text=GENERAL_SERVICES,
            equipment=GENERAL_EQUIPMENT,
            opens=today + timedelta(days=60),
        ),
        staff=[
            Person("杨志明", PANAN, date(1968, 8, 30), "053", "doctor", "110330700003398"),
            Person("金晓红", PANAN, date(1988, 6, 5), "102", "nurse", "201133006614"),
            Person("陈梦洁", PANAN, date(2000, 1, 18), "024", "nurse", "202233019075"),
        ],
    )
    county.decide(case, "twp-shuangfeng", comment="场所、人员与申报一致，同意上报。")
    county.decide(case, "civil-1", comment="该中心已在民政部门办理养老机构备案，床位100张，情况属实。")
    county.note(case, "卫健局备案", "health-1 审核任务→待领取；twp-shuangfeng；inst-shuangfeng-centre")

    # 5. Filed by 卫健局 (the filing number is assigned); 医保局 decides the 医保定点 it asked for.
    case = county.file(
        "inst-renchuan-yishouyuan",
        clinic=_clinic(
            "洋庄颐寿苑医务室",
            "clinic_room",
            area="88.60",
            services_text=GENERAL_SERVICES,
            equipment=GENERAL_EQUIPMENT,
            opens=today + timedelta(days=15),
            insurance=True,
        ),
        staff=[
            Person("吴建华", PANAN, date(1955, 12, 3), "035", "doctor", "110330700001046"),  # 返聘
            Person("厉佳敏", PANAN, date(1993, 2, 24), "068", "nurse", "201633011982"),
        ],
    )
    county.decide(case, "twp-renchuan", comment="同意上报。")
    county.decide(case, "civil-1", comment="养老机构备案信息核实无误。")
    county.decide(case, "health-1", comment="人员配备符合医务室基本标准，予以备案。")
    county.note(
        case,
        "已备案并分配备案编号，待医保局决定医保定点",
        "insurance-1 审核任务→待领取；health-1 已办；twp-renchuan；inst-renchuan-yishouyuan",
    )

    # 6. Returned by 卫健局 for supplement: a nursing station needs two registered nurses.
    case = county.file(
        "inst-yushan-home",
        clinic=_clinic(
            "玉山敬老院护理站",
            "nursing_station",
            area="45.00",
            services_text=NURSING_SERVICES,
            equipment=NURSING_EQUIPMENT,
            opens=today + timedelta(days=40),
        ),
        staff=[
            Person("孔美玲", PANAN, date(1976, 7, 21), "082", "nurse", "199833002741"),
            Person("张秀英", PANAN, date(1960, 5, 9), "046", "other"),  # 护理员
        ],
    )
    county.decide(case, "twp-yushan", comment="同意上报。")
    county.decide(case, "civil-1", comment="养老机构备案信息核实无误。")
    county.decide(
        case,
        "health-1",
        Decision.RETURN,
        comment="护理站应至少配备2名注册护士，现仅1名；请补充人员后重新提交。",
        missing_items=["第二名注册护士的执业证书及身份证明", "护理站业务用房平面图"],
    )
    county.note(case, "卫健局退回，待申请人补正", "inst-yushan-home 补正；health-1 已办；twp-yushan")

    # 7. Rejected at 属地初审, with its rejection notice: the room is not in the home.
    case = county.file(
        "inst-shanghu-centre",
        clinic=_clinic(
            "尚湖镇居家养老服务中心医务室",
            "clinic_room",
            area="52.30",
            services_text=GENERAL_SERVICES,
            equipment=GENERAL_EQUIPMENT,
            opens=today + timedelta(days=30),
        ),
        staff=[
            Person("马振华", PANAN, date(1966, 1, 27), "057", "doctor", "110330700002873"),
            Person("应丽君", PANAN, date(1989, 9, 13), "126", "nurse", "201233007718"),
        ],
    )
    county.decide(
        case,
        "twp-shanghu",
        Decision.REJECT,
        comment="经现场核查，申报的业务用房为中心对面租用的沿街店面，不在养老机构场所内，不属于养老机构内设医疗机构，不予通过。建议与尚湖镇卫生院签订医养合作协议。",
    )
    county.note(case, "属地初审不予通过，不予通过通知书", "inst-shanghu-centre；twp-shanghu 已办")

    # 8. Filed, 医保定点 granted: its signed 备案凭证.
    case = county.file(
        "inst-jianshan-centre",
        clinic=_clinic(
            "尖山镇居家养老服务中心医务室",
            "clinic_room",
            area="78.20",
            services_text=GENERAL_SERVICES,
            equipment=GENERAL_EQUIPMENT,
            opens=today + timedelta(days=10),
            insurance=True,
        ),
        staff=[
            Person("曹立新", PANAN, date(1971, 11, 6), "013", "doctor", "110330700003051"),
            Person("郑婷婷", PANAN, date(1997, 3, 29), "046", "nurse", "201933014263"),
        ],
    )
    county.decide(case, "twp-jianshan", comment="同意上报。")
    county.decide(case, "civil-1", comment="养老机构备案信息核实无误。")
    county.decide(case, "health-1", comment="符合养老机构医务室基本标准，予以备案。")
    county.decide(case, "insurance-1", comment="同意纳入医保定点管理，请按协议管理要求接入医保信息系统。")
    county.note(
        case,
        "已备案，同意医保定点：备案凭证、审批记录表",
        "inst-jianshan-centre；twp-jianshan、civil-1、health-1、insurance-1 已办",
    )

    # 9. Withdrawn by the applicant while at 属地初审.
    case = county.file(
        "inst-fangqian-centre",
        clinic=_clinic(
            "方前镇居家养老服务中心护理站",
            "nursing_station",
            area="48.00",
            services_text=NURSING_SERVICES,
            equipment=NURSING_EQUIPMENT,
            opens=today + timedelta(days=90),
        ),
        staff=[
            Person("蒋丽华", PANAN, date(1984, 4, 11), "062", "nurse", "200733005129"),
            Person("胡晓燕", PANAN, date(1990, 8, 17), "084", "nurse", "201333008840"),
        ],
    )
    services.withdraw_case(user=county.user("inst-fangqian-centre"), case_no=case.case_no)
    county.note(case, "申请人撤回", "inst-fangqian-centre；twp-fangqian")


def _agreements(county: _County) -> None:
    today = county.today
    reviewed = (
        "经核实，双方资质齐全，同意上报。",
        "服务项目与人员安排符合医养协同要求，同意。",
        "甲方为已备案养老机构，同意。",
    )

    # In force: the county's biggest home with its subdistrict's health centre, for three
    # years from the first of January (registered at go-live, see the module docstring).
    start = date(today.year, 1, 1)
    case = county.agree(
        "inst-welfare-centre",
        "inst-anwen-chc",
        county.terms(
            "welfare-centre",
            "anwen-chc",
            start=start,
            end=_add_years(start, 3) - timedelta(days=1),
            residents=420,
            items=[ONSITE, CHECKUP, EDUCATION, FREE_CLINIC, PHONE, GREEN, RECORDS],
            visits=2,
            fee="50000.00",
        ),
    )
    county.approve_agreement(case, "twp-anwen", reviewed)
    county.note(case, "三年期，双方及两局签章的医养合作协议", "inst-welfare-centre、inst-anwen-chc 合作协议；twp-anwen")

    # Approved, taking effect on the first of next month (待生效).
    start = _first_of_month(today, 1)
    case = county.agree(
        "inst-panfeng-hc",
        "inst-panfeng-centre",
        county.terms(
            "panfeng-centre",
            "panfeng-hc",
            start=start,
            end=_add_years(start, 1) - timedelta(days=1),
            residents=9,
            items=[ONSITE, CHECKUP, PHONE, RECORDS],
            visits=1,
            fee="20000.00",
        ),
    )
    county.approve_agreement(case, "twp-panfeng", reviewed)
    county.note(case, f"待生效：{start:%Y-%m-%d}起生效", "inst-panfeng-centre、inst-panfeng-hc 合作协议；twp-panfeng")

    # In force since last year and ending in 20 days: the lifecycle run below reminds both parties.
    end = today + timedelta(days=20)
    expiring = county.agree(
        "inst-lengshui-centre",
        "inst-lengshui-hc",
        county.terms(
            "lengshui-centre",
            "lengshui-hc",
            start=_add_years(end, -1) + timedelta(days=1),
            end=end,
            residents=10,
            items=[ONSITE, CHECKUP, EDUCATION, PHONE, GREEN],
            visits=1,
            fee="21637.50",
        ),
    )
    county.approve_agreement(expiring, "twp-lengshui", reviewed)

    # Terminated early by the health centre, with its signed termination notice.
    start = _first_of_month(today, -8)
    case = county.agree(
        "inst-yaochuan-centre",
        "inst-yaochuan-hc",
        county.terms(
            "yaochuan-centre",
            "yaochuan-hc",
            start=start,
            end=_add_years(start, 2) - timedelta(days=1),
            residents=10,
            items=[ONSITE, CHECKUP, PHONE, RECORDS],
            visits=2,
            fee="24580.00",
        ),
    )
    county.approve_agreement(case, "twp-yaochuan", reviewed)
    agreements.terminate_cooperation(
        user=county.user("inst-yaochuan-hc"),
        case_no=case.case_no,
        reason="卫生院唯一的全科医生调往县人民医院，无法保证每周两次上门服务，经双方协商提前终止。",
    )
    county.note(case, "乙方提前终止，终止通知书", "inst-yaochuan-centre、inst-yaochuan-hc 合作协议；twp-yaochuan")

    # A one-year agreement that ended yesterday: the lifecycle run below expires it, and
    # the health centre then drafts its renewal, which waits for the home's confirmation.
    end = today - timedelta(days=1)
    expired = county.agree(
        "inst-jiuhe-centre",
        "inst-jiuhe-hc",
        county.terms(
            "jiuhe-centre",
            "jiuhe-hc",
            start=_add_years(end, -1) + timedelta(days=1),
            end=end,
            residents=8,
            items=[ONSITE, CHECKUP, PHONE],
            visits=1,
            fee="20000.00",
        ),
    )
    county.approve_agreement(expired, "twp-jiuhe", reviewed)

    # In bureau review, after one round of changes: the home asked for a lower fee.
    terms = county.terms(
        "shuangxi-centre",
        "shuangxi-hc",
        start=_first_of_month(today, 1),
        end=_first_of_month(today, 13) - timedelta(days=1),
        residents=10,
        items=[ONSITE, CHECKUP, EDUCATION, PHONE, GREEN],
        visits=1,
        fee="25000.00",
    )
    case = agreements.draft_cooperation(user=county.user("inst-shuangxi-hc"), terms=terms)
    agreements.request_cooperation_changes(
        user=county.user("inst-shuangxi-centre"),
        case_no=case.case_no,
        comment="本中心入住老人仅10人，年服务费请按政策下限调整为20,000.00元。",
    )
    agreements.resubmit_cooperation(
        user=county.user("inst-shuangxi-hc"), case_no=case.case_no, terms={**terms, "annual_fee": Decimal("20000.00")}
    )
    agreements.confirm_cooperation(user=county.user("inst-shuangxi-centre"), case_no=case.case_no)
    county.decide(case, "twp-shuangxi", comment=reviewed[0])
    county.note(
        case,
        "卫健局、民政局并行审核",
        "health-1、civil-1 审核任务→待领取；twp-shuangxi 已办；inst-shuangxi-centre、inst-shuangxi-hc",
    )

    # The daily lifecycle job, as cron or beat runs it: expires the agreement that ended
    # yesterday and reminds both parties of the one ending in 20 days.
    run_agreement_lifecycle(today=today)
    county.note(
        expiring,
        f"{expiring.cooperation.end_date:%Y-%m-%d}到期，已向双方发到期提醒",
        "inst-lengshui-centre、inst-lengshui-hc 合作协议及到期提醒；twp-lengshui",
    )
    county.note(expired, "一年期协议昨日到期", "inst-jiuhe-centre、inst-jiuhe-hc 合作协议；twp-jiuhe")

    renewal = agreements.renew_cooperation(
        user=county.user("inst-jiuhe-hc"),
        case_no=expired.case_no,
        terms={**agreements.renewal_terms(expired), "annual_fee": Decimal("22000.00")},
    )
    county.note(
        renewal,
        f"续签{expired.case_no}，待九和乡居家养老服务中心确认",
        "inst-jiuhe-centre 案件页确认；inst-jiuhe-hc；twp-jiuhe",
    )


def load_sample_cases() -> list[SampleCase]:
    """Make the sample cases (all or nothing) and leave the marker; the caller checks it first.

    One transaction: a refusal half-way (say an institution already has an open filing)
    leaves nothing behind. The documents the decisions requested are issued when it
    commits (transaction.on_commit), eagerly in the embedded set-up or by the workers.
    """
    # Today, not a date of the caller's choosing: the services and forms date everything by the clock.
    today = timezone.localdate()
    county = _County(today)
    with transaction.atomic():
        _filings(county)
        _agreements(county)
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
