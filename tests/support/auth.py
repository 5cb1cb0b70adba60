"""Signing in as the tests need it: API keys, and sessions that passed the second factor.

`Client.login`/`force_login` give a session after the password only; for approvers, finance
officers and administrators the portal then asks for the second factor. tests/conftest.py makes
those two calls finish the sign-in as a person would after typing a code (a confirmed
authenticator, the session marked verified by django-otp), so tests about something else need no
ceremony. Tests of the second factor itself sign in through the login page instead.
"""

import time
from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts import two_factor
from accounts.models import User


def api_key(user: User, **fields: Any) -> str:
    """A fresh API key for the user, as an administrator would issue it."""
    return AuthToken.objects.create(user=user, **fields)[1]


def authenticator(user: User) -> TOTPDevice:
    """The user's confirmed authenticator (made on first use)."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name=two_factor.AUTHENTICATOR, defaults={"confirmed": True}
    )
    return device


def current_code(device: TOTPDevice, *, offset: int = 0) -> str:
    """The code the authenticator app shows now (offset in steps: -1 is the previous one)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0 - offset * device.step, digits=device.digits):06d}"


def fresh_code(user: User) -> str:
    """A code the user's authenticator accepts now: the app's current one unless it was used in this
    time step already (codes are single-use), else a new recovery code."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = authenticator(user)
    if device.last_t < int(time.time() - device.t0) // device.step:
        return current_code(device)
    recovery, _created = StaticDevice.objects.get_or_create(user=user, name=two_factor.RECOVERY)
    return StaticToken.objects.create(device=recovery, token=StaticToken.random_token()).token


def mark_verified(client: Any, user: User) -> None:
    """The client's session counts as having passed the second factor with the user's authenticator."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()
