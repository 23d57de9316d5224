"""python manage.py agreement_lifecycle — start, remind and expire agreements (cron or beat, daily)."""

from django.core.management.base import BaseCommand

from workflows.services.agreements import run_agreement_lifecycle


class Command(BaseCommand):
    help = "Activate agreements whose start date has come, remind parties 30 days before the end, expire ended ones."

    def handle(self, *args, **options):
        report = run_agreement_lifecycle()
        self.stdout.write(f"activated {report.activated}, reminded {report.reminded}, expired {report.expired}")
