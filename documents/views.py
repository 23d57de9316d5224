"""Public document pages, no login: what a document's QR code opens, and verification by upload."""

from django.shortcuts import get_object_or_404, render

from common.throttling import anonymous_posts_limited

from .models import Document, DocumentStatus
from .public import public_facts
from .services import note_verified
from .verification import verify_upload_form


def public(request, token):
    """What the QR code opens, without login: the document's identity, validity, addressee and key facts; no personal data."""
    document = get_object_or_404(
        Document.objects.select_related("case", "case__institution"), verify_token=token, status=DocumentStatus.ISSUED
    )
    note_verified(document=document, valid=True, via="qr")
    return render(
        request, "documents/public.html", {"section": "verify", "document": document, "facts": public_facts(document)}
    )


@anonymous_posts_limited  # a 20 MB anonymous upload: the same allowance as the API's
def verify(request):
    """Upload a PDF and learn whether it is one of ours, unchanged and validly signed."""
    form, result = verify_upload_form(request)
    return render(request, "documents/verify.html", {"section": "verify", "form": form, "result": result})
