"""The site checks shown on an application's pages (applications.hooks.application_panels): the
officials' review page lists them with a link to record one; the applicant's page says that a
site check took place, when, and its outcome (not the internal findings)."""

from typing import Any

from django.urls import reverse

from applications.hooks import ApplicationPanel
from applications.models import Application

from .permissions import may_record_site_check
from .selectors import site_checks_of
from .services import SITE_CHECK_STATUSES


def site_check_panels(*, application: Application, user: Any, for_official: bool) -> list[ApplicationPanel]:
    call = application.call if application.call_id else None
    if call is None or not call.site_check:
        return []
    checks = list(site_checks_of(application))
    if not for_official:
        if not checks:
            return []
        return [ApplicationPanel("decisions/_site_checks_applicant.html", {"checks": checks})]
    may_record = application.status in SITE_CHECK_STATUSES and may_record_site_check(user, application)
    return [
        ApplicationPanel(
            "decisions/_site_checks_official.html",
            {
                "checks": checks,
                "record_url": reverse("decisions:site_check", args=[application.reference]) if may_record else "",
                "reference": application.reference,
            },
        )
    ]
