"""python manage.py deadline_watch — remind steps about to fall due, escalate overdue ones (cron or beat, hourly)."""

from django.core.management.base import BaseCommand

from workflows.services.deadline_watch import watch_deadlines


class Command(BaseCommand):
    help = "Remind the holders of review steps due by the next working day; escalate overdue steps to the unit's head."

    def handle(self, *args, **options):
        report = watch_deadlines()
        self.stdout.write(f"reminded {report.reminded}, escalated {report.escalated}")
