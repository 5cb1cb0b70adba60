"""The queue API's cached answers (applications/queue_cache.py): a repeated request is answered
without reading the applications, and every change a row shows is seen on the next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OfficialRole
from applications import review
from applications.models import Application, Status
from applications.permissions import visible_incentive_ids
from measures.models import Incentive
from tests.factories import ApplicationFactory

from .conftest import submit_new

pytestmark = pytest.mark.django_db

URL = "/api/v1/queue/"


def _get(client, url: str = URL) -> tuple[dict, bool]:
    """The answer, and whether it was built (the applications were read) rather than taken from the cache."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    built = any("applications_application" in q["sql"] for q in queries.captured_queries)
    return response.json(), built


def _row(answer: dict, reference: str) -> dict:
    return next(r for r in answer["results"] if r["reference"] == reference)


def test_a_repeated_request_is_answered_from_the_cache_with_the_same_answer(handler, api_client) -> None:
    submit_new()
    client = api_client(handler)
    first, built = _get(client)
    assert built
    with CaptureQueriesContext(connection) as queries:
        again = client.get(URL)
    assert again.json() == first
    assert again["Content-Type"] == "application/json"
    # Only who is asking: the session and the user.
    assert len(queries) == 2, [q["sql"] for q in queries.captured_queries]


def test_a_transition_is_seen_on_the_next_request(handler, api_client) -> None:
    application = submit_new()
    client = api_client(handler)
    before, _built = _get(client)
    assert _row(before, application.reference)["status"] == Status.SUBMITTED
    review.application_accept(actor=handler, application=application)
    after, built = _get(client)
    assert built
    assert _row(after, application.reference)["status"] == Status.ACCEPTED


def test_an_assignment_and_a_new_application_are_seen(handler, handler2, api_client) -> None:
    application = submit_new()
    client = api_client(handler)
    _get(client)
    review.application_assign(actor=handler, application=application, handler=handler2)
    newcomer = submit_new()
    answer, _built = _get(client)
    assert _row(answer, application.reference)["assigned_to"] == handler2.username
    assert _row(answer, newcomer.reference)["status"] == Status.SUBMITTED


def test_officials_of_one_department_share_answers(handler, handler2, api_client) -> None:
    submit_new()
    first, built = _get(api_client(handler))
    assert built
    second, built = _get(api_client(handler2))
    assert not built
    assert second == first


def test_mine_is_each_officials_own(handler, handler2, api_client) -> None:
    for official in (handler, handler2):
        review.application_assign(actor=handler, application=submit_new(), handler=official)
    url = f"{URL}?mine=true"
    own, _built = _get(api_client(handler), url)
    theirs, built = _get(api_client(handler2), url)
    assert built
    assert {r["assigned_to"] for r in own["results"]} == {handler.username}
    assert {r["assigned_to"] for r in theirs["results"]} == {handler2.username}


def test_another_departments_official_never_gets_this_departments_answer(handler, make_official, api_client) -> None:
    submit_new()
    _get(api_client(handler))
    other = make_official(OfficialRole.HANDLER, "miit")
    answer, built = _get(api_client(other))
    assert built
    theirs = set(visible_incentive_ids(other))
    codes = set(Incentive.objects.filter(pk__in=theirs).values_list("code", flat=True))
    assert {r["incentive"] for r in answer["results"]} <= codes


def test_a_change_in_an_incentive_another_department_sees_keeps_the_answer(handler, api_client) -> None:
    submit_new()
    client = api_client(handler)
    _get(client)
    elsewhere = Incentive.objects.exclude(pk__in=visible_incentive_ids(handler)).first()
    assert elsewhere is not None
    ApplicationFactory(incentive=elsewhere)
    _answer, built = _get(client)
    assert not built


def test_an_applicants_new_name_is_seen(handler, api_client) -> None:
    application = submit_new()
    client = api_client(handler)
    _get(client)
    applicant = application.applicant
    applicant.name = "佛山新名称制造有限公司"
    applicant.save()
    answer, built = _get(client)
    assert built
    assert _row(answer, application.reference)["applicant"] == "佛山新名称制造有限公司"


