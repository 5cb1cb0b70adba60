"""Builders for the announcement and approval-budget tests (not a test module).

Approved applications come two ways: `approve_through_services` walks the real review path
(submit → accept → review → propose → approve, the budget committed by the approval), and
`approved_quickly` makes the approved state directly and commits the award through
awards.services, for tests that need many rows.
"""

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import OfficialRole, User
from announcements.models import Announcement
from applications.models import Application, Status
from applications.review import (
    application_accept,
    application_approve,
    application_propose,
    application_start_review,
)
from applications.services import application_submit
from awards.models import Award
from awards.services import award_commit
from budgets.services import budget_set
from tests.applications.helpers import complete_draft
from tests.factories import EnterpriseUserFactory, IndividualUserFactory, OfficialFactory, incentive_by_code

ORG = "m17-china-quality-award-org"  # 3,000,000 CNY, handled by amr
IND = "m17-china-quality-award-ind"  # 1,000,000 CNY, handled by amr
_numbers = itertools.count(1)


def this_year() -> int:
    return timezone.localdate().year


def finance() -> User:
    return OfficialFactory(role=OfficialRole.FINANCE)


def set_budget(amount: str | Decimal, code: str = ORG, year: int | None = None) -> None:
    budget_set(
        actor=finance(), incentive=incentive_by_code(code), fiscal_year=year or this_year(), allocation=Decimal(amount)
    )


def proposed_through_services(handler: User, *, user: User | None = None, code: str = ORG) -> Application:
    """A proposal for support with the engine's amount, made by `handler` through the services."""
    user = user or (IndividualUserFactory() if code == IND else EnterpriseUserFactory())
    application = application_submit(actor=user, application=complete_draft(user, code), credit_commitment=True)
    application = application_accept(actor=handler, application=application)
    application = application_start_review(actor=handler, application=application)
    return application_propose(actor=handler, application=application, support=True, reasons="符合条件。")


def approve_through_services(
    handler: User, approver: User, *, user: User | None = None, code: str = ORG
) -> Application:
    application = proposed_through_services(handler, user=user, code=code)
    return application_approve(actor=approver, application=application)


def approved_quickly(*, code: str = ORG, amount: str = "3000000", individual_name: str | None = None) -> Application:
    """An approved application with its award committed (the budget must cover it)."""
    if individual_name is not None:
        user = IndividualUserFactory(applicant__name=individual_name)
        code = IND if code == ORG else code
    else:
        user = EnterpriseUserFactory()
    application = Application.objects.create(
        applicant=user.applicant,
        created_by=user,
        incentive=incentive_by_code(code),
        fiscal_year=this_year(),
        status=Status.APPROVED,
        reference=f"QB-{this_year()}-17-{900000 + next(_numbers):06d}",
        submitted_at=timezone.now() - dt.timedelta(days=30),
        proposed_amount=Decimal(amount),
    )
    with transaction.atomic():  # as in the approval's transaction
        award_commit(actor=None, application=application, amount=Decimal(amount))
    return application


def refreshed(application: Application) -> Application:
    return Application.objects.select_related("award").get(pk=application.pk)


def award_of(application: Application) -> Award:
    return Award.objects.get(application=application)


def days_after(announcement: Announcement, n: int) -> dt.date:
    return announcement.ends_on + dt.timedelta(days=n)


def publish_kwargs(**extra: Any) -> dict[str, Any]:
    return {"title": "关于2026年度中国质量奖资助金拟支持名单的公示", **extra}
