"""The county is data: no county's name in the code, and a made-up second county runs a case with its own names.

The second county, 青溪县 (tests/data/qingxi/), is loaded inside an ordinary test
transaction over the demo county: the fixture first removes the demo county's
accounts, institutions, townships and basis documents (nothing refers to them in the
base state: no case exists), then loads the new directory, which replaces the county
row and renames the four bureaus by code. The state the case runs in thus holds only
the new county's units, as a fresh installation would, and the transaction is rolled
back afterwards, so the other tests still find the demo county; a transactional test
(flush and reload) would cost seconds for the same isolation.
"""

import csv
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from documents.issuers import issuer_for
from documents.models import DocumentStatus, PolicyBasis
from institutions.county import CountyNotLoaded, current_county
from institutions.loader import CountyDataError, load_county
from institutions.models import County, Department, Institution, Township
from permissions.models import User
from permissions.roles import Role
from permissions.services import create_user
from workflows import services
from workflows.models import CaseState

from .helpers import uploaded_pdf, valid_filing

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
QINGXI = ROOT / "tests" / "data" / "qingxi"
FIRST_COUNTY = Path(settings.COUNTY_DATA_DIR)
PASSWORD = "qingxi-test-2026"

# The first county's name, 简称, codes and 发文代字: none may appear in the code.
FIRST_COUNTY_MARKS = ("磐", "磐安", "Panan", "330727", "PA-", '"PA"', "磐卫", "磐民", "磐财", "磐医保")
# Folders that are data (or history, or tests), where the county's names belong.
NOT_CODE = {".git", ".venv", "var", "tests", "migrations", "data", "node_modules", "__pycache__"}


def code_files():
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if path.suffix in {".py", ".html"} and not NOT_CODE & set(relative.parts[:-1]):
            yield relative, path.read_text(encoding="utf-8")


def test_no_code_or_template_names_the_first_county():
    township_names = [row["name"] for row in csv.DictReader(open(FIRST_COUNTY / "townships.csv", encoding="utf-8"))]
    found = [
        f"{relative}:{number}: {mark}"
        for relative, text in code_files()
        for number, line in enumerate(text.splitlines(), start=1)
        for mark in (*FIRST_COUNTY_MARKS, *township_names)
        if mark in line
    ]
    assert not found, "county names belong in its data directory:\n" + "\n".join(found)


