"""Administrators see every document's state and can send a failed one back to the workers; they keep the basis documents cite."""

from django.contrib import admin, messages

from .models import Document, DocumentStatus, PolicyBasis
from .services import enqueue_issue


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "version", "case", "status", "issued_at", "attempt_count")
    list_filter = ("kind", "status")
    search_fields = ("number", "case__case_no")
    fields = (
        "document_id",
        "case",
        "kind",
        "version",
        "number",
        "issuers",
        "number_issuer",
        "status",
        "supersedes",
        "correction_reason",
        "verify_code",
        "file",
        "file_hash",
        "file_size",
        "requested_at",
        "issued_at",
        "attempt_count",
        "error",
    )
    readonly_fields = fields

    # Columns of model fields that have no Chinese verbose name.
    @admin.display(description="文书 ID", ordering="id")
    def document_id(self, document: Document) -> int:
        return document.pk  # the id the API's /documents/{id}/ takes

    @admin.display(description="核验码")
    def verify_code(self, document: Document) -> str:
        return document.verify_token

    @admin.display(description="文件哈希值（SHA-256）")
    def file_hash(self, document: Document) -> str:
        return document.sha256

    @admin.display(description="文件大小（字节）")
    def file_size(self, document: Document):
        return document.size

    @admin.display(description="生成次数", ordering="attempts")
    def attempt_count(self, document: Document) -> int:
        return document.attempts

    @admin.display(description="最近一次错误")
    def error(self, document: Document) -> str:
        return document.last_error

    actions = ["retry_issue"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="重新生成所选的未签发文书")
    def retry_issue(self, request, queryset):
        pending = list(queryset.exclude(status=DocumentStatus.ISSUED).values_list("pk", flat=True))
        queryset.filter(pk__in=pending).update(status=DocumentStatus.PENDING)
        for pk in pending:
            enqueue_issue(pk)
        messages.info(request, f"已重新提交 {len(pending)} 份文书。")


@admin.register(PolicyBasis)
class PolicyBasisAdmin(admin.ModelAdmin):
    """The county's basis documents: a plan that lapses gets its 有效期至, a new one is added beside it."""

    list_display = ("cited_as", "applies_to", "effective_from", "effective_until", "sort_order")
    list_filter = ("applies_to",)
    search_fields = ("title", "issuer", "doc_number")
    ordering = ("applies_to", "sort_order", "effective_from")
    fields = (
        "code",
        "title",
        "issuer",
        "doc_number",
        "citation",
        "effective_from",
        "effective_until",
        "applies_to",
        "sort_order",
        "note",
    )

    @admin.display(description="引用写法")
    def cited_as(self, obj: PolicyBasis) -> str:
        return obj.cited_as
