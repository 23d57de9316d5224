"""python manage.py verify_audit — recompute every audit chain and check the latest signed statement; exit 1 if broken."""

import json
import os
import sys

from django.core.management.base import BaseCommand

from documents.audit_statements import verify_audit


class Command(BaseCommand):
    help = "Recompute every audit chain, compare it with the latest signed statement and its PDF; exit status 1 on failure."

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="processes sharing the chains on PostgreSQL (default: one per CPU)",
        )

    def handle(self, *args, workers, **options):
        verdict = verify_audit(workers=max(1, workers))
        self.stdout.write(json.dumps(verdict.as_json(), ensure_ascii=False))
        if not verdict.ok:
            sys.exit(1)
