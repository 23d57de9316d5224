"""The 医养合作协议 as its parties receive it: clauses, one way of writing money, the basis in force, four valid signatures.

Set YIYANG_SAMPLES_DIR=docs/img to also write the agreement's pages as PNG (the images
docs/documents.md shows).
"""

import os
import re
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from documents.basis import DEFAULT_CSV, load_policy_basis, read_rows
from documents.cooperation import basis_date, instalments
from documents.models import PolicyBasis
from documents.rendering import render_html
from documents.selectors import basis_in_force
from institutions.models import Department
from workflows.models import Case, CooperationAgreement, ServiceItem

from .test_cooperation_api import agreed, api_as, bureau
from .test_documents import pdfsig, pdftotext, pyhanko_bottom_lines
from .web import WebUser

pytestmark = pytest.mark.django_db

HOME = "inst-welfare-centre"  # 甲方: 县社会福利中心
CLAUSES = (
    "第一条甲乙双方基本信息",
    "第二条合作依据",
    "第三条合作内容",
    "第四条甲方权利义务",
    "第五条乙方权利义务",
    "第六条服务费用及支付方式",
    "第七条协议期限",
    "第八条协议的变更、续签与解除",
    "第九条违约责任",
    "第十条争议解决",
    "第十一条协议生效",
    "第十二条签署",
)


def next_three_year_term() -> tuple[date, date]:
    """From the next 1 January, three years: 2027–2029 when the suite was written, and never in the past."""
    start = date(timezone.localdate().year + 1, 1, 1)
    return start, date(start.year + 2, 12, 31)


def issued_agreement(users, capture, **terms) -> Case:
    case_no = agreed(users, **terms)
    bureau(api_as("health-1"), case_no, "approve")
    bureau(api_as("civil-1"), case_no, "approve", capture=capture)
    return Case.objects.get(case_no=case_no)


def downloaded(case: Case, tmp_path: Path) -> tuple[bytes, Path]:
    """The PDF as 甲方 downloads it from its case page."""
    document = case.documents.get(kind="cooperation_agreement")
    response = WebUser(HOME).get(f"/documents/{document.pk}/pdf")
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    path = tmp_path / "agreement.pdf"
    path.write_bytes(pdf)
    return pdf, path


@pytest.fixture
def agreement_2027(users, django_capture_on_commit_callbacks) -> Case:
    start, end = next_three_year_term()
    return issued_agreement(
        users,
        django_capture_on_commit_callbacks,
        start_date=start.isoformat(),
        end_date=end.isoformat(),
        annual_fee="36000.00",
        visits_per_week=2,
        service_items=[item.value for item in ServiceItem],
    )


def test_the_agreement_has_every_clause_one_money_format_and_four_valid_signatures(agreement_2027, tmp_path, nssdb):  # noqa: F811
    case = agreement_2027
    document = case.documents.get(kind="cooperation_agreement")
    pdf, path = downloaded(case, tmp_path)

    report = pdfsig(path, nssdb)
    assert report.count("Signature is Valid.") == 4 and report.count("Certificate is Trusted.") == 4, report
    assert "Total document signed" in report
    assert pyhanko_bottom_lines(pdf) == [True] * 4
    health, civil = Department.objects.get(code="health"), Department.objects.get(code="civil_affairs")
    parties = [case.cooperation.elderly_care_institution.name, case.cooperation.medical_institution.name]
    assert [s.signer for s in document.signatures.all()] == [*parties, health.name, civil.name]

    text = pdftotext(path)
    positions = [text.find(clause) for clause in CLAUSES]
    assert -1 not in positions, [c for c, p in zip(CLAUSES, positions, strict=True) if p == -1]
    assert positions == sorted(positions)  # in order, each once a heading

    # The fee in figures and in capitals, written one way in every place it appears.
    assert "服务费36,000.00元（叁万陆仟元整）" in text
    assert text.count("18,000.00元（壹万捌仟元整）") == 2  # two instalments a year
    assert "人民币36000" not in text and "36000.00" not in text and "36,000元" not in text
    registry = WebUser(HOME).get("/agreements/?state=all").content.decode()
    assert case.case_no in registry and "36,000.00元" in registry and "36000.00" not in registry  # the same on the page

    start, end = next_three_year_term()
    term = f"自{start.year}年1月1日起至{end.year}年12月31日止"
    assert term in text and f"自{start.year}年1月1日起生效" in text
    assert "每周上门2次" in text and "AB岗" in text
    for label in (
        "定期上门服务：",
        "健康体检：",
        "健康教育：",
        "义诊及中医药服务：",
        "电话咨询：",
        "就医绿色通道：",
        "健康档案：",
    ):
        assert label in text, label
    # Bureaus, township and parties come from the data, not the template.
    assert f"申请{health.name}、{civil.name}组织调解" in text and "协议履行地人民法院" in text
    assert f"经{case.township.name}审核" in text
    assert f"理由报{health.name}、{civil.name}备案" in text
    assert "期满前30日" in text
    for party in parties:
        assert party in text
    assert case.case_no in text and document.number in text
    assert f"{document.number}《医养合作协议》签署栏" in text
    for role in ("甲方（盖章）", "乙方（盖章）", "审核同意（盖章）"):
        assert role in text

    # The basis in force when a 2027–2029 term begins: the 实施意见, never the lapsed plan.
    opinions = PolicyBasis.objects.get(code="opinions-2023")
    assert opinions.cited_as in text and "《中华人民共和国民法典》" in text
    plan = PolicyBasis.objects.get(code="plan-2021-2023")
    assert plan.title not in text and plan.doc_number not in text and "2021—2023" not in text

    # Four signature fields, each over one seal (the 42 mm seal is ~119 pt wide).
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(pdf))
    boxes = [tuple(float(v) for v in sig.sig_field["/Rect"]) for sig in reader.embedded_signatures]
    assert len(set(boxes)) == 4
    for x1, y1, x2, y2 in boxes:
        assert 100 < x2 - x1 < 130 and 100 < y2 - y1 < 130

    if os.environ.get("YIYANG_SAMPLES_DIR"):
        stem = Path(os.environ["YIYANG_SAMPLES_DIR"]) / "cooperation_agreement-v1"
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(stem)], check=True)


