"""`manage.py screenshots --url URL`: the main pages of a running demo portal, on a desktop and a
phone, into docs/screenshots/ (demo/screenshots.py). `make screenshots` does it on a fresh demo."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.screenshots import SHOTS, take


class Command(BaseCommand):
    help = "Screenshots of the main pages (desktop and phone) of a running demo portal, into docs/screenshots/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running portal (same database)")
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "docs" / "screenshots"))
        parser.add_argument("--only", nargs="*", default=None, help="names of the shots to take (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Screenshots sign in with the demo's public passwords: not in production.")
        logins = StringIO()
        call_command("demo_data", "--json", stdout=logins)
        passwords = {a["username"]: a["password"] for a in json.loads(logins.getvalue())}
        shots = [s for s in SHOTS if options["only"] is None or s.name in options["only"]]
        written = take(options["url"], Path(options["out"]), passwords, shots)
        for path in written:
            self.stdout.write(str(path))
