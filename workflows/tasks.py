"""Celery tasks of the procedures: the daily agreement lifecycle."""

from celery import shared_task

from .services.agreements import run_agreement_lifecycle


@shared_task
def agreement_lifecycle() -> dict:
    report = run_agreement_lifecycle()
    return {"activated": report.activated, "reminded": report.reminded, "expired": report.expired}
