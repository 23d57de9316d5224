"""Reference rows the code itself depends on: one Django group per role.

Created by a data migration, and re-created by ``ensure_reference_data`` after a test
flushes the database. The four bureaus are the county's data, not the code's: their
rows come from its departments.csv (``institutions.loader.load_county``).
"""

from .roles import Role

ROLE_GROUPS = list(Role.values)


def create_role_groups(group_model) -> None:
    for role in ROLE_GROUPS:
        group_model.objects.get_or_create(name=role)


def ensure_reference_data() -> None:
    from django.contrib.auth.models import Group

    create_role_groups(Group)
