"""The dashboards' tallies (reports/tallies.py) always equal a full recount of the records: after
any mix of transitions taken through the services (a property, over random walks of the transition
table), after the money's moves (awards, batches, bank results), after compaction, and after a
rebuild repairs a drifted tally. A transition only inserts into the tallies: no shared row is
updated, so concurrent transitions never wait for each other there."""

import datetime as dt
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import OfficialRole
from applications import review
from applications.models import Application
from applications.services import application_submit, application_supplement, application_withdraw
from applications.workflow import WORKFLOW, transition
from awards.models import Award
from awards.services import award_finalise, award_release
from disbursement.results import BankResult, payment_result_record
from reports.models import ApplicationTally, AwardTally, PaymentTally, StageTally
from reports.tallies import TALLIES, recount, tallies_check, tallies_compact, tallies_rebuild, totals
from tests.applications.helpers import FIXED, complete_draft
from tests.factories import EnterpriseUserFactory
from tests.review.conftest import NON_MONETARY, fund
from tests.support.disbursement import approved_batch, final_award
from tests.support.disbursement import finance as finance_officer
from tests.support.reports import official

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_and_language(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


def assert_tallies_equal_a_recount() -> None:
    for model in TALLIES:
        assert totals(model) == totals(model, recount(model)), model.__name__


# The service behind each application action, as the actor who takes it.
ACTIONS: dict[str, Callable[[dict[str, Any], Application], Any]] = {
    "withdraw": lambda c, a: application_withdraw(actor=c["owner"][a.pk], application=a, reason="not needed"),
    "supplement": lambda c, a: application_supplement(actor=c["owner"][a.pk], application=a, note="added"),
    "accept": lambda c, a: review.application_accept(actor=c["handler"], application=a),
    "return": lambda c, a: review.application_return(actor=c["handler"], application=a, missing="the certificate"),
    "refuse": lambda c, a: review.application_refuse(actor=c["handler"], application=a, reasons="not eligible"),
    "review": lambda c, a: review.application_start_review(actor=c["handler"], application=a),
    "handle": lambda c, a: review.application_handle(actor=c["handler"], application=a, note="done"),
    "propose": lambda c, a: review.application_propose(actor=c["handler"], application=a, support=True, reasons="ok"),
    "reject": lambda c, a: review.application_propose(actor=c["handler"], application=a, support=False, reasons="no"),
    "approve": lambda c, a: review.application_approve(actor=c["approver"], application=a),
    "confirm_rejection": lambda c, a: review.application_confirm_rejection(actor=c["approver"], application=a),
    "send_back": lambda c, a: review.application_send_back(actor=c["approver"], application=a, reason="check"),
    "announce": lambda c, a: transition(a, "announce", actor=c["approver"]),
    "uphold_objection": lambda c, a: _uphold(c, a),
    "finalise": lambda c, a: _finalise(c, a),
    "lapse": lambda c, a: review.applications_lapse_overdue(today=a.supplement_deadline + dt.timedelta(days=1)),
}


def _uphold(cast: dict[str, Any], application: Application) -> None:
    award_release(actor=cast["approver"], award=Award.objects.get(application=application), reason="upheld")
    transition(application, "uphold_objection", actor=cast["approver"])


def _finalise(cast: dict[str, Any], application: Application) -> None:
    award_finalise(actor=None, award=Award.objects.get(application=application))
    transition(application, "finalise", actor=None)


@pytest.fixture
def cast() -> dict[str, Any]:
    """Officials, budgets and six submitted applications (four paying, two recognitions)."""
    fund(FIXED)
    pool, owner = [], {}
    for code in (FIXED, FIXED, FIXED, FIXED, NON_MONETARY, NON_MONETARY):
        user = EnterpriseUserFactory()
        application = application_submit(actor=user, application=complete_draft(user, code), credit_commitment=True)
        pool.append(application.pk)
        owner[application.pk] = user
    return {
        "handler": official("award-handler", OfficialRole.HANDLER, "amr"),
        "approver": official("award-approver", OfficialRole.APPROVER, "amr"),
        "pool": pool,
        "owner": owner,
    }


# Forward first: most steps move an application on, so walks reach approval, awards and their end.
FORWARD = (
    *("accept", "review", "handle", "propose", "approve", "announce", "finalise", "supplement"),
    *("confirm_rejection", "send_back", "reject", "return", "lapse", "uphold_objection", "refuse", "withdraw"),
)


def _step(cast: dict[str, Any], which: int, choice: int) -> None:
    """One move of one application of the pool: the most forward action the table allows from its
    state (choices 0-5), or another allowed one (6-9); nothing in an end state."""
    application = Application.objects.select_related("incentive").get(pk=cast["pool"][which % len(cast["pool"])])
    possible = sorted(
        (
            rule.action
            for rule in WORKFLOW.transitions
            if application.status in rule.sources
            and rule.action in ACTIONS
            and (rule.applies is None or rule.applies(application))
        ),
        key=FORWARD.index,
    )
    if possible:
        ACTIONS[possible[0 if choice < 6 else choice % len(possible)]](cast, application)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 9)), min_size=12, max_size=40))
