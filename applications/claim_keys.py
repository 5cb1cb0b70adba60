"""Once only (同一项目不得重复申报): the same international standard, award or certificate is
funded once, whoever claims it and whenever (or once a fiscal year, where the incentive says so).

    claim_keys(application)            the normalised keys its answers give (Incentive.claim_key)
    claim_keys_record(application)     at submission (and a supplement): what it claims, unfunded
    claims_elsewhere(application)      every other application with one of its keys (warning, review)
    claim_keys_fund(application)       at approval, in its transaction: refused when funded already
    claim_keys_release(application)    an award withdrawn: its keys may be claimed again
"""

import unicodedata
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Application, ClaimKey
from .services import ApplicationConflict


class AlreadyFunded(ApplicationConflict):
    """A key of this claim is funded already (API: 409, code already_funded, as API.md says)."""

    code = "already_funded"


def normalise(value: Any) -> str:
    """'iso 23000 : 2025' and 'ISO 23000:2025' are one standard: width, case and spaces folded."""
    text = unicodedata.normalize("NFKC", str(value)).upper()
    return " ".join(text.replace(" :", ":").replace(": ", ":").split())[:200]


def claim_keys(application: Application) -> list[str]:
    path = application.incentive.claim_key
    if not path:
        return []
    section, _dot, rest = path.partition(".")
    answers = application.data.get(section) or {}
    if "[]." in rest:
        rows_field, _marker, field = rest.partition("[].")
        rows = answers.get(rows_field) or []
        values = [row.get(field) for row in rows if isinstance(row, dict)]
    else:
        values = [answers.get(rest)]
    return sorted({normalise(v) for v in values if v not in (None, "") and normalise(v)})


def _period(application: Application) -> str:
    return str(application.fiscal_year) if application.incentive.claim_key_repeats_yearly else ""


def claim_keys_record(application: Application) -> None:
    """What the application claims now (unfunded); call it in the transaction that submits it."""
    ClaimKey.objects.filter(application=application, funded=False).delete()
    ClaimKey.objects.bulk_create(
        [
            ClaimKey(
                application=application, incentive_id=application.incentive_id, key=key, period=_period(application)
            )
            for key in claim_keys(application)
        ],
        ignore_conflicts=True,
    )


def claims_elsewhere(application: Application) -> QuerySet[ClaimKey]:
    keys = claim_keys(application)
    return (
        ClaimKey.objects.filter(incentive_id=application.incentive_id, key__in=keys)
        .exclude(application=application)
        .select_related("application__applicant")
        .order_by("-funded", "key", "application__fiscal_year")
    )


def claim_keys_fund(application: Application) -> None:
    """Marks the keys funded at approval, or refuses naming the application that holds one."""
    claim_keys_record(application)
    funded = claims_elsewhere(application).filter(funded=True, period=_period(application)).first()
    if funded is not None:
        raise AlreadyFunded(
            _("“%(key)s” was already funded by application %(reference)s: the same claim is not funded twice.")
            % {"key": funded.key, "reference": funded.application.reference}
        )
    try:
        with transaction.atomic():
            ClaimKey.objects.filter(application=application).update(funded=True)
    except IntegrityError:  # funded by a concurrent approval meanwhile: the database's constraint
        raise AlreadyFunded(_("One of this claim's items was funded by another approval just now.")) from None


def claim_keys_release(application: Application) -> None:
    ClaimKey.objects.filter(application=application).update(funded=False)


def claimed_before(application: Application) -> list[dict[str, Any]]:
    """For the applicant's check page: which of their items another application claimed, and
    whether it was funded; who claimed it stays private."""
    found: dict[str, bool] = {}
    for other in claims_elsewhere(application):
        found[other.key] = found.get(other.key, False) or other.funded
    return [{"key": key, "funded": funded} for key, funded in sorted(found.items())]
