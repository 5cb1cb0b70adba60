"""Officials of the responsible department read applications through the API, never through the
applicant's own pages; other departments see nothing."""

import pytest
from django.http import HttpRequest
from django.test import Client
from rest_framework.test import APIClient

from applications.models import Status
from measures.models import Department
from tests.factories import PASSWORD, ApplicationFactory, OfficialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted():
    return ApplicationFactory(status=Status.SUBMITTED, reference="QB-2026-17-000001")


def test_the_handling_department_reads_it_through_the_api(submitted) -> None:
    api = APIClient()
    api.force_authenticate(OfficialFactory(department=submitted.incentive.handling_department))
    response = api.get(f"/api/v1/applications/{submitted.reference}/")
    assert response.status_code == 200
    assert response.json()["reference"] == submitted.reference
    listed = api.get("/api/v1/applications/").json()
    assert [a["reference"] for a in listed["results"]] == [submitted.reference]


def test_another_department_gets_404(submitted) -> None:
    other = Department.objects.exclude(pk=submitted.incentive.handling_department_id).first()
    api = APIClient()
    api.force_authenticate(OfficialFactory(department=other))
    assert api.get(f"/api/v1/applications/{submitted.reference}/").status_code == 404
    assert api.get("/api/v1/applications/").json()["results"] == []


def test_officials_never_see_drafts(submitted) -> None:
    draft = ApplicationFactory()
    api = APIClient()
    api.force_authenticate(OfficialFactory(department=draft.incentive.handling_department))
    assert api.get(f"/api/v1/applications/{draft.pk}/").status_code == 404


def test_the_applicants_own_pages_are_404_for_officials(submitted) -> None:
    client = Client()
    official = OfficialFactory(department=submitted.incentive.handling_department)
    assert client.login(request=HttpRequest(), username=official.username, password=PASSWORD)
    assert client.get(f"/applications/{submitted.reference}/").status_code == 404
    assert client.get(f"/applications/{submitted.reference}/check/").status_code == 404
