"""Test helpers: sample files, a valid application, and a driver that moves a case through its steps."""

import io
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from common.validators import check_upload
from workflows import scoping, services
from workflows.models import Case

# A real, tiny PDF (one empty page) — accepted by content sniffing and by PDF readers.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


# Valid ID numbers (GB 11643 check character): a doctor and two nurses.
# A Panan doctor born in 1968 (the region code 330727 is younger than she is), nurses of 1990 and 1985.
DOCTOR_ID = "330727196803151235"
NURSE_ID = "330727199003071230"
NURSE2_ID = "330727198512120016"


def valid_staff() -> list[dict]:
    return [
        {"name": "王医生", "id_number": DOCTOR_ID, "role": "doctor", "licence_no": "110330000001"},
        {"name": "李护士", "id_number": NURSE_ID, "role": "nurse", "licence_no": "202233000123"},
    ]


def valid_filing(**overrides) -> dict:
    data = {
        "clinic_name": "社会福利中心医务室",
        "clinic_type": "clinic_room",
        "services": "常见病诊治、慢病管理、健康体检",
        "floor_area": Decimal("120.50"),
        "equipment": "心电图机、血压计、急救箱",
        "opening_date": timezone.localdate() + timedelta(days=30),
        "medical_insurance": False,
    }
    data.update(overrides)
    return data


def api_filing(attachment_ids: list[int], **overrides) -> dict:
    """The same application as JSON for the API."""
    data = valid_filing(**overrides)
    data["floor_area"] = str(data["floor_area"])
    if isinstance(data["opening_date"], date):
        data["opening_date"] = data["opening_date"].isoformat()
    data.setdefault("staff", valid_staff())
    data["attachments"] = attachment_ids
    return data


def uploaded_pdf(name: str = "场所证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


class FilingDriver:
    """Submits and moves clinic filings through the service layer (test set-up, not the thing tested)."""

    def __init__(self, users, capture_on_commit):
        self.users = users
        self.capture = capture_on_commit

    def attachment(self, username: str = "inst-welfare-centre"):
        user = self.users(username)
        return services.store_attachments(user=user, files=[("证明.pdf", check_upload(uploaded_pdf()))])[0]

    def submit(self, username: str = "inst-welfare-centre", *, staff=None, **overrides) -> Case:
        user = self.users(username)
        return services.submit_clinic_filing(
            user=user,
            filing=valid_filing(**overrides),
            staff=staff if staff is not None else valid_staff(),
            attachments=[self.attachment(username)],
        )

    def open_task(self, case: Case, username: str):
        return scoping.task_queue(self.users(username)).get(process=case)

    def decide(self, case: Case, username: str, decision: str = "approve", **kwargs) -> Case:
        user = self.users(username)
        task = self.open_task(case, username)
        services.claim_task(user=user, task_id=task.pk)
        defaults = {
            "return": {"comment": "材料不全", "missing_items": ["房屋产权证明"]},
            "reject": {"comment": "不符合备案条件"},
        }.get(decision, {})
        with self.capture(execute=True):
            services.decide_task(user=user, task_id=task.pk, decision=decision, **{**defaults, **kwargs})
        case.refresh_from_db()
        return case

    def to_step(self, case: Case, step: str, township: str = "twp-anwen") -> Case:
        """Approve the steps before `step` (township_review → civil_affairs_review → health_filing)."""
        order = [("township_review", township), ("civil_affairs_review", "civil-1"), ("health_filing", "health-1")]
        for name, username in order:
            if name == step:
                return case
            self.decide(case, username)
        return case

    def file(self, case: Case, township: str = "twp-anwen") -> Case:
        """Take a case all the way to 备案 (and through 医保 when asked)."""
        self.to_step(case, "end", township)
        if case.clinic_filing.medical_insurance:
            self.decide(case, "insurance-1")
        return case
