"""The city bureau's recommendation list and letter (推荐函, issue 12): a city official sees the call's
applications of their city only; the city approver of that city alone issues the letter of the
forwarded applications in the rank the city sets; a later letter supersedes the earlier one (kept);
the letter's PDF is for the city bureau and the call's provincial officials; the province's view of
an application shows its city ranking, and the applicant sees the city's outcome with its reasons."""

import shutil
import subprocess
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import OfficialRole, User
from applications.city_letters import CityLetterError, city_letter_issue, render_letter_html
from applications.city_review import city_approve, city_propose
from applications.city_selectors import city_applications, city_ranking, letters_of
from applications.models import Application, CityRecommendationLetter
from applications.services import application_submit
from audit.models import AuditEvent
from calls.models import Call
from measures.vocabulary import GuangdongCity
from tests.support.city import city_official, draft_for, enterprise_in, open_call

from .conftest import fund

pytestmark = pytest.mark.django_db

FOSHAN, GUANGZHOU = GuangdongCity.FOSHAN, GuangdongCity.GUANGZHOU


@pytest.fixture
def bureau() -> dict[str, User]:
    return {
        "foshan_handler": city_official(OfficialRole.CITY_HANDLER, FOSHAN),
        "foshan_approver": city_official(OfficialRole.CITY_APPROVER, FOSHAN),
        "guangzhou_handler": city_official(OfficialRole.CITY_HANDLER, GUANGZHOU),
        "guangzhou_approver": city_official(OfficialRole.CITY_APPROVER, GUANGZHOU),
    }


@pytest.fixture
def call() -> Call:
    fund()
    return open_call(Call.ReviewPath.CITY_FIRST)


def _submitted(call: Call, city: str, amount: str | None = None) -> Application:
    user = enterprise_in(city)
    submitted = application_submit(actor=user, application=draft_for(user, call), credit_commitment=True)
    if amount is not None:  # the amount asked, as the engine estimated it at submission
        Application.objects.filter(pk=submitted.pk).update(estimated_amount=Decimal(amount))
    return Application.objects.get(pk=submitted.pk)


def _forward(application: Application, bureau: dict[str, User], reasons: str) -> Application:
    proposed = city_propose(actor=bureau["foshan_handler"], application=application, recommend=True, reasons=reasons)
    return city_approve(actor=bureau["foshan_approver"], application=proposed)


@pytest.fixture
def forwarded(call: Call, bureau: dict[str, User]) -> list[Application]:
    """Two Foshan applications recommended and signed: the smaller amount first, the larger second."""
    small = _forward(_submitted(call, FOSHAN, "200000.00"), bureau, "标准国际影响大")
    large = _forward(_submitted(call, FOSHAN, "500000.00"), bureau, "龙头企业主导")
    return [small, large]


def test_the_list_shows_only_the_officials_city(call: Call, bureau: dict[str, User], page_client: Any) -> None:
    foshan = _submitted(call, FOSHAN, "100000.00")
    guangzhou = _submitted(call, GUANGZHOU, "300000.00")
    assert [a.pk for a in city_applications(call, FOSHAN)] == [foshan.pk]
    page = page_client(bureau["foshan_handler"]).get(f"/review/calls/{call.pk}/city/")
    assert page.status_code == 200
    html = page.content.decode()
    assert foshan.reference in html and guangzhou.reference not in html
    other = page_client(bureau["guangzhou_handler"]).get(f"/review/calls/{call.pk}/city/").content.decode()
    assert guangzhou.reference in other and foshan.reference not in other


def test_only_the_city_approver_of_that_city_issues(
    call: Call, bureau: dict[str, User], forwarded: list[Application], handler: User, approver: User
) -> None:
    # The province's officials (handler and approver of the call's department) do not issue city letters.
    for refused in (bureau["foshan_handler"], handler, approver):
        with pytest.raises(PermissionDenied):
            city_letter_issue(actor=refused, call=call)
    # Guangzhou's approver issues for Guangzhou only, where nothing was forwarded: Foshan's list is not theirs.
    with pytest.raises(CityLetterError):
        city_letter_issue(actor=bureau["guangzhou_approver"], call=call)
    assert not CityRecommendationLetter.objects.exists()
    letter = city_letter_issue(actor=bureau["foshan_approver"], call=call)
    assert (letter.city, letter.ordinal, letter.issued_by) == (FOSHAN, 1, bureau["foshan_approver"])
    event = AuditEvent.objects.get(action="city_letter.issue", object_id=str(letter.pk))
    assert event.after["ranking"] == [forwarded[1].reference, forwarded[0].reference]  # largest amount first


