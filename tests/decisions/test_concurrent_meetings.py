"""Two meetings of the same call recorded at the same moment, on PostgreSQL (SQLite has no row
locks): the applications are locked in one order, so the second meeting waits, then finds them no
longer under review and is refused whole; each application is decided once."""

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import User
from applications import notices
from applications.models import Application, Status
from calls.models import Call
from decisions.models import Meeting, MeetingDecision
from decisions.services import DecisionError, meeting_record
from tests.support.threads import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notices, "issue_notice", lambda **kwargs: SimpleNamespace(number=""))


def test_two_meetings_at_once_decide_each_application_once(
    make_call: Callable[..., Call],
    under_review: Callable[..., Application],
    amr_handler: User,
    amr_handler2: User,
) -> None:
    call = make_call(expert_review=True)
    a, b = under_review(call, 2, "600000"), under_review(call, 1)

    def meeting(actor: User, order: list[Application]) -> Meeting:
        return meeting_record(
            actor=actor,
            call=call,
            held_on=timezone.localdate(),
            chaired_by_id=actor.pk,
            attendee_ids=[actor.pk],
            other_attendees="",
            minutes="集体审议",
            decisions=[(x, True, "") for x in order],
        )

    results = race(lambda: meeting(amr_handler, [a, b]), lambda: meeting(amr_handler2, [b, a]))

    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, DecisionError) and error.conflict
    assert Meeting.objects.count() == 1
    assert MeetingDecision.objects.filter(application=a).count() == 1
    assert MeetingDecision.objects.filter(application=b).count() == 1
    assert {x.status for x in Application.objects.filter(pk__in=[a.pk, b.pk])} == {Status.PROPOSED}
