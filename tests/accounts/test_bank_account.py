"""The bank account awards are paid to: in the applicant's own name, digits only, shown masked."""

import pytest
from django.test import Client

from accounts.models import BankAccount, User
from audit.models import AuditEvent
from tests.factories import BankAccountFactory

from .conftest import api_as

pytestmark = pytest.mark.django_db

NUMBER = "6222020200112233445"


def test_page_saves_an_account_in_the_applicants_name(enterprise_client: Client, enterprise_user: User) -> None:
    name = enterprise_user.applicant.name
    page = enterprise_client.get("/accounts/profile/bank-account/").content.decode()
    assert f'value="{name}"' in page  # the name the account must have, filled in
    response = enterprise_client.post(
        "/accounts/profile/bank-account/",
        {"account_name": name, "bank_name": "中国银行广州分行", "account_number": "6222 0202 0011 2233 445"},
    )
    assert response.status_code == 302
    account = BankAccount.objects.get(applicant=enterprise_user.applicant)
    assert account.account_number == NUMBER
    event = AuditEvent.objects.get(action="bank_account.add")
    assert NUMBER not in str(event.after) and event.after["account_number"].endswith("3445")


def test_page_shows_the_number_masked_except_in_the_owners_form(
    enterprise_client: Client, enterprise_user: User
) -> None:
    BankAccountFactory(applicant=enterprise_user.applicant, account_number=NUMBER)
    html = enterprise_client.get("/accounts/profile/bank-account/").content.decode()
    assert "***************3445" in html
    assert html.count(NUMBER) == 1 and f'value="{NUMBER}"' in html
    profile = enterprise_client.get("/accounts/profile/").content.decode()
    assert NUMBER not in profile and "***************3445" in profile


def test_a_different_account_name_is_refused_saying_why(enterprise_client: Client, enterprise_user: User) -> None:
    name = enterprise_user.applicant.name
    response = enterprise_client.post(
        "/accounts/profile/bank-account/",
        {"account_name": name + "分公司", "bank_name": "中国银行", "account_number": NUMBER},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The account name must be exactly the applicant&#x27;s name" in html and 'href="#id_account_name"' in html
    assert f'value="{NUMBER}"' in html  # what was typed stays
    assert not BankAccount.objects.exists()


@pytest.mark.parametrize("number", ["1234567", "1" * 31, "6222-0202-ABCD-1234", "١٢٣٤٥٦٧٨٩", "一二三四五六七八"])
def test_an_account_number_must_be_8_to_30_digits(enterprise_user: User, number: str) -> None:
    response = api_as(enterprise_user).post(
        "/api/v1/me/bank-account/",
        {"account_name": enterprise_user.applicant.name, "bank_name": "中国银行", "account_number": number},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["account_number"] == ["An account number has 8 to 30 digits, and digits only."]


def test_full_width_digits_and_spaces_are_normalised(enterprise_user: User) -> None:
    response = api_as(enterprise_user).post(
        "/api/v1/me/bank-account/",
        {
            "account_name": enterprise_user.applicant.name,
            "bank_name": "中国银行",
            "account_number": "６２２２ ０２０２",
        },
        format="json",
    )
    assert response.status_code == 201
    assert BankAccount.objects.get().account_number == "62220202"


def test_api_creates_replaces_reads_masked_and_deletes(enterprise_user: User) -> None:
    api = api_as(enterprise_user)
    assert api.get("/api/v1/me/bank-account/").status_code == 404
    data = {"account_name": enterprise_user.applicant.name, "bank_name": "中国银行", "account_number": NUMBER}
    created = api.post("/api/v1/me/bank-account/", data, format="json")
    assert created.status_code == 201 and created.json()["account_number"] == "***************3445"
    replaced = api.post("/api/v1/me/bank-account/", {**data, "account_number": "12345678"}, format="json")
    assert replaced.status_code == 200 and replaced.json()["account_number"] == "****5678"
    read = api.get("/api/v1/me/bank-account/")
    assert read.status_code == 200 and "12345678" not in read.content.decode()
    assert BankAccount.objects.count() == 1
    assert api.delete("/api/v1/me/bank-account/").status_code == 204
    assert not BankAccount.objects.exists()
    assert api.delete("/api/v1/me/bank-account/").status_code == 404


def test_api_refuses_another_name(enterprise_user: User) -> None:
    response = api_as(enterprise_user).post(
        "/api/v1/me/bank-account/",
        {"account_name": "Someone Else Ltd", "bank_name": "中国银行", "account_number": NUMBER},
        format="json",
    )
    assert response.status_code == 400
    assert "must be exactly the applicant's name" in response.json()["errors"]["account_name"][0]


def test_page_removes_the_account(enterprise_client: Client, enterprise_user: User) -> None:
    BankAccountFactory(applicant=enterprise_user.applicant)
    assert enterprise_client.post("/accounts/profile/bank-account/delete/").status_code == 302
    assert not BankAccount.objects.exists()
