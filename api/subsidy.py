"""Subsidies in the API (docs/api-contract.md, "Subsidies: policies, quotes, budgets, public notice")."""

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import Forbidden, InvalidInput
from common.validators import mask_id_number
from workflows import services
from workflows.models import Attachment, Case, SubsidyPolicy
from workflows.services import subsidy as subsidies
from workflows.services.subsidy_quote import needs
from workflows.subsidy import surname_only

from .common import body, case_response
from .serializers import CaseSerializer


class SubsidyRequest(serializers.Serializer):
    kind = serializers.CharField(help_text="bed | cooperation | hiring | 其他补助类型代码")
    quantity = serializers.IntegerField(required=False)
    agreement = serializers.CharField(required=False, help_text="合作协议的办件编号")
    agreement_year = serializers.IntegerField(required=False)
    amount_paid = serializers.CharField(required=False, help_text='金额，如 "30000.00"')
    employee_name = serializers.CharField(required=False)
    id_number = serializers.CharField(required=False)
    education = serializers.CharField(required=False)
    establishment = serializers.BooleanField(required=False)
    hired_on = serializers.DateField(required=False)
    attachments = serializers.ListField(child=serializers.IntegerField(), required=False)


RESUBMIT_REQUEST = SubsidyRequest


class PolicyRef(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()


class QuoteResponse(serializers.Serializer):
    eligible = serializers.BooleanField()
    amount = serializers.CharField(allow_null=True)
    policy = PolicyRef()
    reasons = serializers.ListField(child=serializers.CharField())


class PolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = SubsidyPolicy
        fields = [
            "code",
            "name",
            "version",
            "source",
            "published_on",
            "effective_on",
            "rule",
            "params",
            "eligibility",
            "once_per",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["once_per"] = data["once_per"] or None
        return data


class BudgetSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    kind = serializers.CharField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2)


class BudgetRequest(serializers.Serializer):
    total = serializers.CharField(help_text='金额，如 "500000.00"')


class NoticeSerializer(serializers.Serializer):
    case_no = serializers.CharField()
    institution = serializers.CharField(source="institution.name")
    kind = serializers.CharField(source="subsidy.kind")
    kind_name = serializers.CharField(source="subsidy.policy.name")
    amount = serializers.DecimalField(source="subsidy.amount", max_digits=12, decimal_places=2)
    starts_on = serializers.DateField(source="subsidy.notice_starts_on")
    ends_on = serializers.DateField(source="subsidy.notice_ends_on")
    employee = serializers.SerializerMethodField(help_text="入职奖补的人员只显示姓氏，如 张*")

    def get_employee(self, case: Case) -> str | None:
        return surname_only(case.subsidy.person_name) or None


class ObjectionRequest(serializers.Serializer):
    text = serializers.CharField(max_length=1000)


class ObjectionResponse(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    case_no = serializers.CharField(source="case.case_no")
    lodged_at = serializers.DateTimeField()


def attachments_of(request, payload: dict, case: Case | None = None) -> list[Attachment]:
    """The attachment ids of a body, each one the applicant may attach (else a 400 naming it)."""
    ids = payload.get("attachments") or []
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise InvalidInput(fields={"attachments": [_("应为附件编号列表。")]})
    found = list(services.attachable(request.user, case).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise InvalidInput(fields={"attachments": [_("部分附件不存在或不可使用。")]})
    return found


def case_data(case: Case, reveal_ids: bool) -> dict:
    """The case's ``data`` in the API: the kind and version it is judged by, what was stated, the payment."""
    application = case.subsidy
    inputs = dict(application.inputs)
    if "id_number" in inputs and not reveal_ids:
        inputs["id_number"] = mask_id_number(inputs["id_number"])
    return {
        "kind": application.kind,
        "policy": {"code": application.policy.code, "version": application.policy.version},
        **inputs,
        "attachments": [a.pk for a in case.attachments.all()],
        "competent_department": application.competent_department.code,
        "notice": {"starts_on": application.notice_starts_on, "ends_on": application.notice_ends_on}
        if application.notice_starts_on
        else None,
        "paid_on": application.paid_on,
        "voucher_no": application.voucher_no or None,
        "budget_year": application.budget_year,
    }


def resubmit(request, case: Case, changes: dict) -> Case:
    return subsidies.resubmit_subsidy(
        user=request.user, case_no=case.case_no, body=changes, attachments=attachments_of(request, changes, case)
    )


class SubsidyCreateView(APIView):
    @extend_schema(request=SubsidyRequest, responses={201: CaseSerializer})
    def post(self, request):
        payload = body(request)
        case = subsidies.submit_subsidy(user=request.user, body=payload, attachments=attachments_of(request, payload))
        return case_response(request, case, status.HTTP_201_CREATED)


class QuoteView(APIView):
    @extend_schema(request=SubsidyRequest, responses=QuoteResponse)
    def post(self, request):
        result = subsidies.quote_for(user=request.user, body=body(request))
        return Response(
            {
                "eligible": result.eligible,
                "amount": f"{result.amount:.2f}" if result.amount is not None else None,
                "policy": {"code": result.policy.code, "version": result.policy.version},
                "reasons": result.reasons,
                "needs": sorted(needs(result.policy)),
            }
        )


class PolicyListView(APIView):
    @extend_schema(responses=PolicySerializer(many=True))
    def get(self, request):
        return Response(PolicySerializer(SubsidyPolicy.objects.order_by("code", "version"), many=True).data)

    @extend_schema(request=PolicySerializer, responses={201: PolicySerializer})
    def post(self, request):
        policy = subsidies.add_policy(user=request.user, data=body(request))
        return Response(PolicySerializer(policy).data, status=status.HTTP_201_CREATED)


class BudgetListView(APIView):
    @extend_schema(parameters=[OpenApiParameter("year", int)], responses=BudgetSerializer(many=True))
    def get(self, request):
        if not subsidies.may_read_budgets(request.user):
            raise Forbidden(_("只有财政局、系统管理员和审计员可以查看预算。"))
        raw = request.query_params.get("year") or str(timezone.localdate().year)
        if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            raise InvalidInput(fields={"year": [_("应为2000至2100之间的年份。")]})
        lines = subsidies.budget_lines(year=int(raw))
        return Response(
            [
                {
                    "year": line.year,
                    "kind": line.kind,
                    "total": f"{line.total:.2f}",
                    "committed": f"{line.committed:.2f}",
                    "remaining": f"{line.remaining:.2f}",
                }
                for line in lines
            ]
        )


class BudgetDetailView(APIView):
    @extend_schema(request=BudgetRequest, responses=BudgetSerializer)
    def put(self, request, year, kind):
        line = subsidies.set_budget(user=request.user, year=year, kind=kind, total=body(request).get("total"))
        return Response(
            {
                "year": line.year,
                "kind": line.kind,
                "total": f"{line.total:.2f}",
                "committed": f"{line.committed:.2f}",
                "remaining": f"{line.remaining:.2f}",
            }
        )


class NoticeListView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=NoticeSerializer(many=True), auth=[])
    def get(self, request):
        return Response(NoticeSerializer(subsidies.on_notice(), many=True).data)


class ObjectionView(APIView):
    @extend_schema(request=ObjectionRequest, responses={201: ObjectionResponse})
    def post(self, request, case_no):
        objection = subsidies.lodge_objection(user=request.user, case_no=case_no, text=body(request).get("text"))
        return Response(ObjectionResponse(objection).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("cases/subsidy/", SubsidyCreateView.as_view(), name="subsidy"),
    path("cases/<str:case_no>/objections/", ObjectionView.as_view(), name="case-objections"),
    path("subsidies/quote/", QuoteView.as_view(), name="subsidy-quote"),
    path("policies/", PolicyListView.as_view(), name="policies"),
    path("budgets/", BudgetListView.as_view(), name="budgets"),
    path("budgets/<int:year>/<slug:kind>/", BudgetDetailView.as_view(), name="budget"),
    path("notices/", NoticeListView.as_view(), name="notices"),
]
