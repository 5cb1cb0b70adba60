"""The second factor (django-otp): an authenticator app (TOTP) and ten one-time recovery codes
(a static device, whose codes are deleted as they are used).

Required for approvers, finance officers, administrators and anyone who may open the Django admin
(they decide and move money); offered to everyone else. After the password, a user who must or
chose to use it is signed in only halfway: `SecondFactorMiddleware` sends them to the code step
(or, for a required role without a device yet, to the setup) and lets nothing else through but
signing out, the language switch and static files; the API treats such a session as anonymous.
django-otp's OTPMiddleware marks the session as verified (`request.user.is_verified()`).
"""

import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record

from .models import OfficialRole, User

AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"
# Set at sign-in for a user who has a device but whose role does not require one: the session
# needs the code step too (saves a device query on every later request).
SESSION_KEY = "second_factor_due"


def second_factor_required(user: Any) -> bool:
    """Approvers (the city bureaus' too: they sign recommendations), finance officers, administrators
    and whoever may open the Django admin."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (
            user.official_role
            in (OfficialRole.APPROVER, OfficialRole.CITY_APPROVER, OfficialRole.FINANCE, OfficialRole.ADMINISTRATOR)
            or user.is_superuser
            or user.is_staff
        )
    )


def authenticator_of(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, name=AUTHENTICATOR, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


# --- services ----------------------------------------------------------------------------------


@transaction.atomic
def authenticator_setup_start(*, actor: User) -> TOTPDevice:
    """The unconfirmed authenticator whose key the setup page shows (the same one until confirmed,
    so reloading the page keeps the QR code the user may have scanned already)."""
    device = TOTPDevice.objects.filter(user=actor, name=AUTHENTICATOR, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=actor, name=AUTHENTICATOR, confirmed=False)


def _new_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _n in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def authenticator_setup_confirm(*, actor: User, code: str, request: HttpRequest | None = None) -> list[str]:
    """Confirms the pending authenticator with a code it shows; replaces an earlier authenticator
    and the recovery codes. Returns the new recovery codes (shown once). The session that set it up
    counts as verified."""
    pending = TOTPDevice.objects.select_for_update().filter(user=actor, name=AUTHENTICATOR, confirmed=False).first()
    if pending is None:
        raise ValidationError({"code": _("Start the setup again: the key has expired.")}, code="expired")
    if not pending.verify_token(_digits(code)):
        raise ValidationError(
            {"code": _("That code is not correct. Enter the 6 digits your app shows now.")}, code="invalid"
        )
    TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
    pending.confirmed = True
    pending.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(actor)
    audit_record(actor=actor, action="second_factor.setup", obj=actor, visible_to_applicant=False)
    if request is not None:
        otp_login(request, pending)
        request.session.pop(SESSION_KEY, None)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, actor: User) -> list[str]:
    if not has_second_factor(actor):
        raise PermissionDenied
    codes = _new_recovery_codes(actor)
    audit_record(actor=actor, action="second_factor.recovery_codes", obj=actor, visible_to_applicant=False)
    return codes


@transaction.atomic
def second_factor_disable(*, actor: User) -> None:
    """Removes the authenticator and the recovery codes; refused to those who must keep one."""
    if second_factor_required(actor):
        raise PermissionDenied(_("Your role requires a second factor: you can replace it, not remove it."))
    TOTPDevice.objects.filter(user=actor).delete()
    StaticDevice.objects.filter(user=actor).delete()
    audit_record(actor=actor, action="second_factor.disable", obj=actor, visible_to_applicant=False)


def second_factor_verify(*, request: HttpRequest, user: User, code: str) -> bool:
    """The code step: a code of the authenticator, or one of the recovery codes (used up). Each
    device counts failures and makes the user wait longer after each (django-otp's throttling)."""
    code = code.strip().replace(" ", "").lower()
    # Each device in its own transaction: a refused code's failure count must stay written.
    for device in [authenticator_of(user), StaticDevice.objects.filter(user=user, name=RECOVERY).first()]:
        if device is None:
            continue
        with transaction.atomic():
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(_digits(code) if isinstance(locked, TOTPDevice) else code):
                used = "recovery_code" if isinstance(locked, StaticDevice) else "authenticator"
                audit_record(
                    actor=user, action="second_factor.verify", obj=user, after={"by": used}, visible_to_applicant=False
                )
                otp_login(request, locked)
                request.session.pop(SESSION_KEY, None)
                return True
    return False


def _digits(code: str) -> str:
    return "".join(code.split())


def qr_code_svg(data: str) -> str:
    """The otpauth:// link as an inline SVG (made here: no image service ever sees the key)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]  # without the XML declaration, to sit inside the page


# --- the half-signed-in session ----------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="accounts.two_factor.note_second_factor")
def _note_second_factor(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if not second_factor_required(user) and has_second_factor(user):
        request.session[SESSION_KEY] = True


def second_factor_due(request: HttpRequest) -> str | None:
    """ "setup" or "verify" while the signed-in user still owes the second factor, else None."""
    user = request.user
    if not user.is_authenticated or user.is_verified():  # type: ignore[attr-defined]  # OTPMiddleware's
        return None
    if second_factor_required(user):
        return "verify" if has_second_factor(user) else "setup"
    return "verify" if request.session.get(SESSION_KEY) else None


def _open_paths() -> set[str]:
    """What a half-signed-in user may reach (exactly these paths, and static files)."""
    names = ("accounts:two_factor_verify", "accounts:two_factor_setup", "logout", "set_language", "healthz")
    return {reverse(name) for name in names}


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        due = second_factor_due(request)
        if due is None or request.path in _open_paths() or request.path.startswith(settings.STATIC_URL or "/static/"):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            # A key in the Authorization header still works; the half-signed-in session does not.
            request.user = AnonymousUser()
            return self.get_response(request)
        target = reverse("accounts:two_factor_verify" if due == "verify" else "accounts:two_factor_setup")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