class _Paragraphs(HTMLParser):
    """The text of every <p> of a rendered template."""

    def __init__(self):
        super().__init__()
        self.paragraphs: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self._depth += 1
            self.paragraphs.append("")

    def handle_endtag(self, tag):
        if tag == "p":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.paragraphs[-1] += data


def test_no_paragraph_holds_a_line_break_that_would_print_as_a_space(agreement_2027):
    document = agreement_2027.documents.get(kind="cooperation_agreement")
    parser = _Paragraphs()
    parser.feed(render_html(document, issued_at=timezone.now()))
    assert len(parser.paragraphs) > 40
    broken = [p for p in parser.paragraphs if "\n" in p or "  " in p]
    assert broken == []


def test_a_late_filed_agreement_dated_2022_would_cite_the_plan_in_force_then(agreement_2027):
    """Rendered from the same template with the term moved back to 2022."""
    CooperationAgreement.objects.filter(pk=agreement_2027.pk).update(
        start_date=date(2022, 3, 1), end_date=date(2024, 2, 29)
    )
    document = agreement_2027.documents.get(kind="cooperation_agreement")
    html = render_html(document, issued_at=timezone.now())
    plan = PolicyBasis.objects.get(code="plan-2021-2023")
    assert plan.cited_as in html
    assert "《磐安县医养结合新型养老服务工作三年行动计划（2021—2023）》（磐政〔2021〕33号）" in html
    assert PolicyBasis.objects.get(code="opinions-2023").cited_as not in html


@pytest.mark.parametrize(
    "day, cited",
    [
        (date(2020, 12, 31), []),
        (date(2021, 1, 1), ["civil-code"]),
        (date(2021, 5, 16), ["civil-code"]),
        (date(2021, 5, 17), ["civil-code", "plan-2021-2023"]),
        (date(2022, 6, 1), ["civil-code", "plan-2021-2023"]),
        (date(2023, 4, 30), ["civil-code", "plan-2021-2023"]),  # the 实施意见 is published, not yet in force
        (date(2023, 5, 1), ["civil-code", "plan-2021-2023", "opinions-2023"]),  # 30 days after publication
        (date(2023, 12, 31), ["civil-code", "plan-2021-2023", "opinions-2023"]),  # the plan's last day counts
        (date(2024, 1, 1), ["civil-code", "opinions-2023"]),  # the day after: lapsed
        (date(2027, 1, 1), ["civil-code", "opinions-2023"]),
    ],
)
def test_the_basis_in_force_on_a_day_both_ends_included(demo, day, cited):
    assert [b.code for b in basis_in_force(applies_to="cooperation", on=day)] == cited
    assert basis_in_force(applies_to="subsidy", on=day) == []


def test_an_agreement_cites_the_basis_of_its_start_date_not_its_issue_date():
    agreement = CooperationAgreement(start_date=date(2024, 1, 1), end_date=date(2026, 12, 31))
    assert basis_date(agreement) == date(2024, 1, 1)


