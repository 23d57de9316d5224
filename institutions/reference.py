"""Reference rows the code depends on: the four bureaus and the role groups.

Created by data migrations, and re-created by ``ensure_reference_data`` after a test
flushes the database.
"""

from permissions.roles import Role

DEPARTMENTS = [
    # code, full name, short name, document-number prefix (发文代字)
    ("health", "磐安县卫生健康局", "县卫健局", "磐卫"),
    ("civil_affairs", "磐安县民政局", "县民政局", "磐民"),
    ("finance", "磐安县财政局", "县财政局", "磐财"),
    ("medical_insurance", "磐安县医疗保障局", "县医保局", "磐医保"),
]

ROLE_GROUPS = list(Role.values)


def create_departments(department_model) -> None:
    for code, name, short_name, prefix in DEPARTMENTS:
        department_model.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short_name, "doc_prefix": prefix}
        )


def create_role_groups(group_model) -> None:
    for role in ROLE_GROUPS:
        group_model.objects.get_or_create(name=role)


def ensure_reference_data() -> None:
    from django.contrib.auth.models import Group

    from .models import Department

    create_departments(Department)
    create_role_groups(Group)
