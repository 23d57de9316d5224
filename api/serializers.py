"""The shapes the API returns (docs/api-contract.md), and the request bodies the forms don't describe."""

from django.urls import reverse
from rest_framework import serializers
from viewflow.workflow.status import STATUS

from common.validators import mask_id_number
from documents.models import Document
from forms.clinic_filing import ClinicFilingForm, StaffForm
from forms.cooperation import CooperationForm
from forms.decisions import DecisionForm
from institutions.models import Institution
from workflows.models import Case, CaseTask, Procedure

from .forms_bridge import serializer_for_form

# --- requests (schema only; validation is the forms') -------------------------------------

StaffRequest = serializer_for_form(StaffForm, "StaffRequest")
ClinicFilingRequest = serializer_for_form(
    ClinicFilingForm,
    "ClinicFilingRequest",
    extra={
        "staff": serializers.ListField(child=StaffRequest(), min_length=1),
        "attachments": serializers.ListField(child=serializers.IntegerField(), min_length=1),
    },
)
ClinicFilingResubmitRequest = serializer_for_form(
    ClinicFilingForm,
    "ClinicFilingResubmitRequest",
    optional=True,
    extra={
        "staff": serializers.ListField(child=StaffRequest(), required=False),
        "attachments": serializers.ListField(
            child=serializers.IntegerField(), required=False, help_text="附件（追加）"
        ),
    },
)
CooperationRequest = serializer_for_form(CooperationForm, "CooperationRequest")
# Resubmission and renewal take only the fields that change.
CooperationChangesRequest = serializer_for_form(CooperationForm, "CooperationChangesRequest", optional=True)


class CommentRequest(serializers.Serializer):
    comment = serializers.CharField(max_length=1000)


