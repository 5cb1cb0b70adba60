"""Budgets: committed + paid never exceed the allocation, also under twenty concurrent approvals."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import OfficialRole, User
from applications.models import Status
from awards.models import Award
from awards.services import award_commit, award_release
from budgets.models import Budget
from budgets.services import BudgetError, budget_set
from tests.factories import ApplicationFactory, OfficialFactory, incentive_by_code


@pytest.mark.django_db
def test_an_approval_beyond_what_is_left_is_refused_with_the_remaining_figure(finance_officer: User) -> None:
    incentive = incentive_by_code()
    budget_set(actor=finance_officer, incentive=incentive, fiscal_year=2026, allocation=Decimal("5000000"))
    first = ApplicationFactory(incentive=incentive, fiscal_year=2026, status=Status.PROPOSED)
    second = ApplicationFactory(incentive=incentive, fiscal_year=2026, status=Status.PROPOSED)
    with transaction.atomic():
        award_commit(actor=None, application=first, amount=Decimal("3000000"))
    with pytest.raises(BudgetError) as refused:
        award_commit(actor=None, application=second, amount=Decimal("3000000"))
    assert refused.value.remaining == Decimal("2000000.00")
    assert "2,000,000.00" in refused.value.message
    budget = Budget.objects.get()
    assert budget.committed == Decimal("3000000.00")
    assert Award.objects.count() == 1


@pytest.mark.django_db
def test_release_gives_the_amount_back_once(finance_officer: User) -> None:
    incentive = incentive_by_code()
    budget_set(actor=finance_officer, incentive=incentive, fiscal_year=2026, allocation=Decimal("3000000"))
    award = award_commit(
        actor=None,
        application=ApplicationFactory(incentive=incentive, fiscal_year=2026),
        amount=Decimal("3000000"),
    )
    award_release(actor=None, award=award, reason="异议成立")
    award_release(actor=None, award=award, reason="again")
    assert Budget.objects.get().committed == Decimal("0.00")


@pytest.mark.django_db
def test_allocation_cannot_drop_below_what_is_used_and_only_finance_sets_it(finance_officer: User) -> None:
    incentive = incentive_by_code()
    budget_set(actor=finance_officer, incentive=incentive, fiscal_year=2026, allocation=Decimal("3000000"))
    award_commit(
        actor=None, application=ApplicationFactory(incentive=incentive, fiscal_year=2026), amount=Decimal("1000000")
    )
    with pytest.raises(BudgetError):
        budget_set(actor=finance_officer, incentive=incentive, fiscal_year=2026, allocation=Decimal("999999"))
    handler = OfficialFactory(role=OfficialRole.HANDLER, department=None)
    with pytest.raises(BudgetError):
        budget_set(actor=handler, incentive=incentive, fiscal_year=2026, allocation=Decimal("9000000"))


@pytest.mark.django_db
def test_the_database_itself_refuses_an_overspent_budget(finance_officer: User) -> None:
    budget = budget_set(
        actor=finance_officer, incentive=incentive_by_code(), fiscal_year=2026, allocation=Decimal("100")
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(committed=Decimal("101"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_approvals_never_overspend(finance_officer: User) -> None:
    incentive = incentive_by_code()
    budget_set(actor=finance_officer, incentive=incentive, fiscal_year=2026, allocation=Decimal("3000000"))
    applications = [
        ApplicationFactory(incentive=incentive, fiscal_year=2026, status=Status.PROPOSED) for _ in range(20)
    ]
    barrier = threading.Barrier(len(applications))
    outcomes: list[str] = []

    def approve(application) -> None:
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                award_commit(actor=None, application=application, amount=Decimal("300000"))
            outcomes.append("approved")
        except BudgetError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    budget = Budget.objects.get()
    assert sorted(outcomes) == ["approved"] * 10 + ["refused"] * 10
    assert budget.committed == Decimal("3000000.00")
    assert Award.objects.count() == 10
    assert budget.committed + budget.paid <= budget.allocation
