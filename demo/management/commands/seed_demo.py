"""python manage.py seed_demo — load the demo county's data and accounts, and with --sample-cases a living county."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from common.errors import ServiceError
from demo.accounts import load_all
from demo.cases import load_sample_cases, marked_cases, read_samples, samples_loaded
from documents.background import wait_for_background_documents
from documents.keys import root_cert_path
from documents.models import Document, DocumentStatus
from institutions.county import current_county
from institutions.loader import CountyDataError


class Command(BaseCommand):
    help = (
        "Load a county's data directory (default: COUNTY_DATA_DIR) and create a demo account for each of its units "
        "(safe to run again); with --sample-cases also sample cases in every state (loaded once)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", default=str(settings.COUNTY_DATA_DIR), help="the county's data directory")
        parser.add_argument("--quiet-accounts", action="store_true", help="do not list the accounts")
        parser.add_argument(
            "--sample-cases",
            action="store_true",
            help="also load sample clinic filings and cooperation agreements in every state (skipped if already loaded)",
        )

    def handle(self, *args, county, quiet_accounts=False, sample_cases=False, **options):
        try:
            accounts = load_all(county)
        except CountyDataError as error:
            raise CommandError(f"Nothing was loaded: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {current_county().name}, {len(accounts)} accounts."))
        if not quiet_accounts:
            self.stdout.write(f"Password of every demo account: {settings.DEMO_PASSWORD}")
            for username, description in accounts:
                self.stdout.write(f"  {username:32} {description}")
        if sample_cases:
            self._sample_cases(Path(county))

    def _sample_cases(self, directory: Path):
        marker = samples_loaded()
        if marker is not None:
            cases = marked_cases(marker)
            self.stdout.write(
                self.style.WARNING(
                    f"Sample cases already loaded on {timezone.localtime(marker.at):%Y-%m-%d %H:%M} (audit event {marker.pk}); nothing added."
                )
            )
            for case in cases:
                self.stdout.write(
                    f"  {case.case_no}  {case.get_procedure_display()}  {case.get_state_display()}  {case.institution.name}"
                )
            return
        try:
            read_samples(directory)  # before making keys: a county may have no samples
        except FileNotFoundError as error:
            raise CommandError(f"Sample cases not loaded: {error}") from error
        # The decisions issue signed documents: without the county root CA they would fail.
        if not root_cert_path().exists():
            self.stdout.write("No signing keys yet: creating the development keys first.")
            call_command("make_signing_keys", stdout=self.stdout)
        try:
            made = load_sample_cases(directory)
        except ServiceError as error:
            raise CommandError(
                f"Sample cases not loaded (nothing was changed): {error} "
                "They need the demo institutions without cases of their own; start from an empty database."
            ) from error
        if settings.DOCUMENTS_IN_BACKGROUND_THREAD:
            wait_for_background_documents(timeout=600)  # the process must not end before its documents
        numbers = [sample.case_no for sample in made]
        documents = Document.objects.filter(case__case_no__in=numbers)
        issued = documents.filter(status=DocumentStatus.ISSUED).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Sample cases loaded: {len(made)} cases, {issued} of {documents.count()} documents issued."
            )
        )
        for sample in made:
            self.stdout.write(f"  {sample.case_no}  {sample.procedure}  {sample.state}（{sample.what}）")
            self.stdout.write(f"      seen by: {sample.who}")
        if issued < documents.count():
            self.stdout.write(
                self.style.WARNING(
                    "Some documents are still pending: a Celery worker issues them (CELERY_BROKER_URL is set), "
                    "or the periodic sweep retries them."
                )
            )
