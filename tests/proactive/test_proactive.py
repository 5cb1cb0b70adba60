"""Proactive awards (免申即享): importing official lists, offers, matching at registration,
confirming (bank account, budget) and declining, through the services."""

import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from accounts.models import ApplicantQualification, Notification, OfficialRole, User
from accounts.registration import enterprise_register
from applications.models import Application, Status
from applications.workflow import TransitionNotAllowed
from audit.models import AuditEvent
from awards.models import Award
from budgets.models import Budget
from budgets.services import BudgetError, budget_set
from demo.proactive import ensure_demo_proactive_list
from portal.models import Sequence
from proactive.list_file import ListFile, proactive_list_read
from proactive.models import ProactiveList, ProactiveListRow
from proactive.offers import proactive_offer_confirm, proactive_offer_decline
from proactive.services import ProactiveError, proactive_list_import, proactive_list_rematch
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    BankAccountFactory,
    EnterpriseUserFactory,
    OfficialFactory,
    incentive_by_code,
    make_uscc,
)

CHAMPION = "m3-national-single-champion"
YEAR = timezone.localdate().year
UNREGISTERED = make_uscc(900001)
HEADINGS = ["序号", "统一社会信用代码", "企业名称", "年度", "称号"]


@pytest.fixture(autouse=True)
def _english(settings: object, tmp_path: object) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


def champion_list(*rows: tuple[str, str]) -> ListFile:
    return ListFile.from_rows(
        HEADINGS, [[n, code, name, YEAR, "国家级制造业单项冠军企业"] for n, (code, name) in enumerate(rows, 1)]
    )


def import_list(actor: User, list_file: ListFile, *, dry_run: bool = False, amount: str | None = "500000") -> object:
    return proactive_list_import(
        actor=actor,
        incentive=incentive_by_code(CHAMPION),
        qualification="national_single_champion",
        year=YEAR,
        list_file=list_file,
        amount=Decimal(amount) if amount else None,
        title=f"{YEAR}年国家级制造业单项冠军企业名单",
        dry_run=dry_run,
    )


def counts() -> dict[str, int]:
    return {
        "lists": ProactiveList.objects.count(),
        "rows": ProactiveListRow.objects.count(),
        "applications": Application.objects.count(),
        "notifications": Notification.objects.count(),
        "events": AuditEvent.objects.count(),
        "counters": Sequence.objects.count(),
        "qualifications": ApplicantQualification.objects.count(),
    }


@pytest.fixture
def admin(db: None) -> User:
    return OfficialFactory(role=OfficialRole.ADMINISTRATOR)


@pytest.fixture
def champion(db: None) -> User:
    return EnterpriseUserFactory(applicant__name="深圳市冠军科技有限公司")


# ── importing ────────────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_a_dry_run_previews_every_row_and_changes_nothing(admin: User, champion: User) -> None:
    before = counts()
    outcome = import_list(
        admin,
        champion_list((champion.applicant.uscc, champion.applicant.name), (UNREGISTERED, "广州未注册有限公司")),
        dry_run=True,
    )
    assert outcome.ok and outcome.dry_run
    assert [(r.row, r.uscc, r.outcome) for r in outcome.rows] == [
        (2, champion.applicant.uscc, "offer"),
        (3, UNREGISTERED, "unmatched"),
    ]
    assert outcome.rows[0].applicant == champion.applicant
    assert outcome.amount == Decimal("500000.00")
    assert outcome.award_list is None
    assert counts() == before


