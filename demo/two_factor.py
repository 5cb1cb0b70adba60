"""The demo's second factor: the approvers, finance officers and the administrator must use one
(accounts/two_factor.py), so each gets an authenticator with one public key and a public recovery
code, printed with the logins. Type the key into any authenticator app, or run
`manage.py demo_otp_code` for the code it would show now. The command refuses to run in production.
"""

from base64 import b32decode
from dataclasses import replace

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.two_factor import AUTHENTICATOR, RECOVERY, second_factor_required
from demo.accounts import DemoAccount

# Public, like the demo passwords (never in production).
DEMO_TOTP_SECRET = "GDQPDEMOGDQPDEMOGDQPDEMOGDQPDEMO"  # noqa: S105 — base32, as authenticator apps take it
DEMO_RECOVERY_CODE = "demorecovery2026"  # a demo login, printed on purpose


@transaction.atomic
def ensure_demo_second_factor(accounts: list[DemoAccount]) -> list[DemoAccount]:
    """Gives each demo account whose role requires it the demo authenticator (once) and the demo
    recovery code (again after it was used); returns the accounts with the second factor noted."""
    key = b32decode(DEMO_TOTP_SECRET).hex()
    noted = []
    for account in accounts:
        user = User.objects.get(username=account.username)
        if not second_factor_required(user):
            noted.append(account)
            continue
        TOTPDevice.objects.get_or_create(user=user, name=AUTHENTICATOR, defaults={"key": key, "confirmed": True})
        device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY, defaults={"confirmed": True})
        StaticToken.objects.get_or_create(device=device, token=DEMO_RECOVERY_CODE)
        noted.append(replace(account, totp_secret=DEMO_TOTP_SECRET, recovery_code=DEMO_RECOVERY_CODE))
    return noted
