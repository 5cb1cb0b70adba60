"""Each role lands on its workspace after signing in (LOGIN_REDIRECT_URL → accounts:landing), and a
`next` parameter still wins."""

import pytest
from django.test import Client

from accounts.models import OfficialRole, User
from tests.factories import PASSWORD, EnterpriseUserFactory, IndividualUserFactory

pytestmark = pytest.mark.django_db


def _signed_in(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/start/", response
    return client


def _lands(client: Client) -> str:
    """Follows the landing page's redirect; the second factor is passed (tests/conftest.py) for
    the roles that need one."""
    response = client.get("/accounts/start/")
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize(
    ("role", "department", "expected"),
    [
        (OfficialRole.HANDLER, "miit", "/review/"),
        (OfficialRole.APPROVER, "miit", "/review/"),
        (OfficialRole.FINANCE, "finance", "/finance/"),
        (OfficialRole.ADMINISTRATOR, None, "/reports/dashboard/"),
    ],
)
def test_officials_land_on_their_workspace(make_official, role, department, expected) -> None:
    official = make_official(role, department)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(official)
    target = _lands(client)
    assert target == expected
    assert client.get(target).status_code == 200


@pytest.mark.parametrize("factory", [EnterpriseUserFactory, IndividualUserFactory])
def test_applicants_land_on_their_applications_offers_and_tasks(factory) -> None:
    user = factory()
    client = _signed_in(user.username)
    assert _lands(client) == "/me/"
    page = client.get("/me/").content.decode()
    assert "My applications" in page


def test_a_handler_signing_in_with_the_password_lands_on_the_queue(make_official) -> None:
    handler = make_official(OfficialRole.HANDLER, "miit", username="landing-handler")
    client = _signed_in(handler.username)
    assert _lands(client) == "/review/"


def test_next_wins_over_the_workspace() -> None:
    user = EnterpriseUserFactory()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/accounts/login/?next=/me/matches/", {"username": user.username, "password": PASSWORD, "next": "/me/matches/"}
    )
    assert response.status_code == 302 and response["Location"] == "/me/matches/"
    outside = Client().post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert outside["Location"] == "/accounts/start/"


def test_anybody_else_lands_on_the_catalog() -> None:
    User.objects.create_user("no-role", password=PASSWORD)
    client = Client()
    client.force_login(User.objects.get(username="no-role"))
    assert _lands(client) == "/"
    assert _lands(Client()) == "/"


def test_the_applicants_workspace_lists_tasks_due_and_offers(page_client) -> None:
    import datetime as dt

    from applications.models import Application, Status
    from measures.models import Incentive

    user = EnterpriseUserFactory()
    incentive = Incentive.objects.get(code="m17-china-quality-award-org")
    draft = Application.objects.create(applicant=user.applicant, incentive=incentive, fiscal_year=2026, created_by=user)
    returned = Application.objects.create(
        applicant=user.applicant,
        incentive=Incentive.objects.get(code="m17-provincial-quality-award-org"),
        fiscal_year=2026,
        created_by=user,
        status=Status.RETURNED,
        reference="QB-2026-000901",
        supplement_deadline=dt.date(2026, 12, 20),
    )
    offered = Application.objects.create(
        applicant=user.applicant,
        incentive=Incentive.objects.get(code="m3-little-giant"),
        fiscal_year=2026,
        created_by=user,
        status=Status.OFFERED,
        reference="QB-2026-000902",
    )
    html = page_client(user).get("/me/").content.decode()
    tasks = html.split('id="tasks-heading"', 1)[1].split("</section>", 1)[0]
    assert returned.reference in tasks and "2026-12-20" in tasks and offered.reference in tasks
    assert f"/applications/{draft.pk}/" in tasks
    assert tasks.index(returned.reference) < tasks.index(offered.reference)  # a deadline first
    offers = html.split('id="offers-heading"', 1)[1].split("</section>", 1)[0]
    assert f"/offers/{offered.reference}/" in offers and returned.reference not in offers
    nothing = page_client(EnterpriseUserFactory()).get("/me/").content.decode()
    assert "Nothing is waiting for you." in nothing and 'id="offers-heading"' not in nothing