def test_a_new_plan_added_by_the_administrator_is_cited_without_a_code_change(agreement_2027):
    start, _ = next_three_year_term()
    PolicyBasis.objects.filter(code="opinions-2023").update(effective_until=start - timedelta(days=1))
    PolicyBasis.objects.create(
        code="plan-next",
        title="医养结合高质量发展行动方案",
        issuer="县人民政府",
        doc_number="县政〔2026〕9号",
        effective_from=start,
        applies_to="cooperation",
        sort_order=50,
    )
    document = agreement_2027.documents.get(kind="cooperation_agreement")
    html = render_html(document, issued_at=timezone.now())
    assert "《医养结合高质量发展行动方案》（县政〔2026〕9号）" in html
    assert PolicyBasis.objects.get(code="opinions-2023").cited_as not in html


@pytest.mark.parametrize(
    "fee, first, second",
    [("36000.00", "18000.00", "18000.00"), ("20000.01", "10000.00", "10000.01"), ("50000.00", "25000.00", "25000.00")],
)
def test_the_two_instalments_add_up_to_the_fee_to_the_cent(fee, first, second):
    assert instalments(Decimal(fee)) == (Decimal(first), Decimal(second))


def test_the_basis_is_loaded_from_the_data_file_and_reloads_without_duplicates(demo, tmp_path):
    rows = read_rows(DEFAULT_CSV)
    assert {row["code"] for row in rows} == set(PolicyBasis.objects.values_list("code", flat=True))
    plan = PolicyBasis.objects.get(code="plan-2021-2023")
    assert plan.effective_until == date(2023, 12, 31) and plan.doc_number
    assert PolicyBasis.objects.get(code="opinions-2023").effective_from == date(2023, 5, 1)
    PolicyBasis.objects.filter(code="plan-2021-2023").update(note="edited")
    call_command("load_policy_basis", str(DEFAULT_CSV), stdout=open(os.devnull, "w"))
    assert PolicyBasis.objects.count() == len(rows) and PolicyBasis.objects.get(code="plan-2021-2023").note != "edited"

    bad = tmp_path / "bad.csv"
    bad.write_text(DEFAULT_CSV.read_text(encoding="utf-8").replace("2023-12-31", "2023-13-31"), encoding="utf-8")
    with pytest.raises(ValueError, match="line 3"):
        load_policy_basis(bad)
    assert PolicyBasis.objects.get(code="plan-2021-2023").effective_until == date(2023, 12, 31)


def test_the_basis_is_editable_in_the_admin_in_chinese(users):
    from django.test import Client

    admin = Client()
    admin.force_login(users("admin"))
    listing = admin.get("/admin/documents/policybasis/").content.decode()
    assert "依据文件" in listing and "《中华人民共和国民法典》" in listing
    row = PolicyBasis.objects.get(code="plan-2021-2023")
    page = admin.get(f"/admin/documents/policybasis/{row.pk}/change/").content.decode()
    for label in ("文件名称", "发布机关", "文号", "施行日期", "有效期至", "适用事项"):
        assert label in page
    # A period that ends before it starts is refused.
    response = admin.post(
        f"/admin/documents/policybasis/{row.pk}/change/",
        {
            "code": row.code,
            "title": row.title,
            "issuer": row.issuer,
            "doc_number": row.doc_number,
            "citation": "",
            "effective_from": "2021-05-17",
            "effective_until": "2020-01-01",
            "applies_to": "cooperation",
            "sort_order": "50",
            "note": "",
        },
    )
    assert response.status_code == 200 and "有效期至不得早于施行日期" in response.content.decode()
    row.refresh_from_db()
    assert row.effective_until == date(2023, 12, 31)


def test_the_county_is_data_no_county_name_in_the_agreement_code_or_templates():
    """The county's names live in institutions/data and the database, not in what renders the agreement."""
    root = Path(settings.BASE_DIR)
    county = ("磐安", "磐政", "磐卫", "磐民")  # the first county's name and its 发文代字
    files = [
        root / "documents" / "cooperation.py",
        root / "documents" / "basis.py",
        root / "documents" / "selectors.py",
        root / "documents" / "public.py",
        *sorted((root / "templates" / "documents").glob("*.html")),
    ]
    for path in files:
        source = path.read_text(encoding="utf-8")
        for name in county:
            assert name not in source, (path.name, name)
    assert re.search(r"磐政〔2021〕33号", DEFAULT_CSV.read_text(encoding="utf-8"))
