from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.models import AuditDailyHead, AuditEvent
from audit.selectors import Head, audit_head
from audit.services import audit_seal, audit_verify


class Command(BaseCommand):
    help = (
        "Seals the committed events, then checks the audit chain: reports the first event that was changed, "
        "removed, inserted, reordered or recomputed, and a chain that no longer reaches a published head "
        "(the days' heads in the database, and each --head given, e.g. from the administrators' digest)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            metavar="POSITION:MAC",
            help="a head published earlier (the digest's or the audit heads page's); may be repeated",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            heads = [Head.parse(text) for text in options["head"]]
        except ValueError as error:
            raise CommandError(str(error)) from None
        audit_seal()
        problem = audit_verify(heads=heads)
        if problem is not None:
            raise CommandError(f"Audit chain broken at {problem}")
        head = audit_head()
        self.stdout.write(
            f"Audit chain intact: {AuditEvent.objects.count()} events, head {head}; "
            f"reaches {AuditDailyHead.objects.count()} published and {len(heads)} given heads."
        )
