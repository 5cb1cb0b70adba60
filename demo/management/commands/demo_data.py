"""`manage.py demo_data`: the catalog and a demo world in which every page shows something real.

It lives in the demo app, which depends on all others, and calls each app's own idempotent
`ensure_demo_*` in the order the domain needs: people, then applications in every state, then
the money (budgets, announcements, batches, proactive lists), and last the credit list.
"""

import json
import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from django.urls import reverse

from demo.accounts import ensure_demo_accounts
from demo.applications import ensure_demo_applications, ensure_demo_officials
from demo.budgets import ensure_demo_budgets
from demo.calls import ensure_demo_calls
from demo.city import ensure_demo_city_officials, ensure_demo_city_review
from demo.credit import ensure_demo_credit_list
from demo.declarations import ensure_demo_declarations
from demo.experts import ensure_demo_experts
from demo.money import ensure_demo_objections, ensure_demo_target_progress
from demo.proactive import ensure_demo_proactive_list
from demo.rounds import ensure_demo_quality_award_round
from demo.two_factor import DEMO_RECOVERY_CODE, DEMO_TOTP_SECRET, ensure_demo_second_factor
from measures.catalog_loader import load_catalog
from portal.links import site_url


class Command(BaseCommand):
    help = "Loads the catalog and the demo data (idempotent) and prints the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the accounts as a JSON list")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Demo accounts have public passwords: not in production.")
        load_catalog()
        # The demo's own notifications would flood the console backend and the eager task log.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            accounts = ensure_demo_second_factor(
                ensure_demo_accounts() + ensure_demo_officials() + ensure_demo_city_officials()
            )
            ensure_demo_declarations()
            accounts += ensure_demo_experts()
            # This year's budgets first, so the demo's own approvals (and those a visitor makes) go through.
            ensure_demo_budgets()
            ensure_demo_applications()
            ensure_demo_proactive_list()
            ensure_demo_objections()
            ensure_demo_target_progress()
            # After the demo applications, which were submitted before any call existed.
            ensure_demo_calls()
            # Measure 15's call is reviewed by the city first: Foshan's first review and its letter.
            ensure_demo_city_review()
            # Measure 17's closed round: panel, site checks and the collective decision meeting.
            ensure_demo_quality_award_round()
            # Last: it lists the second demo enterprise, which the steps above take through the workflow.
            ensure_demo_credit_list()
        if options["json"]:
            self.stdout.write(json.dumps([a.as_dict() for a in accounts], ensure_ascii=False))
            return
        self.stdout.write(f"Demo logins ({site_url(reverse('login'))}):")
        for account in accounts:
            extra = account.department or account.enterprise or account.city or account.employer or ""
            self.stdout.write(f"  {account.role:<14} {account.username:<22} {account.password:<22} {extra}")
        self.stdout.write(
            "Approvers, finance officers and the administrator also need a second factor: add the key "
            f"{DEMO_TOTP_SECRET} to an authenticator app (or run `.venv/bin/python manage.py demo_otp_code` "
            f"for the current code), or use the recovery code {DEMO_RECOVERY_CODE} (once per `make run`)."
        )
