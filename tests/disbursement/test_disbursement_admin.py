"""The awards models in the admin: budgets exported and imported (through budget_set), the rest
read-only; payments exported with text cells neutralised."""

from decimal import Decimal

import pytest
import tablib
from django.http import HttpRequest
from django.test import Client
from django.utils import translation

from accounts.models import User
from audit.models import AuditEvent
from budgets.models import Budget
from budgets.resources import BudgetResource
from disbursement.admin import PaymentResource
from tests.factories import PASSWORD
from tests.support.disbursement import YEAR, approved_batch, final_award, finance


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root", "root@example.com", PASSWORD)


@pytest.mark.django_db
def test_budget_import_goes_through_the_service_and_reports_row_errors(superuser) -> None:
    final_award("3000000")  # 3,000,000 committed against the quality award
    data = tablib.Dataset(headers=["incentive", "fiscal year", "allocation"])
    data.append(["m3-little-giant", YEAR, "1000000"])
    data.append(["m17-china-quality-award-org", YEAR, "1"])
    data.append(["no-such-incentive", YEAR, "5"])

    preview = BudgetResource().import_data(data, dry_run=True, user=superuser)

    assert preview.has_validation_errors()
    invalid = {row.number: row.error_dict for row in preview.invalid_rows}
    assert set(invalid) == {2, 3}
    assert "3,000,000.00 CNY already committed or paid" in invalid[2]["allocation"][0]
    assert "incentive" in invalid[3]
    assert not Budget.objects.filter(incentive__code="m3-little-giant").exists()

    good = tablib.Dataset(headers=["incentive", "fiscal year", "allocation"])
    good.append(["m3-little-giant", YEAR, "1000000"])
    good.append(["m17-china-quality-award-org", YEAR, "3000000"])
    result = BudgetResource().import_data(good, dry_run=False, user=superuser)

    assert not result.has_errors() and not result.has_validation_errors()
    assert Budget.objects.get(incentive__code="m3-little-giant").allocation == Decimal("1000000.00")
    assert Budget.objects.get(incentive__code="m17-china-quality-award-org").allocation == Decimal("3000000.00")
    assert AuditEvent.objects.filter(action="budget.set", actor=superuser).count() == 2


@pytest.mark.django_db
def test_exports_neutralise_formulae(superuser) -> None:
    officer, second = finance("finance-1"), finance("finance-2")
    final_award(payee='=HYPERLINK("http://x")')
    approved_batch(officer, second)

    payments = PaymentResource().export()
    assert payments.dict[0]["payee_name"] == '\'=HYPERLINK("http://x")'
    budgets = BudgetResource().export()
    assert budgets.dict[0]["allocation"] == "900000000.00"


@pytest.mark.django_db
def test_admin_pages_load_and_money_is_read_only(superuser) -> None:
    officer, second = finance("finance-1"), finance("finance-2")
    final_award()
    batch = approved_batch(officer, second)
    client = Client()
    assert client.login(request=HttpRequest(), username="root", password=PASSWORD)
    for url in (
        "/admin/budgets/budget/",
        "/admin/budgets/budget/import/",
        "/admin/awards/award/",
        "/admin/disbursement/disbursementbatch/",
        f"/admin/disbursement/disbursementbatch/{batch.pk}/change/",
        "/admin/disbursement/payment/",
        "/admin/announcements/announcement/",
        "/admin/announcements/objection/",
        "/admin/proactive/proactivelist/",
        "/admin/reports/targetprogress/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/disbursement/payment/add/").status_code == 403
    assert client.get("/admin/awards/award/add/").status_code == 403

    budget = Budget.objects.get()
    response = client.post(f"/admin/budgets/budget/{budget.pk}/change/", {"allocation": "1"})
    # Refused on the form, by the service's rule: never reported as saved.
    assert response.status_code == 200
    page = response.content.decode()
    assert "预算额度不能少于已承诺或已拨付的 3,000,000.00 元。" in page  # the admin speaks the portal's language
    assert "成功" not in page
    budget.refresh_from_db()
    assert budget.allocation == Decimal("900000000.00")  # refused by the service: 3,000,000 is committed
    client.post(f"/admin/budgets/budget/{budget.pk}/change/", {"allocation": "5000000"})
    budget.refresh_from_db()
    assert budget.allocation == Decimal("5000000.00")
