"""Submission needs a verified enterprise (applications.services.EnterpriseUnverified): drafts may be
prepared before; submitting is refused in the pages (409, with the way to the verification page)
and the API (409 `enterprise_unverified`), nothing changed; once an official approves the business
licence the same draft submits. Individuals are not asked."""

from typing import Any

import pytest
from django.urls import reverse

from accounts.identity import identity_check_approve, identity_verification_request
from accounts.models import OfficialRole
from applications.models import Application, Status
from applications.services import EnterpriseUnverified, application_submit
from audit.models import AuditEvent
from tests.accounts.uploads import PDF, upload
from tests.factories import EnterpriseUserFactory, IndividualUserFactory

from .helpers import FIXED, complete_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def unverified(db: None):
    return EnterpriseUserFactory(applicant__identity_verified_at=None, applicant__identity_verified_via="")


def test_the_service_refuses_an_unverified_enterprise_and_changes_nothing(unverified) -> None:
    draft = complete_draft(unverified, FIXED)  # drafts may be prepared before
    events = AuditEvent.objects.count()
    with pytest.raises(EnterpriseUnverified) as refused:
        application_submit(actor=unverified, application=draft, credit_commitment=True)
    assert refused.value.code == "enterprise_unverified" and refused.value.conflict
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.reference
    assert AuditEvent.objects.count() == events


def test_the_api_answers_409_enterprise_unverified(unverified, api_client) -> None:
    draft = complete_draft(unverified, FIXED)
    response = api_client(unverified).post(
        f"/api/v1/applications/{draft.pk}/submit/", {"credit_commitment": True}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "enterprise_unverified"
    assert body["detail"].startswith("Your enterprise's identity is not verified yet")
    assert reverse("accounts:identity") in body["detail"]
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


def test_the_page_says_so_before_and_refuses_with_409_and_a_link(unverified, page_client) -> None:
    draft = complete_draft(unverified, FIXED)
    client = page_client(unverified)
    check = client.get(reverse("applications:check", args=[draft.pk])).content.decode()
    assert "Verify your enterprise first" in check and f'href="{reverse("accounts:identity")}"' in check
    response = client.post(reverse("applications:submit", args=[draft.pk]), {"credit_commitment": "yes"})
    assert response.status_code == 409
    text = response.content.decode()
    assert "Your enterprise&#x27;s identity is not verified yet" in text
    assert f'href="{reverse("accounts:identity")}"' in text
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


def test_individuals_are_not_enterprises_to_verify() -> None:
    person = IndividualUserFactory()
    assert person.applicant.identity_verified_at is None and person.applicant.identity_verified


def test_a_verified_enterprise_sees_no_such_notice(page_client) -> None:
    user = EnterpriseUserFactory()
    draft = complete_draft(user, FIXED)
    assert (
        "Verify your enterprise first"
        not in page_client(user).get(reverse("applications:check", args=[draft.pk])).content.decode()
    )


def test_after_the_officials_approval_the_same_draft_submits(unverified, make_official: Any, api_client) -> None:
    draft = complete_draft(unverified, FIXED)
    check = identity_verification_request(
        actor=unverified, name=unverified.applicant.name, licence=upload("l.pdf", PDF)
    )
    identity_check_approve(actor=make_official(OfficialRole.ADMINISTRATOR), check=check)
    response = api_client(unverified).post(
        f"/api/v1/applications/{draft.pk}/submit/", {"credit_commitment": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert Application.objects.get(pk=draft.pk).status == Status.SUBMITTED


def test_the_migration_verifies_enterprises_that_had_submitted_before(unverified) -> None:
    """applications/0012: an enterprise whose applications were reviewed counts as verified; one with
    drafts only does not."""
    import importlib

    from django.apps import apps

    from accounts.models import Applicant

    migration = importlib.import_module("applications.migrations.0012_enterprises_that_applied_are_verified")
    drafted = EnterpriseUserFactory(applicant__identity_verified_at=None, applicant__identity_verified_via="")
    complete_draft(drafted, FIXED)
    submitted = complete_draft(unverified, FIXED)
    Application.objects.filter(pk=submitted.pk).update(status=Status.SUBMITTED)  # as before identity checks
    migration.verify_enterprises_that_applied(apps, None)
    assert Applicant.objects.get(pk=unverified.applicant_id).identity_verified_via == "reviewed"
    assert not Applicant.objects.get(pk=drafted.applicant_id).identity_verified
