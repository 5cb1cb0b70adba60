"""What operators see: logs (plain text locally, one JSON object per line in production, each with
the request's id) and, when SENTRY_DSN is set, error reports to Sentry.

Imported by the settings: nothing here may import a model.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.core.signals import request_finished

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
# An id a proxy in front of us made (nginx's $request_id, a load balancer's) is kept if it looks like one.
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def current_request_id() -> str:
    """The id of the request this thread serves, "-" outside one (Celery tasks, commands)."""
    return _request_id.get()


class RequestIdMiddleware:
    """Gives every request an id (the proxy's X-Request-ID when sane, else a new one), puts it on
    every log record written while serving it and returns it in the X-Request-ID header, so a user's
    report, the proxy's log and ours can be matched."""

    def __init__(self, get_response: Callable[["HttpRequest"], "HttpResponse"]) -> None:
        self.get_response = get_response

    def __call__(self, request: "HttpRequest") -> "HttpResponse":
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        # Kept until the response is closed (request_finished), not just until this middleware returns:
        # Django logs the response's status ("Not Found: /x/") after the middlewares.
        _request_id.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def _request_done(**kwargs: Any) -> None:
    _request_id.set("-")


request_finished.connect(_request_done, dispatch_uid="portal.observability.request_done")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to each record (for the formatters)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


def logging_config(*, json_lines: bool, level: str) -> dict[str, Any]:
    """The LOGGING setting: every record to stdout, as text or as one JSON object per line with
    time, level, logger, message and request_id (and exc_info for an exception)."""
    formatter = "json" if json_lines else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "portal.observability.RequestIdFilter"}},
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "{asctime}{levelname}{name}{message}{request_id}",
                "style": "{",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                "json_ensure_ascii": False,
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": formatter,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # Django's own loggers have a console handler already: propagating too would print twice.
        "loggers": {
            "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # WeasyPrint narrates every rendering step at INFO.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }


def init_sentry(*, dsn: str, environment: str, release: str | None = None, traces_sample_rate: float = 0.0) -> bool:
    """Error reports to Sentry (Django and Celery integrations) when a DSN is given; nothing otherwise.
    No personal data: applicants' names, ID numbers and addresses stay out of the reports."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
    )
    return True
