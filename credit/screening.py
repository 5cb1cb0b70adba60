"""Screening (信用审查): a listed enterprise is refused, with the reason and the list named.

The apps above call `credit_screen` where money is decided or paid: at submission and approval
(applications), when a proactive offer is made or confirmed (proactive) and when a payment batch
is built (disbursement). `listed_reason` says why in the current language.
"""

import datetime as dt

from django.utils.translation import gettext as _

from accounts.models import Applicant

from .models import CreditListEntry
from .selectors import listing_for


class CreditListed(Exception):
    """The applicant is on a list of seriously dishonest entities (API: 409, code credit_listed)."""

    code = "credit_listed"

    def __init__(self, entry: CreditListEntry) -> None:
        self.entry = entry
        super().__init__(listed_reason(entry))

    @property
    def message(self) -> str:
        return listed_reason(self.entry)  # in the language current when it is shown


def listed_reason(entry: CreditListEntry) -> str:
    """Why a listed enterprise is refused: the list, since when and until when."""
    if entry.until is not None:
        return _(
            "%(name)s (credit code %(code)s) is on the list “%(list)s” from %(listed_on)s until %(until)s: "
            "an entity on a list of seriously dishonest entities cannot receive incentives."
        ) % {
            "name": entry.name,
            "code": entry.uscc,
            "list": entry.list_name,
            "listed_on": entry.listed_on.isoformat(),
            "until": entry.until.isoformat(),
        }
    return _(
        "%(name)s (credit code %(code)s) is on the list “%(list)s” since %(listed_on)s: "
        "an entity on a list of seriously dishonest entities cannot receive incentives."
    ) % {"name": entry.name, "code": entry.uscc, "list": entry.list_name, "listed_on": entry.listed_on.isoformat()}


def credit_screen(subject: Applicant | str | None, *, on: dt.date | None = None) -> None:
    """Raises CreditListed when the enterprise (or credit code) is listed on the day (today)."""
    entry = listing_for(subject, on=on)
    if entry is not None:
        raise CreditListed(entry)
