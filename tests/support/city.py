"""City first review (地市初审推荐) set-up: calls with a review path, applicants and officials of a
city, drafts that answer a given call. Made through the services except where a test puts a row in
a state directly."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Applicant, OfficialRole, User
from applications.models import Application
from calls.models import Call
from calls.services import call_save
from measures.models import Incentive
from tests.applications.helpers import FIXED, complete_draft
from tests.factories import EnterpriseUserFactory, OfficialFactory


def open_call(review_path: str, code: str = FIXED) -> Call:
    """A call for `code`, open now for this year, with the given review path."""
    now = timezone.now()
    admin = User.objects.filter(official_role=OfficialRole.ADMINISTRATOR).first() or OfficialFactory(
        role=OfficialRole.ADMINISTRATOR
    )
    call = Call(
        fiscal_year=timezone.localdate().year,
        title=f"申报通知（{review_path}）",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        review_path=review_path,
        money_available=Decimal("50000000.00"),
    )
    return call_save(actor=admin, call=call, incentives=Incentive.objects.filter(code=code))


def enterprise_in(city: str) -> User:
    user = EnterpriseUserFactory()
    Applicant.objects.filter(pk=user.applicant_id).update(city=city)
    return User.objects.select_related("applicant").get(pk=user.pk)


def city_official(role: str, city: str, **fields: object) -> User:
    return OfficialFactory(role=role, city=city, **fields)


def draft_for(user: User, call: Call, code: str = FIXED) -> Application:
    """A complete draft answering `call` (set directly: several calls for one incentive are open)."""
    draft = complete_draft(user, code)
    Application.objects.filter(pk=draft.pk).update(call=call)
    return Application.objects.select_related("call", "applicant").get(pk=draft.pk)
