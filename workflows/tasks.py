"""Celery tasks of the procedures: the timers (every minute, from the beat)."""

from celery import shared_task

from . import timers


@shared_task
def run_due_timers() -> dict[str, dict[str, int]]:
    """Fire everything due now (workflows/timers.py); safe when two beats, or two runs, overlap."""
    return timers.run_due_timers()
