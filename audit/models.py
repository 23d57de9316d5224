"""The append-only, hash-chained log of everything people and the system did, and its signed statements."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk ``update()`` and ``delete()`` bypass ``Model.save``/``delete``: refuse them here too.

    The database trigger (migration 0003) is the real guard; this one makes the mistake
    an immediate error in the code that made it rather than a database exception.
    """

    def update(self, **kwargs):
        raise RuntimeError("audit events are append-only")

    def delete(self):
        raise RuntimeError("audit events are append-only")

    _raw_delete = delete


class AuditEvent(models.Model):
    """One thing that happened, at its place in its chain.

    A chain is a case's events (``chain`` = the case number), an account's security
    events (``account:<username>``) or the county's other events (``county``). Each row's
    hash covers its content, its chain and sequence number and the previous row's hash
    (audit.hashing.digest), so a changed, deleted, inserted or reordered row breaks its
    chain at that point, and (chain, seq) is unique so two writers can never fork one.
    Writers of different cases share no row: no county-wide lock.
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        # The log keeps actor_name; a deleted account must not rewrite its events (the trigger refuses).
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=120, blank=True)
    unit = models.CharField(_("单位"), max_length=100, blank=True)
    # Text, not inet: the database gives back exactly the bytes that were hashed.
    ip = models.CharField(_("IP 地址"), max_length=45, blank=True)
    action = models.CharField(_("动作"), max_length=60, db_index=True)
    case_no = models.CharField(_("办件编号"), max_length=32, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    chain = models.CharField(_("链"), max_length=160)
    seq = models.PositiveBigIntegerField(_("链内序号"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq")]
        indexes = [
            # The auditor's "what did this person do since …" page (bench/audit.py).
            models.Index(fields=["actor_name", "id"], name="audit_event_actor_id"),
            models.Index(fields=["case_no", "id"], name="audit_event_case_id"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.case_no}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit events are append-only")


class AuditStatement(models.Model):
    """A signed statement of every chain's head as of one event: the log's anchor outside its table.

    Rewriting a chain, even with every hash recomputed, changes its head, which no longer
    matches the heads stored here nor the root printed in the signed PDF (a copy of which
    the auditor keeps). Issued by ``manage.py audit_statement`` and daily by the beat.
    """

    at = models.DateTimeField(_("时间"), default=timezone.now)
    last_event_id = models.BigIntegerField(_("截至事件"))
    head = models.CharField(_("根哈希"), max_length=64)
    chain_count = models.PositiveIntegerField(_("链数"))
    event_count = models.PositiveBigIntegerField(_("事件数"))
    # {chain: [seq, hash]} of every chain's last event with id <= last_event_id.
    heads = models.JSONField(_("各链末端"), default=dict)
    pdf = models.FileField(_("签名文件"), upload_to="audit/statements/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计日志锚定声明")
        verbose_name_plural = _("审计日志锚定声明")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} #{self.last_event_id} {self.head[:12]}"