def test_git_grep_agrees():
    """The check of the issue, as a maintainer would type it."""
    result = subprocess.run(
        ["git", "grep", "-n", "-e", "磐", "-e", "Panan", "-e", "330727", "-e", '"PA"', "-e", "PA-", "--"]
        + ["*.py", "*.html", ":!tests", ":!*/migrations/*", ":!institutions/data"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode == 128:
        pytest.skip(f"not a git checkout: {result.stderr.strip()}")
    assert result.stdout == "", result.stdout


@pytest.fixture
def qingxi(demo):
    """青溪县 alone: the demo county's units go (in this test's transaction), the new files come in."""
    User.objects.all().delete()
    Institution.objects.all().delete()
    Township.objects.all().delete()
    PolicyBasis.objects.all().delete()
    return load_county(QINGXI)


def account(username: str, role: str, **binding) -> User:
    return create_user(username=username, password=PASSWORD, roles={role}, display_name=username, **binding)


@pytest.fixture
def qingxi_keys(qingxi, settings, tmp_path):
    """The county's own signing keys, made after loading it (docs/operations.md, "A new county").

    The run's shared keys were made for the demo county: its units' certificates carry
    the demo county's names, and the same unit codes would sign with them.
    """
    from documents.keys import create_root, write_root

    settings.SIGNING_KEYS_DIR = tmp_path / "keys"
    write_root(*create_root())
    return settings.SIGNING_KEYS_DIR


@pytest.fixture
def qingxi_accounts(qingxi, qingxi_keys):
    return {
        "applicant": account("qx-home", Role.APPLICANT, institution=Institution.objects.get(code="xiyuan-home")),
        "township": account("qx-xiyuan", Role.TOWNSHIP_REVIEWER, township=Township.objects.get(code="xiyuan")),
        "civil": account("qx-civil", Role.CIVIL_REVIEWER, department=Department.objects.get(code="civil_affairs")),
        "health": account("qx-health", Role.HEALTH_REVIEWER, department=Department.objects.get(code="health")),
    }


def decide(case, user, decision="approve", comment=""):
    from workflows import scoping

    task = scoping.task_queue(user).get(process=case)
    services.claim_task(user=user, task_id=task.pk)
    services.decide_task(user=user, task_id=task.pk, decision=decision, comment=comment, missing_items=[])
    case.refresh_from_db()
    return case


def submit(applicant):
    from common.validators import check_upload

    attachment = services.store_attachments(user=applicant, files=[("证明.pdf", check_upload(uploaded_pdf()))])[0]
    region = current_county().division_code  # the staff's cards were issued in this county
    staff = [
        {"name": "方医生", "id_number": id_number(region, "19700101", "031"), "role": "doctor", "licence_no": "1"},
        {"name": "吴护士", "id_number": id_number(region, "19920202", "046"), "role": "nurse", "licence_no": "2"},
    ]
    return services.submit_clinic_filing(
        user=applicant, filing=valid_filing(clinic_name="溪源颐养院医务室"), staff=staff, attachments=[attachment]
    )


def id_number(region: str, born: str, sequence: str) -> str:
    from stdnum.cn import ric

    body = f"{region}{born}{sequence}"
    return body + ric.calc_check_digit(body + "0")


def root_subject(keys_dir: Path) -> str:
    from cryptography import x509

    return x509.load_pem_x509_certificate((keys_dir / "root-ca.pem").read_bytes()).subject.rfc4514_string()


def signature_locations(document) -> list[str]:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    with document.file.open("rb") as handle:
        reader = PdfFileReader(BytesIO(handle.read()), strict=False)
    return [str(signature.sig_object["/Location"]) for signature in reader.embedded_signatures]


def pdftotext(document) -> str:
    with document.file.open("rb") as handle:
        pdf = handle.read()
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", text.decode("utf-8"))


def test_the_second_county_is_loaded_alone_and_by_its_own_rules(qingxi):
    county = qingxi.county
    assert (county.name, county.abbreviation, county.division_code, county.case_prefix) == (
        "青溪县",
        "青",
        "339901",
        "QX",
    )
    assert County.objects.count() == 1 and current_county() == county
    assert (qingxi.departments, qingxi.townships, qingxi.institutions, qingxi.basis_documents) == (4, 2, 2, 2)
    health = Department.objects.get(code="health")
    assert (health.name, health.short_name, health.doc_prefix) == ("青溪县卫生健康局", "县卫健局", "青卫")
    # 青山镇's file row leaves its issuing name and 代字 blank: they follow the county's rule.
    qingshan = issuer_for(Township.objects.get(code="qingshan"))
    assert (qingshan.name, qingshan.doc_prefix) == ("青溪县青山镇人民政府", "青青山")
    xiyuan = issuer_for(Township.objects.get(code="xiyuan"))
    assert (xiyuan.name, xiyuan.doc_prefix) == ("青溪县溪源街道办事处", "青溪源")
    centre = Institution.objects.get(code="qingshan-hc")
    assert centre.address == "青溪县青山镇" and centre.operating_since.isoformat() == "2008-01-01"
    assert Institution.objects.get(code="xiyuan-home").care_models == ["clinic_in_care"]
    # Loading again changes nothing.
    again = load_county(QINGXI)
    assert (again.townships, again.institutions) == (2, 2) and Township.objects.count() == 2


def test_a_clinic_filing_of_the_second_county_carries_its_names_and_numbers(
    qingxi_accounts, qingxi_keys, django_capture_on_commit_callbacks
):
    people = qingxi_accounts
    year = timezone.localdate().year

    # A first filing, rejected at 属地初审: the township office's notice carries its own 代字.
    rejected = submit(people["applicant"])
    with django_capture_on_commit_callbacks(execute=True):
        decide(rejected, people["township"], "reject", comment="业务用房不在养老机构内，不予通过。")
    notice = rejected.documents.get(kind="rejection_notice")
    assert notice.status == DocumentStatus.ISSUED, notice.last_error
    assert notice.number == f"青溪源医养不予〔{year}〕1号"
    assert "青溪县溪源街道办事处" in pdftotext(notice)

    case = submit(people["applicant"])
    assert case.case_no.startswith(f"QX-{year}-BA-")
    with django_capture_on_commit_callbacks(execute=True):
        for reviewer in ("township", "civil", "health"):  # 属地初审 → 民政局确认 → 卫健局备案
            decide(case, people[reviewer])
    assert case.state == CaseState.APPROVED
    assert case.clinic_filing.filing_no.startswith(f"339901-YLNS-{year}-")

    certificate = case.documents.get(kind="filing_certificate")
    assert certificate.status == DocumentStatus.ISSUED, certificate.last_error
    assert certificate.number == f"青卫医养备〔{year}〕1号"
    assert [signature.signer for signature in certificate.signatures.all()] == ["青溪县卫生健康局"]
    assert "青溪县医养结合电子文书根证书" in root_subject(qingxi_keys)
    assert signature_locations(certificate) == ["浙江省青溪县"]
    text = pdftotext(certificate)
    assert "青溪县卫生健康局" in text and certificate.number in text
    assert "磐安" not in text and "磐" not in text

    # The pages name the county whose row is loaded.
    client = Client()
    client.force_login(people["applicant"])
    page = client.get(f"/cases/{case.case_no}/").content.decode()
    title = re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)
    assert "青溪县医养结合办件系统" in title and "磐安" not in page


def test_a_bad_file_names_its_line_and_loads_nothing(qingxi, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("county.csv", "departments.csv", "townships.csv", "policy_basis.csv"):
        (broken / name).write_text((QINGXI / name).read_text(encoding="utf-8"), encoding="utf-8")
    (broken / "county.csv").write_text(
        (QINGXI / "county.csv").read_text(encoding="utf-8").replace("青溪县,青,", "青石县,石,"), encoding="utf-8"
    )
    rows = (QINGXI / "institutions.csv").read_text(encoding="utf-8")
    (broken / "institutions.csv").write_text(rows.replace("52339901790966351X", "52339901790966351Y"), encoding="utf-8")
    with pytest.raises(CountyDataError, match=r"institutions\.csv, line 2: uscc"):
        load_county(broken)
    assert current_county().name == "青溪县"  # the county row of the same load was rolled back too

    (broken / "departments.csv").write_text("code,name,short_name,doc_prefix\nhealth,青石县卫生健康局,县卫健局,石卫\n")
    with pytest.raises(CountyDataError, match="one row for each of"):
        load_county(broken)


def test_without_a_county_numbers_refuse_and_pages_still_render(qingxi):
    from workflows.numbering import new_case_number

    County.objects.all().delete()
    with pytest.raises(CountyNotLoaded):
        new_case_number("clinic_filing")
    response = Client().get("/accounts/login/")
    title = re.search(r"<title>(.*?)</title>", response.content.decode(), flags=re.S).group(1)
    assert response.status_code == 200 and title == "登录"


def test_the_county_is_edited_in_the_admin_in_chinese_and_never_added_twice_or_deleted(users):
    admin = Client()
    admin.force_login(users("admin"))
    county = current_county()
    page = admin.get(f"/admin/institutions/county/{county.pk}/change/").content.decode()
    for label in ("名称", "简称", "行政区划代码", "办件编号前缀", "所属省份", "本级人民政府"):
        assert label in page
    assert admin.get("/admin/institutions/county/add/").status_code == 403
    assert admin.get(f"/admin/institutions/county/{county.pk}/delete/").status_code == 403
    values = {
        "name": county.name,
        "abbreviation": county.abbreviation,
        "division_code": "033072",  # a leading zero is no division code
        "case_prefix": "pa",  # lower case is refused
        "province": county.province,
        "government": county.government,
    }
    response = admin.post(f"/admin/institutions/county/{county.pk}/change/", values)
    assert response.status_code == 200
    assert (
        "行政区划代码应为6位数字" in response.content.decode()
        and "办件编号前缀应为2至4个大写英文字母" in response.content.decode()
    )
    admin.post(
        f"/admin/institutions/county/{county.pk}/change/", {**values, "division_code": "339902", "case_prefix": "QY"}
    )
    county.refresh_from_db()
    assert (county.division_code, county.case_prefix) == ("339902", "QY")
    # The new prefix opens the next case number at once, in every process (no cache to go stale).
    from django.db import transaction

    from workflows.numbering import new_case_number

    with transaction.atomic():
        assert new_case_number("clinic_filing").startswith("QY-")
    assert Permission.objects.filter(codename="change_county").exists()


def test_a_new_township_added_in_the_admin_follows_the_county_rule(users):
    admin = Client()
    admin.force_login(users("admin"))
    response = admin.post(
        "/admin/institutions/township/add/",
        {"code": "newtown", "name": "新城镇", "kind": "镇", "official_name": "", "doc_prefix": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    county = current_county()
    township = Township.objects.get(code="newtown")
    assert (township.official_name, township.doc_prefix) == (
        f"{county.name}新城镇人民政府",
        f"{county.abbreviation}新城",
    )
