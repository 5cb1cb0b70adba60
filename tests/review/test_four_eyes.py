"""Four-eyes: the approver of a decision is never the official who proposed it, even if that
official later holds the approver's role; a declared conflict of interest takes every action away
(services, pages and API alike) while the application stays readable."""

import pytest

from accounts.models import OfficialRole
from applications import review
from applications.models import Application, Status
from applications.workflow import TransitionNotAllowed
from audit.models import AuditEvent
from tests.factories import ConflictOfInterestFactory

from .conftest import fund, submit_new

pytestmark = pytest.mark.django_db


def _proposed(handler) -> Application:
    fund()
    accepted = review.application_accept(actor=handler, application=submit_new())
    reviewed = review.application_start_review(actor=handler, application=accepted)
    return review.application_propose(actor=handler, application=reviewed, support=True, reasons="eligible")


def test_the_proposer_cannot_approve_even_after_becoming_an_approver(
    handler, approver, page_client, api_client
) -> None:
    proposed = _proposed(handler)
    handler.official_role = OfficialRole.APPROVER  # the proposer is promoted meanwhile
    handler.save()
    events = AuditEvent.objects.count()

    with pytest.raises(TransitionNotAllowed, match="another official"):
        review.application_approve(actor=handler, application=proposed)
    with pytest.raises(TransitionNotAllowed):
        review.application_send_back(actor=handler, application=proposed, reason="mine")
    response = api_client(handler).post(f"/api/v1/applications/{proposed.reference}/approve/", {}, format="json")
    assert response.status_code == 409
    assert "another official" in response.json()["detail"]
    page = page_client(handler).get(f"/review/{proposed.reference}/")
    assert page.status_code == 200
    assert 'id="action-approve"' not in page.content.decode()
    assert "another approver must approve it" in page.content.decode()
    posted = page_client(handler).post(
        f"/review/{proposed.reference}/actions/approve/", {"approve-version": proposed.version}
    )
    assert posted.status_code == 409

    assert Application.objects.get(pk=proposed.pk).status == Status.PROPOSED
    assert AuditEvent.objects.count() == events

    approved = review.application_approve(actor=approver, application=proposed)
    assert approved.status == Status.APPROVED
    assert approved.decided_by == approver and approved.proposed_by == handler


def test_the_assigned_handler_cannot_approve_either(handler, approver) -> None:
    """An application assigned to someone who is now an approver stays out of their hands."""
    proposed = _proposed(handler)
    Application.objects.filter(pk=proposed.pk).update(assigned_to=approver)
    with pytest.raises(TransitionNotAllowed):
        review.application_approve(actor=approver, application=Application.objects.get(pk=proposed.pk))


def test_a_conflict_of_interest_takes_every_action_away(handler, handler2, submitted, page_client, api_client) -> None:
    ConflictOfInterestFactory(official=handler, applicant=submitted.applicant, note="relative")
    version, events = submitted.version, AuditEvent.objects.count()

    for call in (
        lambda: review.application_accept(actor=handler, application=submitted),
        lambda: review.application_return(actor=handler, application=submitted, missing="x"),
        lambda: review.application_refuse(actor=handler, application=submitted, reasons="x"),
        lambda: review.comment_add(actor=handler, application=submitted, text="x"),
        lambda: review.checklist_set(actor=handler, application=submitted, ticked={"0": True}),
        lambda: review.application_assign(actor=handler, application=submitted, handler=handler),
    ):
        with pytest.raises(TransitionNotAllowed):
            call()
    api = api_client(handler)
    for action, body in (("accept", {}), ("return", {"missing": "x"}), ("reject", {"reasons": "x"})):
        response = api.post(f"/api/v1/applications/{submitted.reference}/{action}/", body, format="json")
        assert response.status_code == 409, action

    client = page_client(handler)
    page = client.get(f"/review/{submitted.reference}/")
    assert page.status_code == 200  # still readable
    html = page.content.decode()
    assert 'class="review-action"' not in html
    assert "you may not act on it" in html
    assert client.post(f"/review/{submitted.reference}/actions/accept/", {}).status_code == 409
    # The queue offers neither the bulk acceptance nor claiming it.
    queue = client.get("/review/").content.decode()
    assert submitted.reference in queue
    assert 'name="references"' not in queue
    assert "Assign to me" not in queue

    assert (Application.objects.get(pk=submitted.pk).version, AuditEvent.objects.count()) == (version, events)
    # A colleague without the conflict acts as usual.
    assert review.application_accept(actor=handler2, application=submitted).status == Status.ACCEPTED


def test_officials_without_a_department_or_of_another_role_never_act(submitted, make_official) -> None:
    nowhere = make_official(OfficialRole.HANDLER, None)
    finance = make_official(OfficialRole.FINANCE, "finance")
    for actor in (nowhere, finance):
        with pytest.raises(TransitionNotAllowed):
            review.application_accept(actor=actor, application=submitted)
