from django.apps import AppConfig


class PermissionsConfig(AppConfig):
    name = "permissions"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from . import signals  # noqa: F401
