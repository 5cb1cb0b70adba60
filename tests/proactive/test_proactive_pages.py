"""Proactive awards' pages: the administrator's import (dry run, errors, confirm), the lists, and
the enterprise's offer page (confirm, decline, not someone else's); query counts do not grow."""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import Notification, OfficialRole, User
from applications.models import Application, Status
from awards.models import Award
from budgets.models import Budget
from budgets.services import budget_set
from proactive.models import ProactiveList, ProactiveListRow
from tests.factories import BankAccountFactory, EnterpriseUserFactory, OfficialFactory, make_uscc

CHAMPION = "m3-national-single-champion"
YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _english(settings: object, tmp_path: object) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


def client_for(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def admin(db: None) -> User:
    return OfficialFactory(role=OfficialRole.ADMINISTRATOR)


@pytest.fixture
def champion(db: None) -> User:
    return EnterpriseUserFactory(applicant__name="深圳市冠军科技有限公司")


def csv_file(*rows: tuple[str, str], extra: str = "") -> SimpleUploadedFile:
    lines = ["序号,统一社会信用代码,企业名称,年度"]
    lines += [f"{n},{code},{name},{YEAR}" for n, (code, name) in enumerate(rows, 1)]
    return SimpleUploadedFile("名单.csv", ("\n".join(lines) + "\n" + extra).encode("utf-8-sig"), "text/csv")


def form_data(upload: SimpleUploadedFile, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "incentive": CHAMPION,
        "qualification": "national_single_champion",
        "year": YEAR,
        "amount": "500,000",
        "title": f"{YEAR}年国家级制造业单项冠军企业名单",
        "file": upload,
    }
    data.update(overrides)
    return data


def import_through_pages(client: Client, *rows: tuple[str, str]) -> ProactiveList:
    preview = client.post("/proactive/lists/import/", form_data(csv_file(*rows)))
    assert preview.status_code == 200
    response = client.post("/proactive/lists/import/confirm/", {"token": preview.context["token"]})
    assert response.status_code == 302
    return ProactiveList.objects.latest("pk")


# ── administrators ───────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_the_import_previews_then_stores_on_confirmation(
    admin: User, champion: User, django_capture_on_commit_callbacks: object
) -> None:
    client = client_for(admin)
    assert client.get("/proactive/lists/import/").status_code == 200
    unregistered = make_uscc(900010)
    upload = csv_file((champion.applicant.uscc, champion.applicant.name), (unregistered, "广州未注册有限公司"))
    preview = client.post("/proactive/lists/import/", form_data(upload))
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Check the list before importing" in page
    assert champion.applicant.name in page and "Not registered yet" in page
    assert "500,000.00" in page
    assert "Import the list and make 1 offer" in page
    assert not ProactiveList.objects.exists() and not Application.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post("/proactive/lists/import/confirm/", {"token": preview.context["token"]})
    award_list = ProactiveList.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/proactive/lists/{award_list.pk}/"
    offer = Application.objects.get()
    assert offer.status == Status.OFFERED and offer.applicant == champion.applicant
    detail = client.get(response["Location"]).content.decode()
    assert offer.reference in detail and "Waiting" in detail and unregistered in detail
    # The token is used once: confirming again imports nothing more.
    again = client.post("/proactive/lists/import/confirm/", {"token": preview.context["token"]})
    assert again.status_code == 302 and again["Location"] == "/proactive/lists/import/"
    assert ProactiveList.objects.count() == 1
    # The application's own page shows the offer's status; the dashboard links the notification
    # to the page where the enterprise confirms.
    assert "Award offered" in client_for(champion).get(f"/applications/{offer.reference}/").content.decode()
    home = client_for(champion).get("/me/").content.decode()
    assert f'href="/proactive/offers/{offer.reference}/"' in home


