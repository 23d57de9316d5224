"""python manage.py seed_demo — load the Panan County demo data and accounts (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from institutions.demo import load_all


class Command(BaseCommand):
    help = "Load Panan County's townships and institutions and create the demo accounts (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-accounts", action="store_true", help="do not list the accounts")

    def handle(self, *args, quiet_accounts=False, **options):
        accounts = load_all()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {len(accounts)} accounts."))
        if quiet_accounts:
            return
        self.stdout.write(f"Password of every demo account: {settings.DEMO_PASSWORD}")
        for username, description in accounts:
            self.stdout.write(f"  {username:32} {description}")