def test_the_letter_ranks_as_the_city_sets_with_amounts_and_reasons(
    call: Call, bureau: dict[str, User], forwarded: list[Application]
) -> None:
    small, large = forwarded
    letter = city_letter_issue(actor=bureau["foshan_approver"], call=call, ranks={small.pk: 1, large.pk: 2})
    assert [(e.rank, e.application_id, e.amount_asked) for e in letter.entries.order_by("rank")] == [
        (1, small.pk, Decimal("200000.00")),
        (2, large.pk, Decimal("500000.00")),
    ]
    pdf = letter.pdf.read()
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):  # poppler-utils: the PDF's own text, where the machine has it
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert text.index(small.reference or "") < text.index(large.reference or "")
        assert "200,000.00" in text and "500,000.00" in text and "佛山市市场监督管理局" in text
    html = render_letter_html(letter.essentials)
    assert "推荐函" in html and "佛山市市场监督管理局" in html
    assert html.index(small.reference or "") < html.index(large.reference or "")
    assert "200,000.00" in html and "500,000.00" in html and "700,000.00" in html  # the total asked
    assert "标准国际影响大" in html and "龙头企业主导" in html
    assert letter.essentials["total"] == "700000.00"


def test_bad_ranks_are_refused_and_nothing_is_issued(
    call: Call, bureau: dict[str, User], forwarded: list[Application], page_client: Any
) -> None:
    small, large = forwarded
    with pytest.raises(CityLetterError):
        city_letter_issue(actor=bureau["foshan_approver"], call=call, ranks={small.pk: 1, large.pk: 1})
    client = page_client(bureau["foshan_approver"])
    response = client.post(
        f"/review/calls/{call.pk}/city/letter/", {f"rank-{small.pk}": "first", f"rank-{large.pk}": "2"}
    )
    assert response.status_code == 400 and "whole number" in response.content.decode()
    response = client.post(f"/review/calls/{call.pk}/city/letter/", {f"rank-{small.pk}": "1", f"rank-{large.pk}": "3"})
    assert response.status_code == 400 and "each number once" in response.content.decode()
    assert not CityRecommendationLetter.objects.exists()
    done = client.post(f"/review/calls/{call.pk}/city/letter/", {f"rank-{small.pk}": "2", f"rank-{large.pk}": "1"})
    assert done.status_code == 302
    assert CityRecommendationLetter.objects.get().entries.get(rank=1).application_id == large.pk
    # The city handler may see the page but not issue.
    refused = page_client(bureau["foshan_handler"]).post(f"/review/calls/{call.pk}/city/letter/", {})
    assert refused.status_code == 403


def test_a_later_letter_supersedes_and_the_earlier_is_kept(
    call: Call, bureau: dict[str, User], forwarded: list[Application], page_client: Any
) -> None:
    first = city_letter_issue(actor=bureau["foshan_approver"], call=call)
    with pytest.raises(CityLetterError):  # nothing changed: no second letter
        city_letter_issue(actor=bureau["foshan_approver"], call=call)
    third = _forward(_submitted(call, FOSHAN, "50000.00"), bureau, "新增推荐")
    second = city_letter_issue(actor=bureau["foshan_approver"], call=call)
    assert second.ordinal == 2 and second.entries.count() == 3
    assert second.entries.get(application=third).rank == 3  # after the ranking of the current letter
    assert second.essentials["supersedes"] == first.number
    assert "本函替代" in render_letter_html(second.essentials)
    views = letters_of(call, FOSHAN)
    assert [(v.letter.pk, v.superseded_by) for v in views] == [(second.pk, None), (first.pk, second)]
    html = page_client(bureau["foshan_handler"]).get(f"/review/calls/{call.pk}/city/").content.decode()
    assert first.number in html and second.number in html and "Superseded by" in html


def test_who_may_download_the_letter(
    call: Call,
    bureau: dict[str, User],
    forwarded: list[Application],
    page_client: Callable[..., Any],
    api_client: Callable[..., Any],
    make_official: Callable[..., User],
) -> None:
    letter = city_letter_issue(actor=bureau["foshan_approver"], call=call)
    url = f"/review/city-letters/{letter.pk}/pdf/"
    # The call's incentive is the market regulator's (amr): its provincial officials, and the Foshan bureau.
    for allowed in (
        bureau["foshan_handler"],
        bureau["foshan_approver"],
        make_official(OfficialRole.HANDLER, "amr"),
        make_official(OfficialRole.APPROVER, "amr"),
        make_official(OfficialRole.ADMINISTRATOR, None),
    ):
        response = page_client(allowed).get(url)
        assert response.status_code == 200, allowed
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    owner = User.objects.get(applicant=forwarded[0].applicant)
    for refused in (
        bureau["guangzhou_handler"],
        bureau["guangzhou_approver"],
        make_official(OfficialRole.HANDLER, "miit"),
        make_official(OfficialRole.FINANCE, "finance"),
        owner,
    ):
        assert page_client(refused).get(url).status_code == 404, refused
        page = page_client(refused).get(f"/review/calls/{call.pk}/city/")
        # Guangzhou's bureau has its own page of the call, without Foshan's letter; the others none.
        assert page.status_code == 404 or letter.number not in page.content.decode(), refused
    assert (
        page_client(make_official(OfficialRole.HANDLER, "miit")).get(f"/review/calls/{call.pk}/city/").status_code
        == 404
    )
    assert page_client(None).get(url).status_code == 302  # to sign in
    # The API: the same people, the same answers.
    province = make_official(OfficialRole.HANDLER, "amr")
    body = api_client(province).get(f"/api/v1/calls/{call.pk}/city-recommendations/").json()
    assert body["city"] is None and body["applications"] == []
    assert [e["reference"] for e in body["letters"][0]["entries"]] == [forwarded[1].reference, forwarded[0].reference]
    assert body["letters"][0]["entries"][0]["amount_asked"] == "500000.00"
    assert api_client(province).get(body["letters"][0]["pdf"]).status_code == 200
    assert api_client(bureau["guangzhou_handler"]).get(body["letters"][0]["pdf"]).status_code == 404
    own = api_client(bureau["foshan_handler"]).get(f"/api/v1/calls/{call.pk}/city-recommendations/").json()
    assert own["city"] == FOSHAN and own["proposed_ranking"] == [forwarded[1].reference, forwarded[0].reference]
    assert api_client(owner).get(f"/api/v1/calls/{call.pk}/city-recommendations/").status_code == 404