@example(steps=[(n, 0) for n in (0, 1, 4, 5) for _ in range(8)] + [(2, 0), (2, 7), (2, 0), (3, 0), (3, 0), (3, 9)])
def test_tallies_equal_a_full_recount_after_any_mix_of_transitions(cast: dict[str, Any], steps: list) -> None:
    with transaction.atomic():
        for which, choice in steps:
            _step(cast, which, choice)
        assert_tallies_equal_a_recount()
        tallies_compact()
        assert_tallies_equal_a_recount()
        for model in TALLIES:  # one merged row per key, no delta left
            assert not model.objects.filter(merged=False).exists()
            keys = list(model.objects.values_list(*model.KEY))
            assert len(keys) == len(set(keys)), model.__name__
        transaction.set_rollback(True)


def test_the_moneys_moves_are_tallied_batches_bank_results_and_all() -> None:
    officer, second = finance_officer("finance-a"), finance_officer("finance-b")
    for amount in ("3000000", "1000000", "500000"):
        final_award(amount)  # made directly (test set-up): the tallies are recounted once
    tallies_rebuild()
    batch = approved_batch(officer, second)  # three payments created, pending
    assert_tallies_equal_a_recount()
    paid, failed, other = batch.payments.order_by("amount")
    payment_result_record(
        actor=officer,
        payment_id=paid.pk,
        result=BankResult(status="paid", paid_on=dt.date(2026, 11, 2), bank_reference="B1"),
    )
    payment_result_record(actor=officer, payment_id=failed.pk, result=BankResult(status="failed", failure_reason="x"))
    assert_tallies_equal_a_recount()
    by_status = {
        row["status"]: (row["n"], row["amount"])
        for row in PaymentTally.objects.values("status").annotate(n=Sum("count"), amount=Sum("amount"))
    }
    assert by_status == {
        "pending": (1, other.amount),
        "paid": (1, paid.amount),
        "failed": (1, failed.amount),
    }
    assert Award.objects.filter(status=Award.Status.PAID).count() == 1
    assert_tallies_equal_a_recount()


TALLY_TABLE = re.compile(r'"reports_\w+tally"')


def test_a_transition_only_inserts_into_the_tallies(cast: dict[str, Any]) -> None:
    application = Application.objects.get(pk=cast["pool"][0])
    with CaptureQueriesContext(connection) as captured:
        review.application_accept(actor=cast["handler"], application=application)
    touching = [q["sql"] for q in captured.captured_queries if TALLY_TABLE.search(q["sql"])]
    assert touching and all(sql.startswith("INSERT INTO") for sql in touching), touching
    # The status move (both rows in one INSERT), the stage that ended, the day's activity.
    assert len(touching) == 3


