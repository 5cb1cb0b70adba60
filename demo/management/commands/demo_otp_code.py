"""`manage.py demo_otp_code`: the code the demo authenticator shows now (demo/two_factor.py), for
signing in as a demo approver, finance officer or administrator without an authenticator app."""

from base64 import b32decode
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from demo.two_factor import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Prints the demo authenticator's current 6-digit code."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("The demo's second factor is public: not in production.")
        self.stdout.write(f"{totp(b32decode(DEMO_TOTP_SECRET)):06d}")
