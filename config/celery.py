"""The Celery application: tasks are discovered in each app's tasks.py."""

import gc
import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("yiyang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def refuse_to_start_without_fonts(**kwargs) -> None:
    """A worker renders documents: without the CJK font or libharfbuzz-subset0 it must not start."""
    from documents.environment import require_document_dependencies

    require_document_dependencies()


@worker_process_init.connect
def freeze_startup_objects(**kwargs) -> None:
    """Move everything a worker child loaded at start-up out of the collector's sight (gc.freeze).

    Django, WeasyPrint and pyHanko load some hundred thousand long-lived objects; frozen,
    each collection after a render (documents/tasks.py) scans only what the render made.
    Measured with and without in bench/worker_memory.py.
    """
    from django.conf import settings

    if settings.CELERY_WORKER_GC_FREEZE:
        gc.freeze()
