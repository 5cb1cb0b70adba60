"""The meeting pages and the meetings API run a fixed number of queries whatever the round's size
(issue 10): the call's meetings (more meetings, more decisions), the new meeting's candidates (more
applications under review, ranked by a closed panel or not) and one meeting's record."""

from collections.abc import Callable

import pytest
from django.utils import timezone

from accounts.models import User
from applications.models import Application
from calls.models import Call
from decisions.models import Meeting
from decisions.services import meeting_record
from tests.support.panels import closed_panel
from tests.support.queries import counted_get

pytestmark = pytest.mark.django_db


def _meeting(call: Call, handler: User, applications: list[Application]) -> Meeting:
    return meeting_record(
        actor=handler,
        call=call,
        held_on=timezone.localdate(),
        chaired_by_id=handler.pk,
        attendee_ids=[handler.pk],
        other_attendees="",
        minutes="逐项审议，表决通过。",
        decisions=[(a, True, "") for a in applications],
    )


@pytest.mark.parametrize("api", [False, True])
def test_the_meetings_list_does_not_grow_with_its_meetings(
    make_call: Callable[..., Call],
    under_review: Callable[..., Application],
    amr_handler: User,
    amr_handler2: User,
    page_client,
    api_client,
    api: bool,
) -> None:
    call = make_call()
    applications = [under_review(call) for _ in range(5)]
    url = f"/api/v1/calls/{call.pk}/meetings/" if api else f"/calls/manage/{call.pk}/meetings/"
    client = api_client(amr_handler) if api else page_client(amr_handler)
    _meeting(call, amr_handler, applications[:1])
    client.get(url)  # warm-up: the session's first read
    before, _sql, body = counted_get(client, url)
    # Two more meetings, one with three decisions and another attendee.
    _meeting(call, amr_handler, applications[1:4])
    meeting = _meeting(call, amr_handler, applications[4:])
    meeting.attendees.add(amr_handler2)
    after, sql, body_after = counted_get(client, url)
    if api:
        assert [len(m["decisions"]) for m in body_after["results"]] == [1, 3, 1]
        assert len(body["results"]) == 1
    else:
        assert body_after.count(b"JT-") == 3 > body.count(b"JT-") == 1
        assert [cell for cell in (b"<td>1</td>", b"<td>3</td>") if cell in body_after] == [b"<td>1</td>", b"<td>3</td>"]
    assert after == before, sql
    assert before <= 15, sql


def test_a_meetings_record_does_not_grow_with_its_decisions(
    make_call: Callable[..., Call], under_review: Callable[..., Application], amr_handler: User, page_client
) -> None:
    call = make_call()
    small = _meeting(call, amr_handler, [under_review(call)])
    large = _meeting(call, amr_handler, [under_review(call) for _ in range(4)])
    client = page_client(amr_handler)
    client.get(f"/calls/manage/meetings/{small.pk}/")
    before, _sql, body_small = counted_get(client, f"/calls/manage/meetings/{small.pk}/")
    after, sql, body_large = counted_get(client, f"/calls/manage/meetings/{large.pk}/")
    assert body_small.count(b"/review/") < body_large.count(b"/review/")
    assert after == before, sql
    assert before <= 15, sql


def test_the_new_meetings_candidates_do_not_grow_with_the_call(
    make_call: Callable[..., Call], under_review: Callable[..., Application], amr_handler: User, page_client
) -> None:
    call = make_call()
    first = under_review(call)
    url = f"/calls/manage/{call.pk}/meetings/new/"
    client = page_client(amr_handler)
    client.get(url)
    before, _sql, body = counted_get(client, url)
    others = [under_review(call, units) for units in (1, 2, 3)]
    after, sql, body_after = counted_get(client, url)
    for application in [first, *others]:
        assert application.reference.encode() in body_after
    assert others[0].reference.encode() not in body
    assert after == before, sql
    assert before <= 20, sql


def test_the_new_meetings_ranking_does_not_grow_with_the_panel(
    make_call: Callable[..., Call], under_review: Callable[..., Application], amr_handler: User, page_client
) -> None:
    small, large = make_call(expert_review=True), make_call(expert_review=True)
    closed_panel(small, [under_review(small)])
    closed_panel(large, [under_review(large) for _ in range(4)])
    client = page_client(amr_handler)
    client.get(f"/calls/manage/{small.pk}/meetings/new/")
    before, _sql, body_small = counted_get(client, f"/calls/manage/{small.pk}/meetings/new/")
    after, sql, body_large = counted_get(client, f"/calls/manage/{large.pk}/meetings/new/")
    assert body_large.count(b'name="a') > body_small.count(b'name="a') > 0
    assert after == before, sql
    assert before <= 20, sql
