"""python manage.py load_policy_basis [FILE] — (re)load the county's basis documents from a CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents.basis import DEFAULT_CSV, load_policy_basis


class Command(BaseCommand):
    help = "Create or update the basis documents (依据文件) from a CSV file, one row per code (default: the county's, in COUNTY_DATA_DIR)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_CSV))

    def handle(self, *args, file, **options):
        try:
            count = load_policy_basis(Path(file))
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{count} basis documents loaded from {file}."))
