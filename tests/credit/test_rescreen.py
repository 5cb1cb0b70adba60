"""Re-screening: entries added (by hand or by an import) flag the listed enterprises' applications
that are with the department or awarded and unpaid, for their officials; the review page and the
queue warn while the listing is in force."""

import pytest

from accounts.models import Notification
from applications.models import Application, Status
from audit.models import AuditEvent
from credit.list_file import CreditListFile
from credit.services import credit_entry_add, credit_entry_end, credit_list_import
from tests.applications.helpers import complete_draft
from tests.factories import CreditListEntryFactory, EnterpriseUserFactory

from .conftest import CHINESE_HEADINGS, csv_upload, submit_new

pytestmark = pytest.mark.django_db


def add(admin, applicant, listed_on: str = "2025-03-01"):
    return credit_entry_add(
        actor=admin, uscc=applicant.uscc, name=applicant.name, list_name="严重失信主体名单", listed_on=listed_on
    )


def flags(application: Application) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="application.credit_flag", object_id=str(application.pk)))


def test_adding_an_entry_flags_open_applications_and_unpaid_awards_only(administrator, handler) -> None:
    user = EnterpriseUserFactory()
    open_one = submit_new(user)
    Application.objects.filter(pk=open_one.pk).update(assigned_to=handler)
    unpaid = submit_new(user, "m17-china-quality-award-nomination-org")
    Application.objects.filter(pk=unpaid.pk).update(status=Status.FINAL)
    paid = submit_new(user, "m17-provincial-quality-award-org")
    Application.objects.filter(pk=paid.pk).update(status=Status.PAID)
    draft = complete_draft(user, "m15-international-standard-lead")
    bystander = submit_new()  # another enterprise

    entry = add(administrator, user.applicant)

    [event] = flags(open_one)
    assert event.actor == administrator and not event.visible_to_applicant
    assert event.after["list_name"] == "严重失信主体名单" and event.after["entry"] == entry.pk
    assert "严重失信主体名单" in event.reason
    assert len(flags(unpaid)) == 1
    assert flags(paid) == [] and flags(draft) == [] and flags(bystander) == []
    # The assigned handler is told about the open one; the department's handlers about the other.
    told = Notification.objects.filter(user=handler)
    assert {n.link for n in told} == {f"/review/{open_one.reference}/", f"/review/{unpaid.reference}/"}
    assert all(n.subject.startswith("信用") or "Credit" in n.subject for n in told)
    assert not Notification.objects.filter(link=f"/review/{bystander.reference}/").exists()


def test_an_import_flags_too_and_an_entry_not_in_force_does_not(administrator, handler) -> None:
    listed, expired = submit_new(), submit_new()
    rows = [
        ["1", listed.applicant.uscc, listed.applicant.name, "失信被执行人名单", "2025-01-01", ""],
        ["2", expired.applicant.uscc, expired.applicant.name, "失信被执行人名单", "2022-01-01", "2023-12-31"],
    ]
    list_file = CreditListFile.read(csv_upload(rows, CHINESE_HEADINGS))
    credit_list_import(actor=administrator, list_file=list_file, dry_run=False)
    assert len(flags(listed)) == 1 and flags(expired) == []
    assert flags(listed)[0].after["list_name"] == "失信被执行人名单"


def test_the_review_page_and_the_queue_warn_while_listed(administrator, handler, page_client) -> None:
    application = submit_new()
    client = page_client(handler)
    assert "credit-warning" not in client.get(f"/review/{application.reference}/").content.decode()
    entry = add(administrator, application.applicant)
    page = client.get(f"/review/{application.reference}/").content.decode()
    assert 'id="credit-warning"' in page and "is on the list “严重失信主体名单” since 2025-03-01" in page
    queue = client.get("/review/").content.decode()
    row = queue[queue.index(application.reference) :]
    assert "On the list “严重失信主体名单”" in row[: row.index("</tr>")]
    # Ended: the warning goes at once (it is read live from the list).
    credit_entry_end(actor=administrator, entry=entry, reason="信用修复")
    assert "credit-warning" not in client.get(f"/review/{application.reference}/").content.decode()
    assert "On the list" not in client.get("/review/").content.decode()


def test_the_queue_reads_the_list_once_for_the_page(handler, page_client, django_assert_max_num_queries) -> None:
    applications = [submit_new() for _ in range(3)]
    for application in applications:
        CreditListEntryFactory(uscc=application.applicant.uscc)
    client = page_client(handler)
    client.get("/review/")  # warm up sessions and caches
    with django_assert_max_num_queries(30) as captured:
        page = client.get("/review/").content.decode()
    assert page.count("On the list “") == 3
    assert sum("credit_creditlistentry" in q["sql"] for q in captured.captured_queries) == 1


def test_the_timeline_names_the_flag_for_officials_only(administrator, handler, page_client) -> None:
    application = submit_new()
    add(administrator, application.applicant)
    official = page_client(handler).get(f"/review/{application.reference}/").content.decode()
    assert "Applicant put on a list of seriously dishonest entities" in official
    owner = page_client(application.created_by).get(f"/applications/{application.reference}/").content.decode()
    assert "seriously dishonest" not in owner
