"""Web URLs: the pages every procedure shares, then each registered procedure's own pages.

A procedure's pages module (its declaration's ``pages``) brings its ``urlpatterns``:
its application form, its own actions on a case, its registry.
"""

from django.urls import path

from common import procedures

from . import audit, cases, documents, tasks

app_name = "workflows"

urlpatterns = [
    path("cases/", cases.case_list, name="case_list"),
    *(pattern for procedure in procedures.all_procedures() for pattern in procedure.pages_module().urlpatterns),
    path("cases/<str:case_no>/", cases.case_detail, name="case_detail"),
    path("cases/<str:case_no>/withdraw/", cases.case_withdraw, name="case_withdraw"),
    path("attachments/<int:pk>/", cases.attachment_download, name="attachment_download"),
    path("documents/<int:pk>/pdf", documents.download, name="document_download"),
    path("documents/<int:pk>/correct/", documents.correct, name="document_correct"),
    path("tasks/", tasks.task_list, name="task_list"),
    path("tasks/<int:task_id>/", tasks.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/claim/", tasks.task_claim, name="task_claim"),
    path("tasks/<int:task_id>/unclaim/", tasks.task_unclaim, name="task_unclaim"),
    path("tasks/<int:task_id>/reassign/", tasks.task_reassign, name="task_reassign"),
    # The auditor's workspace (read-only; a 404 for everyone but auditors and administrators).
    path("audit/", audit.case_search, name="audit_cases"),
    path("audit/cases/<str:case_no>/", audit.case_history, name="audit_case"),
    path("audit/cases/<str:case_no>/record.pdf", audit.approval_record, name="audit_record"),
    path("audit/activity/", audit.activity, name="audit_activity"),
    path("audit/documents/", audit.document_register, name="audit_register"),
]
