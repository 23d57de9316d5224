"""Writes about people: creating users and keeping their jurisdiction grants in step."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from .models import User, validate_roles_against_binding
from .roles import (
    ACT_FOR_INSTITUTION,
    HEAD_DEPARTMENT,
    HEAD_TOWNSHIP,
    JURISDICTION_PERMISSIONS,
    REVIEW_DEPARTMENT,
    REVIEW_TOWNSHIP,
    REVIEWER_DEPARTMENT,
    Role,
)


def desired_grants(user: User) -> set[tuple[str, Model]]:
    """The (permission, object) pairs a user's roles and binding entitle it to.

    A unit head also reviews: in a county office the head of a section signs off
    cases of the section as well as reassigning them.
    """
    roles = user.roles
    grants: set[tuple[str, Model]] = set()
    if Role.APPLICANT in roles and user.institution is not None:
        grants.add((ACT_FOR_INSTITUTION, user.institution))
    if user.township is not None and roles & {Role.TOWNSHIP_REVIEWER, Role.UNIT_HEAD}:
        grants.add((REVIEW_TOWNSHIP, user.township))
        if Role.UNIT_HEAD in roles:
            grants.add((HEAD_TOWNSHIP, user.township))
    if user.department is not None:
        code = user.department.code
        if (
            any(role in roles and REVIEWER_DEPARTMENT[role] == code for role in REVIEWER_DEPARTMENT)
            or Role.UNIT_HEAD in roles
        ):
            grants.add((REVIEW_DEPARTMENT, user.department))
        if Role.UNIT_HEAD in roles:
            grants.add((HEAD_DEPARTMENT, user.department))
    return grants


def _grant_key(perm: str, obj) -> tuple[str, str]:
    return perm.split(".", 1)[1], f"{obj._meta.label_lower}:{obj.pk}"


@transaction.atomic
def sync_jurisdiction(user: User) -> None:
    """Make the user's guardian jurisdiction grants exactly those its roles entitle it to."""
    user.__dict__.pop("roles", None)  # re-read groups
    wanted = {_grant_key(perm, obj): (perm, obj) for perm, obj in desired_grants(user)}
    codenames = [perm.split(".", 1)[1] for perm in JURISDICTION_PERMISSIONS]
    current = UserObjectPermission.objects.filter(
        user=user, permission__codename__in=codenames, permission__content_type__app_label="institutions"
    ).select_related("permission", "content_type")
    for row in current:
        key = (row.permission.codename, f"{row.content_type.app_label}.{row.content_type.model}:{row.object_pk}")
        if key in wanted:
            del wanted[key]
        else:
            row.delete()
    for perm, obj in wanted.values():
        assign_perm(perm, user, obj)


@transaction.atomic
def set_roles(*, user: User, roles: set[str]) -> None:
    groups = [Group.objects.get_or_create(name=role)[0] for role in sorted(roles)]
    user.groups.set(groups)
    user.is_staff = Role.ADMIN in roles
    user.is_superuser = Role.ADMIN in roles
    user.save(update_fields=["is_staff", "is_superuser"])  # the post_save signal syncs grants


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    roles: set[str],
    display_name: str = "",
    institution=None,
    township=None,
    department=None,
) -> User:
    """Create a user with roles and a binding; refuses roles the binding cannot serve."""
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": [f"未知角色：{', '.join(sorted(unknown))}"]})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": ["用户名已存在。"]})
    user = User(
        username=username,
        display_name=display_name,
        institution=institution,
        township=township,
        department=department,
    )
    user.full_clean(exclude=["password"])
    errors = validate_roles_against_binding(user, set(roles))
    try:
        # AUTH_PASSWORD_VALIDATORS (12 characters and more), as the admin's forms apply them.
        validate_password(password, user=user)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    set_roles(user=user, roles=set(roles))
    return user
