"""REST API v1 routes (docs/api.md), the OpenAPI schema and its interactive page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from common import procedures

from . import audit, calendar, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's start-up script is served by the same view (?script), not inline, and
    # its page template has no inline style (templates/drf_spectacular/), so the page
    # runs under the site's strict policy with no relaxation
    # (tests/e2e/test_content_security_policy.py drives it in a browser).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("users/", views.UserCreateView.as_view(), name="users"),
    path("institutions/", views.InstitutionListView.as_view(), name="institutions"),
    path("institutions/<int:pk>/", views.InstitutionDetailView.as_view(), name="institution"),
    path("cases/", views.CaseListView.as_view(), name="cases"),
    # Each registered procedure's own endpoints (its application, its own actions on a case).
    *(pattern for procedure in procedures.all_procedures() for pattern in procedure.api_module().urlpatterns),
    path("cases/<str:case_no>/", views.CaseDetailView.as_view(), name="case"),
    path("cases/<str:case_no>/resubmit/", views.CaseResubmitView.as_view(), name="case-resubmit"),
    path("cases/<str:case_no>/withdraw/", views.CaseWithdrawView.as_view(), name="case-withdraw"),
    path("attachments/", views.AttachmentUploadView.as_view(), name="attachments"),
    path("tasks/", views.TaskListView.as_view(), name="tasks"),
    path("tasks/<int:pk>/claim/", views.TaskClaimView.as_view(), name="task-claim"),
    path("tasks/<int:pk>/unclaim/", views.TaskUnclaimView.as_view(), name="task-unclaim"),
    path("tasks/<int:pk>/decide/", views.TaskDecideView.as_view(), name="task-decide"),
    path("tasks/<int:pk>/reassign/", views.TaskReassignView.as_view(), name="task-reassign"),
    path("documents/verify/", views.DocumentVerifyView.as_view(), name="document-verify"),
    path("documents/<int:pk>/", views.DocumentDetailView.as_view(), name="document"),
    path("documents/<int:pk>/pdf", views.DocumentPdfView.as_view(), name="document-pdf"),
    path("documents/<int:pk>/correct/", views.DocumentCorrectView.as_view(), name="document-correct"),
    path("audit/events/", views.AuditEventListView.as_view(), name="audit-events"),
    path("audit/verify/", views.AuditVerifyView.as_view(), name="audit-verify"),
    path("audit/statements/", views.AuditStatementListView.as_view(), name="audit-statements"),
    path("audit/statements/<int:pk>/pdf", views.AuditStatementPdfView.as_view(), name="audit-statement-pdf"),
    *calendar.urlpatterns,
    # The auditor's case search and the document register (JSON, CSV, XLSX).
    *audit.urlpatterns,
]
