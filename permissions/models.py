"""People: the user account with its roles and the one unit it is bound to."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import REVIEWER_DEPARTMENT, Role

# The attribute permissions.loading.with_jurisdiction puts the role names in ("a,b").
ROLES_LOADED = "loaded_role_names"


class User(AbstractUser):
    """A person using the system.

    Roles are Django groups named by role code (a user may hold several). The binding
    says which institution, township or department the roles act for; the guardian
    object permissions that scope every list are derived from both.
    """

    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("所属机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    township = models.ForeignKey(
        "institutions.Township",
        verbose_name=_("所属乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        "institutions.Department",
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        """Role codes held, read once per request (groups named by role code).

        A user loaded by permissions.loading.with_jurisdiction brought them along.
        """
        if not self.pk:
            return frozenset()
        if ROLES_LOADED in self.__dict__:
            names = (self.__dict__[ROLES_LOADED] or "").split(",")
        else:
            names = list(self.groups.values_list("name", flat=True))
        valid = set(Role.values)
        return frozenset(name for name in names if name in valid)

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def unit_label(self) -> str:
        """The unit this user acts for, as shown on timelines."""
        bound = self.institution or self.township or self.department
        return str(bound) if bound else ""

    def clean(self) -> None:
        super().clean()
        if sum(x is not None for x in (self.institution_id, self.township_id, self.department_id)) > 1:
            raise ValidationError(_("一个用户只能绑定一个单位：机构、乡镇（街道）或部门之一。"))


def validate_roles_against_binding(user: User, roles: set[str]) -> dict[str, list[str]]:
    """Field errors for roles that need a binding the user does not have."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message) -> None:
        errors.setdefault(field, []).append(str(message))

    if Role.APPLICANT in roles and not user.institution_id:
        add("institution", _("机构经办人必须绑定一个机构。"))
    if Role.TOWNSHIP_REVIEWER in roles and not user.township_id:
        add("township", _("乡镇（街道）审核员必须绑定一个乡镇（街道）。"))
    for role, code in REVIEWER_DEPARTMENT.items():
        if role in roles and (user.department is None or user.department.code != code):
            add("department", _("%(role)s必须绑定到对应部门。") % {"role": Role(role).label})
    if Role.UNIT_HEAD in roles and not (user.township_id or user.department_id):
        add("department", _("科室负责人必须绑定一个部门或乡镇（街道）。"))
    return errors
