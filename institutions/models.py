"""The county's bodies: the county itself, its townships, the four bureaus, and the institutions that apply."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.validators import validate_uscc

# DOMAIN.md: "100张床位以上" includes 100 (民法典 第1259条).
CLINIC_REQUIRED_FROM_BEDS = 100


class County(models.Model):
    """The county this installation serves: one row, loaded from the county's data directory.

    Everything that names the county on a page, a case number, a filing number, a
    document or a certificate reads this row (``institutions.county.current_county``),
    so another county goes live by loading its own files (``manage.py load_county``).
    """

    # One installation serves one county: the primary key is always this value.
    SINGLE_ROW = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLE_ROW, editable=False)
    name = models.CharField(_("名称"), max_length=40, help_text=_("县（市、区）全称，用于页面标题、文书和证书。"))
    abbreviation = models.CharField(
        _("简称"), max_length=4, help_text=_("发文代字的首字；新增乡镇（街道）的发文代字由它和乡镇名组成。")
    )
    division_code = models.CharField(
        _("行政区划代码"),
        max_length=6,
        validators=[RegexValidator(r"^[1-9]\d{5}$", _("行政区划代码应为6位数字，首位不为0。"))],
        help_text=_("用于备案编号；修改只影响此后的编号。"),
    )
    case_prefix = models.CharField(
        _("办件编号前缀"),
        max_length=4,
        validators=[RegexValidator(r"^[A-Z]{2,4}$", _("办件编号前缀应为2至4个大写英文字母。"))],
        help_text=_("办件编号的开头（2至4个大写字母），其后是年份、事项代码和序号；修改只影响此后的编号。"),
    )
    province = models.CharField(_("所属省份"), max_length=20, help_text=_("用于电子签章的签署地点和证书。"))
    government = models.CharField(_("本级人民政府"), max_length=60, help_text=_("根证书的签发单位。"))

    class Meta:
        verbose_name = _("本县信息")
        verbose_name_plural = _("本县信息")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="county_single_row")]

    def __str__(self) -> str:
        return self.name

    @property
    def system_title(self) -> str:
        """The name every page's title ends with."""
        return f"{self.name}医养结合办件系统"

    @property
    def signing_location(self) -> str:
        """The place a PAdES signature records (its /Location)."""
        return f"{self.province}{self.name}"

    @property
    def root_certificate_name(self) -> str:
        """The common name of the county root certificate that documents' signatures chain to."""
        return f"{self.name}医养结合电子文书根证书"


class Township(models.Model):
    """A township (乡镇/街道); its office does the first check (属地初审)."""

    class Kind(models.TextChoices):
        TOWN = "镇", _("镇")
        TOWNSHIP = "乡", _("乡")
        SUBDISTRICT = "街道", _("街道")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=4, choices=Kind.choices)
    # A township office issues documents (a rejection at 属地初审) under its own name and 代字.
    official_name = models.CharField(
        _("发文机关全称"), max_length=60, help_text=_("文书落款和电子签章上的名称，如某某县某某镇人民政府。")
    )
    doc_prefix = models.CharField(_("发文代字"), max_length=10, help_text=_("本乡镇（街道）文书编号的开头。"))

    class Meta:
        verbose_name = _("乡镇（街道）")
        verbose_name_plural = _("乡镇（街道）")
        ordering = ["id"]
        permissions = [
            ("review_township", _("审核本乡镇（街道）办件")),
            ("head_township", _("负责本乡镇（街道）审核队列")),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A county bureau. The flows route to the four codes; names and 代字 come from the county's departments.csv."""

    class Code(models.TextChoices):
        HEALTH = "health", _("县卫健局")
        CIVIL_AFFAIRS = "civil_affairs", _("县民政局")
        FINANCE = "finance", _("县财政局")
        MEDICAL_INSURANCE = "medical_insurance", _("县医保局")

    code = models.CharField(_("代码"), max_length=40, unique=True, choices=Code.choices)
    name = models.CharField(_("全称"), max_length=60)
    short_name = models.CharField(_("简称"), max_length=20)
    # The issuing unit's abbreviation (发文代字) that opens its document numbers; from departments.csv.
    doc_prefix = models.CharField(_("发文代字"), max_length=10)

    class Meta:
        verbose_name = _("县级部门")
        verbose_name_plural = _("县级部门")
        ordering = ["id"]
        permissions = [
            ("review_department", _("审核流转到本部门的办件")),
            ("head_department", _("负责本部门审核队列")),
        ]

    def __str__(self) -> str:
        return self.short_name


class Institution(models.Model):
    """An elderly-care or medical institution that files applications."""

    class Kind(models.TextChoices):
        ELDERLY_CARE = "elderly_care", _("养老机构")
        MEDICAL = "medical", _("医疗机构")

    class Ownership(models.TextChoices):
        # 公办民营 counts as public (DOMAIN.md).
        PUBLIC = "public", _("公办")
        PRIVATE = "private", _("民办")

    class CareModel(models.TextChoices):
        CARE_IN_MEDICAL = "care_in_medical", _("医中延养")
        CLINIC_IN_CARE = "clinic_in_care", _("养中融医")
        COOPERATION = "cooperation", _("医养协同")
        DOCTOR_VISITS = "doctor_visits", _("送医助养")

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    kind = models.CharField(_("机构类别"), max_length=20, choices=Kind.choices)
    ownership = models.CharField(_("举办性质"), max_length=10, choices=Ownership.choices)
    township = models.ForeignKey(
        Township, verbose_name=_("所在乡镇（街道）"), on_delete=models.PROTECT, related_name="institutions"
    )
    beds = models.PositiveIntegerField(_("核定床位"), null=True, blank=True)
    operating_since = models.DateField(_("开业日期"), null=True, blank=True)
    care_models = models.JSONField(_("医养结合模式"), default=list, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["id"]
        permissions = [("act_for_institution", _("代表本机构办理申请"))]

    def __str__(self) -> str:
        return self.name

    @property
    def must_have_clinic(self) -> bool:
        """An elderly-care institution with 100 beds or more must run its own clinic."""
        return self.kind == self.Kind.ELDERLY_CARE and self.beds is not None and self.beds >= CLINIC_REQUIRED_FROM_BEDS

    def care_model_labels(self) -> list[str]:
        labels = dict(self.CareModel.choices)
        return [str(labels.get(code, code)) for code in self.care_models]
