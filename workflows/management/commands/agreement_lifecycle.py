"""python manage.py agreement_lifecycle [--now …] — the agreement timer alone (kept for existing crontabs).

Prefer ``run_due_timers``, which runs this and every other timer.
"""

from .run_due_timers import Command as RunDueTimers


class Command(RunDueTimers):
    help = "Activate agreements whose start date has come, remind parties 30 days before the end, expire ended ones."
    timers = ["agreement_lifecycle"]
