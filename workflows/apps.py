from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "办件与流程"

    def ready(self) -> None:
        # Importing the flows registers every procedure (common/procedures.py) before the
        # URL configuration, the admin or a request asks the registry.
        from django.db.models.signals import post_migrate

        from . import checks, flows  # noqa: F401
        from .step_deadlines import create_step_deadlines

        post_migrate.connect(create_step_deadlines, sender=self, dispatch_uid="workflows.step_deadlines")
