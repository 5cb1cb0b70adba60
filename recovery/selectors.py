"""Reads of recoveries shared by the pages, the API and the hooks.

Who sees which recovery follows who sees its application (applications.permissions): the
applicant their own, officials those of their department's incentives, finance and administrators
every one. Anyone else gets the same 404 as for a recovery that does not exist.
"""

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from applications.models import Application, Notice
from applications.notices import amount_in_words
from applications.permissions import applications_visible_to
from awards.models import Award
from disbursement.models import Payment

from .models import Recovery, Refund

ZERO = Decimal("0.00")
FEN = Decimal("0.01")
MONEY = DecimalField(max_digits=20, decimal_places=2)


def recoveries_visible_to(user: Any) -> QuerySet[Recovery]:
    return Recovery.objects.filter(application__in=applications_visible_to(user)).select_related(
        "application__applicant", "application__incentive__measure", "decided_by"
    )


def recoveries_list(user: Any, *, awaiting: bool | None = None) -> QuerySet[Recovery]:
    """The user's recoveries, those still awaiting refunds first (`awaiting`: only those, or only
    the ones refunded in full)."""
    recoveries = recoveries_visible_to(user)
    if awaiting is not None:
        recoveries = (
            recoveries.filter(refunded__lt=F("amount")) if awaiting else recoveries.filter(refunded__gte=F("amount"))
        )
    return recoveries.order_by(F("completed_at").desc(nulls_first=True), "-decided_at", "-pk")


def recovery_for(user: Any, number: str) -> Recovery:
    """The recovery by number if the user may see it; 404 otherwise (missing and "not yours" alike)."""
    try:
        return recoveries_visible_to(user).get(number=number)
    except Recovery.DoesNotExist:
        raise Http404 from None


def recovery_refunds(recovery: Recovery) -> QuerySet[Refund]:
    return recovery.refunds.select_related("recorded_by").order_by("received_on", "pk")


def paid_amount(award: Award) -> Decimal:
    """What the bank paid on the award (its one paid payment), or 0."""
    total: Decimal = Payment.objects.filter(award=award, status=Payment.Status.PAID).aggregate(
        total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY)
    )["total"]
    return total.quantize(FEN)


def decided_before(award: Award) -> Decimal:
    """What earlier recovery decisions on the award took back (or are taking back)."""
    total: Decimal = Recovery.objects.filter(award=award).aggregate(
        total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY)
    )["total"]
    return total.quantize(FEN)


def recoverable(application: Application) -> Decimal | None:
    """At most what a new recovery may take back: paid less recovered before; None without an award."""
    award = Award.objects.filter(application=application).first()
    if award is None:
        return None
    return paid_amount(award) - decided_before(award)


def active_ban(applicant_id: int, today: Any) -> Recovery | None:
    """The recovery decision that bars the applicant from applying on `today`, the longest first."""
    return (
        Recovery.objects.filter(application__applicant_id=applicant_id, banned_until__gte=today)
        .select_related("application")
        .order_by("-banned_until", "-pk")
        .first()
    )


def recovered_per_budget(**_: Any) -> Any:
    """Connected to `budgets.hooks.budget_recovered`: the refunds on each budget's awards."""
    refunds = (
        Refund.objects.filter(recovery__award__budget=OuterRef("pk"))
        .order_by()
        .values("recovery__award__budget")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(refunds, output_field=MONEY), Value(ZERO), output_field=MONEY)


def recovery_notice_facts(*, kind: str, application: Application, event: Any = None) -> dict[str, Any] | None:
    """Connected to `applications.hooks.notice_facts`: what the recovery notice (追回资金决定通知书)
    states about the recovery its audit event decided; None for other notices."""
    if kind != Notice.Kind.RECOVERY or event is None:
        return None
    recovery = Recovery.objects.filter(application=application, event_sequence=event.sequence).first()
    if recovery is None:
        return None
    return {
        "recovery": recovery.number,
        "amount": str(recovery.amount),
        "amount_in_words": amount_in_words(recovery.amount),
        "reasons": recovery.reasons,
        "paid": str(paid_amount(recovery.award)),
        "ban_years": recovery.ban_years,
        "banned_until": recovery.banned_until.isoformat() if recovery.banned_until else None,
    }
