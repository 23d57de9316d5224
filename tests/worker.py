"""A real Celery worker process for tests: same code, the test database, Redis as the broker."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


class WorkerProcess:
    def __init__(self):
        self.queue = f"yiyang-test-{os.getpid()}"
        self.hostname = f"test-worker-{os.getpid()}@{socket.gethostname()}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        }
        self.log = open(Path(os.environ["YIYANG_TEST_SCRATCH"]) / "worker.log", "w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "-Q",
                self.queue,
                "-n",
                self.hostname,
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited: see {self.log.name}")
            if celery_app.control.ping(destination=[self.hostname], timeout=1):
                return self
        raise RuntimeError("the Celery worker did not answer within 60 s")

    def route_tasks_here(self):
        """Make this process enqueue (not run) tasks, on the worker's queue."""
        previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_default_queue = self.queue
        return previous

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
