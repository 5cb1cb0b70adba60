"""The admin's biggest changelists (applications, the audit trail, awards, payments, notifications)
stay usable at millions of rows: a number of queries that does not grow with the rows, no COUNT(*)
over a whole table (an estimate on PostgreSQL, a count that stops at a cap elsewhere), only the
columns a list shows, and searches that read an index."""

import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import Notification, User
from applications.models import Application
from portal.admin import EstimatedCountPaginator
from tests.support.reports import award_at

pytestmark = pytest.mark.django_db

CHANGELISTS = {
    "applications": "/admin/applications/application/",
    "audit": "/admin/audit/auditevent/",
    "awards": "/admin/awards/award/",
    "payments": "/admin/disbursement/payment/",
    "notifications": "/admin/accounts/notification/",
}
# Filters and searches an administrator uses, each on an index.
VARIANTS = [
    "/admin/applications/application/?status=paid",
    "/admin/applications/application/?fiscal_year=2026&measure=17&incentive__kind=fixed_grant",
    "/admin/applications/application/?submitted_at__gte=2026-01-01+00%3A00%3A00%2B08%3A00",
    "/admin/applications/application/?q=QB-2026",
    "/admin/audit/auditevent/?object_type=applications.application",
    "/admin/audit/auditevent/?q=1",
    "/admin/awards/award/?status=paid&fiscal_year=2026",
    "/admin/disbursement/payment/?q=QB-2026",
    "/admin/accounts/notification/?q=root",
]
# COUNT(*) straight over a table with no WHERE: the whole table counted.
FULL_COUNT = re.compile(r'COUNT\(\*\)(?: AS "__count")? FROM "(?P<table>\w+)"(?P<rest>.*)$', re.S)


def full_counts(statements: list[str]) -> list[str]:
    return [sql for sql in statements if (m := FULL_COUNT.search(sql)) and " WHERE " not in m["rest"]]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def root() -> User:
    return User.objects.create_superuser("root", password="x-Admin-2026")


@pytest.fixture
def staff(root: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(root)
    return client


def grow(root: User, n: int) -> None:
    """n more paid awards (with their applications, payments and audit events), n notifications."""
    for _ in range(n):
        award_at("paid")
        award_at("committed")
        Notification.objects.create(user=root, subject="A payment was recorded", body="…")


def statements(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured.captured_queries]


def test_changelists_run_the_same_queries_whatever_the_rows_and_never_count_a_whole_table(
    staff: Client, root: User
) -> None:
    urls = [*CHANGELISTS.values(), *VARIANTS]
    grow(root, 2)
    few = {url: statements(staff, url) for url in urls}
    grow(root, 4)
    many = {url: statements(staff, url) for url in urls}
    for url in urls:
        assert len(many[url]) == len(few[url]), (url, many[url])
        assert full_counts(many[url]) == [], url
    assert len(few[CHANGELISTS["applications"]]) <= 8, few[CHANGELISTS["applications"]]


def test_the_applications_list_reads_only_the_columns_it_shows(staff: Client, root: User) -> None:
    grow(root, 1)
    sql = statements(staff, CHANGELISTS["applications"])
    page = [s for s in sql if s.startswith('SELECT "applications_application"."id"') and "accounts_applicant" in s]
    assert len(page) == 1, sql
    for heavy in ('"data"', '"amount_trace"', '"checklist"', '"decision_reasons"'):
        assert heavy not in page[0], heavy


def test_search_finds_by_reference_prefix_and_credit_code_on_indexed_columns(staff: Client, root: User) -> None:
    grow(root, 2)
    application = Application.objects.select_related("applicant").order_by("pk").first()
    assert application is not None and application.reference and application.applicant.uscc
    url = CHANGELISTS["applications"]
    by_reference = staff.get(url, {"q": application.reference.lower()})
    assert list(by_reference.context["cl"].result_list) == [application]
    by_prefix = staff.get(url, {"q": application.reference[:10]})
    assert application in by_prefix.context["cl"].result_list
    by_code = staff.get(url, {"q": application.applicant.uscc})
    assert list(by_code.context["cl"].result_list) == [application]
    # Names are not indexed: not searched (a LIKE '%…%' over a million rows).
    assert list(staff.get(url, {"q": application.applicant.name}).context["cl"].result_list) == []
    sql = statements(staff, f"{url}?q={application.reference}")
    assert not [s for s in sql if "LIKE" in s and "%" + application.reference.upper() in s.split("LIKE")[1][:60]]
    payments = staff.get(CHANGELISTS["payments"], {"q": application.reference}).context["cl"].result_list
    assert [p.award.application_id for p in payments] == [application.pk]


def test_a_long_list_says_more_than_the_cap_and_counts_no_further(
    staff: Client, root: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    grow(root, 3)
    monkeypatch.setattr(EstimatedCountPaginator, "cap", 4)
    sql = statements(staff, CHANGELISTS["applications"])
    html = staff.get(CHANGELISTS["applications"]).content.decode()
    assert "more than 4 applications" in html
    assert [s for s in sql if "COUNT(*)" in s and "LIMIT 5" in s]
    # Below the cap, the count is exact: the three approved (award committed) of the six.
    assert "\n3 applications" in staff.get(CHANGELISTS["applications"], {"status": "approved"}).content.decode()


@pytest.mark.postgres
def test_on_postgresql_an_unfiltered_list_takes_the_planners_estimate(
    staff: Client, root: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    grow(root, 3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE applications_application")
    monkeypatch.setattr(EstimatedCountPaginator, "cap", 2)
    sql = statements(staff, CHANGELISTS["applications"])
    assert not [s for s in sql if "COUNT(" in s], sql
    assert [s for s in sql if "reltuples" in s]
    assert "about 6 applications" in staff.get(CHANGELISTS["applications"]).content.decode()
