"""Reads of the credit list and the credit commitment, shared by pages, the API and the apps above.

    listing_for(applicant or credit code, on=date)   the entry that lists it on that day, or None
    listings_for(codes, on=date)                     the same for many codes, in one query
    credit_entries(search=)                          the list for administrators, newest first
    commitment_for(incentive)                        the credit commitment an applicant gives

Screening is by unified social credit code, so it covers enterprises (and other organisations)
only. The lists the portal imports (严重失信主体名单 of enterprises) name legal persons by their
credit code; individuals applying with a resident ID are not screened here.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.identifiers import normalise
from accounts.models import Applicant
from measures.models import Incentive, PolicyDocument
from measures.vocabulary import ApplicantType
from portal.languages import pick

from .models import CreditListEntry
from .permissions import may_manage_credit_list


def active_on(on: dt.date) -> Q:
    """Entries in force on the day: listed by then, term not run out, not ended by hand before it."""
    return (
        Q(listed_on__lte=on)
        & (Q(until__isnull=True) | Q(until__gte=on))
        & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))
    )


def is_active(entry: CreditListEntry, on: dt.date | None = None) -> bool:
    on = on or timezone.localdate()
    return (
        entry.listed_on <= on
        and (entry.until is None or entry.until >= on)
        and (entry.ended_on is None or entry.ended_on > on)
    )


def screened_code(subject: Applicant | str | None) -> str | None:
    """The credit code screening looks up: an enterprise's, or a code given; None for individuals."""
    if isinstance(subject, Applicant):
        return subject.uscc if subject.kind == ApplicantType.ORGANISATION and subject.uscc else None
    return normalise(subject) if subject else None


def listing_for(subject: Applicant | str | None, *, on: dt.date | None = None) -> CreditListEntry | None:
    """The entry that lists the enterprise (or credit code) on the day (today by default): the
    earliest-listed when several do; None when it is not listed or is an individual."""
    code = screened_code(subject)
    if not code:
        return None
    on = on or timezone.localdate()
    return CreditListEntry.objects.filter(active_on(on), uscc=code).order_by("listed_on", "pk").first()


def listings_for(codes: Iterable[str | None], *, on: dt.date | None = None) -> dict[str, CreditListEntry]:
    """Credit code → the entry listing it on the day, for many codes in one query (queues, batches)."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    on = on or timezone.localdate()
    found: dict[str, CreditListEntry] = {}
    for entry in CreditListEntry.objects.filter(active_on(on), uscc__in=wanted).order_by("-listed_on", "-pk"):
        found[entry.uscc] = entry  # the earliest-listed last, so it wins
    return found


def credit_entries(*, search: str = "", state: str = "") -> QuerySet[CreditListEntry]:
    """The list, newest first, searched by credit code (or its start) or name; `state` active or ended."""
    entries = CreditListEntry.objects.select_related("added_by", "ended_by")
    search = " ".join((search or "").split())
    if search:
        code = normalise(search)
        entries = entries.filter(Q(uscc__startswith=code) | Q(name__icontains=search))
    today = timezone.localdate()
    if state == "active":
        entries = entries.filter(active_on(today))
    elif state == "ended":
        entries = entries.exclude(active_on(today))
    return entries.order_by("-listed_on", "-pk")


def access_entry(user: object, pk: int) -> CreditListEntry:
    """An entry for an administrator; 404 for everyone else, as for a missing one."""
    entry = CreditListEntry.objects.select_related("added_by", "ended_by").filter(pk=pk).first()
    if entry is None or not may_manage_credit_list(user):
        raise Http404
    return entry


@dataclass(frozen=True)
class Commitment:
    """The credit commitment for an incentive: the Chinese text binds; `version` identifies it."""

    text: str
    text_en: str

    @property
    def version(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def shown(self) -> str:
        """The text in the current language (the English where there is one)."""
        return str(pick(self.text, self.text_en))


def commitment_for(incentive: Incentive) -> Commitment:
    """The incentive's own commitment, else its policy document's (catalog data, edited in the admin)."""
    if incentive.credit_commitment.strip():
        return Commitment(incentive.credit_commitment.strip(), incentive.credit_commitment_en.strip())
    document = PolicyDocument.objects.filter(chapters__measures__incentives=incentive).first()
    if document is None:
        document = PolicyDocument.objects.order_by("pk").first()
    if document is None:
        return Commitment("", "")
    return Commitment(document.credit_commitment.strip(), document.credit_commitment_en.strip())
