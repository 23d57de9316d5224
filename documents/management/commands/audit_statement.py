"""python manage.py audit_statement — sign a statement of every audit chain's head as of now."""

import json

from django.core.management.base import BaseCommand

from documents.audit_statements import issue_statement


class Command(BaseCommand):
    help = "Issue a signed statement (审计日志锚定声明) of the audit log's chains as of the last committed event."

    def handle(self, *args, **options):
        statement = issue_statement()
        summary = {
            "id": statement.pk,
            "at": statement.at.isoformat(),
            "last_event_id": statement.last_event_id,
            "event_count": statement.event_count,
            "chain_count": statement.chain_count,
            "head": statement.head,
            "pdf": statement.pdf.name,
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
