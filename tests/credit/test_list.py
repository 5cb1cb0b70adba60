"""The list of seriously dishonest entities: importing with a dry run and row problems, adding and
ending entries by hand, each change audited; when an entry is in force (listing_for)."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import OfficialRole
from audit.models import AuditEvent
from credit.list_file import CreditListFile
from credit.models import CreditListEntry
from credit.selectors import credit_entries, listing_for, listings_for
from credit.services import CreditError, credit_entry_add, credit_entry_end, credit_list_import, parse_list_date
from portal.models import StagedUpload
from tests.factories import ApplicantFactory, CreditListEntryFactory, make_uscc

from .conftest import csv_upload

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
A, B, C = make_uscc(700001), make_uscc(700002), make_uscc(700003)
BAD_CHECK = A[:-1] + ("0" if A[-1] != "0" else "1")


def good_rows() -> list[list[str]]:
    return [
        ["1", A, "深圳市甲有限公司", "严重失信主体名单", "2025-03-01", ""],
        ["2", B, "广州市乙有限公司", "失信被执行人名单", "2025/6/1", "2028年5月31日"],
    ]


def read(rows: list[list[str]], headings: list[str] | None = None) -> CreditListFile:
    return CreditListFile.read(csv_upload(rows, headings))


# ── the import ─────────────────────────────────────────────────────────────────────────────────


def test_a_dry_run_reports_every_row_problem_and_stores_nothing(administrator) -> None:
    rows = [
        ["1", BAD_CHECK, "甲公司", "严重失信主体名单", "2025-03-01", ""],  # row 2: check character
        ["2", B, "", "严重失信主体名单", "2025-03-01", ""],  # row 3: no name
        ["3", make_uscc(700006), "丙公司", "严重失信主体名单", "2025-02-30", ""],  # row 4: no such day
        ["4", make_uscc(700004), "丁公司", "严重失信主体名单", "2025-05-01", "2025-04-01"],  # row 5: ends first
        ["5", make_uscc(700005), "戊公司", "严重失信主体名单", (TODAY + dt.timedelta(days=3)).isoformat(), ""],
        ["6", C, "丙公司", "严重失信主体名单", "2025-03-01", ""],  # row 7: fine
        ["7", C, "丙公司（重复）", "严重失信主体名单", "2024-01-01", ""],  # row 8: same code and list as row 7
        ["8", C, "丙公司", "失信被执行人名单", "2024-01-01", ""],  # row 9: another list: fine
    ]
    outcome = credit_list_import(actor=administrator, list_file=read(rows), dry_run=True)
    found = {(p.row, p.field) for p in outcome.problems}
    assert found == {(2, "uscc"), (3, "name"), (4, "listed_on"), (5, "until"), (6, "listed_on"), (8, "uscc")}
    messages = {p.row: p.message for p in outcome.problems}
    assert "check character" in messages[2]
    assert "is not a date" in messages[4] and "2025-02-30" in messages[4]
    assert "cannot be before the date listed" in messages[5]
    assert "cannot be after today" in messages[6]
    assert "already on row 7" in messages[8]
    assert str(outcome.problems[0]).startswith("Row 2, 统一社会信用代码 (credit code):")
    assert [r.row for r in outcome.rows] == [7, 9]
    assert not outcome.ok and not CreditListEntry.objects.exists() and not AuditEvent.objects.exists()
    # Confirmed with problems, nothing is stored either.
    assert not credit_list_import(actor=administrator, list_file=read(rows), dry_run=False).entries
    assert not CreditListEntry.objects.exists()


def test_the_confirmed_import_stores_audits_and_leaves_rows_already_listed(administrator) -> None:
    CreditListEntryFactory(uscc=A, list_name="严重失信主体名单", listed_on=dt.date(2025, 3, 1))
    registered = ApplicantFactory(uscc=B)
    preview = credit_list_import(actor=administrator, list_file=read(good_rows()), dry_run=True)
    assert preview.ok and (preview.add_count, preview.existing_count, preview.registered_count) == (1, 1, 1)
    assert preview.rows[1].enterprise == registered and CreditListEntry.objects.count() == 1

    outcome = credit_list_import(actor=administrator, list_file=read(good_rows()), dry_run=False)
    assert [e.uscc for e in outcome.entries] == [B]
    entry = CreditListEntry.objects.get(uscc=B)
    assert (entry.name, entry.list_name, entry.listed_on, entry.until) == (
        "广州市乙有限公司",
        "失信被执行人名单",
        dt.date(2025, 6, 1),
        dt.date(2028, 5, 31),
    )
    assert entry.source == "import" and entry.source_file == "失信名单.csv" and entry.added_by == administrator
    event = AuditEvent.objects.get(action="credit_entry.add")
    assert event.object_id == str(entry.pk) and event.after["uscc"] == B and event.actor == administrator
    # Imported again: everything is already there.
    again = credit_list_import(actor=administrator, list_file=read(good_rows()), dry_run=False)
    assert again.entries == [] and again.existing_count == 2 and CreditListEntry.objects.count() == 2


def test_english_headings_a_default_list_name_and_an_xlsx_file(administrator) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Dishonest entities, March 2026"])  # a title line above the headings
    sheet.append(["Credit code", "Name", "Listed on", "Until"])
    sheet.append([A.lower(), "甲公司", dt.datetime(2025, 3, 1), None])
    buffer = io.BytesIO()
    book.save(buffer)
    list_file = CreditListFile.read(SimpleUploadedFile("list.xlsx", buffer.getvalue()))
    assert list_file.headers == ["uscc", "name", "listed_on", "until"] and list_file.file_rows == [3]
    outcome = credit_list_import(actor=administrator, list_file=list_file, list_name="失信被执行人名单", dry_run=False)
    assert [(e.uscc, e.list_name, e.listed_on) for e in outcome.entries] == [
        (A, "失信被执行人名单", dt.date(2025, 3, 1))
    ]
    # Without a list column and without a default, each row says what is missing.
    missing = credit_list_import(actor=administrator, list_file=list_file, dry_run=True)
    assert [(p.row, p.field) for p in missing.problems] == [(3, "list_name")]


def test_a_file_without_the_needed_columns_is_refused_naming_them() -> None:
    with pytest.raises(ValidationError) as refused:
        read([["x", "y"]], headings=["名称", "备注"])
    assert "统一社会信用代码 (credit code)" in refused.value.message_dict["file"][0]
    assert "列入日期 (listed on)" in refused.value.message_dict["file"][0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", dt.date(2026, 3, 1)),
        ("2026/3/1", dt.date(2026, 3, 1)),
        ("2026.03.01", dt.date(2026, 3, 1)),
        ("2026年3月1日", dt.date(2026, 3, 1)),
        ("20260301", dt.date(2026, 3, 1)),
        ("2026-03-01T00:00:00", dt.date(2026, 3, 1)),
        ("", None),
    ],
)
def test_dates_as_lists_write_them(text: str, expected: dt.date | None) -> None:
    assert parse_list_date(text) == expected


@pytest.mark.parametrize("text", ["2026-13-01", "yesterday", "2026-3", "1/3/2026"])
def test_what_is_not_a_date(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_list_date(text)


def test_only_administrators_import(make_official) -> None:
    for role in (OfficialRole.HANDLER, OfficialRole.APPROVER, OfficialRole.FINANCE):
        with pytest.raises(PermissionDenied):
            credit_list_import(actor=make_official(role), list_file=read(good_rows()), dry_run=True)


# ── the pages ──────────────────────────────────────────────────────────────────────────────────


def test_import_page_previews_then_confirms_once(administrator, page_client) -> None:
    client = page_client(administrator)
    response = client.post("/credit/import/", {"file": csv_upload(good_rows()), "list_name": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dry run: nothing is stored yet" in page and A in page and "广州市乙有限公司" in page
    assert not CreditListEntry.objects.exists()
    token = StagedUpload.objects.get(purpose="credit-list").token
    confirmed = client.post("/credit/import/confirm/", {"token": token})
    assert confirmed.status_code == 302 and confirmed["Location"] == "/credit/"
    assert set(CreditListEntry.objects.values_list("uscc", flat=True)) == {A, B}
    again = client.post("/credit/import/confirm/", {"token": token}, follow=True)
    assert "already imported" in again.content.decode() and CreditListEntry.objects.count() == 2


def test_import_page_shows_row_problems_with_a_summary(administrator, page_client) -> None:
    rows = [["1", BAD_CHECK, "", "严重失信主体名单", "someday", ""]]
    response = page_client(administrator).post("/credit/import/", {"file": csv_upload(rows)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file has 3 problems: nothing was imported" in page
    assert 'href="#problem-1"' in page and 'id="problem-3"' in page
    assert "Upload a corrected file" in page and not StagedUpload.objects.exists()


def test_add_and_end_by_hand_through_the_pages(administrator, page_client) -> None:
    client = page_client(administrator)
    bad = client.post(
        "/credit/add/", {"uscc": BAD_CHECK, "name": "甲", "list_name": "严重失信主体名单", "listed_on": "x"}
    )
    assert bad.status_code == 400 and "check character" in bad.content.decode()
    response = client.post(
        "/credit/add/", {"uscc": A, "name": "甲公司", "list_name": "严重失信主体名单", "listed_on": "2025-03-01"}
    )
    entry = CreditListEntry.objects.get(uscc=A)
    assert response.status_code == 302 and response["Location"] == f"/credit/{entry.pk}/"
    assert entry.source == "manual" and listing_for(A) == entry
    no_reason = client.post(f"/credit/{entry.pk}/", {"reason": " "})
    assert no_reason.status_code == 400 and listing_for(A) == entry
    ended = client.post(f"/credit/{entry.pk}/", {"reason": "信用修复"})
    assert ended.status_code == 302
    entry.refresh_from_db()
    assert (entry.ended_on, entry.ended_by, entry.end_reason) == (TODAY, administrator, "信用修复")
    assert listing_for(A) is None
    assert "End the entry" not in client.get(f"/credit/{entry.pk}/").content.decode()


def test_the_list_page_searches_by_code_and_name(administrator, page_client) -> None:
    CreditListEntryFactory(uscc=A, name="深圳市甲有限公司")
    CreditListEntryFactory(uscc=B, name="广州市乙有限公司")
    client = page_client(administrator)
    by_code = client.get("/credit/", {"q": A[:17].lower()}).content.decode()
    assert A in by_code and B not in by_code
    by_name = client.get("/credit/", {"q": "广州"}).content.decode()
    assert B in by_name and A not in by_name
    assert list(credit_entries(state="ended")) == []


@pytest.mark.parametrize("url", ["/credit/", "/credit/import/", "/credit/add/"])
def test_the_pages_are_for_administrators_only(url, make_official, page_client) -> None:
    assert page_client(None).get(url).status_code == 302  # to the sign-in page
    for role in (OfficialRole.HANDLER, OfficialRole.FINANCE):
        assert page_client(make_official(role)).get(url).status_code == 403
    assert page_client(make_official(OfficialRole.ADMINISTRATOR)).get(url).status_code == 200


# ── by hand, through the services ──────────────────────────────────────────────────────────────


def test_adding_by_hand_is_audited_and_the_same_listing_twice_refused(administrator) -> None:
    entry = credit_entry_add(
        actor=administrator, uscc=f" {A.lower()} ", name="甲公司", list_name="严重失信主体名单", listed_on="2025-03-01"
    )
    assert entry.uscc == A and entry.added_by == administrator
    event = AuditEvent.objects.get(action="credit_entry.add")
    assert event.after["source"] == "manual" and event.after["listed_on"] == "2025-03-01"
    with pytest.raises(ValidationError) as twice:
        credit_entry_add(
            actor=administrator, uscc=A, name="甲公司", list_name="严重失信主体名单", listed_on="2025-03-01"
        )
    assert "already on this list" in twice.value.message_dict["uscc"][0]
    assert CreditListEntry.objects.count() == 1


def test_ending_is_audited_with_its_reason_and_happens_once(administrator) -> None:
    entry = CreditListEntryFactory(uscc=A)
    with pytest.raises(CreditError):
        credit_entry_end(actor=administrator, entry=entry, reason="")
    ended = credit_entry_end(actor=administrator, entry=entry, reason="列入错误，予以更正。")
    event = AuditEvent.objects.get(action="credit_entry.end")
    assert event.reason == "列入错误，予以更正。" and event.before == {"ended_on": None}
    assert event.after["ended_on"] == TODAY.isoformat() and ended.ended_by == administrator
    with pytest.raises(CreditError, match="already ended"):
        credit_entry_end(actor=administrator, entry=entry, reason="again")
    assert AuditEvent.objects.filter(action="credit_entry.end").count() == 1


# ── when an entry is in force ──────────────────────────────────────────────────────────────────


def test_listing_for_follows_the_dates_and_the_end() -> None:
    enterprise = ApplicantFactory(uscc=A)
    entry = CreditListEntryFactory(uscc=A, listed_on=TODAY - dt.timedelta(days=10), until=TODAY + dt.timedelta(days=10))
    assert listing_for(enterprise) == entry and listing_for(A.lower()) == entry
    assert listing_for(A, on=TODAY - dt.timedelta(days=11)) is None  # not yet listed
    assert listing_for(A, on=TODAY + dt.timedelta(days=10)) == entry  # the last day
    assert listing_for(A, on=TODAY + dt.timedelta(days=11)) is None  # expired
    entry.ended_on, entry.ended_by, entry.end_reason = TODAY, entry.added_by, "信用修复"
    entry.save()
    assert listing_for(A) is None and listing_for(A, on=TODAY - dt.timedelta(days=1)) == entry
    assert listings_for([A, B]) == {}


def test_individuals_are_not_screened_by_credit_code() -> None:
    person = ApplicantFactory(individual=True)
    CreditListEntryFactory(uscc=make_uscc(700009))
    assert listing_for(person) is None and listing_for(None) is None
