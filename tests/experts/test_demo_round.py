"""`make run` shows measure 17's closed round through every step: the call closed last month, a
panel of five drawn with its seed (re-checkable), every score in, site checks, the collective
decision meeting ranked within the call's money, the first award approved."""

import json

import pytest
from django.core.management import call_command

from applications.models import Application, Status
from decisions.models import Meeting, SiteCheck
from demo.rounds import PANEL_SEED, ROUND_APPLICANTS, ensure_demo_quality_award_round
from experts.models import Panel
from experts.ranking import panel_ranking
from experts.services import panel_verify

pytestmark = pytest.mark.django_db


def test_the_demo_shows_the_closed_quality_award_round(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo_data", "--json")
    accounts = json.loads(capsys.readouterr().out)
    assert {a["role"] for a in accounts} >= {"city_handler", "city_approver", "expert"}

    meeting = Meeting.objects.select_related("call").get()
    call = meeting.call
    assert not call.is_open() and call.expert_review and call.site_check
    # Every round application was submitted inside the call's window.
    applications = Application.objects.filter(call=call).exclude(status=Status.DRAFT)
    assert applications.count() == len(ROUND_APPLICANTS)
    assert all(call.opens_at <= a.submitted_at < call.closes_at for a in applications)

    panel = Panel.objects.get(call=call)
    assert panel.is_closed and panel.seed == PANEL_SEED and panel_verify(panel)
    assert panel.assignments.count() == len(ROUND_APPLICANTS) * call.experts_per_application
    assert not panel.assignments.filter(scored_at__isnull=True).exists()

    ranking = panel_ranking(call)
    decided = {d.application_id: d for d in meeting.decisions.all()}
    assert [decided[r.application_id].rank for r in ranking] == [1, 2, 3]
    assert [decided[r.application_id].support for r in ranking] == [True, True, False]
    assert SiteCheck.objects.filter(application__call=call).count() == 3
    statuses = [Application.objects.get(pk=r.application_id).status for r in ranking]
    assert statuses == [Status.APPROVED, Status.PROPOSED, Status.REJECTION_PROPOSED]
    assert sum(d.amount_allocated for d in decided.values()) <= call.money_available

    # A second run adds nothing.
    assert ensure_demo_quality_award_round() == meeting and Meeting.objects.count() == 1