@pytest.mark.django_db
def test_confirming_the_import_makes_offers_only_for_matched_rows(
    admin: User, champion: User, django_capture_on_commit_callbacks: object
) -> None:
    colleague = EnterpriseUserFactory(applicant=champion.applicant, is_applicant_admin=False)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        outcome = import_list(
            admin,
            champion_list((champion.applicant.uscc, champion.applicant.name), (UNREGISTERED, "广州未注册有限公司")),
        )
    assert outcome.ok and outcome.award_list is not None
    award_list = outcome.award_list
    assert award_list.amount == Decimal("500000.00")
    offer = Application.objects.get()
    assert offer.status == Status.OFFERED
    assert offer.applicant == champion.applicant
    assert offer.incentive.code == CHAMPION and offer.fiscal_year == YEAR
    assert offer.reference == f"QB-{YEAR}-03-000001"
    assert offer.created_by == admin
    assert offer.estimated_amount == Decimal("500000.00")
    assert any("The department set 500,000.00 CNY" in line for line in offer.amount_trace["en"])
    assert any("部门" in line and "500,000.00" in line for line in offer.amount_trace["zh"])
    assert any("set by the department" in line for line in offer.amount_trace["en"])

    rows = {r.uscc: r for r in award_list.rows.all()}
    assert rows[champion.applicant.uscc].application == offer
    assert rows[UNREGISTERED].applicant is None and rows[UNREGISTERED].application is None
    assert [(r.uscc, r.outcome) for r in outcome.rows] == [
        (champion.applicant.uscc, "offer"),
        (UNREGISTERED, "unmatched"),
    ]
    # The enterprise's users are told, with a link to the page where they confirm.
    notified = Notification.objects.filter(link=f"/proactive/offers/{offer.reference}/")
    assert set(notified.values_list("user", flat=True)) == {champion.pk, colleague.pk}
    # The qualification is added to the profile.
    assert champion.applicant.qualifications.filter(qualification="national_single_champion", year=YEAR).exists()
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "application.offer" in actions and "proactive_list.import" in actions
    event = AuditEvent.objects.get(action="proactive_list.import")
    assert event.after["offers"] == [offer.reference] and event.after["unmatched"] == 1


@pytest.mark.django_db
def test_the_unmatched_row_becomes_an_offer_when_that_enterprise_registers(
    admin: User, django_capture_on_commit_callbacks: object
) -> None:
    import_list(admin, champion_list((UNREGISTERED, "广州后注册精密有限公司")))
    assert not Application.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        user = enterprise_register(
            uscc=UNREGISTERED,
            name="广州后注册精密有限公司",
            city="guangzhou",
            industry="39",
            size="medium",
            username="later",
            email="later@example.com",
            password=PASSWORD,
        )
    offer = Application.objects.get()
    assert offer.applicant == user.applicant
    assert offer.status == Status.OFFERED
    assert offer.estimated_amount == Decimal("500000.00")
    assert offer.created_by == admin
    row = ProactiveListRow.objects.get(uscc=UNREGISTERED)
    assert row.applicant == user.applicant and row.application == offer
    assert Notification.objects.filter(user=user, link=f"/proactive/offers/{offer.reference}/").exists()
    assert user.applicant.qualifications.filter(qualification="national_single_champion").exists()
    assert AuditEvent.objects.get(action="application.offer").actor is None  # the system matched it


@pytest.mark.django_db
def test_row_errors_name_the_row_and_the_field_and_nothing_is_stored(admin: User, champion: User) -> None:
    bad_check = UNREGISTERED[:-1] + ("0" if UNREGISTERED[-1] != "0" else "1")
    list_file = ListFile.from_rows(
        ["统一社会信用代码", "企业名称", "年度"],
        [
            [champion.applicant.uscc, champion.applicant.name, YEAR],  # row 2: fine
            [bad_check, "校验码错误有限公司", YEAR],  # row 3: check character
            [champion.applicant.uscc.lower(), "重复有限公司", YEAR],  # row 4: the same code as row 2
            [make_uscc(900002), "", YEAR],  # row 5: no name
            [make_uscc(900003), "年份错误有限公司", YEAR - 3],  # row 6: another year
        ],
    )
    before = counts()
    for dry_run in (True, False):
        outcome = import_list(admin, list_file, dry_run=dry_run)
        assert not outcome.ok
        found = [(p.row, p.field) for p in outcome.problems]
        assert found == [(3, "uscc"), (4, "uscc"), (5, "name"), (6, "year")]
        messages = [str(p) for p in outcome.problems]
        assert messages[0].startswith("Row 3, 统一社会信用代码 (credit code): The check character")
        assert "row 2" in messages[1]
        assert messages[2] == "Row 5, 企业名称 (name): Enter the enterprise's name."
        assert str(YEAR - 3) in messages[3]
        assert outcome.award_list is None
        assert counts() == before


@pytest.mark.django_db
def test_an_enterprise_that_already_applied_is_not_offered_twice(admin: User, champion: User) -> None:
    draft = ApplicationFactory(created_by=champion, incentive=incentive_by_code(CHAMPION), fiscal_year=YEAR)
    preview = import_list(admin, champion_list((champion.applicant.uscc, champion.applicant.name)), dry_run=True)
    assert preview.rows[0].outcome == "existing" and preview.rows[0].existing == draft
    outcome = import_list(admin, champion_list((champion.applicant.uscc, champion.applicant.name)))
    assert list(Application.objects.all()) == [draft]
    row = outcome.award_list.rows.get()
    assert row.applicant == champion.applicant and row.application is None
    assert outcome.rows[0].outcome == "existing"


