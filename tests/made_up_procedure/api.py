"""The made-up procedure in the API: its application and its data on a case."""

from django.urls import path
from rest_framework import serializers, status
from rest_framework.views import APIView

from api.common import body, case_response
from common.errors import Forbidden, InvalidInput
from workflows.services.cases import applicant_institution

from .flows import submit


class InspectionRequestBody(serializers.Serializer):
    subject = serializers.CharField(max_length=100)


def case_data(case, reveal_ids: bool) -> dict:
    return {"subject": case.inspection.subject}


class InspectionCreateView(APIView):
    def post(self, request):
        institution = applicant_institution(request.user)
        if institution is None:
            raise Forbidden()
        subject = body(request).get("subject")
        if not isinstance(subject, str) or not subject.strip() or len(subject) > 100:
            raise InvalidInput(fields={"subject": ["请填写检查事项。"]})
        case = submit(user=request.user, institution=institution, subject=subject.strip())
        return case_response(request, case, status.HTTP_201_CREATED)


urlpatterns = [path("cases/inspection/", InspectionCreateView.as_view(), name="inspection")]
