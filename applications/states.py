"""An application's states and what each means: the state half of the workflow's table.

The moves between them are in `applications/workflow.py`; everything else (queues, dashboards,
the status tag, the database's "one open application" constraint) reads these flags instead of
declaring its own list of states.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.workflow import State


class Status(models.TextChoices):
    """An application's life (see PRODUCT.md). The workflow module says which moves are allowed."""

    DRAFT = "draft", _("Draft")
    OFFERED = "offered", _("Award offered")  # 免申即享: made from an official list, the applicant confirms
    SUBMITTED = "submitted", _("Submitted")
    # 地市初审推荐: calls whose review path is "city_first" go to the applicant's city bureau first.
    CITY_REVIEW = "city_review", _("City first review")
    CITY_RETURNED = "city_returned", _("Returned by the city bureau for supplement")
    CITY_PROPOSED = "city_proposed", _("City recommendation proposed")  # awaiting the city approver
    CITY_NOT_RECOMMENDED = "city_not_recommended", _("Not recommended by the city bureau")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for supplement")
    REFUSED = "refused", _("Not accepted")
    UNDER_REVIEW = "under_review", _("Under review")
    PROPOSED = "proposed", _("Proposed for support")
    REJECTION_PROPOSED = "rejection_proposed", _("Proposed not to support")  # 拟不予支持, awaiting sign-off
    REJECTED = "rejected", _("Not supported")
    APPROVED = "approved", _("Approved")
    ANNOUNCED = "announced", _("Publicly announced")
    FINAL = "final", _("Final")
    HANDLED = "handled", _("Handled")
    PAID = "paid", _("Paid")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    PAYMENT_CANCELLED = "payment_cancelled", _("Payment cancelled")  # failed and not retried: the award ends
    RECOVERING = "recovering", _("Recovery decided")  # 追回: money paid is to be refunded
    RECOVERED = "recovered", _("Recovered")  # the refund was received in full
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LAPSED = "lapsed", _("Lapsed")


S = Status
# open: the department (or the applicant, for a supplement) works on it against a time limit.
# closed: it ended without an outcome, so it no longer blocks a new application for the same
# incentive and year. stage: where it stands, in the few stages a dashboard's reader thinks in.
STATES: dict[str, State] = {
    S.DRAFT: State(editable=True, tone="neutral", stage="draft",
                   next_step=_("Complete the sections and documents, then submit.")),
    S.OFFERED: State(tone="progress", stage="intake",
                     next_step=_("An award is offered to you: confirm your bank account to accept it.")),
    S.SUBMITTED: State(open=True, timed=True, stage="intake",
                       next_step=_("The department checks that the application is complete.")),
    S.CITY_REVIEW: State(open=True, timed=True, stage="intake",
                         next_step=_("The city bureau of your registered city reviews it first.")),
    S.CITY_RETURNED: State(open=True, timed=True, editable=True, tone="action", stage="intake",
                           next_step=_("Answer the city bureau's supplement request before its deadline.")),
    S.CITY_PROPOSED: State(open=True, timed=True, stage="intake",
                           next_step=_("The city bureau has proposed its recommendation: awaiting its sign-off.")),
    S.CITY_NOT_RECOMMENDED: State(closed=True, tone="negative", stage="closed",
                                  next_step=_("Not recommended by the city bureau: see the reasons.")),
    S.ACCEPTED: State(open=True, timed=True, stage="review",
                      next_step=_("Accepted: the department will review it.")),
    S.RETURNED: State(open=True, timed=True, editable=True, tone="action", stage="intake",
                      next_step=_("Answer the supplement request before its deadline.")),
    S.REFUSED: State(closed=True, tone="negative", stage="closed",
                     next_step=_("Not accepted: see the notice for the reasons and your rights.")),
    S.UNDER_REVIEW: State(open=True, timed=True, stage="review",
                          next_step=_("Under review by the department.")),
    S.PROPOSED: State(open=True, timed=True, tone="positive", stage="review",
                      next_step=_("Proposed for support: awaiting a second official's approval.")),
    S.REJECTION_PROPOSED: State(open=True, timed=True, tone="negative", stage="review",
                                next_step=_("Proposed not to support: awaiting a second official's sign-off.")),
    S.REJECTED: State(closed=True, tone="negative", stage="closed",
                      next_step=_("Not supported: see the decision notice for the reasons and your rights.")),
    S.APPROVED: State(tone="positive", stage="announcement",
                      next_step=_("Approved: it will be publicly announced.")),
    S.ANNOUNCED: State(tone="positive", stage="announcement",
                       next_step=_("Publicly announced: final when the announcement period ends without objection.")),
    S.FINAL: State(tone="done", stage="payment", next_step=_("Final: awaiting disbursement.")),
    S.HANDLED: State(tone="done", stage="done", next_step=_("Handled: nothing more to do.")),
    S.PAID: State(tone="done", stage="done", next_step=_("Paid.")),
    S.PAYMENT_FAILED: State(tone="action", stage="payment",
                            next_step=_("The payment failed: check your bank account details.")),
    S.PAYMENT_CANCELLED: State(closed=True, tone="negative", stage="closed",
                               next_step=_("The payment failed and was cancelled: see the reasons.")),
    S.RECOVERING: State(tone="action", stage="done",
                        next_step=_("The department decided to recover money paid: see the recovery notice.")),
    S.RECOVERED: State(tone="negative", stage="done", next_step=_("The money to be recovered was refunded.")),
    S.WITHDRAWN: State(closed=True, tone="neutral", stage="closed", next_step=_("Withdrawn.")),
    S.LAPSED: State(closed=True, tone="negative", stage="closed",
                    next_step=_("Lapsed: the supplement deadline passed.")),
}  # fmt: skip


def _where(flag: str) -> tuple[str, ...]:
    return tuple(status for status in Status if getattr(STATES[status], flag))


OPEN_STATUSES = _where("open")  # queues' "open", dashboards' backlog and overdue
TIMED_STATES = frozenset(_where("timed"))  # an official time limit (stage_due_on) runs
EDITABLE = frozenset(_where("editable"))  # the applicant may change answers and documents
CLOSED_STATUSES = _where("closed")  # free the place for a new application (a database constraint)
# With the city bureau (地市初审推荐): its officials' queue; the province does not see them.
CITY_STATUSES = (S.CITY_REVIEW, S.CITY_RETURNED, S.CITY_PROPOSED, S.CITY_NOT_RECOMMENDED)
# Waiting for the applicant's supplement (补正), to the province or to the city bureau.
RETURNED_STATUSES = (S.RETURNED, S.CITY_RETURNED)
