"""The calls shown under each incentive on the catalog's pages (measures/hooks.py): its open calls
and its next one, with the "apply" button for a signed-in applicant of the incentive's type."""

from typing import Any

from django.urls import reverse
from django.utils import timezone

from measures.hooks import IncentivePanel
from measures.models import Incentive

from .selectors import current_calls_by_incentive


def calls_panels(*, incentives: list[Incentive], user: Any) -> dict[int, list[IncentivePanel]]:
    now = timezone.now()
    by_incentive = current_calls_by_incentive([i.pk for i in incentives], now)
    signed_in = bool(getattr(user, "is_authenticated", False))
    applicant = getattr(user, "applicant", None) if signed_in else None
    panels: dict[int, list[IncentivePanel]] = {}
    for incentive in incentives:
        calls = by_incentive.get(incentive.pk, [])
        if not calls:
            continue
        may_apply = applicant is not None and applicant.kind == incentive.applicant_type
        rows = [
            {
                "call": call,
                "open": call.is_open(now),
                "apply_url": (
                    f"{reverse('applications:start', args=[incentive.code])}?call={call.pk}" if may_apply else ""
                ),
            }
            for call in calls
        ]
        panels[incentive.pk] = [
            IncentivePanel(
                "calls/_incentive_calls.html",
                {"rows": rows, "incentive": incentive, "signed_in": signed_in, "is_applicant": applicant is not None},
            )
        ]
    return panels
