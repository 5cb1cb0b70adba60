"""API keys (`Authorization: Token <key>`), kept by django-rest-knox: the database holds a SHA-512
hash of each key and the key's first characters for the lookup, never the key itself; the key is
shown once, when it is issued.

Who gets one (API.md): an applicant's user asks for its own with its password; an official's key
is issued by an administrator (the API from a browser session that passed the second factor, or
`manage.py issue_token`), so a guessed or phished password alone never opens the API to someone
who moves money. Keys expire (API_TOKEN_DAYS unless the issuer says otherwise) and are revoked when
the user's password, role or admin flags change, or the account is deactivated.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from audit.services import audit_record

from .models import User
from .permissions import is_administrator, is_official


def token_days(days: int | None) -> int:
    """The key's lifetime in days, checked: 1 to API_TOKEN_MAX_DAYS (API_TOKEN_DAYS when not given)."""
    if days is None:
        return int(settings.API_TOKEN_DAYS)
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {
                "days": _("A key lasts from 1 to %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS},
            },
            code="invalid",
        )
    return days


def may_issue(*, actor: User, user: User) -> bool:
    """Administrators issue keys to anyone; an applicant's user only to itself; an official never to
    itself (unless an administrator)."""
    if is_administrator(actor):
        return True
    return actor.pk == user.pk and not is_official(user)


@transaction.atomic
def token_issue(*, actor: User, user: User, days: int | None = None) -> tuple[AuthToken, str]:
    """A new key for `user`: the stored record and the key, which is never available again."""
    if not may_issue(actor=actor, user=user):
        raise PermissionDenied(_("Officials' API keys are issued by an administrator."))
    if not user.is_active:
        raise ValidationError({"user": _("This account is deactivated.")}, code="inactive")
    lifetime = token_days(days)
    token, key = AuthToken.objects.create(user=user, expiry=dt.timedelta(days=lifetime))
    audit_record(
        actor=actor,
        action="api_token.issue",
        obj=user,
        after={"token": token.token_key, "expiry": token.expiry},
        visible_to_applicant=False,
    )
    return token, key


def tokens_of(user: User) -> QuerySet[AuthToken]:
    """The user's keys that still work, newest first."""
    tokens: QuerySet[AuthToken] = AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")
    return tokens


def token_of(user: User, token_id: str) -> AuthToken:
    """One of the user's own keys by its id (the key's public first characters); another user's key
    is as unknown as a missing one."""
    token = tokens_of(user).filter(token_key=token_id).first()
    if token is None:
        raise AuthToken.DoesNotExist
    return token


@transaction.atomic
def token_revoke(*, actor: User, token: AuthToken) -> None:
    if token.user_id != actor.pk and not is_administrator(actor):
        raise PermissionDenied
    audit_record(
        actor=actor,
        action="api_token.revoke",
        obj=token.user,
        before={"token": token.token_key},
        visible_to_applicant=False,
    )
    token.delete()


def tokens_delete_expired() -> int:
    """Deletes the keys past their expiry, which no request can use any more (beat, nightly: a
    request checks only its own key, accounts/authentication.py). How many were deleted."""
    deleted: int = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()[0]
    return deleted


@transaction.atomic
def tokens_revoke_all(*, user: User, reason: str, actor: Any = None) -> int:
    """Deletes every key of the user (a password, role or flag change): returns how many."""
    keys = list(AuthToken.objects.filter(user=user).values_list("token_key", flat=True))
    if not keys:
        return 0
    AuthToken.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action="api_token.revoke_all",
        obj=user,
        before={"tokens": keys},
        reason=reason,
        visible_to_applicant=False,
    )
    return len(keys)


# --- revocation when what a key stands for changes ---------------------------------------------
# A signal, not the services: passwords change in Django's own views (reset), the admin and
# `changepassword`; roles in the admin. Every path saves the user, so this sees them all.

_WATCHED = ("password", "official_role", "department_id", "is_staff", "is_superuser", "is_active")


@receiver(pre_save, sender=User, dispatch_uid="accounts.tokens.note_credential_change")
def _note_credential_change(sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    instance._tokens_revoke_reason = ""  # type: ignore[attr-defined]
    watched_names = {*_WATCHED, "department"}  # update_fields may name the foreign key either way
    if instance._state.adding or (update_fields is not None and not watched_names & set(update_fields)):
        return  # a new user, or a save that touches none of them (last_login on every sign-in)
    before = User.objects.filter(pk=instance.pk).values(*_WATCHED).first()
    if before is None:
        return
    changed = [field for field in _WATCHED if before[field] != getattr(instance, field)]
    if changed:
        instance._tokens_revoke_reason = ", ".join(changed)  # type: ignore[attr-defined]


@receiver(post_save, sender=User, dispatch_uid="accounts.tokens.revoke_on_credential_change")
def _revoke_on_credential_change(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    reason = getattr(instance, "_tokens_revoke_reason", "")
    if reason:
        instance._tokens_revoke_reason = ""  # type: ignore[attr-defined]
        tokens_revoke_all(user=instance, reason=f"changed: {reason}")
