from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from audit.services import audit_verify


class Command(BaseCommand):
    help = "Checks the audit chain; reports the first event that was changed, removed or inserted out of order."

    def handle(self, *args: Any, **options: Any) -> None:
        problem = audit_verify()
        if problem is not None:
            raise CommandError(f"Audit chain broken at event #{problem.sequence}: {problem.problem}")
        self.stdout.write(f"Audit chain intact: {AuditEvent.objects.count()} events.")
