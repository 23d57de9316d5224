from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "办件与流程"

    def ready(self) -> None:
        # Importing the flows registers every procedure (common/procedures.py) before the
        # URL configuration, the admin or a request asks the registry.
        from . import flows  # noqa: F401
