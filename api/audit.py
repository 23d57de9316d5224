"""The auditor's lists in the API: the case search and the document register, as JSON pages or CSV/XLSX files.

The same selectors and the same Chinese columns as the pages (workflows/auditing.py),
so a file exported here and one exported from the page hold the same rows. JSON is
paginated; a file holds every matching row. Anyone but an auditor or administrator
gets a 404, as for an endpoint that does not exist.
"""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from common import exports, procedures
from documents.register import register, register_line
from permissions.roles import COUNTY_WIDE_READERS
from workflows import auditing
from workflows.listing import OVERDUE_CHOICES, AuditCaseFilters, RegisterFilters
from workflows.models import CaseState

from .common import paginated
from .pagination import PageNumberPagination
from .renderers import CSVRenderer, ExportViewMixin, XLSXRenderer
from .serializers import CaseSummarySerializer


class AuditorsOnly(BasePermission):
    """Auditors and administrators; for anyone else signed in the endpoint does not exist (404)."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # 401
        if not request.user.roles & COUNTY_WIDE_READERS:
            raise NotFound()
        return True


class AuditCaseSerializer(CaseSummarySerializer):
    overdue = serializers.BooleanField(source="late", help_text="有环节超过承诺办结日期仍未办结，或晚于该日期办结")


class RegisterLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    kind_name = serializers.CharField(source="kind_label")
    version = serializers.IntegerField()
    case_no = serializers.CharField()
    issued_to = serializers.CharField(help_text="发往：办件的当事机构")
    issuer = serializers.CharField(help_text="编号单位（其文号系列）")
    status = serializers.ChoiceField(choices=["pending", "issued", "failed"])
    issued_at = serializers.DateTimeField(allow_null=True)
    signers = serializers.ListField(child=serializers.CharField())
    superseded_by = serializers.CharField(allow_null=True, help_text="替代本文书的新版本的文号")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["superseded_by"] = data["superseded_by"] or None
        return data


FILES = {
    (200, CSVRenderer.media_type): OpenApiResponse(OpenApiTypes.STR, description="CSV（UTF-8，带 BOM），中文表头"),
    (200, XLSXRenderer.media_type): OpenApiResponse(OpenApiTypes.BINARY, description="Excel 工作簿，中文表头"),
}
FORMAT = OpenApiParameter(
    "format", str, enum=["json", *exports.FORMATS], description="json（分页）、csv 或 xlsx（全部符合条件的行）"
)


class AuditCaseListView(ExportViewMixin, APIView):
    permission_classes = [AuditorsOnly]
    pagination_class = PageNumberPagination
    export_stem = "audit-cases"

    @extend_schema(
        parameters=[
            FORMAT,
            OpenApiParameter("procedure", str, enum=procedures.codes()),
            OpenApiParameter("status", str, enum=CaseState.values),
            OpenApiParameter("township", str),
            OpenApiParameter("institution", int),
            OpenApiParameter("submitted_after", OpenApiTypes.DATE, description="提交日期不早于（含当日）"),
            OpenApiParameter("submitted_before", OpenApiTypes.DATE, description="提交日期不晚于（含当日）"),
            OpenApiParameter("q", str, description="办件编号或机构名称的一部分"),
            OpenApiParameter("unit", str, description="部门代码（health 等）或乡镇代码：曾流转到该单位审核的办件"),
            OpenApiParameter("approver", str, description="账号：该人员作出过审核意见的办件"),
            OpenApiParameter("overdue", str, enum=list(OVERDUE_CHOICES), description="有（true）或无（false）超期环节"),
        ],
        responses={(200, "application/json"): AuditCaseSerializer(many=True), **FILES},
    )
    def get(self, request):
        cases = auditing.audit_cases(AuditCaseFilters.from_query(request.query_params, strict=True))
        if self.exporting(request):
            return Response(auditing.cases_table(cases))
        return paginated(request, self, cases, AuditCaseSerializer)


class DocumentRegisterView(ExportViewMixin, APIView):
    permission_classes = [AuditorsOnly]
    pagination_class = PageNumberPagination
    export_stem = "document-register"

    @extend_schema(
        parameters=[
            FORMAT,
            OpenApiParameter("year", int, description="文号中的年度"),
            OpenApiParameter("unit", str, description="编号单位的代码（部门或乡镇）"),
        ],
        responses={(200, "application/json"): RegisterLineSerializer(many=True), **FILES},
    )
    def get(self, request):
        filters = RegisterFilters.from_query(request.query_params, strict=True)
        documents = register(year=filters.year, unit=filters.unit)
        if self.exporting(request):
            return Response(auditing.register_table(documents))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(documents, request, view=self)
        return paginator.get_paginated_response(
            RegisterLineSerializer([register_line(d) for d in page or []], many=True).data
        )


urlpatterns = [
    path("audit/cases/", AuditCaseListView.as_view(), name="audit-cases"),
    path("documents/register/", DocumentRegisterView.as_view(), name="document-register"),
]
