from django.apps import AppConfig


class MadeUpProcedureConfig(AppConfig):
    name = "tests.made_up_procedure"
    label = "made_up_procedure"
    verbose_name = "测试用事项"

    def ready(self) -> None:
        from . import flows  # noqa: F401  (registers the procedure)