def test_a_renamed_incentive_is_seen(handler, api_client) -> None:
    application = submit_new()
    client = api_client(handler)
    _get(client)
    Incentive.objects.filter(pk=application.incentive_id).update(name_en="Renamed award")  # no signal…
    stale, built = _get(client)
    assert not built  # …so the cache still holds the old name, until the catalog's version moves:
    incentive = Incentive.objects.get(pk=application.incentive_id)
    incentive.save()  # as the admin saves it
    fresh, built = _get(client)
    assert built
    assert _row(fresh, application.reference)["incentive_name"] == "Renamed award"
    assert _row(stale, application.reference)["incentive_name"] != "Renamed award"


def test_each_language_has_its_own_answer(handler, api_client) -> None:
    application = submit_new()
    english, _built = _get(api_client(handler))
    chinese_client = api_client(handler)
    chinese_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    chinese, built = _get(chinese_client)
    assert built
    assert _row(english, application.reference)["status_label"] == "Submitted"
    assert _row(chinese, application.reference)["status_label"] != "Submitted"


def test_refusals_are_not_kept(handler, api_client) -> None:
    submit_new()
    client = api_client(handler)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{URL}?cursor=forged")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert any("applications_application" in q["sql"] for q in queries.captured_queries) is False


def test_the_version_moves_again_when_the_transaction_commits(
    handler, api_client, django_capture_on_commit_callbacks
) -> None:
    """A reader between the change and the commit may keep what it read before the commit under
    the new version: the second move leaves that entry behind."""
    application = submit_new()
    client = api_client(handler)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review.application_accept(actor=handler, application=application)
        _get(client)  # the reader in between: its entry is under the version the change set
    _answer, built = _get(client)
    assert not built
    for callback in callbacks:
        callback()
    answer, built = _get(client)
    assert built
    assert _row(answer, application.reference)["status"] == Status.ACCEPTED
    assert Application.objects.get(pk=application.pk).status == Status.ACCEPTED


def test_a_handlers_new_username_is_seen_and_a_sign_in_changes_nothing(handler, handler2, api_client) -> None:
    application = submit_new()
    review.application_assign(actor=handler, application=application, handler=handler2)
    client = api_client(handler)
    _get(client)
    api_client(handler2)  # a sign-in: writes last_login only
    _answer, built = _get(client)
    assert not built
    handler2.username = "award-handler-renamed"
    handler2.save()
    answer, built = _get(client)
    assert built
    assert _row(answer, application.reference)["assigned_to"] == "award-handler-renamed"


def test_the_queue_pages_kept_filters_follow_the_query_and_the_department(handler, make_official, page_client) -> None:
    """The queue page keeps its filter fields rendered: another query or department is its own copy."""
    client = page_client(handler)
    for city in ("shenzhen", "foshan", "shenzhen"):
        html = client.get(f"/review/?city={city}").content.decode()
        assert f'<option value="{city}" selected' in html
        other = "foshan" if city == "shenzhen" else "shenzhen"
        assert f'<option value="{other}" selected' not in html
    ours = client.get("/review/").content.decode()
    theirs = page_client(make_official(OfficialRole.HANDLER, "miit")).get("/review/").content.decode()
    codes = set(Incentive.objects.filter(pk__in=visible_incentive_ids(handler)).values_list("code", flat=True))
    assert all(f'value="{code}"' in ours for code in codes)
    assert not all(f'value="{code}"' in theirs for code in codes)


def _tab_counts(client, url: str = "/review/") -> tuple[dict[str, int], bool]:
    """The queue page's counts per open status tab, and whether they were counted (not kept)."""
    import re

    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    counted = any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    tabs = re.findall(r'status=(\w+)"[^>]*>[^<]*<span class="review-count">(\d+)</span>', html)
    return {status: int(n) for status, n in tabs}, counted


def test_the_queue_pages_counts_are_kept_and_follow_every_change(handler, page_client) -> None:
    application = submit_new()
    client = page_client(handler)
    first, counted = _tab_counts(client)
    assert counted and first[Status.SUBMITTED] >= 1
    again, counted_again = _tab_counts(client)
    assert again == first and not counted_again
    review.application_accept(actor=handler, application=application)
    after, counted_after = _tab_counts(client)
    assert counted_after
    assert after[Status.SUBMITTED] == first[Status.SUBMITTED] - 1
    assert after[Status.ACCEPTED] == first.get(Status.ACCEPTED, 0) + 1
    # Another filter is counted on its own; the status tab and the sort share the counts.
    _elsewhere, counted_elsewhere = _tab_counts(client, "/review/?city=foshan")
    assert counted_elsewhere
    _tab, counted_tab = _tab_counts(client, f"/review/?status={Status.ACCEPTED}&sort=submitted")
    assert not counted_tab