def test_compaction_merges_the_deltas_keeps_every_sum_and_has_nothing_left_to_do_after(
    cast: dict[str, Any],
) -> None:
    for pk in cast["pool"][:4]:
        application = review.application_accept(actor=cast["handler"], application=Application.objects.get(pk=pk))
        review.application_start_review(actor=cast["handler"], application=application)
    before = {model: totals(model) for model in TALLIES}
    assert ApplicationTally.objects.filter(merged=False).count() > ApplicationTally.objects.count() / 2
    merged = tallies_compact()
    assert merged > 0
    assert {model: totals(model) for model in TALLIES} == before
    keys = ApplicationTally.objects.values_list("fiscal_year", "incentive_id", "status")
    assert len(keys) == len(set(keys))  # one row per key
    assert tallies_compact() == 0
    assert_tallies_equal_a_recount()


def test_the_nightly_check_rebuilds_only_a_tally_that_differs_from_a_recount(cast: dict[str, Any]) -> None:
    assert tallies_check() == {}
    untouched = list(StageTally.objects.values_list("pk", flat=True))
    Application.objects.filter(pk=cast["pool"][0]).update(fiscal_year=2020)  # a data fix in the database
    assert tallies_check() == {"ApplicationTally": 3, "DailyTally": 3}  # rows: 2026 ×2 incentives, 2020
    assert_tallies_equal_a_recount()
    assert list(StageTally.objects.values_list("pk", flat=True)) == untouched  # not rebuilt


def test_a_rebuild_repairs_a_drifted_tally_and_the_command_says_what_it_wrote(cast: dict[str, Any]) -> None:
    row = ApplicationTally.objects.first()
    assert row is not None
    ApplicationTally.objects.create(fiscal_year=row.fiscal_year, incentive_id=row.incentive_id, status="x", count=7)
    StageTally.objects.create(fiscal_year=1999, incentive_id=row.incentive_id, status="s", action="a", count=1)
    assert totals(ApplicationTally) != totals(ApplicationTally, recount(ApplicationTally))
    out = StringIO()
    call_command("rebuild_tallies", stdout=out)
    assert_tallies_equal_a_recount()
    assert "ApplicationTally: 2 rows" in out.getvalue()  # this year's FIXED and NON_MONETARY, submitted
    assert not StageTally.objects.filter(fiscal_year=1999).exists()


def test_awards_count_where_the_applicant_is_and_withdrawn_ones_leave_the_committed_sum(
    cast: dict[str, Any],
) -> None:
    pk = cast["pool"][0]
    for step in ("accept", "review", "propose", "approve", "announce"):
        ACTIONS[step](cast, Application.objects.select_related("incentive").get(pk=pk))
    city = Application.objects.get(pk=pk).applicant.city
    committed = {(r.city, r.status): r.amount for r in AwardTally.objects.all() if r.count}
    assert committed == {(city, Award.Status.COMMITTED): Decimal("3000000.00")}
    ACTIONS["uphold_objection"](cast, Application.objects.select_related("incentive").get(pk=pk))
    sums = totals(AwardTally)
    assert sums[(Application.objects.get(pk=pk).fiscal_year, Application.objects.get(pk=pk).incentive_id, city,
                 Award.Status.WITHDRAWN)] == (1, Decimal("3000000.00"))  # fmt: skip
    assert not [k for k in sums if k[3] == Award.Status.COMMITTED]
    assert_tallies_equal_a_recount()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_compaction_loses_no_delta_written_while_it_runs() -> None:
    """Writers insert deltas from another connection while compactions run: every one is counted
    once (rows being merged are locked and skipped by the other side, never deleted unread)."""
    import threading

    from measures.models import Incentive

    incentive = Incentive.objects.order_by("pk").first()
    assert incentive is not None
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        try:
            while not stop.is_set():
                with transaction.atomic():
                    ApplicationTally.objects.bulk_create(
                        [ApplicationTally(fiscal_year=2026, incentive=incentive, status="submitted", count=1)] * 5
                    )
                written[0] += 5
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(20):
            tallies_compact()
    finally:
        stop.set()
        thread.join()
    tallies_compact()
    assert totals(ApplicationTally) == {(2026, incentive.pk, "submitted"): (written[0],)}
    assert ApplicationTally.objects.count() == 1