def test_the_provinces_view_shows_the_city_ranking(
    call: Call, bureau: dict[str, User], forwarded: list[Application], page_client: Any, handler: User
) -> None:
    small, large = forwarded
    page = page_client(handler).get(f"/review/{small.reference}/").content.decode()
    assert "Not yet on a recommendation letter of the city." in page and "标准国际影响大" in page
    letter = city_letter_issue(actor=bureau["foshan_approver"], call=call)
    ranking = city_ranking(small)
    assert ranking is not None and (ranking.entry.rank, ranking.of, ranking.superseded) == (2, 2, False)
    page = page_client(handler).get(f"/review/{small.reference}/").content.decode()
    assert f"Rank 2 of 2 on letter {letter.number}" in page
    listing = page_client(handler).get(f"/review/calls/{call.pk}/city/").content.decode()
    assert letter.number in listing and large.reference in listing


def test_the_applicant_sees_the_citys_outcome_and_reasons(
    call: Call, bureau: dict[str, User], page_client: Any
) -> None:
    recommended = _forward(_submitted(call, FOSHAN), bureau, "龙头企业主导")
    owner = User.objects.get(applicant=recommended.applicant)
    page = page_client(owner).get(f"/applications/{recommended.reference}/").content.decode()
    assert "Recommended to the provincial department" in page and "龙头企业主导" in page
    refused = _submitted(call, FOSHAN)
    proposed = city_propose(
        actor=bureau["foshan_handler"], application=refused, recommend=False, reasons="不在参考期内"
    )
    other = User.objects.get(applicant=refused.applicant)
    # Before the approver signs, the applicant is not told the proposal.
    assert "不在参考期内" not in page_client(other).get(f"/applications/{refused.reference}/").content.decode()
    city_approve(actor=bureau["foshan_approver"], application=proposed)
    page = page_client(other).get(f"/applications/{refused.reference}/").content.decode()
    assert "Not recommended to the provincial department" in page and "不在参考期内" in page


def test_the_demo_city_review(page_client: Any) -> None:
    """`manage.py demo_data`'s city part (demo/city.py), twice: a Foshan application at the bureau's first
    review, another forwarded and on the bureau's letter; nothing added the second time."""
    from demo.city import ensure_demo_city_review

    made = ensure_demo_city_review()
    assert sorted(a.status for a in made) == ["city_review", "submitted"]
    assert ensure_demo_city_review() == made
    letter = CityRecommendationLetter.objects.get()
    assert (letter.city, letter.entries.count()) == (FOSHAN, 1)
    foshan = User.objects.get(username="demo-city-handler-foshan")
    queue = page_client(foshan).get("/review/").content.decode()
    at_the_city = next(a for a in made if a.status == "city_review")
    assert at_the_city.reference in queue
    assert (
        at_the_city.reference
        not in page_client(User.objects.get(username="demo-city-handler-guangzhou")).get("/review/").content.decode()
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvers_issuing_at_once_make_one_letter() -> None:
    """The call's row lock serialises issuing: the second finds the first's letter listing the same
    applications in the same order and is refused, so no duplicate ordinal or letter appears."""
    import threading

    from django.db import connection

    fund()
    call = open_call(Call.ReviewPath.CITY_FIRST)
    bureau = {
        "foshan_handler": city_official(OfficialRole.CITY_HANDLER, FOSHAN),
        "foshan_approver": city_official(OfficialRole.CITY_APPROVER, FOSHAN),
    }
    _forward(_submitted(call, FOSHAN, "100000.00"), bureau, "推荐")
    approvers = [bureau["foshan_approver"], city_official(OfficialRole.CITY_APPROVER, FOSHAN)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(actor: User) -> None:
        try:
            barrier.wait(timeout=30)
            city_letter_issue(actor=actor, call=call)
            outcomes.append("issued")
        except CityLetterError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["issued", "refused"]
    assert CityRecommendationLetter.objects.filter(call=call).count() == 1
