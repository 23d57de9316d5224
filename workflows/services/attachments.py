"""Storing uploaded files and deciding which of them an applicant may attach."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from audit.services import record
from common.errors import Conflict, Forbidden
from common.validators import CheckedFile

from ..models import Attachment
from .cases import applicant_institution


def attachable(user, case=None) -> QuerySet:
    """Attachments the user may put on an application: its institution's unused uploads (and the case's own)."""
    institution = user.institution
    if institution is None:
        return Attachment.objects.none()
    condition = Q(case__isnull=True)
    if case is not None:
        condition |= Q(case=case)
    return Attachment.objects.filter(condition, institution=institution)


def store_attachments(*, user, files: list[tuple[str, CheckedFile]]) -> list[Attachment]:
    """Save checked files for the user's institution (they stay unattached until a case uses them)."""
    institution = applicant_institution(user)
    if institution is None:
        raise Forbidden(_("只有机构经办人可以上传附件。"))
    stored = []
    with transaction.atomic():
        for name, checked in files:
            attachment = Attachment(
                institution=institution,
                uploaded_by=user,
                original_name=name,
                mime_type=checked.mime_type,
                size=len(checked.content),
                sha256=checked.sha256,
            )
            attachment.file.save(f"{checked.sha256[:16]}.{checked.extension}", ContentFile(checked.content), save=False)
            attachment.save()
            stored.append(attachment)
        record(action="attachments_uploaded", actor=user, detail={"ids": [a.pk for a in stored]})
    return stored


def bind_attachments(case, attachments: list[Attachment]) -> None:
    """Attach unused uploads of the case's institution; one taken meanwhile is a conflict."""
    ids = [a.pk for a in attachments if a.case_id is None]
    if ids:
        bound = Attachment.objects.filter(pk__in=ids, case__isnull=True, institution=case.institution).update(case=case)
        if bound != len(ids):
            raise Conflict(_("部分附件已被其他申请使用，请重新上传。"), code="attachment_taken")
