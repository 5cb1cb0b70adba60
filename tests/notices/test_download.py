"""The applicant downloads their notices; officials who may see the application may too; anyone
else gets the same 404 as for a notice that does not exist."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import OfficialRole, User
from applications.models import Notice
from applications.notices import issue_notice
from audit.models import AuditEvent
from tests.factories import EnterpriseUserFactory
from tests.notices.conftest import application_for_notice, official_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner() -> User:
    return EnterpriseUserFactory()


@pytest.fixture
def notice(owner: User) -> Notice:
    application, event = application_for_notice(Notice.Kind.DECISION_SUPPORT, user=owner)
    return issue_notice(application_id=application.pk, kind=Notice.Kind.DECISION_SUPPORT, event_sequence=event.sequence)


def get(user: User | None, notice_id: int) -> object:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client.get(reverse("verify:notice_pdf", args=[notice_id]))


def test_the_url_is_the_one_the_pages_link(notice: Notice) -> None:
    assert reverse("verify:notice_pdf", args=[notice.pk]) == f"/notices/{notice.pk}/pdf/"


def test_the_owner_downloads_the_pdf(owner: User, notice: Notice) -> None:
    response = get(owner, notice.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "filename" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body == Path(notice.pdf.path).read_bytes()
    assert body.startswith(b"%PDF-")


def test_a_colleague_of_the_same_enterprise_downloads_it(owner: User, notice: Notice) -> None:
    colleague = EnterpriseUserFactory(applicant=owner.applicant, is_applicant_admin=False)
    assert get(colleague, notice.pk).status_code == 200


def test_another_applicant_gets_404(notice: Notice) -> None:
    assert get(EnterpriseUserFactory(), notice.pk).status_code == 404


def test_a_missing_notice_is_the_same_404(owner: User, notice: Notice) -> None:
    assert get(owner, notice.pk + 1000).status_code == 404


def test_an_official_of_the_handling_department_downloads_it(notice: Notice) -> None:
    approver = official_for(role=OfficialRole.APPROVER)
    assert get(approver, notice.pk).status_code == 200
    # An official's read of the applicant's papers is an audit event; the applicant's own is not.
    viewed = AuditEvent.objects.filter(action="document.view", actor=approver)
    assert [e.after for e in viewed] == [{"notice": notice.pk}]
    assert not viewed.get().visible_to_applicant


def test_an_official_of_another_department_gets_404(notice: Notice) -> None:
    # measure 17's quality benchmark is handled by industry (IT), not the market regulation administration
    outsider = official_for("m17-quality-benchmark")
    assert outsider.department_id != notice.application.incentive.handling_department_id
    assert get(outsider, notice.pk).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(notice: Notice) -> None:
    response = get(None, notice.pk)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
