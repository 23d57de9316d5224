"""python manage.py deadline_watch [--now …] — the deadline timer alone (kept for existing crontabs).

Prefer ``run_due_timers``, which runs this and every other timer.
"""

from .run_due_timers import Command as RunDueTimers


class Command(RunDueTimers):
    help = "Remind the holders of review steps due by the next working day; escalate overdue steps to the unit's head."
    timers = ["deadline_watch"]
