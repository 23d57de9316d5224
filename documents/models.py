"""Official documents: one row per case, kind and version, with its number, file and signatures."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from common import procedures

from .kinds import DocumentKind, get_kind, kind_choices


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("生成中")
    ISSUED = "issued", _("已签发")
    FAILED = "failed", _("生成失败")


def new_verify_token() -> str:
    """The unguessable part of a document's public verification URL (its QR code)."""
    return secrets.token_urlsafe(18)


class Document(models.Model):
    """An official PDF. Never regenerated in place: a correction is a new version.

    The row (with its number) is created in the transaction that decides the case;
    a Celery task renders, signs and stores the file afterwards.
    """

    case = models.ForeignKey(
        "workflows.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("文书类型"), max_length=30, choices=kind_choices)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    number = models.CharField(_("文号"), max_length=60, unique=True)
    # The issuing units, in signing order: [{"type": "department", "code": "health", "name": "…"}]
    issuers = models.JSONField(_("签发单位"), default=list)
    # The unit whose series numbered it (the lead issuer; 卫健局 for an agreement).
    number_issuer = models.JSONField(_("编号单位"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.PENDING)
    supersedes = models.OneToOneField(
        "self", verbose_name=_("替代"), null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.CharField(_("更正原因"), max_length=200, blank=True)
    verify_token = models.CharField(max_length=32, unique=True, default=new_verify_token)
    file = models.FileField(_("文件"), upload_to="documents/%Y/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(_("申请签发时间"), auto_now_add=True)
    issued_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "version"], name="document_case_kind_version"),
        ]
        indexes = [models.Index(fields=["sha256"], name="document_sha256")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def kind_spec(self) -> DocumentKind:
        """Its kind's declaration (series, template, what it states)."""
        return get_kind(self.kind)

    @property
    def is_superseded(self) -> bool:
        return hasattr(self, "superseded_by") and self.superseded_by is not None


class DocumentSignature(models.Model):
    """One unit's PAdES signature on a document, as validated before the file was stored."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="signatures")
    order = models.PositiveSmallIntegerField()
    signer = models.CharField(_("签章单位"), max_length=100)
    certificate_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(_("签章时间"))

    class Meta:
        ordering = ["document", "order"]
        constraints = [models.UniqueConstraint(fields=["document", "order"], name="signature_document_order")]

    def __str__(self) -> str:
        return f"{self.signer} · {self.document_id}"


class PolicyBasis(models.Model):
    """A law, plan or policy document that documents cite as their basis, in force for a period.

    The county's basis is data, not code: the rows are loaded from a CSV file
    (``documents.basis``) and maintained in the admin. A document cites the rows in force
    on its date (DOMAIN.md), so a plan that has lapsed is never cited again.
    """

    code = models.SlugField(_("代码"), max_length=60, unique=True, help_text=_("稳定的英文标识，导入数据时据此更新。"))
    title = models.CharField(_("文件名称"), max_length=200, help_text=_("不含书名号，如：中华人民共和国民法典。"))
    issuer = models.CharField(_("发布机关"), max_length=100)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    citation = models.CharField(
        _("引用写法"),
        max_length=250,
        blank=True,
        help_text=_("文书中引用本文件的写法；留空时写作《文件名称》（文号）。"),
    )
    effective_from = models.DateField(_("施行日期"))
    effective_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("含当日；留空表示长期有效。"))
    applies_to = models.CharField(_("适用事项"), max_length=30, choices=procedures.choices)
    sort_order = models.PositiveSmallIntegerField(
        _("引用顺序"), default=100, help_text=_("数字小的先引用（法律在前，地方文件在后）。")
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("依据文件")
        verbose_name_plural = _("依据文件")
        ordering = ["applies_to", "sort_order", "effective_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True)
                | models.Q(effective_until__gte=models.F("effective_from")),
                name="policy_basis_period",
                violation_error_message=_("有效期至不得早于施行日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.cited_as

    @property
    def cited_as(self) -> str:
        """How a document cites it: 《title》（doc number）, unless the row says otherwise."""
        if self.citation:
            return self.citation
        return f"《{self.title}》" + (f"（{self.doc_number}）" if self.doc_number else "")

    def in_force_on(self, day) -> bool:
        """Both ends included (民法典 第1259条: 届满 includes the last day)."""
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)
