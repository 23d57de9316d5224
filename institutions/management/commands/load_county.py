"""python manage.py load_county [DIRECTORY] — load a county's data directory (safe to run again)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from institutions.loader import CountyDataError, load_county


class Command(BaseCommand):
    help = (
        "Create or update the county, its four bureaus, townships, institutions and basis documents "
        "from a data directory (institutions/data/README.md), by code; default: COUNTY_DATA_DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(settings.COUNTY_DATA_DIR))

    def handle(self, *args, directory, **options):
        try:
            loaded = load_county(directory)
        except CountyDataError as error:
            raise CommandError(f"Nothing was loaded: {error}") from error
        county = loaded.county
        self.stdout.write(
            self.style.SUCCESS(
                f"{county.name} ({county.division_code}, case numbers {county.case_prefix}-…) loaded from {directory}: "
                f"{loaded.departments} departments, {loaded.townships} townships, "
                f"{loaded.institutions} institutions, {loaded.basis_documents} basis documents."
            )
        )
