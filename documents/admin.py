"""Administrators see every document's state and can send a failed one back to the workers; they keep the basis documents cite."""

from django.contrib import admin, messages

from .models import Document, DocumentStatus, PolicyBasis
from .services import enqueue_issue


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "version", "case", "status", "issued_at", "attempts")
    list_filter = ("kind", "status")
    search_fields = ("number", "case__case_no")
    readonly_fields = [f.name for f in Document._meta.fields]
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
    fields = ("code", "title", "issuer", "doc_number", "citation", "effective_from", "effective_until", "applies_to", "sort_order", "note")

    @admin.display(description="引用写法")
    def cited_as(self, obj: PolicyBasis) -> str:
        return obj.cited_as
