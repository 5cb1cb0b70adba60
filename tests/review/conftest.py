"""Review fixtures: submitted applications made through the services, English messages. The
officials (handler, handler2, approver, amr_handler, finance_officer, make_official) and the
signed-in clients (page_client, api_client) are tests/conftest.py's."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from accounts.models import User
from applications.models import Application
from applications.services import application_submit
from tests.applications.helpers import FIXED, complete_draft
from tests.factories import EnterpriseUserFactory

NON_MONETARY = (
    "m20-guangdong-famous-brand"  # a recognition handled by amr, as the quality awards: submitted → accepted → handled
)


@pytest.fixture(autouse=True)
def _media_and_language(settings: object, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


@pytest.fixture
def enterprise_user(db: None) -> User:
    return EnterpriseUserFactory()


def fund(code: str = FIXED, year: int | None = None, allocation: str = "1000000000") -> None:
    """A budget for the incentive and year, so approvals can commit their amounts."""
    from decimal import Decimal

    from django.utils import timezone

    from budgets.models import Budget
    from measures.models import Incentive

    Budget.objects.get_or_create(
        incentive=Incentive.objects.get(code=code),
        fiscal_year=year or timezone.localdate().year,
        defaults={"allocation": Decimal(allocation)},
    )


def submit_new(user: User | None = None, code: str = FIXED) -> Application:
    """A complete application submitted through the services (a new enterprise unless `user`)."""
    user = user or EnterpriseUserFactory()
    return application_submit(actor=user, application=complete_draft(user, code), credit_commitment=True)


@pytest.fixture
def submitted(enterprise_user: User) -> Application:
    return submit_new(enterprise_user)
