"""Officials of the responsible department read applications through the API, never through the
applicant's own pages; other departments see nothing."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import OfficialRole, User
from applications.models import Status
from measures.models import Department
from tests.factories import PASSWORD, ApplicationFactory

pytestmark = pytest.mark.django_db


def official(department_code: str, username: str) -> User:
    return User.objects.create_user(
        username,
        password=PASSWORD,
        official_role=OfficialRole.HANDLER,
        department=Department.objects.get(code=department_code),
    )


@pytest.fixture
def submitted():
    return ApplicationFactory(status=Status.SUBMITTED, reference="QB-2026-17-000001")


def test_the_handling_department_reads_it_through_the_api(submitted) -> None:
    handling = submitted.incentive.handling_department.code
    api = APIClient()
    api.force_authenticate(official(handling, "handler"))
    response = api.get(f"/api/v1/applications/{submitted.reference}/")
    assert response.status_code == 200
    assert response.json()["reference"] == submitted.reference
    listed = api.get("/api/v1/applications/").json()
    assert [a["reference"] for a in listed["results"]] == [submitted.reference]


def test_another_department_gets_404(submitted) -> None:
    other = Department.objects.exclude(pk=submitted.incentive.handling_department_id).first()
    api = APIClient()
    api.force_authenticate(official(other.code, "stranger"))
    assert api.get(f"/api/v1/applications/{submitted.reference}/").status_code == 404
    assert api.get("/api/v1/applications/").json()["results"] == []


def test_officials_never_see_drafts(submitted) -> None:
    draft = ApplicationFactory()
    api = APIClient()
    api.force_authenticate(official(draft.incentive.handling_department.code, "handler2"))
    assert api.get(f"/api/v1/applications/{draft.pk}/").status_code == 404


def test_the_applicants_own_pages_are_404_for_officials(submitted) -> None:
    client = Client()
    official(submitted.incentive.handling_department.code, "handler3")
    client.login(username="handler3", password=PASSWORD)
    assert client.get(f"/applications/{submitted.reference}/").status_code == 404
    assert client.get(f"/applications/{submitted.reference}/check/").status_code == 404
