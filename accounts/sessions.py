"""Idle limits of signed-in sessions: officials' end after 30 minutes without a request,
applicants' after a day (SESSION_IDLE_OFFICIAL, SESSION_IDLE_APPLICANT).

The expiry slides: each request pushes it back. To spare a session write on every request the
stored expiry is renewed at most once a minute, so the session store may end a session up to a
minute early; the last request's time, kept in the session, decides exactly.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .permissions import is_official

LAST_SEEN = "portal_last_seen"
# Seconds between two renewals of the stored expiry.
RENEW_EVERY = 60


def idle_limit(user: Any) -> int:
    """Seconds of inactivity after which the user's session ends."""
    return int(settings.SESSION_IDLE_OFFICIAL if is_official(user) else settings.SESSION_IDLE_APPLICANT)


def session_start(request: HttpRequest, user: Any) -> None:
    """At sign-in (user_logged_in): the role's idle limit from now."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session[LAST_SEEN] = int(time.time())
    session.set_expiry(idle_limit(user))


def on_user_logged_in(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    if request is not None and user is not None:
        session_start(request, user)


class IdleSessionMiddleware:
    """After AuthenticationMiddleware: signs out a session idle longer than its role allows, and
    slides the expiry of the others."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        # Without a session cookie nobody is signed in by session: no session or user lookup.
        if session is not None and session.session_key and request.user.is_authenticated:
            self._check(request, request.user)
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: Any) -> None:
        now = int(time.time())
        limit = idle_limit(user)
        last = request.session.get(LAST_SEEN)
        if isinstance(last, int) and now - last > limit:
            logout(request)
            messages.info(
                request,
                _("You were signed out after %(minutes)s minutes without activity. Please sign in again.")
                % {"minutes": limit // 60},
            )
            return
        if not isinstance(last, int) or now - last >= RENEW_EVERY:
            request.session[LAST_SEEN] = now
            request.session.set_expiry(limit)
