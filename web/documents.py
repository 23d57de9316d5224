"""Document pages for signed-in users: the permission-checked download and the correction."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from common.errors import NotFound
from documents import services
from documents.models import Document
from workflows import scoping

from .common import refusals_as_pages


@login_required
@require_safe
def download(request, pk):
    document = scoping.issued_document_for(request.user, pk)
    if document is None:
        raise Http404()
    services.note_downloaded(user=request.user, document=document, via="web")
    return FileResponse(
        document.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{document.get_kind_display()}-{document.case.case_no}-v{document.version}.pdf",
    )


@login_required
@require_POST
def correct(request, pk):
    """The issuing unit's head (or an administrator) issues a corrected version."""
    with refusals_as_pages(request) as refused:
        document = scoping.visible_documents(request.user).filter(pk=pk).first()
        if document is None:
            raise NotFound()
        corrected = services.correct_document(
            user=request.user, document=document, reason=request.POST.get("reason", "")
        )
    document = Document.objects.select_related("case").get(pk=pk)
    if not refused:
        messages.success(request, f"已签发更正版本 {corrected.number}，原文书标记为已替代。")
    return redirect("workflows:case_detail", case_no=document.case.case_no)
