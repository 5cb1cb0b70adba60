"""Review fixtures: officials of the departments that handle measures 15 (amr) and 17 (miit),
submitted applications made through the services, signed-in clients, English messages."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import OfficialRole, User
from applications.models import Application
from applications.services import application_submit
from measures.models import Department
from tests.applications.helpers import FIXED, complete_draft
from tests.factories import PASSWORD, EnterpriseUserFactory

NON_MONETARY = "m17-quality-benchmark"  # a recognition handled by miit: submitted → accepted → handled


@pytest.fixture(autouse=True)
def _media_and_language(settings: object, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


def make_official(username: str, role: str, department: str | None) -> User:
    return User.objects.create_user(
        username,
        password=PASSWORD,
        display_name=username,
        official_role=role,
        department=Department.objects.get(code=department) if department else None,
    )


@pytest.fixture
def handler(db: None) -> User:
    return make_official("miit-handler", OfficialRole.HANDLER, "miit")


@pytest.fixture
def handler2(db: None) -> User:
    return make_official("miit-handler-2", OfficialRole.HANDLER, "miit")


@pytest.fixture
def approver(db: None) -> User:
    return make_official("miit-approver", OfficialRole.APPROVER, "miit")


@pytest.fixture
def amr_handler(db: None) -> User:
    return make_official("amr-handler", OfficialRole.HANDLER, "amr")


@pytest.fixture
def finance_officer(db: None) -> User:
    return make_official("finance-officer", OfficialRole.FINANCE, "finance")


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
    return application_submit(actor=user, application=complete_draft(user, code))


@pytest.fixture
def submitted(enterprise_user: User) -> Application:
    return submit_new(enterprise_user)


@pytest.fixture
def page_client() -> Callable[[User | None], Client]:
    def make(user: User | None = None) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api_client() -> Callable[[User | None], APIClient]:
    def make(user: User | None = None) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        return client

    return make
