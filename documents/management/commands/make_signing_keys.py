"""python manage.py make_signing_keys — create the development PKI (county root + one certificate per unit)."""

from django.core.management.base import BaseCommand

from documents.issuers import issuer_for
from documents.keys import (
    create_root,
    create_unit_certificate,
    keys_dir,
    load_root,
    root_cert_path,
    unit_key_path,
    write_root,
    write_unit,
)
from institutions.models import Department, Institution, Township


class Command(BaseCommand):
    help = "Create the county root CA and a signing certificate for every bureau, township office and institution that lacks one."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="replace existing unit keys (the root is kept)")

    def handle(self, *args, force=False, **options):
        if root_cert_path().exists():
            root_cert, root_key = load_root()
        else:
            root_cert, root_key = create_root()
            write_root(root_cert, root_key)
            self.stdout.write(f"created the county root CA in {keys_dir()}")
        units = [*Department.objects.all(), *Township.objects.all(), *Institution.objects.all()]
        made = 0
        for unit in units:
            issuer = issuer_for(unit)
            if unit_key_path(issuer).exists() and not force:
                continue
            cert, key = create_unit_certificate(issuer, root_cert, root_key)
            write_unit(issuer, cert, key, root_cert)
            made += 1
        self.stdout.write(
            self.style.SUCCESS(f"signing keys: {made} created, {len(units) - made} already present ({keys_dir()})")
        )
