"""The clinic filing (内设医疗机构备案) in the API: its application, its data on a case, its resubmission."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.views import APIView

from common.errors import InvalidInput
from common.validators import mask_id_number
from forms.clinic_filing import ClinicFilingForm, StaffForm, StaffFormSet, staff_formset_data
from workflows import services
from workflows.models import Case

from .common import case_response
from .forms_bridge import check_types, form_errors, formset_errors, serializer_for_form
from .serializers import CaseSerializer

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
# The body POST /api/v1/cases/{case_no}/resubmit/ takes for this procedure (for the schema).
RESUBMIT_REQUEST = ClinicFilingResubmitRequest


def validated(request, payload: dict, *, case=None) -> dict:
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


def case_data(case: Case, reveal_ids: bool) -> dict:
    """The case's ``data`` in the API: the form's fields, the filing number and the 医保定点 decision."""
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


def resubmit(request, case: Case, changes: dict) -> Case:
    """The changed fields merged over the filing as it stands; attachments listed are added."""
    merged = {**case_data(case, reveal_ids=True), **changes}
    merged["attachments"] = list(changes.get("attachments") or [])
    cleaned = validated(request, merged, case=case)
    return services.resubmit_clinic_filing(user=request.user, case_no=case.case_no, **cleaned)


class ClinicFilingCreateView(APIView):
    @extend_schema(request=ClinicFilingRequest, responses={201: CaseSerializer})
    def post(self, request):
        cleaned = validated(request, request.data)
        case = services.submit_clinic_filing(user=request.user, **cleaned)
        return case_response(request, case, status.HTTP_201_CREATED)


urlpatterns = [path("cases/clinic-filing/", ClinicFilingCreateView.as_view(), name="clinic-filing")]
