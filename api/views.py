"""REST API v1 endpoints. Each view parses, calls a service or selector, and serializes — nothing more."""

import math

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditStatement
from audit.security import record_api_login
from audit.selectors import filtered_events
from common import procedures
from common.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge, UnsupportedType
from documents.audit_statements import verify_audit
from documents.services import correct_document, note_downloaded
from documents.verification import verify_pdf
from forms.attachments import UploadedFilesField
from institutions.models import Department, Institution, Township
from permissions.lockout import LOCKOUT_STATUS, lockout_message, lockout_remaining
from permissions.services import create_user
from workflows import scoping, services
from workflows.listing import TASK_ORDERINGS, CaseFilters, TaskFilters, filter_cases, filter_tasks
from workflows.models import CaseState

from . import serializers as s
from .common import IsAdmin, IsAuditor, body, case_response, paginated
from .errors import error_response
from .pagination import PageNumberPagination, UncountedPagination

# --- auth and people -------------------------------------------------------------------


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=s.TokenRequest, responses=s.TokenResponse, auth=[])
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            # django-axes marks the request when the pair (account, address) is locked:
            # saying "wrong password" then would be untrue, and would invite more tries.
            if getattr(request, "axes_locked_out", False):
                remaining = lockout_remaining(request, str(body(request).get("username", "")))
                locked = error_response(LOCKOUT_STATUS, lockout_message(remaining), code="account_locked")
                locked["Retry-After"] = str(math.ceil(remaining.total_seconds()))
                return locked
            raise InvalidInput(_("用户名或密码错误。"), code="invalid_credentials")
        # A log-in issues a new token (the previous one stops working), good for API_TOKEN_TTL.
        with transaction.atomic():
            Token.objects.filter(user=serializer.validated_data["user"]).delete()
            token = Token.objects.create(user=serializer.validated_data["user"])
            record_api_login(request=request, user=serializer.validated_data["user"])
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
        binding: dict[str, Model] = {}
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
    pagination_class = PageNumberPagination

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


class CaseListView(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("procedure", str, enum=procedures.codes()),
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
        request=PolymorphicProxySerializer(
            component_name="ResubmitRequest",
            serializers=lambda: [m.RESUBMIT_REQUEST for m in procedure_api_modules() if hasattr(m, "RESUBMIT_REQUEST")],
            resource_type_field_name=None,
        ),
        responses=s.CaseSerializer,
        description="The changed fields of the case's procedure's form (each procedure's request shape).",
    )
    def post(self, request, case_no):
        case = services.case_for(request.user, case_no)
        if not scoping.acts_for(request.user, case.institution):
            raise Forbidden(_("只有申请机构的经办人可以补正。"))
        resubmit = getattr(case.procedure_spec.api_module(), "resubmit", None)
        if resubmit is None:
            raise Conflict(_("该事项不支持补正。"), code="not_returned")
        return case_response(request, resubmit(request, case, body(request)))


def procedure_api_modules() -> list:
    return [p.api_module() for p in procedures.all_procedures()]


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
    # No COUNT(*) over a queue of thousands: `count` is null until the last page (api/pagination.py).
    pagination_class = UncountedPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("view", str, enum=list(TASK_VIEWS) + ["unit"]),
            OpenApiParameter("procedure", str, enum=procedures.codes()),
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
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(filter_tasks(selector(request.user), filters), request, view=self)
        return paginator.get_paginated_response(s.TaskSerializer(page, many=True).data)


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
        data = body(request)
        task = services.reassign_task(
            user=request.user, task_id=pk, to_username=data.get("to"), reason=data.get("reason", "")
        )
        return Response(s.TaskSerializer(task).data)


class TaskDecideView(APIView):
    @extend_schema(request=s.DecisionRequest, responses=s.TaskSerializer)
    def post(self, request, pk):
        # The service finds the task first (a foreign one is 404), then checks every value's type.
        data = body(request)
        task = services.decide_task(
            user=request.user,
            task_id=pk,
            decision=data.get("decision"),
            comment=data.get("comment", ""),
            missing_items=data.get("missing_items", []),
            fields=data.get("fields"),
        )
        return Response(s.TaskSerializer(task).data)


# --- documents -------------------------------------------------------------------------


class DocumentDetailView(APIView):
    @extend_schema(responses=s.DocumentSerializer)
    def get(self, request, pk):
        document = scoping.visible_documents(request.user).filter(pk=pk).first()
        if document is None:
            raise NotFound()
        return Response(s.DocumentSerializer(document).data)


class DocumentPdfView(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        document = scoping.issued_document_for(request.user, pk)
        if document is None:
            raise NotFound()
        note_downloaded(user=request.user, document=document, via="api")
        return FileResponse(
            document.file.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"{document.kind}-{document.case.case_no}-v{document.version}.pdf",
        )


class DocumentCorrectView(APIView):
    @extend_schema(request=s.CorrectionRequest, responses={201: s.DocumentSerializer})
    def post(self, request, pk):
        document = scoping.visible_documents(request.user).filter(pk=pk).first()
        if document is None:
            raise NotFound()
        corrected = correct_document(user=request.user, document=document, reason=body(request).get("reason"))
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
        responses=s.AuditEventPage,
    )
    def get(self, request):
        events, next_cursor = filtered_events(request.query_params)
        return Response({"results": s.AuditEventSerializer(events, many=True).data, "next_cursor": next_cursor})


class AuditVerifyView(APIView):
    """Every chain recomputed and the latest signed statement checked (docs/audit.md)."""

    permission_classes = [IsAuditor]

    @extend_schema(responses=s.AuditVerifySerializer)
    def get(self, request):
        return Response(verify_audit().as_json())


class AuditStatementListView(APIView):
    """The signed statements of the audit log, newest first; each one's PDF at ``pdf``."""

    permission_classes = [IsAuditor]
    pagination_class = PageNumberPagination

    @extend_schema(responses=s.AuditStatementSerializer(many=True))
    def get(self, request):
        return paginated(request, self, AuditStatement.objects.order_by("-id"), s.AuditStatementSerializer)


class AuditStatementPdfView(APIView):
    permission_classes = [IsAuditor]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        statement = AuditStatement.objects.filter(pk=pk).first()
        if statement is None or not statement.pdf:
            raise NotFound()
        return FileResponse(
            statement.pdf.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"audit-statement-{statement.last_event_id}.pdf",
        )
