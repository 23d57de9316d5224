"""The Celery application: tasks are discovered in each app's tasks.py."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("yiyang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def refuse_to_start_without_fonts(**kwargs) -> None:
    """A worker renders documents: without the CJK font or libharfbuzz-subset0 it must not start."""
    from documents.environment import require_document_dependencies

    require_document_dependencies()
