from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "文书"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from institutions.loader import county_loaded

        from . import environment  # noqa: F401 - registers the start-up check
        from .basis import load_with_county, seed_after_migrate

        # The county's basis documents are data: a new database gets them with its tables.
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid="documents.seed_policy_basis")
        county_loaded.connect(load_with_county, dispatch_uid="documents.load_policy_basis_with_county")
