"""Web URLs of cases, tasks, agreements and document downloads."""

from django.urls import path

from . import cases, cooperation, documents, tasks

app_name = "workflows"

urlpatterns = [
    path("cases/", cases.case_list, name="case_list"),
    path("cases/new/clinic-filing/", cases.clinic_filing_new, name="clinic_filing_new"),
    path("cases/new/cooperation/", cooperation.cooperation_new, name="cooperation_new"),
    path("agreements/", cooperation.registry, name="registry"),
    path("cases/<str:case_no>/", cases.case_detail, name="case_detail"),
    path("cases/<str:case_no>/revise/", cooperation.cooperation_revise, name="cooperation_revise"),
    path("cases/<str:case_no>/renew/", cooperation.cooperation_renew, name="cooperation_renew"),
    path("cases/<str:case_no>/confirm/", cooperation.cooperation_confirm, name="cooperation_confirm"),
    path(
        "cases/<str:case_no>/request-changes/",
        cooperation.cooperation_request_changes,
        name="cooperation_request_changes",
    ),
    path("cases/<str:case_no>/terminate/", cooperation.cooperation_terminate, name="cooperation_terminate"),
    path("cases/<str:case_no>/resubmit/", cases.case_resubmit, name="case_resubmit"),
    path("cases/<str:case_no>/withdraw/", cases.case_withdraw, name="case_withdraw"),
    path("attachments/<int:pk>/", cases.attachment_download, name="attachment_download"),
    path("documents/<int:pk>/pdf", documents.download, name="document_download"),
    path("documents/<int:pk>/correct/", documents.correct, name="document_correct"),
    path("tasks/", tasks.task_list, name="task_list"),
    path("tasks/<int:task_id>/", tasks.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/claim/", tasks.task_claim, name="task_claim"),
    path("tasks/<int:task_id>/unclaim/", tasks.task_unclaim, name="task_unclaim"),
    path("tasks/<int:task_id>/reassign/", tasks.task_reassign, name="task_reassign"),
]
