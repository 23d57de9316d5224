"""The case (viewflow's process) and its tasks, in tables of our own.

Concrete models rather than viewflow's Process/Task: the queue and scoping queries
filter on our own indexed columns, and a task row carries the reviewer's decision,
comment, missing items and due date instead of an untyped JSON blob.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import AbstractProcess, AbstractTask
from viewflow.workflow.status import STATUS

from common import procedures
from common.changed_fields import SavesChangedFields
from common.compiled import compiled_get


class CaseState(models.TextChoices):
    DRAFT = "draft", _("待确认")
    IN_REVIEW = "in_review", _("审核中")
    RETURNED = "returned", _("退回补正")
    PUBLIC_NOTICE = "public_notice", _("公示中")
    APPROVED = "approved", _("已办结")
    REJECTED = "rejected", _("不予通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    ACTIVE = "active", _("生效中")
    EXPIRED = "expired", _("已到期")
    TERMINATED = "terminated", _("已终止")


# Not decided yet: the applicant may still withdraw.
OPEN_STATES = (CaseState.DRAFT, CaseState.IN_REVIEW, CaseState.RETURNED, CaseState.PUBLIC_NOTICE)


class Decision(models.TextChoices):
    APPROVE = "approve", _("通过")
    RETURN = "return", _("退回补正")
    REJECT = "reject", _("不予通过")


class Case(SavesChangedFields, AbstractProcess):
    """One application (办件), from submission to its final document."""

    case_no = models.CharField(_("办件编号"), max_length=32, unique=True)
    # A registered procedure's code (common/procedures.py): a new procedure needs no migration.
    procedure = models.CharField(_("事项"), max_length=20, choices=procedures.choices)
    state = models.CharField(_("状态"), max_length=20, choices=CaseState.choices, default=CaseState.IN_REVIEW)
    institution = models.ForeignKey(
        "institutions.Institution", verbose_name=_("申请机构"), on_delete=models.PROTECT, related_name="cases"
    )
    # The township whose office reviews the case (属地); copied from the institution at
    # submission so that a later move of the institution does not move its history.
    township = models.ForeignKey(
        "institutions.Township", verbose_name=_("属地"), on_delete=models.PROTECT, related_name="cases"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    # viewflow writes error details here when a background node fails.
    data = models.JSONField(default=dict, blank=True)
    # How often a reviewer returned the case for supplement: while 0, a new step has no
    # time used before to subtract and skips that look-up (workflows/nodes.py).
    returned_times = models.PositiveIntegerField(_("退回补正次数"), default=0)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["township", "state"], name="case_township_state"),
            models.Index(fields=["institution", "state"], name="case_institution_state"),
            models.Index(fields=["procedure", "state", "submitted_at"], name="case_procedure_state"),
        ]

    def __str__(self) -> str:
        return self.case_no

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def add_parties(self, parties: dict) -> None:
        """Record the institutions on the applicant's side ({institution: role}); they may see and act on the case."""
        CaseParty.objects.bulk_create(
            [CaseParty(case=self, institution=institution, role=role) for institution, role in parties.items()],
            ignore_conflicts=True,
        )

    def detail_row(self, name: str) -> models.Model:
        """``self.<name>`` — its filing, agreement or application — read by a statement compiled once.

        As Django's reverse one-to-one accessor, and cached where it caches (so
        ``case.clinic_filing`` then reads nothing), but without building the query each
        time: a closing reads its detail first, and that build cost more than the read
        (common/compiled.py).
        """
        descriptor = getattr(type(self), name)
        if descriptor.is_cached(self):
            return getattr(self, name)
        related = descriptor.related
        alias = self._state.db or "default"
        reader = compiled_get(
            ("case_detail", alias, name),
            lambda: related.related_model._default_manager.using(alias),
            by=related.field.attname,
        )
        row = reader.get(self.pk)
        if row is None:
            raise descriptor.RelatedObjectDoesNotExist(f"{type(self).__name__} has no {name}.")
        related.set_cached_value(self, row)
        related.field.set_cached_value(row, self)
        return row

    @property
    def procedure_spec(self) -> procedures.Procedure:
        """The declaration of this case's procedure: what pages, documents and the API ask."""
        return procedures.get(self.procedure)

    def get_procedure_display(self) -> str:
        return str(self.procedure_spec.label)

    def get_state_display(self) -> str:
        """The state as this procedure's users call it (a signed agreement not yet started is 待生效).

        The API's status code stays the same whatever the label.
        """
        return str(self.procedure_spec.state_labels.get(self.state) or CaseState(self.state).label)


class CaseParty(models.Model):
    """An institution on the applicant's side of a case: the applicant, or each party of an agreement.

    Every procedure writes its parties when it opens a case, so "which cases may this
    institution see" is one indexed question for all procedures, asked by the scoping
    without knowing any procedure's own tables.
    """

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="parties")
    institution = models.ForeignKey(
        "institutions.Institution", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="case_parties"
    )
    role = models.CharField(_("身份"), max_length=30)

    class Meta:
        verbose_name = _("办件当事机构")
        verbose_name_plural = _("办件当事机构")
        constraints = [models.UniqueConstraint(fields=["case", "institution"], name="case_party_once")]
        indexes = [models.Index(fields=["institution", "case"], name="case_party_institution")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.institution_id} ({self.role})"


class CaseTask(SavesChangedFields, AbstractTask):
    """A step of a case: who holds it, until when, and what they decided."""

    # viewflow reads the tasks of a process as process.task_set
    process = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="task_set")
    data = models.JSONField(default=dict, blank=True)
    unit_label = models.CharField(_("办理单位"), max_length=60, blank=True)
    due = models.DateField(_("承诺办结日期"), null=True, blank=True)
    decision = models.CharField(_("意见"), max_length=10, choices=Decision.choices, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    missing_items = models.JSONField(_("需补正材料"), default=list, blank=True)

    class Meta:
        verbose_name = _("环节")
        verbose_name_plural = _("环节")
        ordering = ["id"]
        # Each queue page reads its rows straight off one index in the page's default order
        # and stops after a page (docs/performance.md shows the plans). The partial indexes
        # hold only the rows their queue can show, so a history of a million finished steps
        # does not grow the open queues' indexes, and the 已办 index holds no open work.
        indexes = [
            # 待领取: open, unassigned review steps of a unit, by promised date
            models.Index(
                fields=["owner_permission", "owner_permission_obj_pk", "due", "id"],
                condition=Q(flow_task_type="HUMAN", status=STATUS.NEW),
                name="task_queue_due",
            ),
            # 本单位在办: every open step of a unit, claimed or not, by promised date
            models.Index(
                fields=["owner_permission", "owner_permission_obj_pk", "due", "id"],
                condition=Q(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]),
                name="task_unit_open_due",
            ),
            # 待办: the steps a user holds, by promised date
            models.Index(
                fields=["owner", "due", "id"],
                condition=Q(flow_task_type="HUMAN", status=STATUS.ASSIGNED),
                name="task_inbox_due",
            ),
            # 已办: the steps a user finished, latest first
            models.Index(
                fields=["owner", "-finished", "-id"],
                condition=Q(flow_task_type="HUMAN", status=STATUS.DONE),
                name="task_archive_finished",
            ),
            # which cases were routed to a unit
            models.Index(fields=["owner_permission", "owner_permission_obj_pk", "process"], name="task_routed"),
            models.Index(fields=["owner", "status"], name="task_owner_status"),
        ]

    @property
    def is_open(self) -> bool:
        return self.status in (STATUS.NEW, STATUS.ASSIGNED)

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due and self.due < timezone.localdate())
