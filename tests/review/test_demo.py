"""The demo officials and applications of `make run`: every state, made through the services,
created once however often the command runs."""

import pytest

from accounts.models import OfficialRole, User
from applications.models import Application, Status
from applications.permissions import applications_visible_to
from applications.states import CITY_STATUSES
from audit.models import AuditEvent
from audit.services import audit_verify
from demo.applications import DEMO_OFFICIAL_PASSWORD, ensure_demo_applications, ensure_demo_officials

pytestmark = pytest.mark.django_db


def test_demo_officials_are_made_once_and_can_sign_in() -> None:
    accounts = ensure_demo_officials()
    assert ensure_demo_officials() == accounts
    assert {a.username for a in accounts} == {
        "demo-handler-amr",
        "demo-approver-amr",
        "demo-handler-miit",
        "demo-approver-miit",
        "demo-finance",
        "demo-finance2",  # a batch is approved by another finance officer than its builder
    }
    assert {a.role for a in accounts} == {"handler", "approver", "finance"}
    for account in accounts:
        user = User.objects.get(username=account.username)
        assert user.check_password(DEMO_OFFICIAL_PASSWORD)
        assert user.official_role == account.role
        assert user.department.name == account.department
    assert User.objects.get(username="demo-handler-amr").department.code == "amr"
    assert User.objects.get(username="demo-approver-miit").official_role == OfficialRole.APPROVER


def test_demo_applications_cover_every_state_with_a_real_trail() -> None:
    made = ensure_demo_applications()
    states = {a.status for a in made}
    # Offers (免申即享) come from the proactive list's own demo (awards.proactive). The city first
    # review's states (地市初审推荐) have no demo applications yet: issue 12's demo data is to come.
    assert states == set(Status.values) - {Status.OFFERED} - set(CITY_STATUSES)
    assert ensure_demo_applications() == made  # nothing added the second time
    assert Application.objects.count() == len(made)
    approved = next(a for a in made if a.status == Status.APPROVED)
    actions = list(
        AuditEvent.objects.filter(object_type="applications.application", object_id=str(approved.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    transitions = [
        a for a in actions if a.removeprefix("application.") in {"submit", "accept", "review", "propose", "approve"}
    ]
    assert transitions == [
        "application.submit",
        "application.accept",
        "application.review",
        "application.propose",
        "application.approve",
    ]
    # Measure 17's quality awards are handled by 省市场监管局 (amr).
    assert approved.decided_by.username == "demo-approver-amr"
    assert approved.proposed_by.username == "demo-handler-amr"
    assert audit_verify() is None
    # Each department's handler sees its own demo applications in the queue.
    miit = applications_visible_to(User.objects.get(username="demo-handler-miit"))
    amr = applications_visible_to(User.objects.get(username="demo-handler-amr"))
    assert miit.filter(status=Status.SUBMITTED).count() >= 1
    assert amr.filter(status=Status.SUBMITTED).count() == 1
    assert miit.filter(incentive__code="m17-quality-benchmark").exists()  # the benchmark stays with miit
    assert not miit.filter(incentive__handling_department__code="amr").exists()