@pytest.mark.django_db
def test_the_amount_is_the_policy_figure_where_there_is_one_else_the_administrators(admin: User) -> None:
    list_file = champion_list((UNREGISTERED, "某公司"))
    with pytest.raises(ValidationError) as missing:
        import_list(admin, list_file, amount=None)
    assert "amount" in missing.value.message_dict
    # The China Quality Award pays a stated 3,000,000: another figure is refused, none takes the policy's.
    quality_award = incentive_by_code("m17-china-quality-award-org")
    kwargs = {"actor": admin, "incentive": quality_award, "qualification": "china_quality_award", "year": YEAR}
    with pytest.raises(ValidationError) as other:
        proactive_list_import(**kwargs, list_file=list_file, amount=Decimal("100"), dry_run=True)
    assert "3,000,000.00" in other.value.message_dict["amount"][0]
    outcome = proactive_list_import(**kwargs, list_file=list_file, dry_run=True)
    assert outcome.amount == Decimal("3000000.00")


@pytest.mark.django_db
def test_the_qualification_defaults_to_the_one_the_incentive_requires(admin: User, champion: User) -> None:
    outcome = proactive_list_import(
        actor=admin,
        incentive=incentive_by_code("m3-little-giant"),
        year=YEAR,
        list_file=champion_list((champion.applicant.uscc, champion.applicant.name)),
        amount=Decimal("300000"),
        dry_run=False,
    )
    assert outcome.ok and outcome.award_list is not None
    assert outcome.award_list.qualification == "little_giant"
    assert outcome.award_list.title.startswith(str(YEAR))
    assert champion.applicant.qualifications.filter(qualification="little_giant", year=YEAR).exists()


@pytest.mark.django_db
def test_only_administrators_import(champion: User) -> None:
    handler = OfficialFactory(role=OfficialRole.HANDLER)
    for actor in (handler, champion):
        with pytest.raises(PermissionDenied):
            import_list(actor, champion_list((UNREGISTERED, "某公司")), dry_run=True)
    superuser = User.objects.create_superuser("root", password=PASSWORD)
    assert import_list(superuser, champion_list((UNREGISTERED, "某公司")), dry_run=True).ok


@pytest.mark.django_db
def test_rematch_offers_rows_whose_enterprise_registered_meanwhile(admin: User) -> None:
    outcome = import_list(admin, champion_list((UNREGISTERED, "某公司")))
    EnterpriseUserFactory(applicant__uscc=UNREGISTERED, applicant__name="某公司")  # registered without the hook
    made = proactive_list_rematch(actor=admin, award_list=outcome.award_list)
    assert [a.status for a in made] == [Status.OFFERED]
    assert proactive_list_rematch(actor=admin, award_list=outcome.award_list) == []


# ── files ────────────────────────────────────────────────────────────────────────────────────


def test_a_gbk_csv_with_a_title_line_and_english_headings_is_read() -> None:
    text = f"{YEAR}年名单,,\ncredit code,Name,Year\n{UNREGISTERED},广州某某有限公司,{YEAR}\n,,\n"
    list_file = proactive_list_read(SimpleUploadedFile("名单.csv", text.encode("gb18030")))
    assert list_file.headers == ["uscc", "name", "year"]
    assert list_file.rows == [[UNREGISTERED, "广州某某有限公司", str(YEAR)]]
    assert list_file.file_rows == [3]


