"""The list page and the API list run a fixed number of queries, however many applications."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from applications.models import Application
from applications.services import application_submit
from measures.models import Incentive

from .helpers import COST_SHARE, FIXED, PER_UNIT, complete_draft

pytestmark = pytest.mark.django_db

# Distinct (incentive, fiscal year) pairs for one applicant: several incentives × three years.
MORE = ["m17-china-quality-award-nomination-org", "m13-yuepintong-credit-code", COST_SHARE, FIXED, PER_UNIT]


def _count(client: Client | APIClient, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), [q["sql"] for q in queries.captured_queries]


def _add_five(user: User, year: int) -> None:
    for code in MORE:
        Application.objects.create(
            applicant=user.applicant, incentive=Incentive.objects.get(code=code), fiscal_year=year, created_by=user
        )


@pytest.mark.parametrize("url", [reverse("applications:list"), "/api/v1/applications/"])
def test_list_queries_do_not_grow_with_the_number_of_applications(enterprise_user, url: str) -> None:
    application_submit(
        actor=enterprise_user, application=complete_draft(enterprise_user, FIXED), credit_commitment=True
    )
    complete_draft(enterprise_user, PER_UNIT)
    if url.startswith("/api/"):
        client = APIClient()
        client.force_login(enterprise_user)
    else:
        client = Client()
        client.force_login(enterprise_user)
    client.get(url)  # warm-up: the session's first read
    before, _sql = _count(client, url)
    _add_five(enterprise_user, year=Application.objects.first().fiscal_year - 1)
    after, sql = _count(client, url)
    assert Application.objects.filter(applicant=enterprise_user.applicant).count() == 7
    assert after == before, "\n".join(sql)
    assert before <= 6, "\n".join(sql)
