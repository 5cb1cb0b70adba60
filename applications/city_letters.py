"""The city bureau's recommendation letter (推荐函) for a call (地市初审推荐, issue 12).

    city_letter_issue(actor=, call=, ranks=None, ip_address=None) -> CityRecommendationLetter

The bureau's approver issues it: the applications of the city it recommended and signed (forwarded)
for the call, in the rank the city sets (by default the current letter's order, then the largest
amount asked first), with the amounts asked and the city's reasons. The letter is numbered
粤质品推〔<year>〕<CITY>-<call>-<ordinal>, kept as data (its essentials) and as a PDF rendered by
WeasyPrint like the notices (templates/notices/city_letter.html, portal.pdf). When more are
forwarded later, a new letter supersedes the current one; earlier letters are kept.
"""

import hashlib
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import OfficialRole, User
from audit.services import audit_record
from calls.models import Call
from measures.vocabulary import GuangdongCity
from portal.pdf import render_pdf, static_files_only_fetcher

from .city_selectors import forwarded_ranking
from .models import Application, CityLetterEntry, CityRecommendationLetter
from .notices import _chinese_date, amount_in_words

NUMBER_PREFIX = "粤质品推"


class CityLetterError(ValueError):
    """The letter cannot be issued as asked; `message` is for the user, in their language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _city_name_zh(city: str) -> str:
    with translation.override("zh-hans"):
        return str(GuangdongCity(city).label)


def bureau_name(city: str) -> str:
    """佛山市市场监督管理局: the city's bureau, as the letter is signed."""
    return f"{_city_name_zh(city)}市场监督管理局"


def letter_number(call: Call, city: str, year: int, ordinal: int) -> str:
    return f"{NUMBER_PREFIX}〔{year}〕{city.upper()}-{call.pk}-{ordinal}"


def _ordered(applications: list[Application], ranks: dict[int, int] | None) -> list[Application]:
    """The applications in the order the approver set (a rank per application: 1, 2, … each once),
    or as proposed when no ranks are given."""
    if ranks is None:
        return applications
    given = {a.pk: ranks.get(a.pk) for a in applications}
    if any(rank is None for rank in given.values()):
        raise CityLetterError(_("Give every recommended application a rank."))
    values = sorted(r for r in given.values() if r is not None)
    if values != list(range(1, len(applications) + 1)):
        raise CityLetterError(
            _("Rank the recommended applications 1 to %(count)d, each number once.") % {"count": len(applications)}
        )
    return sorted(applications, key=lambda a: given[a.pk] or 0)


def _essentials(
    call: Call, city: str, number: str, ordered: list[Application], previous: CityRecommendationLetter | None
) -> dict[str, Any]:
    incentive = call.incentives.select_related("handling_department").order_by("pk").first()
    department = incentive.handling_department if incentive else None
    total = sum((a.estimated_amount or Decimal(0) for a in ordered), Decimal(0))
    today = timezone.localdate()
    return {
        "number": number,
        "bureau": bureau_name(city),
        "city": city,
        "addressee": department.formal_name if department else "",
        "call_id": call.pk,
        "call_title": call.title,
        "fiscal_year": call.fiscal_year,
        "date": today.isoformat(),
        "count": len(ordered),
        "total": str(total.quantize(Decimal("0.01"))),
        "total_in_words": amount_in_words(total),
        "supersedes": previous.number if previous else "",
        "supersedes_date": timezone.localtime(previous.issued_at).date().isoformat() if previous else "",
        "entries": [
            {
                "rank": rank,
                "reference": a.reference,
                "applicant": a.applicant.name,
                "applicant_uscc": a.applicant.uscc or "",
                "incentive": a.incentive.name,
                "amount_asked": None if a.estimated_amount is None else str(a.estimated_amount),
                "reasons": a.city_reasons,
            }
            for rank, a in enumerate(ordered, start=1)
        ],
    }


def render_letter_html(essentials: dict[str, Any]) -> str:
    from django.conf import settings

    entries = [
        {**e, "amount_display": f"{Decimal(e['amount_asked']):,.2f}" if e["amount_asked"] is not None else "—"}
        for e in essentials["entries"]
    ]
    context = {
        "e": essentials,
        "entries": entries,
        "date_zh": _chinese_date(essentials["date"]),
        "supersedes_date_zh": _chinese_date(essentials.get("supersedes_date")),
        "total_display": f"{Decimal(essentials['total']):,.2f}",
        "stylesheet": settings.STATIC_URL + "notices/notice.css",
    }
    return render_to_string("notices/city_letter.html", context)


def city_letter_issue(
    *, actor: User, call: Call, ranks: dict[int, int] | None = None, ip_address: str | None = None
) -> CityRecommendationLetter:
    """Issues the city's letter for the call (its approver only): the forwarded applications of the
    actor's city, ranked; it supersedes the city's current letter for the call, if any."""
    if (
        actor.official_role != OfficialRole.CITY_APPROVER
        or not actor.city
        or call.review_path != Call.ReviewPath.CITY_FIRST
    ):
        raise PermissionDenied(_("Only the city bureau's approver issues its recommendation letter."))
    city = actor.city
    with transaction.atomic():
        # One issuer at a time per call: the ordinal and the set of applications are read under the lock.
        Call.objects.select_for_update().filter(pk=call.pk).first()
        applications = forwarded_ranking(call, city, lock=True)
        if not applications:
            raise CityLetterError(_("No application of your city was recommended and signed for this call yet."))
        ordered = _ordered(applications, ranks)
        previous = CityRecommendationLetter.objects.filter(call=call, city=city).order_by("-ordinal").first()
        if previous is not None:
            listed = [(e.application_id, e.amount_asked) for e in previous.entries.order_by("rank")]
            if listed == [(a.pk, a.estimated_amount) for a in ordered]:
                raise CityLetterError(
                    _("The current letter %(number)s already recommends these applications in this order.")
                    % {"number": previous.number}
                )
        ordinal = previous.ordinal + 1 if previous else 1
        now = timezone.now()
        number = letter_number(call, city, timezone.localtime(now).year, ordinal)
        essentials = _essentials(call, city, number, ordered, previous)
        pdf = render_pdf(render_letter_html(essentials), fetcher=static_files_only_fetcher())
        essentials["pdf_sha256"] = hashlib.sha256(pdf).hexdigest()
        letter = CityRecommendationLetter(
            call=call, city=city, ordinal=ordinal, number=number, issued_by=actor, issued_at=now, essentials=essentials
        )
        letter.pdf.save(f"{city}-{call.pk}-{ordinal}.pdf", ContentFile(pdf), save=False)
        try:
            letter.save(force_insert=True)
            CityLetterEntry.objects.bulk_create(
                CityLetterEntry(
                    letter=letter,
                    application=a,
                    rank=rank,
                    amount_asked=a.estimated_amount,
                    reasons=a.city_reasons,
                )
                for rank, a in enumerate(ordered, start=1)
            )
            audit_record(
                actor=actor,
                action="city_letter.issue",
                obj=letter,
                after={
                    "number": number,
                    "call": call.pk,
                    "city": city,
                    "ranking": [a.reference for a in ordered],
                    "total": essentials["total"],
                    "supersedes": essentials["supersedes"],
                },
                ip_address=ip_address,
                visible_to_applicant=False,
            )
        except BaseException:
            letter.pdf.delete(save=False)  # nothing was written: nor is its file kept
            raise
    return letter
