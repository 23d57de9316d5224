"""Choosing uploaded attachments by id, and uploading several files from one form field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import ChineseForm
from common.validators import CheckedFile, check_upload


class AttachmentsField(forms.ModelMultipleChoiceField):
    """Attachment ids; the queryset (set by the form) holds only what the user may attach."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", None)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(*args, **kwargs)
        self.error_messages.update(
            {
                "invalid_choice": _("附件 %(value)s 不存在或不可使用。"),
                "invalid_pk_value": _("“%(pk)s”不是有效的附件编号。"),
                "invalid_list": _("附件应为编号列表。"),
            }
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadedFilesField(forms.FileField):
    """Several files at once; each is checked by content and size (common.validators.check_upload)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > 20:
            raise forms.ValidationError(_("一次最多上传20个文件。"))
        checked: list[tuple[str, CheckedFile]] = []
        for uploaded in files:
            checked.append((uploaded.name[:200], check_upload(uploaded)))
        return checked


class UploadForm(ChineseForm):
    files = UploadedFilesField(label=_("上传附件（PDF、JPG、PNG）"))
