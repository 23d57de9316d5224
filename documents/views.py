"""Document pages: the permission-checked download, the public QR page, and verification by upload."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workflows.views.common import refusals_as_pages

from . import services
from .models import Document, DocumentStatus
from .public import public_facts
from .selectors import issued_document_for
from .verification import verify_upload_form


@login_required
def download(request, pk):
    document = issued_document_for(request.user, pk)
    if document is None:
        raise Http404()
    return FileResponse(
        document.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{document.get_kind_display()}-{document.case.case_no}-v{document.version}.pdf",
    )


def public(request, token):
    """What the QR code opens, without login: the document's identity, validity, addressee and key facts; no personal data."""
    document = get_object_or_404(
        Document.objects.select_related("case", "case__institution"), verify_token=token, status=DocumentStatus.ISSUED
    )
    return render(
        request, "documents/public.html", {"section": "verify", "document": document, "facts": public_facts(document)}
    )


def verify(request):
    """Upload a PDF and learn whether it is one of ours, unchanged and validly signed."""
    form, result = verify_upload_form(request)
    return render(request, "documents/verify.html", {"section": "verify", "form": form, "result": result})


@login_required
@require_POST
def correct(request, pk):
    """The issuing unit's head (or an administrator) issues a corrected version."""
    with refusals_as_pages(request) as refused:
        corrected = services.correct_document(user=request.user, document_id=pk, reason=request.POST.get("reason", ""))
    document = Document.objects.select_related("case").get(pk=pk)
    if not refused:
        messages.success(request, f"已签发更正版本 {corrected.number}，原文书标记为已替代。")
    return redirect("workflows:case_detail", case_no=document.case.case_no)
