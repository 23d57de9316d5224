"""Web URLs of cases and tasks."""

from django.urls import path

from .views import cases, tasks

app_name = "workflows"

urlpatterns = [
    path("cases/", cases.case_list, name="case_list"),
    path("cases/new/clinic-filing/", cases.clinic_filing_new, name="clinic_filing_new"),
    path("cases/<str:case_no>/", cases.case_detail, name="case_detail"),
    path("cases/<str:case_no>/resubmit/", cases.case_resubmit, name="case_resubmit"),
    path("cases/<str:case_no>/withdraw/", cases.case_withdraw, name="case_withdraw"),
    path("attachments/<int:pk>/", cases.attachment_download, name="attachment_download"),
    path("tasks/", tasks.task_list, name="task_list"),
    path("tasks/<int:task_id>/", tasks.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/claim/", tasks.task_claim, name="task_claim"),
    path("tasks/<int:task_id>/unclaim/", tasks.task_unclaim, name="task_unclaim"),
    path("tasks/<int:task_id>/reassign/", tasks.task_reassign, name="task_reassign"),
]
