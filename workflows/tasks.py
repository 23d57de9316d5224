"""Celery tasks of the procedures: the agreement lifecycle and the deadline watch (both hourly)."""

from celery import shared_task

from .services.agreements import run_agreement_lifecycle
from .services.deadline_watch import watch_deadlines


@shared_task
def agreement_lifecycle() -> dict:
    report = run_agreement_lifecycle()
    return {"activated": report.activated, "reminded": report.reminded, "expired": report.expired}


@shared_task
def deadline_watch() -> dict:
    report = watch_deadlines()
    return {"reminded": report.reminded, "escalated": report.escalated}
