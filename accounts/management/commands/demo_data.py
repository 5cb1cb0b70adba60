import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.demo import ensure_demo_accounts
from measures.catalog_loader import load_catalog


class Command(BaseCommand):
    help = "Loads the catalog and the demo data (idempotent) and prints the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the accounts as a JSON list")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Demo accounts have public passwords: not in production.")
        load_catalog()
        accounts = ensure_demo_accounts()
        if options["json"]:
            self.stdout.write(json.dumps([a.as_dict() for a in accounts], ensure_ascii=False))
            return
        self.stdout.write("Demo logins (http://127.0.0.1:8000/accounts/login/):")
        for account in accounts:
            extra = account.department or account.enterprise or ""
            self.stdout.write(f"  {account.role:<14} {account.username:<20} {account.password:<20} {extra}")
