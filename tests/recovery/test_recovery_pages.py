"""The recovery pages: the approver's form on the officials' application page, the decision page,
finance's list of recoveries awaiting refunds and the refund form, and who may see which."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Status
from recovery.models import Recovery
from recovery.services import recovery_decide
from tests.support.recovery import applicant_user, fresh, paid_award

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def recovery_of(approver, award, amount="1000000") -> Recovery:
    return recovery_decide(actor=approver, application=fresh(award.application), amount=Decimal(amount), reasons="不实")


def test_the_approver_recovers_from_the_application_page(approver, handler) -> None:
    award = paid_award("3000000")
    reference = award.application.reference
    decide_url = f"/recovery/applications/{reference}/"

    page = client_for(approver).get(f"/review/{reference}/").content.decode()
    assert f'action="{decide_url}"' in page and 'name="recover-amount"' in page and "Recover money paid" in page
    assert 'value="3000000.00"' in page  # what may be recovered, offered
    assert decide_url not in client_for(handler).get(f"/review/{reference}/").content.decode()
    not_yours = client_for(handler).get(decide_url).content.decode()
    assert "You may not recover money paid on this application now." in not_yours
    assert 'name="recover-amount"' not in not_yours

    client = client_for(approver)
    version = fresh(award.application).version
    refused = client.post(
        decide_url,
        {
            "recover-amount": "3000000.01",
            "recover-reasons": "材料不实",
            "recover-ban_years": "0",
            "recover-version": version,
        },
    )
    assert refused.status_code == 400 and "At most 3,000,000.00 CNY can be recovered" in refused.content.decode()
    assert not Recovery.objects.exists()

    done = client.post(
        decide_url,
        {
            "recover-amount": "100万",
            "recover-reasons": "材料不实",
            "recover-ban_years": "2",
            "recover-version": version,
        },
        follow=True,
    )
    recovery = Recovery.objects.get()
    assert done.redirect_chain[-1][0] == f"/recovery/{recovery.number}/"
    body = done.content.decode()
    assert f"Recovery {recovery.number} of 1,000,000.00 CNY is decided" in body
    assert "2 years: no application may be submitted until" in body
    assert recovery.amount == Decimal("1000000.00") and recovery.ban_years == 2
    assert fresh(award.application).status == Status.RECOVERING
    assert 'name="amount"' not in body  # only finance records refunds

    handler_post = client_for(handler).post(
        decide_url, {"recover-amount": "1", "recover-reasons": "x", "recover-ban_years": "0"}
    )
    assert handler_post.status_code == 409 and Recovery.objects.count() == 1


def test_finance_sees_recoveries_awaiting_refunds_and_records_them(approver, finance_officer) -> None:
    award = paid_award("3000000")
    recovery = recovery_of(approver, award, "1000000")
    client = client_for(finance_officer)

    listing = client.get("/recovery/?show=awaiting").content.decode()
    assert recovery.number in listing and "1,000,000.00" in listing
    detail = client.get(f"/recovery/{recovery.number}/").content.decode()
    assert 'action="/recovery/' in detail and 'name="bank_reference"' in detail

    today = timezone.localdate().isoformat()
    over = client.post(
        f"/recovery/{recovery.number}/refunds/",
        {"amount": "1000000.01", "received_on": today, "bank_reference": "RF-1"},
    )
    assert over.status_code == 400 and "At most 1,000,000.00 CNY remains" in over.content.decode()
    part = client.post(
        f"/recovery/{recovery.number}/refunds/",
        {"amount": "40万", "received_on": today, "bank_reference": "RF-1"},
        follow=True,
    )
    assert "A refund of 400,000.00 CNY is recorded" in part.content.decode()
    client.post(
        f"/recovery/{recovery.number}/refunds/",
        {"amount": "600000", "received_on": today, "bank_reference": "RF-2"},
        follow=True,  # the message shows once
    )
    assert fresh(award.application).status == Status.RECOVERED
    assert recovery.number not in client.get("/recovery/?show=awaiting").content.decode()
    assert recovery.number in client.get("/recovery/?show=refunded").content.decode()
    after = client.get(f"/recovery/{recovery.number}/").content.decode()
    assert "RF-1" in after and "RF-2" in after and 'name="bank_reference"' not in after

    # The budgets page shows what was recovered beside what was paid.
    budgets = client.get(f"/finance/budgets/?year={award.application.fiscal_year}").content.decode()
    assert "Recovered (CNY)" in budgets and "1,000,000.00" in budgets


def test_who_sees_a_recovery_page(approver, handler, finance_officer) -> None:
    award = paid_award("3000000")
    recovery = recovery_of(approver, award)
    other = recovery_of(approver, paid_award("1000000"), "1000")
    url = f"/recovery/{recovery.number}/"
    owner = client_for(applicant_user(award))
    assert owner.get(url).status_code == 200
    assert owner.get(f"/recovery/{other.number}/").status_code == 404
    mine = owner.get("/recovery/").content.decode()
    assert recovery.number in mine and other.number not in mine
    assert client_for(handler).get(url).status_code == 200
    assert client_for(handler).post(
        f"{url}refunds/", {"amount": "1", "received_on": timezone.localdate().isoformat(), "bank_reference": "R"}
    ).status_code in (403, 404)
    assert (
        client_for(applicant_user(award)).get(f"/recovery/applications/{award.application.reference}/").status_code
        == 404
    )
    assert Client().get(url).status_code == 302  # to the sign-in page
    assert Recovery.objects.get(pk=recovery.pk).refunded == 0


def test_the_recoveries_page_costs_the_same_queries_however_many(approver, finance_officer) -> None:
    client = client_for(finance_officer)
    recovery_of(approver, paid_award("1000000"), "1000")
    client.get("/recovery/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/recovery/").status_code == 200
        return len(queries)

    one = count()
    for _ in range(3):
        recovery_of(approver, paid_award("1000000"), "1000")
    assert count() == one