@pytest.mark.django_db
def test_row_errors_are_listed_by_row_and_column(admin: User) -> None:
    good = make_uscc(900011)
    upload = csv_file((good, "甲公司"), (good, "乙公司"), (good[:-1] + "I", "丙公司"), (make_uscc(900012), ""))
    response = client_for(admin).post("/proactive/lists/import/", form_data(upload))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file has 3 problems: nothing was imported" in page
    assert "Row 3, 统一社会信用代码 (credit code): The same credit code is already on row 2 of the file." in page
    assert "Row 4, 统一社会信用代码 (credit code)" in page
    assert "Row 5, 企业名称 (name): Enter the enterprise&#x27;s name." in page
    assert 'href="#problem-1"' in page and 'id="problem-1"' in page
    assert "token" not in response.context or not response.context["token"]
    assert not ProactiveList.objects.exists()


@pytest.mark.django_db
def test_form_errors_are_summarised_and_the_amount_is_needed_where_the_policy_has_no_figure(admin: User) -> None:
    response = client_for(admin).post(
        "/proactive/lists/import/", form_data(csv_file((make_uscc(900013), "甲公司")), amount="")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#id_amount"' in page
    assert "enter the amount the department set" in page
    wrong_file = client_for(admin).post(
        "/proactive/lists/import/", form_data(SimpleUploadedFile("x.csv", "名称\n甲\n".encode()))
    )
    assert wrong_file.status_code == 400 and 'href="#id_file"' in wrong_file.content.decode()


@pytest.mark.django_db
def test_only_administrators_reach_the_list_pages(champion: User) -> None:
    handler = OfficialFactory(role=OfficialRole.HANDLER)
    for path in ("/proactive/lists/", "/proactive/lists/import/"):
        assert client_for(None).get(path).status_code == 302
        assert client_for(handler).get(path).status_code == 403
        assert client_for(champion).get(path).status_code == 403


@pytest.mark.django_db
def test_the_lists_page_query_count_does_not_grow(admin: User) -> None:
    client = client_for(admin)
    import_through_pages(client, (make_uscc(900020), "甲公司"))
    client.get("/proactive/lists/")  # session and caches warm
    with CaptureQueriesContext(connection) as one:
        assert client.get("/proactive/lists/").status_code == 200
    for n in range(3):
        EnterpriseUserFactory(applicant__uscc=make_uscc(900030 + n))
        import_through_pages(client, (make_uscc(900030 + n), f"公司{n}"), (make_uscc(900040 + n), f"未注册{n}"))
    with CaptureQueriesContext(connection) as four:
        response = client.get("/proactive/lists/")
    page = response.content.decode()
    assert all(f'href="/proactive/lists/{pk}/"' in page for pk in ProactiveList.objects.values_list("pk", flat=True))
    assert ProactiveList.objects.count() == 4
    assert len(four) == len(one), [q["sql"] for q in four.captured_queries]


@pytest.mark.django_db
def test_the_list_detail_query_count_does_not_grow_with_rows(admin: User) -> None:
    client = client_for(admin)
    small = import_through_pages(client, (EnterpriseUserFactory().applicant.uscc, "甲"), (make_uscc(900050), "乙"))
    rows = [(EnterpriseUserFactory().applicant.uscc, f"丙{n}") for n in range(4)]
    big = import_through_pages(client, *rows, *[(make_uscc(900060 + n), f"丁{n}") for n in range(4)])
    client.get(f"/proactive/lists/{small.pk}/")
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/proactive/lists/{small.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/proactive/lists/{big.pk}/")
    assert ProactiveListRow.objects.filter(award_list=big).count() == 8
    assert response.content.decode().count("QB-") == 4
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    waiting = client.get(f"/proactive/lists/{big.pk}/?show=unmatched").content.decode()
    assert "QB-" not in waiting and "丁0" in waiting


@pytest.mark.django_db
def test_rematch_from_the_list_page(admin: User) -> None:
    client = client_for(admin)
    code = make_uscc(900070)
    award_list = import_through_pages(client, (code, "后来公司"))
    EnterpriseUserFactory(applicant__uscc=code)
    response = client.post(f"/proactive/lists/{award_list.pk}/rematch/", follow=True)
    assert "1 new offer made." in response.content.decode()
    assert Application.objects.get().status == Status.OFFERED


# ── the enterprise's offer ───────────────────────────────────────────────────────────────────


@pytest.fixture
def offer(admin: User, champion: User) -> Application:
    import_through_pages(client_for(admin), (champion.applicant.uscc, champion.applicant.name))
    budget_set(
        actor=OfficialFactory(role=OfficialRole.FINANCE),
        incentive=Application.objects.get().incentive,
        fiscal_year=YEAR,
        allocation=Decimal("2000000"),
    )
    return Application.objects.get()


@pytest.mark.django_db
def test_without_a_bank_account_the_page_asks_for_one_and_confirming_is_refused(
    champion: User, offer: Application
) -> None:
    client = client_for(champion)
    page = client.get(f"/proactive/offers/{offer.reference}/").content.decode()
    assert "500,000.00" in page and "No bank account yet" in page
    assert 'href="/accounts/profile/bank-account/"' in page
    assert f'action="/proactive/offers/{offer.reference}/confirm/"' not in page
    refused = client.post(f"/proactive/offers/{offer.reference}/confirm/")
    assert refused.status_code == 400
    assert "Add the bank account" in refused.content.decode()
    offer.refresh_from_db()
    assert offer.status == Status.OFFERED and not Award.objects.exists()


@pytest.mark.django_db
def test_confirming_shows_the_masked_account_and_commits_the_budget(champion: User, offer: Application) -> None:
    account = BankAccountFactory(applicant=champion.applicant, account_number="6222020200112233445")
    client = client_for(champion)
    page = client.get(f"/proactive/offers/{offer.reference}/").content.decode()
    assert account.account_number_masked in page and account.account_number not in page
    response = client.post(f"/proactive/offers/{offer.reference}/confirm/")
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert "Award confirmed" in done and offer.reference in done
    offer.refresh_from_db()
    assert offer.status == Status.APPROVED
    assert Budget.objects.get().committed == Decimal("500000.00")
    # The application's own page shows the new status too.
    assert "Approved" in client.get(f"/applications/{offer.reference}/").content.decode()


@pytest.mark.django_db
def test_over_budget_the_page_says_what_is_left(champion: User, offer: Application) -> None:
    BankAccountFactory(applicant=champion.applicant)
    budget = Budget.objects.get()
    budget.allocation = Decimal("120000")
    budget.save()
    response = client_for(champion).post(f"/proactive/offers/{offer.reference}/confirm/")
    assert response.status_code == 409
    assert "120,000.00" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Status.OFFERED


@pytest.mark.django_db
def test_declining_asks_first_then_withdraws(champion: User, offer: Application) -> None:
    client = client_for(champion)
    assert "Are you sure" in client.get(f"/proactive/offers/{offer.reference}/decline/").content.decode()
    response = client.post(f"/proactive/offers/{offer.reference}/decline/", {"reason": "不需要"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == Status.WITHDRAWN
    assert client.get(f"/proactive/offers/{offer.reference}/decline/").status_code == 302


@pytest.mark.django_db
def test_another_enterprise_gets_404_everywhere(offer: Application) -> None:
    stranger = EnterpriseUserFactory()
    BankAccountFactory(applicant=stranger.applicant)
    client = client_for(stranger)
    for path in ("", "confirm/", "decline/"):
        assert client.get(f"/proactive/offers/{offer.reference}/{path}").status_code in (404, 405)
        assert client.post(f"/proactive/offers/{offer.reference}/{path}").status_code == 404
    assert client_for(None).get(f"/proactive/offers/{offer.reference}/").status_code == 302
    offer.refresh_from_db()
    assert offer.status == Status.OFFERED


@pytest.mark.django_db
def test_an_ordinary_application_has_no_offer_page(champion: User) -> None:
    from tests.factories import ApplicationFactory

    draft = ApplicationFactory(created_by=champion)
    assert client_for(champion).get(f"/proactive/offers/{draft.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_offer_page_query_count_is_fixed(champion: User, offer: Application) -> None:
    BankAccountFactory(applicant=champion.applicant)
    client = client_for(champion)
    client.get(f"/proactive/offers/{offer.reference}/")
    with CaptureQueriesContext(connection) as first:
        client.get(f"/proactive/offers/{offer.reference}/")
    for n in range(3):
        Notification.objects.create(user=champion, subject=f"s{n}", body="b")
    with CaptureQueriesContext(connection) as second:
        client.get(f"/proactive/offers/{offer.reference}/")
    assert len(second) == len(first) <= 12
