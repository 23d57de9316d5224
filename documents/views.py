"""Document pages: the permission-checked download, the public QR page, and verification by upload."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from .models import Document, DocumentStatus
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
    """What the QR code opens, without login: the document's identity and validity, no personal data."""
    document = get_object_or_404(Document.objects.select_related("case"), verify_token=token, status=DocumentStatus.ISSUED)
    return render(request, "documents/public.html", {"section": "verify", "document": document})


def verify(request):
    """Upload a PDF and learn whether it is one of ours, unchanged and validly signed."""
    form, result = verify_upload_form(request)
    return render(request, "documents/verify.html", {"section": "verify", "form": form, "result": result})
