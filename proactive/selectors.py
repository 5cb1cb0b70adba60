"""Reads of proactive lists and offers shared by the pages and the API."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import BankAccount
from applications.models import Application
from applications.selectors import application_list
from measures.models import Incentive
from measures.vocabulary import ApplicantType

from .models import ProactiveList, ProactiveListRow
from .permissions import is_list_administrator


def proactive_incentives() -> QuerySet[Incentive]:
    """Incentives a list can be imported for: grants to enterprises."""
    return (
        Incentive.objects.filter(kind__in=Incentive.GRANT_KINDS, applicant_type=ApplicantType.ORGANISATION)
        .select_related("measure")
        .order_by("measure__number", "position")
    )


def proactive_list_summaries() -> QuerySet[ProactiveList]:
    """Every list with its counts, in one query."""
    return (
        ProactiveList.objects.select_related("incentive", "incentive__measure", "imported_by")
        .annotate(
            row_count=Count("rows"),
            matched_count=Count("rows", filter=Q(rows__applicant__isnull=False)),
            unmatched_count=Count("rows", filter=Q(rows__applicant__isnull=True)),
            offer_count=Count("rows", filter=Q(rows__application__isnull=False)),
        )
        .order_by("-imported_at", "-pk")
    )


def access_proactive_list(user: Any, pk: Any) -> ProactiveList:
    """A list for an administrator; others are refused, a missing list is a 404."""
    if not is_list_administrator(user):
        raise PermissionDenied
    try:
        return proactive_list_summaries().get(pk=int(pk))
    except (ProactiveList.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def proactive_list_rows(award_list: ProactiveList) -> QuerySet[ProactiveListRow]:
    return (
        ProactiveListRow.objects.filter(award_list=award_list).select_related("applicant", "application").order_by("pk")
    )


def access_offer(user: Any, reference: str) -> Application:
    """An offer made to the user's enterprise, by reference; anything else (another enterprise's
    offer, an ordinary application, a missing reference) is the same 404."""
    queryset = (
        application_list(user, own_only=True)
        .filter(proactive_row__isnull=False)
        .select_related("proactive_row__award_list", "applicant__bank_account", "incentive__handling_department")
    )
    try:
        return queryset.get(reference=str(reference))
    except Application.DoesNotExist:
        raise Http404 from None


def offer_bank_account(application: Application) -> BankAccount | None:
    try:
        return application.applicant.bank_account
    except BankAccount.DoesNotExist:
        return None
