"""Two officials acting on one application at the same moment, on PostgreSQL (SQLite has no row
locks): exactly one wins, the other is told it changed (and by whom) or that the action no longer
applies; one audit event, a consistent status, nothing applied twice.

Each thread has its own connection (closed at the end); a barrier releases them together.
"""

from types import SimpleNamespace

import pytest

from applications import notices, review
from applications.models import Application, Status
from applications.workflow import ApplicationChanged, TransitionNotAllowed
from audit.models import AuditEvent
from audit.services import audit_verify
from tests.factories import OfficialFactory
from tests.support.threads import race

from .conftest import submit_new

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Notices are another test's concern: their generation is not run here."""
    monkeypatch.setattr(notices, "issue_notice", lambda **kwargs: SimpleNamespace(number=""))


def _transitions(application: Application) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="applications.application", object_id=str(application.pk))
        .exclude(action__in=["application.create", "application.save", "application.submit"])
        .exclude(action__startswith="document.")
        .values_list("action", flat=True)
    )


def test_two_handlers_accept_at_once_and_exactly_one_wins() -> None:
    first, second = OfficialFactory.create_batch(2)  # miit handlers
    application = submit_new()
    seen = application.version

    results = race(
        lambda: review.application_accept(actor=first, application=application, expected_version=seen),
        lambda: review.application_accept(actor=second, application=application, expected_version=seen),
    )

    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["error", "ok"], results
    winner = first if results[0][0] == "ok" else second
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ApplicationChanged)
    assert str(winner) in str(error)  # who changed it (threads run in the default language)
    accepted = Application.objects.get(pk=application.pk)
    assert (accepted.status, accepted.version, accepted.assigned_to) == (Status.ACCEPTED, seen + 1, winner)
    assert _transitions(application) == ["application.accept"]
    assert audit_verify() is None


def test_one_accepts_while_the_other_returns_and_one_wins() -> None:
    handler, colleague = OfficialFactory.create_batch(2)
    application = submit_new()

    results = race(
        lambda: review.application_accept(actor=handler, application=application),
        lambda: review.application_return(actor=colleague, application=application, missing="获奖证书"),
    )

    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, TransitionNotAllowed)
    final = Application.objects.get(pk=application.pk)
    actions = _transitions(application)
    assert len(actions) == 1
    if results[0][0] == "ok":
        assert (final.status, actions, final.supplement_request) == (Status.ACCEPTED, ["application.accept"], "")
    else:
        assert (final.status, actions, final.supplement_request) == (
            Status.RETURNED,
            ["application.return"],
            "获奖证书",
        )
    assert final.version == application.version + 1
    assert audit_verify() is None


def test_many_handlers_race_and_the_audit_chain_stays_whole() -> None:
    handlers = OfficialFactory.create_batch(6)
    application = submit_new()
    results = race(*[lambda h=h: review.application_accept(actor=h, application=application) for h in handlers])
    assert [kind for kind, _value in results].count("ok") == 1, results
    assert all(isinstance(v, TransitionNotAllowed) for kind, v in results if kind == "error")
    assert _transitions(application) == ["application.accept"]
    assert audit_verify() is None
