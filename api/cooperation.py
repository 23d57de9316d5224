"""The cooperation agreement (医养合作协议) in the API: drafting, its own actions, its data on a case, revision."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.views import APIView

from common.errors import InvalidInput, NotFound
from forms.cooperation import CooperationForm
from workflows import services
from workflows.cooperation import CODE
from workflows.models import Case
from workflows.services import cooperation as agreements

from .common import body, case_response
from .forms_bridge import check_types, form_errors, serializer_for_form
from .serializers import CaseSerializer

CooperationRequest = serializer_for_form(CooperationForm, "CooperationRequest")
# Revision and renewal take only the fields that change.
CooperationChangesRequest = serializer_for_form(CooperationForm, "CooperationChangesRequest", optional=True)
RESUBMIT_REQUEST = CooperationChangesRequest


class CommentRequest(serializers.Serializer):
    comment = serializers.CharField(max_length=1000)


class ReasonRequest(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


def validated(payload: dict) -> dict:
    """Run the web form over a JSON body; field errors become a 400."""
    check_types(CooperationForm, payload, list_fields=("service_items",))
    form = CooperationForm(data=payload)
    if not form.is_valid():
        raise InvalidInput(fields=form_errors(form))
    return {name: form.cleaned_data[name] for name in CooperationForm.FIELDS}


def terms_json(terms: dict) -> dict:
    """Terms as the API spells them (ids, ISO dates, money strings), to merge changes into."""
    return {
        **terms,
        "elderly_care_institution": terms["elderly_care_institution"].pk,
        "medical_institution": terms["medical_institution"].pk,
        "start_date": terms["start_date"].isoformat(),
        "end_date": terms["end_date"].isoformat(),
        "annual_fee": f"{terms['annual_fee']:.2f}",
    }


def case_data(case: Case, reveal_ids: bool) -> dict:
    """The case's ``data`` in the API: the terms, who drafted, renewal and termination."""
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
        "renewal_of": agreement.renewal_of.case_no if agreement.renewal_of is not None else None,
        "terminated_at": serializers.DateTimeField().to_representation(agreement.terminated_at)
        if agreement.terminated_at
        else None,
        "termination_reason": agreement.termination_reason or None,
    }


def resubmit(request, case: Case, changes: dict) -> Case:
    """The drafter's revision: the changed terms merged over the current ones."""
    current = terms_json({name: getattr(case.cooperation, name) for name in agreements.TERM_FIELDS})
    terms = validated({**current, **changes})
    return agreements.resubmit_cooperation(user=request.user, case_no=case.case_no, terms=terms)


class CooperationCreateView(APIView):
    @extend_schema(request=CooperationRequest, responses={201: CaseSerializer})
    def post(self, request):
        case = agreements.draft_cooperation(user=request.user, terms=validated(body(request)))
        return case_response(request, case, status.HTTP_201_CREATED)


class CooperationConfirmView(APIView):
    @extend_schema(request=None, responses=CaseSerializer)
    def post(self, request, case_no):
        return case_response(request, agreements.confirm_cooperation(user=request.user, case_no=case_no))


class CooperationRequestChangesView(APIView):
    @extend_schema(request=CommentRequest, responses=CaseSerializer)
    def post(self, request, case_no):
        case = agreements.request_cooperation_changes(
            user=request.user, case_no=case_no, comment=body(request).get("comment", "")
        )
        return case_response(request, case)


class CooperationRenewView(APIView):
    @extend_schema(request=CooperationChangesRequest, responses={201: CaseSerializer})
    def post(self, request, case_no):
        old = services.case_for(request.user, case_no)
        if old.procedure != CODE:
            raise NotFound()
        terms = validated({**terms_json(agreements.renewal_terms(old)), **body(request)})
        case = agreements.renew_cooperation(user=request.user, case_no=old.case_no, terms=terms)
        return case_response(request, case, status.HTTP_201_CREATED)


class CooperationTerminateView(APIView):
    @extend_schema(request=ReasonRequest, responses=CaseSerializer)
    def post(self, request, case_no):
        case = agreements.terminate_cooperation(
            user=request.user, case_no=case_no, reason=body(request).get("reason", "")
        )
        return case_response(request, case)


urlpatterns = [
    path("cases/cooperation/", CooperationCreateView.as_view(), name="cooperation"),
    path("cases/<str:case_no>/confirm/", CooperationConfirmView.as_view(), name="case-confirm"),
    path("cases/<str:case_no>/request-changes/", CooperationRequestChangesView.as_view(), name="case-request-changes"),
    path("cases/<str:case_no>/renew/", CooperationRenewView.as_view(), name="case-renew"),
    path("cases/<str:case_no>/terminate/", CooperationTerminateView.as_view(), name="case-terminate"),
]
