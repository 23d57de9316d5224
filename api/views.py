"""REST API v1 endpoints. Each view parses, calls a service or selector, and serializes — nothing more."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import Conflict, InvalidInput, NotFound, TooLarge, UnsupportedType
from documents.selectors import issued_document_for, visible_documents
from documents.verification import verify_pdf
from forms.attachments import UploadedFilesField
from forms.clinic_filing import ClinicFilingForm, StaffFormSet, staff_formset_data
from forms.cooperation import CooperationForm
from institutions.models import Department, Institution, Township
from permissions.roles import Role
from permissions.services import create_user
from workflows import scoping, services
from workflows.listing import TASK_ORDERINGS, CaseFilters, TaskFilters, filter_cases, filter_tasks
from workflows.models import CaseState, Procedure
from workflows.services import cooperation as agreements

from . import serializers as s
from .forms_bridge import check_types, form_errors, formset_errors
from .pagination import PageNumberPagination


class HasRole(BasePermission):
    roles: frozenset = frozenset()

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.roles & self.roles)


class IsAdmin(HasRole):
    roles = frozenset({Role.ADMIN})


class IsAuditor(HasRole):
    roles = frozenset({Role.AUDITOR, Role.ADMIN})


def paginated(request, view, queryset, serializer_class, **context):
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context).data)


# --- auth and people -------------------------------------------------------------------


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=s.TokenRequest, responses=s.TokenResponse, auth=[])
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            raise InvalidInput(_("用户名或密码错误。"), code="invalid_credentials")
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class MeView(APIView):
    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        return Response(s.MeSerializer(request.user).data)


class UserCreateView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=s.UserCreateRequest, responses={201: s.MeSerializer})
    def post(self, request):
        body = s.UserCreateRequest(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        binding = {}
        try:
            if data.get("institution") is not None:
                binding["institution"] = Institution.objects.get(pk=data["institution"])
            if data.get("township"):
                binding["township"] = Township.objects.get(code=data["township"])
            if data.get("department"):
                binding["department"] = Department.objects.get(code=data["department"])
        except (Institution.DoesNotExist, Township.DoesNotExist, Department.DoesNotExist):
            raise InvalidInput(fields={"binding": [_("绑定的单位不存在。")]}) from None
        try:
            user = create_user(
                username=data["username"],
                password=data["password"],
                roles=set(data["roles"]),
                display_name=data.get("display_name", ""),
                **binding,
            )
        except DjangoValidationError as error:
            raise InvalidInput(fields=error.message_dict) from None
        return Response(s.MeSerializer(user).data, status=status.HTTP_201_CREATED)


class InstitutionListView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("township", str), OpenApiParameter("kind", str)],
        responses=s.InstitutionSerializer(many=True),
    )
    def get(self, request):
        institutions = scoping.visible_institutions(request.user).order_by("id")
        if request.query_params.get("township"):
            institutions = institutions.filter(township__code=request.query_params["township"])
        if request.query_params.get("kind"):
            institutions = institutions.filter(kind=request.query_params["kind"])
        return paginated(request, self, institutions, s.InstitutionSerializer)

    @extend_schema(request=s.InstitutionCreateSerializer, responses={201: s.InstitutionSerializer})
    def post(self, request):
        if not IsAdmin().has_permission(request, self):
            return Response(
                {"error": {"code": "forbidden", "message": _("只有系统管理员可以新增机构。"), "fields": {}}}, status=403
            )
        serializer = s.InstitutionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        institution = serializer.save()
        return Response(s.InstitutionSerializer(institution).data, status=status.HTTP_201_CREATED)


class InstitutionDetailView(APIView):
    @extend_schema(responses=s.InstitutionSerializer)
    def get(self, request, pk):
        institution = scoping.visible_institutions(request.user).filter(pk=pk).first()
        if institution is None:
            raise NotFound()
        return Response(s.InstitutionSerializer(institution).data)


# --- cases -----------------------------------------------------------------------------


def case_response(request, case, status_code=status.HTTP_200_OK) -> Response:
    context = {"reveal_ids": scoping.may_see_id_numbers(request.user, case)}
    return Response(s.CaseSerializer(case, context=context).data, status=status_code)


def validated_clinic_filing(request, payload: dict, *, case=None) -> dict:
    """Run the web form and staff formset over a JSON body; field errors become a 400."""
    check_types(ClinicFilingForm, payload, list_fields=("staff", "attachments"))
    form = ClinicFilingForm(data=payload, attachment_choices=services.attachable(request.user, case))
    staff = StaffFormSet(data=staff_formset_data(payload.get("staff")), prefix="staff")
    errors = {}
    if not form.is_valid():
        errors.update(form_errors(form))
    if not staff.is_valid():
        errors.update(formset_errors(staff, "staff"))
    if errors:
        raise InvalidInput(fields=errors)
    return {
        "filing": {name: form.cleaned_data[name] for name in ClinicFilingForm.FIELDS},
        "staff": [row for row in staff.cleaned_data if row],
        "attachments": list(form.cleaned_data["attachments"]),
    }


def validated_cooperation(payload: dict) -> dict:
    """Run the web form over a JSON body; field errors become a 400."""
    check_types(CooperationForm, payload, list_fields=("service_items",))
    form = CooperationForm(data=payload)
    if not form.is_valid():
        raise InvalidInput(fields=form_errors(form))
    return {name: form.cleaned_data[name] for name in CooperationForm.FIELDS}


def agreement_terms_json(terms: dict) -> dict:
    """Terms as the API spells them (ids, ISO dates, money strings), to merge changes into."""
    return {
        **terms,
        "elderly_care_institution": terms["elderly_care_institution"].pk,
        "medical_institution": terms["medical_institution"].pk,
        "start_date": terms["start_date"].isoformat(),
        "end_date": terms["end_date"].isoformat(),
        "annual_fee": f"{terms['annual_fee']:.2f}",
    }


def body(request) -> dict:
    if request.data in (None, "") or request.data == {}:
        return {}
    if not isinstance(request.data, dict):
        raise InvalidInput(_("请求体应为 JSON 对象。"))
    return dict(request.data)


class CooperationCreateView(APIView):
    @extend_schema(request=s.CooperationRequest, responses={201: s.CaseSerializer})
    def post(self, request):
        case = agreements.draft_cooperation(user=request.user, terms=validated_cooperation(body(request)))
        return case_response(request, case, status.HTTP_201_CREATED)


class CooperationConfirmView(APIView):
    @extend_schema(request=None, responses=s.CaseSerializer)
    def post(self, request, case_no):
        return case_response(request, agreements.confirm_cooperation(user=request.user, case_no=case_no))


class CooperationRequestChangesView(APIView):
    @extend_schema(request=s.CommentRequest, responses=s.CaseSerializer)
    def post(self, request, case_no):
        case = agreements.request_cooperation_changes(
            user=request.user, case_no=case_no, comment=body(request).get("comment")
        )
        return case_response(request, case)


class CooperationRenewView(APIView):
    @extend_schema(request=s.CooperationChangesRequest, responses={201: s.CaseSerializer})
    def post(self, request, case_no):
        old = services.case_for(request.user, case_no)
        if old.procedure != Procedure.COOPERATION:
            raise NotFound()
        terms = validated_cooperation({**agreement_terms_json(agreements.renewal_terms(old)), **body(request)})
        case = agreements.renew_cooperation(user=request.user, case_no=old.case_no, terms=terms)
        return case_response(request, case, status.HTTP_201_CREATED)


class CooperationTerminateView(APIView):
    @extend_schema(request=s.ReasonRequest, responses=s.CaseSerializer)
    def post(self, request, case_no):
        case = agreements.terminate_cooperation(user=request.user, case_no=case_no, reason=body(request).get("reason"))
        return case_response(request, case)


class ClinicFilingCreateView(APIView):
    @extend_schema(request=s.ClinicFilingRequest, responses={201: s.CaseSerializer})
    def post(self, request):
        cleaned = validated_clinic_filing(request, request.data)
        case = services.submit_clinic_filing(user=request.user, **cleaned)
        return case_response(request, case, status.HTTP_201_CREATED)


class CaseListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("procedure", str, enum=Procedure.values),
            OpenApiParameter("status", str, enum=CaseState.values),
            OpenApiParameter("township", str),
            OpenApiParameter("institution", int),
            OpenApiParameter("submitted_after", OpenApiTypes.DATE),
            OpenApiParameter("submitted_before", OpenApiTypes.DATE),
            OpenApiParameter("q", str, description="办件编号或机构名称的一部分"),
        ],
        responses=s.CaseSummarySerializer(many=True),
    )
    def get(self, request):
        filters = CaseFilters.from_query(request.query_params, strict=True)
        cases = filter_cases(scoping.visible_cases(request.user), filters).order_by("-submitted_at", "-id")
        return paginated(request, self, cases, s.CaseSummarySerializer)


class CaseDetailView(APIView):
    @extend_schema(responses=s.CaseSerializer)
    def get(self, request, case_no):
        return case_response(request, services.case_for(request.user, case_no))


class CaseResubmitView(APIView):
    @extend_schema(
        request={"application/json": s.ClinicFilingResubmitRequest},
        responses=s.CaseSerializer,
        description="The changed fields of the procedure's form: a clinic filing's (attachments are added) "
        "or a cooperation agreement's terms (CooperationChangesRequest).",
    )
    def post(self, request, case_no):
        case = services.case_for(request.user, case_no)
        changes = body(request)
        if case.procedure == Procedure.COOPERATION:
            current = agreement_terms_json({name: getattr(case.cooperation, name) for name in agreements.TERM_FIELDS})
            terms = validated_cooperation({**current, **changes})
            case = agreements.resubmit_cooperation(user=request.user, case_no=case.case_no, terms=terms)
            return case_response(request, case)
        if case.procedure != Procedure.CLINIC_FILING:
            raise Conflict(_("该事项不支持补正。"), code="not_returned")
        merged = {**s.clinic_filing_data(case, reveal_ids=True), **changes}
        merged["attachments"] = list(changes.get("attachments") or [])
        cleaned = validated_clinic_filing(request, merged, case=case)
        case = services.resubmit_clinic_filing(user=request.user, case_no=case.case_no, **cleaned)
        return case_response(request, case)


class CaseWithdrawView(APIView):
    @extend_schema(request=None, responses=s.CaseSerializer)
    def post(self, request, case_no):
        case = services.withdraw_case(user=request.user, case_no=case_no)
        return case_response(request, case)


class AttachmentUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": s.UploadRequest}, responses={201: s.IdResponse})
    def post(self, request):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.UPLOAD_MAX_BYTES + 64 * 1024:
            raise TooLarge(_("文件过大：不得超过 %(n)s MB。") % {"n": settings.UPLOAD_MAX_BYTES // (1024 * 1024)})
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(fields={"file": [_("请选择要上传的文件。")]})
        try:
            checked = UploadedFilesField(required=True).clean([upload])
        except DjangoValidationError as error:
            code = getattr(error, "code", None) or (
                error.error_list[0].code if getattr(error, "error_list", None) else None
            )
            message = error.messages[0]
            if code == "too_large":
                raise TooLarge(message) from None
            if code == "unsupported_type":
                raise UnsupportedType(message) from None
            raise InvalidInput(fields={"file": error.messages}) from None
        attachment = services.store_attachments(user=request.user, files=checked)[0]
        return Response({"id": attachment.pk}, status=status.HTTP_201_CREATED)


# --- tasks -----------------------------------------------------------------------------

TASK_VIEWS = {"inbox": scoping.task_inbox, "queue": scoping.task_queue, "archive": scoping.task_archive}


class TaskListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("view", str, enum=list(TASK_VIEWS) + ["unit"]),
            OpenApiParameter("procedure", str, enum=Procedure.values),
            OpenApiParameter("q", str, description="办件编号或机构名称的一部分"),
            OpenApiParameter("sort", str, enum=list(TASK_ORDERINGS), description="默认 due（归档为 -finished）"),
        ],
        responses=s.TaskSerializer(many=True),
    )
    def get(self, request):
        view = request.query_params.get("view", "inbox")
        selector = {**TASK_VIEWS, "unit": scoping.unit_open_tasks}.get(view)
        if selector is None:
            raise InvalidInput(fields={"view": [_("应为 inbox、queue、archive 或 unit。")]})
        filters = TaskFilters.from_query(
            request.query_params, strict=True, default_sort="-finished" if view == "archive" else "due"
        )
        return paginated(request, self, filter_tasks(selector(request.user), filters), s.TaskSerializer)


class TaskClaimView(APIView):
    @extend_schema(request=None, responses=s.TaskSerializer)
    def post(self, request, pk):
        return Response(s.TaskSerializer(services.claim_task(user=request.user, task_id=pk)).data)


class TaskUnclaimView(APIView):
    @extend_schema(request=None, responses=s.TaskSerializer)
    def post(self, request, pk):
        return Response(s.TaskSerializer(services.unclaim_task(user=request.user, task_id=pk)).data)


class TaskReassignView(APIView):
    @extend_schema(request=s.ReassignRequest, responses=s.TaskSerializer)
    def post(self, request, pk):
        data = request.data if isinstance(request.data, dict) else {}
        to, reason = data.get("to"), data.get("reason", "")
        if not isinstance(to, str) or not to:
            raise InvalidInput(fields={"to": [_("请填写改派对象的用户名。")]})
        if not isinstance(reason, str):
            raise InvalidInput(fields={"reason": [_("应为文字。")]})
        task = services.reassign_task(user=request.user, task_id=pk, to_username=to, reason=reason)
        return Response(s.TaskSerializer(task).data)


class TaskDecideView(APIView):
    @extend_schema(request=s.DecisionRequest, responses=s.TaskSerializer)
    def post(self, request, pk):
        body = request.data
        if not isinstance(body, dict):
            raise InvalidInput(_("请求体应为 JSON 对象。"))
        missing = body.get("missing_items") or []
        if not isinstance(missing, list) or not all(isinstance(item, str) for item in missing):
            raise InvalidInput(fields={"missing_items": [_("应为字符串列表。")]})
        comment = body.get("comment") or ""
        if not isinstance(comment, str) or not isinstance(body.get("decision"), str):
            raise InvalidInput(fields={"decision": [_("类型错误。")]})
        fields = body.get("fields")
        if fields is not None and not isinstance(fields, dict):
            raise InvalidInput(fields={"fields": [_("应为对象。")]})
        task = services.decide_task(
            user=request.user,
            task_id=pk,
            decision=body["decision"],
            comment=comment,
            missing_items=missing,
            fields=fields,
        )
        return Response(s.TaskSerializer(task).data)


# --- documents -------------------------------------------------------------------------


class DocumentDetailView(APIView):
    @extend_schema(responses=s.DocumentSerializer)
    def get(self, request, pk):
        document = visible_documents(request.user).filter(pk=pk).first()
        if document is None:
            raise NotFound()
        return Response(s.DocumentSerializer(document).data)


class DocumentPdfView(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        document = issued_document_for(request.user, pk)
        if document is None:
            raise NotFound()
        return FileResponse(
            document.file.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"{document.kind}-{document.case.case_no}-v{document.version}.pdf",
        )


class DocumentCorrectView(APIView):
    @extend_schema(request=s.CorrectionRequest, responses={201: s.DocumentSerializer})
    def post(self, request, pk):
        from documents.services import correct_document

        reason = request.data.get("reason") if isinstance(request.data, dict) else None
        if not isinstance(reason, str):
            raise InvalidInput(fields={"reason": [_("请填写更正原因。")]})
        corrected = correct_document(user=request.user, document_id=pk, reason=reason)
        return Response(s.DocumentSerializer(corrected).data, status=status.HTTP_201_CREATED)


class DocumentVerifyView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": s.UploadRequest}, responses=s.VerificationSerializer, auth=[])
    def post(self, request):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.VERIFY_MAX_BYTES + 64 * 1024:
            raise TooLarge(_("文件过大，无法核验。"))
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(fields={"file": [_("请选择要核验的 PDF 文件。")]})
        result = verify_pdf(upload.read(settings.VERIFY_MAX_BYTES + 1))
        return Response(result.as_api())


# --- audit -----------------------------------------------------------------------------


class AuditEventListView(APIView):
    permission_classes = [IsAuditor]

    @extend_schema(
        parameters=[
            OpenApiParameter("case_no", str),
            OpenApiParameter("actor", str),
            OpenApiParameter("action", str),
            OpenApiParameter("after", OpenApiTypes.DATETIME),
            OpenApiParameter("before", OpenApiTypes.DATETIME),
            OpenApiParameter("cursor", int, description="return events with id greater than this (keyset)"),
            OpenApiParameter("limit", int),
        ],
        responses=s.AuditEventSerializer(many=True),
    )
    def get(self, request):
        from audit.selectors import filtered_events

        events, next_cursor = filtered_events(request.query_params)
        return Response({"results": s.AuditEventSerializer(events, many=True).data, "next_cursor": next_cursor})


class AuditVerifyView(APIView):
    permission_classes = [IsAuditor]

    @extend_schema(responses=s.AuditVerifySerializer)
    def get(self, request):
        from audit.services import verify_chain

        return Response(verify_chain())