def test_an_xlsx_list_is_read() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["统一社会信用代码", "企业名称", "年度", "称号"])
    sheet.append([UNREGISTERED, "佛山某某有限公司", YEAR, "小巨人"])
    sheet.append([None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    list_file = proactive_list_read(SimpleUploadedFile("list.xlsx", buffer.getvalue()))
    assert list_file.rows == [[UNREGISTERED, "佛山某某有限公司", str(YEAR), "小巨人"]]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.csv", b"", "empty"),
        ("list.csv", "企业名称,年度\n某公司,2026\n".encode(), "统一社会信用代码"),
        ("list.csv", "统一社会信用代码,企业名称\n".encode(), "no rows"),
        ("list.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xlsx"),
        ("list.xlsx", b"PK\x03\x04 not really a workbook", "Excel"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(name: str, content: bytes, message: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        proactive_list_read(SimpleUploadedFile(name, content))
    assert message in refused.value.message_dict["file"][0]


# ── confirming and declining ─────────────────────────────────────────────────────────────────


@pytest.fixture
def offer(admin: User, champion: User) -> Application:
    import_list(admin, champion_list((champion.applicant.uscc, champion.applicant.name)))
    return Application.objects.get(applicant=champion.applicant)


@pytest.mark.django_db
def test_confirming_needs_a_bank_account_in_the_enterprises_name(champion: User, offer: Application) -> None:
    budget_set(
        actor=OfficialFactory(role=OfficialRole.FINANCE),
        incentive=offer.incentive,
        fiscal_year=YEAR,
        allocation=Decimal("1000000"),
    )
    with pytest.raises(ProactiveError) as refused:
        proactive_offer_confirm(actor=champion, application=offer)
    assert refused.value.code == "bank_account_required"
    account = BankAccountFactory(applicant=champion.applicant, account_name="另一家公司")
    with pytest.raises(ProactiveError) as wrong_name:
        proactive_offer_confirm(actor=champion, application=offer)
    assert champion.applicant.name in wrong_name.value.message
    offer.refresh_from_db()
    assert offer.status == Status.OFFERED
    assert Budget.objects.get().committed == Decimal("0.00") and not Award.objects.exists()

    account.account_name = champion.applicant.name
    account.save()
    confirmed = proactive_offer_confirm(actor=champion, application=offer)
    assert confirmed.status == Status.APPROVED
    award = Award.objects.get()
    assert award.application == offer and award.amount == Decimal("500000.00")
    assert Budget.objects.get().committed == Decimal("500000.00")
    event = AuditEvent.objects.filter(action="application.confirm_offer").get()
    assert event.after["status"] == Status.APPROVED and event.after["award"] == award.pk
    assert event.after["bank_account"].endswith(account.account_number[-4:])
    assert account.account_number not in str(event.after)  # masked


@pytest.mark.django_db
def test_confirming_beyond_the_budget_is_refused_with_what_is_left(champion: User, offer: Application) -> None:
    BankAccountFactory(applicant=champion.applicant)
    budget_set(
        actor=OfficialFactory(role=OfficialRole.FINANCE),
        incentive=offer.incentive,
        fiscal_year=YEAR,
        allocation=Decimal("300000"),
    )
    with pytest.raises(BudgetError) as refused:
        proactive_offer_confirm(actor=champion, application=offer)
    assert refused.value.remaining == Decimal("300000.00")
    assert "300,000.00" in refused.value.message
    offer.refresh_from_db()
    assert offer.status == Status.OFFERED
    assert not Award.objects.exists() and Budget.objects.get().committed == Decimal("0.00")


@pytest.mark.django_db
def test_declining_withdraws_the_offer_and_commits_nothing(champion: User, offer: Application) -> None:
    declined = proactive_offer_decline(actor=champion, application=offer, reason="不再需要")
    assert declined.status == Status.WITHDRAWN
    assert not Award.objects.exists()
    assert AuditEvent.objects.get(action="application.decline_offer").reason == "不再需要"
    with pytest.raises(TransitionNotAllowed):
        proactive_offer_confirm(actor=champion, application=declined)


@pytest.mark.django_db
def test_another_enterprise_cannot_confirm_or_decline(offer: Application) -> None:
    stranger = EnterpriseUserFactory()
    BankAccountFactory(applicant=stranger.applicant)
    with pytest.raises(TransitionNotAllowed):
        proactive_offer_confirm(actor=stranger, application=offer)
    with pytest.raises(TransitionNotAllowed):
        proactive_offer_decline(actor=stranger, application=offer)
    offer.refresh_from_db()
    assert offer.status == Status.OFFERED


# ── demo ─────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_the_demo_list_is_made_once(django_capture_on_commit_callbacks: object) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first = ensure_demo_proactive_list()
    second = ensure_demo_proactive_list()
    assert first == second and ProactiveList.objects.count() == 1
    rows = list(first.rows.select_related("application"))
    assert len(rows) == 3
    assert sum(1 for r in rows if r.applicant_id is None) == 1
    statuses = sorted(r.application.status for r in rows if r.application)
    assert statuses == [Status.APPROVED, Status.OFFERED]
    assert Budget.objects.get(incentive__code=CHAMPION, fiscal_year=YEAR).committed == Decimal("500000.00")


# ── at the same moment (PostgreSQL: row locks) ───────────────────────────────────────────────


def _race(*calls: object) -> list[str]:
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call: object) -> None:
        try:
            barrier.wait(timeout=30)
            result = call()  # type: ignore[operator]
            outcomes.append(f"ok:{len(result) if isinstance(result, list) else 1}")
        except (TransitionNotAllowed, BudgetError, ProactiveError) as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_registration_and_rematch_at_once_make_one_offer() -> None:
    from proactive.services import proactive_match_new_applicant

    admin = OfficialFactory(role=OfficialRole.ADMINISTRATOR)
    award_list = import_list(admin, champion_list((UNREGISTERED, "同时公司"))).award_list
    applicant = EnterpriseUserFactory(applicant__uscc=UNREGISTERED).applicant
    outcomes = _race(
        lambda: proactive_match_new_applicant(applicant),
        lambda: proactive_list_rematch(actor=admin, award_list=award_list),
    )
    assert outcomes == ["ok:0", "ok:1"]
    assert Application.objects.filter(applicant=applicant).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_colleagues_confirming_at_once_commit_the_budget_once() -> None:
    admin = OfficialFactory(role=OfficialRole.ADMINISTRATOR)
    champion = EnterpriseUserFactory()
    colleague = EnterpriseUserFactory(applicant=champion.applicant, is_applicant_admin=False)
    BankAccountFactory(applicant=champion.applicant)
    import_list(admin, champion_list((champion.applicant.uscc, champion.applicant.name)))
    offer = Application.objects.get()
    budget_set(
        actor=OfficialFactory(role=OfficialRole.FINANCE),
        incentive=offer.incentive,
        fiscal_year=YEAR,
        allocation=Decimal("5000000"),
    )
    outcomes = _race(
        lambda: proactive_offer_confirm(actor=champion, application=offer),
        lambda: proactive_offer_confirm(actor=colleague, application=offer),
    )
    assert outcomes == ["TransitionNotAllowed", "ok:1"]
    assert Award.objects.count() == 1
    assert Budget.objects.get().committed == Decimal("500000.00")


@pytest.mark.django_db
def test_a_lists_amount_is_the_departments_ceiling_for_the_year_and_never_above_one_set(admin: User) -> None:
    """Measure 3 names no figure: the administrator's amount for the list becomes the year's
    ceiling (policy ceiling, issue 9); a later list above that ceiling is refused."""
    from measures.models import YearCeiling

    champion_incentive = incentive_by_code(CHAMPION)
    import_list(admin, champion_list((UNREGISTERED, "某公司")), dry_run=True)
    assert not YearCeiling.objects.exists()  # a dry run sets nothing
    import_list(admin, champion_list((UNREGISTERED, "某公司")), amount="500000")
    ceiling = YearCeiling.objects.get(incentive=champion_incentive, fiscal_year=YEAR)
    assert ceiling.amount == Decimal("500000.00")
    assert AuditEvent.objects.filter(action="ceiling.set").exists()
    with pytest.raises(ValidationError) as above:
        import_list(admin, champion_list((make_uscc(900002), "另一公司")), amount="600000")
    assert "500,000.00" in above.value.message_dict["amount"][0]
    import_list(admin, champion_list((make_uscc(900003), "第三公司")), amount="400000")  # within it: fine
    assert YearCeiling.objects.get(incentive=champion_incentive, fiscal_year=YEAR).amount == Decimal("500000.00")


@pytest.mark.django_db
def test_an_unverified_enterprise_cannot_confirm_an_offer(champion: User, offer: Application) -> None:
    """Money goes to whoever holds the code: a registration nobody verified must not collect it."""
    BankAccountFactory(applicant=champion.applicant)
    budget_set(
        actor=OfficialFactory(role=OfficialRole.FINANCE),
        incentive=offer.incentive,
        fiscal_year=YEAR,
        allocation=Decimal("1000000"),
    )
    applicant = champion.applicant
    applicant.identity_verified_at = None
    applicant.save()
    with pytest.raises(ProactiveError) as refused:
        proactive_offer_confirm(actor=champion, application=offer)
    assert refused.value.code == "enterprise_unverified"
    offer.refresh_from_db()
    assert offer.status == Status.OFFERED and not Award.objects.exists()
