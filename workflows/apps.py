from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "办件与流程"

    def ready(self) -> None:
        # Imported here, not at the top: a module that touches models cannot load before
        # the app registry is ready.
        # Importing the flows registers every procedure (common/procedures.py) and the
        # timers of their own modules before the URL configuration, the admin, a request
        # or the beat asks a registry; the two shared timers register from their services.
        from django.db.models.signals import post_migrate

        # The flows register the procedures; the services register their timers; the
        # county's subsidy policies load with its data.
        from . import checks, flows, subsidy_data  # noqa: F401
        from .services import agreements, deadline_watch, subsidy  # noqa: F401
        from .step_deadlines import create_step_deadlines

        post_migrate.connect(create_step_deadlines, sender=self, dispatch_uid="workflows.step_deadlines")
