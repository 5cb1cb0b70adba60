"""The credit commitment (信用承诺): catalog data (the policy's text, or an incentive's own), given on
submitting (page and API) and recorded with its text, version, time and who gave it."""

import hashlib

import pytest

from applications.models import Application, Status
from applications.services import ApplicationError, application_submit
from audit.models import AuditEvent
from credit.models import CreditCommitment
from credit.selectors import commitment_for
from measures.catalog_loader import load_catalog, read_catalog_data
from measures.models import Incentive, PolicyDocument
from tests.applications.helpers import FIXED, complete_draft
from tests.factories import EnterpriseUserFactory

pytestmark = pytest.mark.django_db

SUBMIT = "/api/v1/applications/{key}/submit/"


def test_the_catalog_carries_a_commitment_in_both_languages() -> None:
    document = PolicyDocument.objects.get()
    assert document.credit_commitment.startswith("本单位（本人）郑重承诺")
    assert "严重失信主体名单" in document.credit_commitment
    assert "seriously dishonest entities" in document.credit_commitment_en
    commitment = commitment_for(Incentive.objects.get(code=FIXED))
    assert commitment.text == document.credit_commitment
    assert commitment.version == hashlib.sha256(document.credit_commitment.encode()).hexdigest()
    assert commitment.shown == document.credit_commitment_en  # the tests speak English


def test_an_incentive_may_have_its_own_and_the_loader_fills_an_empty_one() -> None:
    incentive = Incentive.objects.get(code=FIXED)
    incentive.credit_commitment, incentive.credit_commitment_en = "本单位承诺：专项。", "We undertake: special."
    incentive.save()
    assert commitment_for(incentive).text == "本单位承诺：专项。"
    assert commitment_for(Incentive.objects.get(code="m15-international-standard-lead")).text.startswith(
        "本单位（本人）"
    )
    PolicyDocument.objects.update(credit_commitment="", credit_commitment_en="")
    load_catalog()
    document = PolicyDocument.objects.get()
    assert document.credit_commitment == read_catalog_data()["document"]["credit_commitment"]
    # An administrator's text is kept.
    PolicyDocument.objects.update(credit_commitment="管理员修改的承诺。")
    load_catalog()
    assert PolicyDocument.objects.get().credit_commitment == "管理员修改的承诺。"


def test_submitting_without_the_commitment_is_refused_and_changes_nothing() -> None:
    user = EnterpriseUserFactory()
    draft = complete_draft(user, FIXED)
    with pytest.raises(ApplicationError) as refused:
        application_submit(actor=user, application=draft, credit_commitment=False)
    assert "credit commitment" in refused.value.message and set(refused.value.problems) == {"credit_commitment"}
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not CreditCommitment.objects.exists()


def test_the_commitment_given_is_recorded_with_its_version() -> None:
    user = EnterpriseUserFactory()
    draft = complete_draft(user, FIXED)
    commitment = commitment_for(draft.incentive)
    submitted = application_submit(
        actor=user, application=draft, credit_commitment=True, commitment_version=commitment.version
    )
    given = CreditCommitment.objects.get(application_id=submitted.pk)
    assert (given.applicant, given.given_by, given.reference) == (user.applicant, user, submitted.reference)
    assert (given.text, given.version, given.language) == (commitment.text, commitment.version, "en")
    assert abs((given.given_at - submitted.submitted_at).total_seconds()) < 5
    event = AuditEvent.objects.get(action="application.submit", object_id=str(submitted.pk))
    assert event.after["credit_commitment"] == commitment.version


def test_a_changed_text_must_be_read_again() -> None:
    user = EnterpriseUserFactory()
    draft = complete_draft(user, FIXED)
    with pytest.raises(ApplicationError, match="changed after you read it"):
        application_submit(actor=user, application=draft, credit_commitment=True, commitment_version="0" * 64)
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT and not CreditCommitment.objects.exists()


def test_the_check_page_shows_the_commitment_and_requires_the_tick(page_client) -> None:
    user = EnterpriseUserFactory()
    draft = complete_draft(user, FIXED)
    client = page_client(user)
    check = client.get(f"/applications/{draft.pk}/check/").content.decode()
    commitment = commitment_for(draft.incentive)
    assert commitment.text_en[:60] in check
    assert 'name="credit_commitment"' in check and f'value="{commitment.version}"' in check
    refused = client.post(f"/applications/{draft.pk}/submit/", {"commitment_version": commitment.version})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'href="#credit-commitment"' in page and 'id="credit-commitment-error"' in page
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT
    done = client.post(
        f"/applications/{draft.pk}/submit/", {"credit_commitment": "yes", "commitment_version": commitment.version}
    )
    assert done.status_code == 302
    assert CreditCommitment.objects.get(application_id=draft.pk).given_by == user


def test_the_api_requires_the_commitment_and_shows_its_text(api_client) -> None:
    user = EnterpriseUserFactory()
    draft = complete_draft(user, FIXED)
    client = api_client(user)
    detail = client.get(f"/api/v1/applications/{draft.pk}/").json()
    commitment = commitment_for(draft.incentive)
    assert detail["credit_commitment"] == {
        "text": commitment.text_en,
        "text_zh": commitment.text,
        "version": commitment.version,
        "given_at": None,
    }
    for body in ({}, {"credit_commitment": False}):
        response = client.post(SUBMIT.format(key=draft.pk), body, format="json")
        assert response.status_code == 400
        assert "Give the credit commitment" in response.json()["errors"]["credit_commitment"][0]
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT
    response = client.post(SUBMIT.format(key=draft.pk), {"credit_commitment": True}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert response.json()["credit_commitment"]["given_at"] is not None
