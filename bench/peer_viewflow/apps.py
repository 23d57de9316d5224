from django.apps import AppConfig


class PeerViewflowConfig(AppConfig):
    name = "bench.peer_viewflow"
    label = "peer_viewflow"
    default_auto_field = "django.db.models.BigAutoField"
