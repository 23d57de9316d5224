"""Settings of the bare-viewflow peer (bench/peers.py): viewflow's own Process and Task tables, nothing else.

A separate settings module, so the peer runs in its own process against its own
database (bench/peers.py makes ``<DATABASE_URL's name>_bench`` and drops it): its
``viewflow_process`` / ``viewflow_task`` tables never meet the project's, and no
project app, middleware, permission or audit code is loaded.
"""

import os

import dj_database_url

SECRET_KEY = "bench-peer-only"
DEBUG = False
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "viewflow",
    "viewflow.workflow",
    "bench.peer_viewflow",
]
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600)}
