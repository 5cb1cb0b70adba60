"""Reads of the city bureau's recommendation list and letters (推荐函) for a call, shared by the pages,
the API and the letter service (applications/city_letters.py).

Who sees what:
- a city bureau official (handler or approver, with a city) sees, for a call reviewed by the city
  first, the call's applications whose applicant is registered in their city, and their city's letters;
- the provincial department's officials of the call's incentives (the handling department, or one
  granted access), and administrators, see every city's letters of the call;
- nobody else: the same 404 as for a call that does not exist.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import OfficialRole
from accounts.permissions import is_administrator
from calls.models import Call

from .models import Application, CityLetterEntry, CityRecommendationLetter, Status
from .permissions import _department_incentives

CITY_OFFICIAL_ROLES = (OfficialRole.CITY_HANDLER, OfficialRole.CITY_APPROVER)
PROVINCE_ROLES = (OfficialRole.HANDLER, OfficialRole.APPROVER)

# Recommended and signed by the city bureau (forwarded to the province), and not withdrawn since.
FORWARDED = Q(city_recommended=True, city_decided_at__isnull=False) & ~Q(status=Status.WITHDRAWN)


def is_city_official_for(user: Any, call: Call) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.official_role in CITY_OFFICIAL_ROLES
        and user.city
        and call.review_path == Call.ReviewPath.CITY_FIRST
    )


def is_province_official_for(user: Any, call: Call) -> bool:
    """An administrator, or a provincial handler or approver of a department handling (or granted
    access to) one of the call's incentives."""
    if is_administrator(user):
        return True
    if not getattr(user, "is_authenticated", False) or user.official_role not in PROVINCE_ROLES:
        return False
    if not user.department_id:
        return False
    return call.incentives.filter(pk__in=_department_incentives(user, acting=False).values("pk")).exists()


def may_see_city_recommendations(user: Any, call: Call) -> bool:
    return is_city_official_for(user, call) or is_province_official_for(user, call)


def city_first_calls_for(user: Any) -> QuerySet[Call]:
    """The calls reviewed by the city first that the user may open the recommendation page of."""
    calls = Call.objects.filter(review_path=Call.ReviewPath.CITY_FIRST).order_by("-opens_at", "-pk")
    if not getattr(user, "is_authenticated", False):
        return calls.none()
    if (user.official_role in CITY_OFFICIAL_ROLES and user.city) or is_administrator(user):
        return calls
    if user.official_role in PROVINCE_ROLES and user.department_id:
        return calls.filter(incentives__in=_department_incentives(user, acting=False)).distinct()
    return calls.none()


def _default_key(application: Application) -> tuple[Any, ...]:
    """The ranking a city starts from: the largest amount asked first, then the earliest submitted."""
    amount = application.estimated_amount if application.estimated_amount is not None else Decimal(-1)
    return (-amount, application.submitted_at or application.created_at, application.pk)


def city_applications(call: Call, city: str) -> list[Application]:
    """The call's applications from the city (by the applicant's registered city), drafts excepted,
    in the default ranking."""
    rows = list(
        Application.objects.filter(call=call, applicant__city=city)
        .exclude(status=Status.DRAFT)
        .select_related("applicant", "incentive")
        .defer(*Application.HEAVY_FIELDS)
    )
    return sorted(rows, key=_default_key)


def current_letter(call: Call, city: str) -> CityRecommendationLetter | None:
    return CityRecommendationLetter.objects.filter(call=call, city=city).order_by("-ordinal").first()


def forwarded_ranking(call: Call, city: str, *, lock: bool = False) -> list[Application]:
    """The forwarded applications of the city in the call, in the order a new letter proposes: as the
    current letter ranks them, then those forwarded since in the default ranking. `lock`: their rows
    are locked for the caller's transaction (the letter service)."""
    forwarded = Application.objects.filter(FORWARDED, call=call, applicant__city=city)
    if lock:
        list(forwarded.select_for_update(of=("self",)).values_list("pk", flat=True))
    rows = sorted(forwarded.select_related("applicant", "incentive"), key=_default_key)
    letter = current_letter(call, city)
    ranks = dict(letter.entries.values_list("application_id", "rank")) if letter else {}
    big = 10**9
    return sorted(rows, key=lambda a: (ranks.get(a.pk, big), *_default_key(a)))


@dataclass(frozen=True)
class LetterView:
    letter: CityRecommendationLetter
    entries: list[CityLetterEntry]
    superseded_by: CityRecommendationLetter | None

    @property
    def total(self) -> Decimal:
        return sum((e.amount_asked or Decimal(0) for e in self.entries), Decimal(0))


def letters_of(call: Call, city: str | None = None) -> list[LetterView]:
    """The call's letters (of one city, or of every city), newest first within each city, each with
    its entries in rank order and the letter that superseded it, if any."""
    letters = (
        CityRecommendationLetter.objects.filter(call=call)
        .select_related("issued_by")
        .prefetch_related("entries__application__applicant")
        .order_by("city", "-ordinal")
    )
    if city is not None:
        letters = letters.filter(city=city)
    views: list[LetterView] = []
    newer: dict[str, CityRecommendationLetter] = {}
    for letter in letters:
        views.append(LetterView(letter, sorted(letter.entries.all(), key=lambda e: e.rank), newer.get(letter.city)))
        newer[letter.city] = letter
    return views


def letter_visible_to(user: Any, pk: int) -> CityRecommendationLetter | None:
    """The letter when the user may download it (its city's bureau, the call's provincial officials,
    administrators); None otherwise, the same as a letter that does not exist."""
    letter = CityRecommendationLetter.objects.select_related("call").filter(pk=pk).first()
    if letter is None:
        return None
    if is_city_official_for(user, letter.call) and user.city == letter.city:
        return letter
    if is_province_official_for(user, letter.call):
        return letter
    return None


@dataclass(frozen=True)
class CityRanking:
    """Where the city ranked an application: its entry on the latest letter that lists it."""

    entry: CityLetterEntry
    letter: CityRecommendationLetter
    of: int  # how many the letter recommends
    superseded: bool  # a later letter of the city for the call exists (and does not list it)


def city_ranking(application: Application) -> CityRanking | None:
    entry = (
        CityLetterEntry.objects.filter(application=application)
        .select_related("letter")
        .order_by("-letter__ordinal")
        .first()
    )
    if entry is None:
        return None
    letter = entry.letter
    later = CityRecommendationLetter.objects.filter(
        call_id=letter.call_id, city=letter.city, ordinal__gt=letter.ordinal
    )
    return CityRanking(entry=entry, letter=letter, of=letter.entries.count(), superseded=later.exists())
