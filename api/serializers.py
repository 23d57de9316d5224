"""The shapes the API returns (docs/api-contract.md), and the request bodies the forms don't describe.

Each shape is stated once: its fields say where each value comes from (``source=`` or a
method), so the schema and the output cannot drift apart. A case's ``data`` is its
procedure's own (``case_data`` in the procedure's api module).
"""

from typing import Any

from django.urls import reverse
from rest_framework import serializers
from viewflow.workflow.status import STATUS

from common import procedures
from documents.models import Document
from forms.decisions import DecisionForm
from institutions.models import Institution, Township
from workflows.models import Case, CaseTask

from .forms_bridge import serializer_for_form

# --- requests (schema only; validation is the forms'; each procedure's own are in its api module) --

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


class InstitutionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    institution = InstitutionRefSerializer(allow_null=True)
    township = serializers.CharField(source="township.code", allow_null=True)
    department = serializers.CharField(source="department.code", allow_null=True)

    def get_display_name(self, user) -> str:
        return user.display_name or user.username

    def get_roles(self, user) -> list[str]:
        return sorted(user.roles)


class InstitutionSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township.code", read_only=True)
    models = serializers.ListField(source="care_models", child=serializers.CharField(), read_only=True)

    class Meta:
        model = Institution
        fields = ["id", "code", "name", "uscc", "kind", "ownership", "township", "beds", "operating_since", "models"]


class InstitutionCreateSerializer(serializers.ModelSerializer):
    township = serializers.SlugRelatedField(slug_field="code", queryset=Township.objects.all())
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
    name = serializers.CharField(source="flow_task.name")
    title = serializers.CharField(source="flow_task.task_title")
    unit = serializers.CharField(source="unit_label")
    status = serializers.SerializerMethodField()
    assignee = serializers.CharField(source="owner.username", allow_null=True)
    due = serializers.DateField(allow_null=True)
    decided_at = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    comment = serializers.CharField()
    missing_items = serializers.ListField(child=serializers.CharField())

    def get_status(self, task) -> str:
        return step_status(task)

    def get_decided_at(self, task) -> str | None:
        return serializers.DateTimeField().to_representation(task.finished) if task.status == STATUS.DONE else None

    def get_decision(self, task) -> str | None:
        return task.decision or None


class DocumentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    number = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, document) -> str | None:
        return reverse("api:document-pdf", args=[document.pk]) if document.status == "issued" else None


class CaseSummarySerializer(serializers.Serializer):
    case_no = serializers.CharField()
    procedure = serializers.ChoiceField(choices=procedures.choices())  # filled when workflows is ready
    status = serializers.CharField(source="state")
    institution = InstitutionRefSerializer()
    township = serializers.CharField(source="township.code")
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class CaseSerializer(CaseSummarySerializer):
    data = serializers.SerializerMethodField()  # type: ignore[assignment]  # the case's own fields, not Serializer.data
    steps = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    def get_data(self, case: Case) -> dict:
        """The procedure's own fields (its api module's ``case_data``)."""
        api: Any = case.procedure_spec.api_module()
        return api.case_data(case, self.context.get("reveal_ids", False))

    def get_steps(self, case: Case) -> list[dict]:
        steps = case.task_set.filter(flow_task_type="HUMAN").select_related("owner").order_by("id")
        return list(StepSerializer(steps, many=True).data)

    def get_documents(self, case: Case) -> list[dict]:
        return list(DocumentRefSerializer(case.documents.order_by("id"), many=True).data)


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    case_no = serializers.CharField(source="process.case_no")
    procedure = serializers.CharField(source="process.procedure")
    step = serializers.CharField(source="flow_task.name")
    title = serializers.CharField(source="flow_task.task_title")
    unit = serializers.CharField(source="unit_label")
    status = serializers.SerializerMethodField()
    assignee = serializers.CharField(source="owner.username", allow_null=True)
    created = serializers.DateTimeField()
    due = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue")

    def get_status(self, task) -> str:
        return step_status(task)


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    number = serializers.CharField()
    version = serializers.IntegerField()
    case_no = serializers.CharField(source="case.case_no")
    status = serializers.CharField()
    issued_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.CharField()
    signers = serializers.SerializerMethodField()
    superseded_by = serializers.SerializerMethodField()

    def get_signers(self, document: Document) -> list[str]:
        return [signature.signer for signature in document.signatures.all()]

    def get_superseded_by(self, document: Document) -> int | None:
        return document.superseded_by.pk if document.is_superseded else None


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
    ip = serializers.CharField(help_text="客户端地址（系统事件为空）")
    chain = serializers.CharField(help_text="所属哈希链：办件编号、account:<账号> 或 county")
    seq = serializers.IntegerField(help_text="链内序号，自 1 起")
    hash = serializers.CharField()
    prev_hash = serializers.CharField()


class AuditEventPage(serializers.Serializer):
    """A keyset page of the audit log: pass ``next_cursor`` as ``cursor`` for the next one."""

    results = AuditEventSerializer(many=True)
    next_cursor = serializers.IntegerField(allow_null=True)


class AuditVerifySerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField(help_text="重新计算的事件数")
    first_bad = serializers.IntegerField(allow_null=True, help_text="第一个有问题的事件编号")
    anchored_through = serializers.DateTimeField(allow_null=True, help_text="所核对的最新锚定声明的时间")
    statement = serializers.IntegerField(allow_null=True, help_text="与日志不再相符的声明编号")
    reason = serializers.CharField(help_text="问题说明（无问题时为空）")


class AuditStatementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    last_event_id = serializers.IntegerField()
    head = serializers.CharField(help_text="各链末端的根哈希（SHA-256）")
    chain_count = serializers.IntegerField()
    event_count = serializers.IntegerField()
    document_id = serializers.IntegerField(source="pk", help_text="声明文件的编号：其签名 PDF 在 pdf 所指地址")
    pdf = serializers.SerializerMethodField()

    def get_pdf(self, statement) -> str:
        return reverse("api:audit-statement-pdf", args=[statement.pk])