class ReasonRequest(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


DecisionRequest = serializer_for_form(
    DecisionForm, "DecisionRequest", extra={"fields": serializers.DictField(required=False)}
)


class TokenRequest(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField()


class TokenResponse(serializers.Serializer):
    token = serializers.CharField()


class ReassignRequest(serializers.Serializer):
    to = serializers.CharField(help_text="username")
    reason = serializers.CharField(required=False, max_length=200, help_text="改派原因（网页上必填；记入办理进度）")


class UploadRequest(serializers.Serializer):
    file = serializers.FileField()


class CorrectionRequest(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class IdResponse(serializers.Serializer):
    id = serializers.IntegerField()


class UserCreateRequest(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    display_name = serializers.CharField(required=False)
    institution = serializers.IntegerField(required=False, allow_null=True)
    township = serializers.CharField(required=False, allow_null=True, help_text="township code")
    department = serializers.CharField(required=False, allow_null=True, help_text="department code")


# --- responses ----------------------------------------------------------------------------


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    institution = serializers.DictField(allow_null=True)
    township = serializers.CharField(allow_null=True)
    department = serializers.CharField(allow_null=True)

    def to_representation(self, user):
        return {
            "username": user.username,
            "display_name": user.display_name or user.username,
            "roles": sorted(user.roles),
            "institution": {"id": user.institution.pk, "name": user.institution.name} if user.institution else None,
            "township": user.township.code if user.township else None,
            "department": user.department.code if user.department else None,
        }


class InstitutionSerializer(serializers.ModelSerializer):
    township = serializers.SlugRelatedField(slug_field="code", read_only=True)
    models = serializers.ListField(source="care_models", child=serializers.CharField(), read_only=True)

    class Meta:
        model = Institution
        fields = ["id", "name", "uscc", "kind", "ownership", "township", "beds", "operating_since", "models"]


class InstitutionCreateSerializer(serializers.ModelSerializer):
    township = serializers.SlugRelatedField(
        slug_field="code", queryset=Institution._meta.get_field("township").related_model.objects.all()
    )
    models = serializers.ListField(
        source="care_models", child=serializers.ChoiceField(choices=Institution.CareModel.choices), required=False
    )

    class Meta:
        model = Institution
        fields = ["code", "name", "uscc", "kind", "ownership", "township", "beds", "operating_since", "models"]


def step_status(task: CaseTask) -> str:
    if task.status == STATUS.DONE:
        return "done"
    if task.status == STATUS.CANCELED:
        return "cancelled"
    return "assigned" if task.owner_id else "pending"


class StepSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    status = serializers.ChoiceField(choices=["pending", "assigned", "done", "cancelled"])
    assignee = serializers.CharField(allow_null=True)
    due = serializers.DateField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision = serializers.CharField(allow_null=True)
    comment = serializers.CharField()
    missing_items = serializers.ListField(child=serializers.CharField())

    def to_representation(self, task):
        return {
            "name": task.flow_task.name,
            "title": str(task.flow_task.task_title),
            "unit": task.unit_label,
            "status": step_status(task),
            "assignee": task.owner.username if task.owner_id else None,
            "due": task.due.isoformat() if task.due else None,
            "decided_at": serializers.DateTimeField().to_representation(task.finished)
            if task.status == STATUS.DONE
            else None,
            "decision": task.decision or None,
            "comment": task.comment,
            "missing_items": task.missing_items,
        }


class DocumentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    number = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    url = serializers.CharField(allow_null=True)

    def to_representation(self, document):
        return {
            "id": document.pk,
            "kind": document.kind,
            "number": document.number,
            "version": document.version,
            "status": document.status,
            "url": reverse("api:document-pdf", args=[document.pk]) if document.status == "issued" else None,
        }


def clinic_filing_data(case: Case, *, reveal_ids: bool) -> dict:
    filing = case.clinic_filing
    return {
        "clinic_name": filing.clinic_name,
        "clinic_type": filing.clinic_type,
        "services": filing.services,
        "floor_area": f"{filing.floor_area:.2f}",
        "equipment": filing.equipment,
        "opening_date": filing.opening_date.isoformat(),
        "medical_insurance": filing.medical_insurance,
        "staff": [
            {
                "name": person.name,
                "id_number": person.id_number if reveal_ids else mask_id_number(person.id_number),
                "role": person.role,
                "licence_no": person.licence_no,
            }
            for person in filing.staff.all()
        ],
        "attachments": [a.pk for a in case.attachments.all()],
        "filing_no": filing.filing_no,
        "insurance_decision": filing.insurance_decision,
    }


def cooperation_data(case: Case, *, reveal_ids: bool) -> dict:
    agreement = case.cooperation
    return {
        "elderly_care_institution": agreement.elderly_care_institution_id,
        "medical_institution": agreement.medical_institution_id,
        "drafted_by": case.institution_id,
        "start_date": agreement.start_date.isoformat(),
        "end_date": agreement.end_date.isoformat(),
        "residents": agreement.residents,
        "service_items": agreement.service_items,
        "visits_per_week": agreement.visits_per_week,
        "annual_fee": f"{agreement.annual_fee:.2f}",
        "renewal_of": agreement.renewal_of.case_no if agreement.renewal_of_id else None,
        "terminated_at": serializers.DateTimeField().to_representation(agreement.terminated_at)
        if agreement.terminated_at
        else None,
        "termination_reason": agreement.termination_reason or None,
    }


CASE_DATA = {Procedure.CLINIC_FILING: clinic_filing_data, Procedure.COOPERATION: cooperation_data}


class CaseSummarySerializer(serializers.Serializer):
    case_no = serializers.CharField()
    procedure = serializers.ChoiceField(choices=Procedure.choices)
    status = serializers.CharField()
    institution = serializers.DictField()
    township = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)

    def to_representation(self, case):
        return {
            "case_no": case.case_no,
            "procedure": case.procedure,
            "status": case.state,
            "institution": {"id": case.institution_id, "name": case.institution.name},
            "township": case.township.code,
            "submitted_at": serializers.DateTimeField().to_representation(case.submitted_at),
            "decided_at": serializers.DateTimeField().to_representation(case.decided_at) if case.decided_at else None,
            "amount": f"{case.amount:.2f}" if case.amount is not None else None,
        }


class CaseSerializer(CaseSummarySerializer):
    data = serializers.DictField()
    steps = StepSerializer(many=True)
    documents = DocumentRefSerializer(many=True)

    def to_representation(self, case):
        reveal_ids = self.context.get("reveal_ids", False)
        steps = case.task_set.filter(flow_task_type="HUMAN").select_related("owner").order_by("id")
        return {
            **super().to_representation(case),
            "data": CASE_DATA[case.procedure](case, reveal_ids=reveal_ids),
            "steps": StepSerializer(steps, many=True).data,
            "documents": DocumentRefSerializer(case.documents.order_by("id"), many=True).data,
        }


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_no = serializers.CharField()
    procedure = serializers.CharField()
    step = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    status = serializers.CharField()
    assignee = serializers.CharField(allow_null=True)
    created = serializers.DateTimeField()
    due = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()

    def to_representation(self, task):
        return {
            "id": task.pk,
            "case_no": task.process.case_no,
            "procedure": task.process.procedure,
            "step": task.flow_task.name,
            "title": str(task.flow_task.task_title),
            "unit": task.unit_label,
            "status": step_status(task),
            "assignee": task.owner.username if task.owner_id else None,
            "created": serializers.DateTimeField().to_representation(task.created),
            "due": task.due.isoformat() if task.due else None,
            "overdue": task.is_overdue,
        }


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    number = serializers.CharField()
    version = serializers.IntegerField()
    case_no = serializers.CharField()
    status = serializers.CharField()
    issued_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.CharField()
    signers = serializers.ListField(child=serializers.CharField())
    superseded_by = serializers.IntegerField(allow_null=True)

    def to_representation(self, document: Document):
        successor = getattr(document, "superseded_by", None) if document.is_superseded else None
        return {
            "id": document.pk,
            "kind": document.kind,
            "number": document.number,
            "version": document.version,
            "case_no": document.case.case_no,
            "status": document.status,
            "issued_at": serializers.DateTimeField().to_representation(document.issued_at)
            if document.issued_at
            else None,
            "sha256": document.sha256,
            "signers": [s.signer for s in document.signatures.all()],
            "superseded_by": successor.pk if successor else None,
        }


class VerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    known = serializers.BooleanField()
    number = serializers.CharField(allow_null=True)
    superseded = serializers.BooleanField()
    reason = serializers.CharField()
    signatures = serializers.ListField(child=serializers.DictField())


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name")
    role = serializers.CharField()
    unit = serializers.CharField()
    action = serializers.CharField()
    case_no = serializers.CharField()
    detail = serializers.DictField()
    hash = serializers.CharField()
    prev_hash = serializers.CharField()


class AuditVerifySerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField()
    first_bad = serializers.IntegerField(allow_null=True)
