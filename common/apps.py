from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "公共"

    def ready(self) -> None:
        # Connects the log-in receiver that starts a session's clock before any request
        # is served (a test's force_login runs before the first request loads the middleware).
        from . import middleware  # noqa: F401
