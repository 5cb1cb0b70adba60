"""Once only (同一项目不得重复申报): the same international standard is funded once, whoever claims
it and whenever; the official sees every other application with the same item."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts.models import OfficialRole
from applications import review
from applications.claim_keys import AlreadyFunded, claim_keys, claims_elsewhere, normalise
from applications.models import Application, ClaimKey, Status
from applications.services import application_submit
from awards.models import Award
from tests.applications.helpers import PER_UNIT, complete_draft, standard
from tests.factories import EnterpriseUserFactory
from tests.review.conftest import fund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def claim(standards: list[str], year: int | None = None) -> Application:
    """A measure-15 application listing these standards, submitted."""
    user = EnterpriseUserFactory()
    draft = complete_draft(user, PER_UNIT, units=len(standards))
    rows = [{**standard(i), "number": number} for i, number in enumerate(standards)]
    data = {**draft.data, "claim": {**draft.data["claim"], "standards": rows}}
    Application.objects.filter(pk=draft.pk).update(data=data, **({"fiscal_year": year} if year else {}))
    return application_submit(actor=user, application=Application.objects.get(pk=draft.pk), credit_commitment=True)


def approved(application: Application, handler, approver) -> Application:
    application = review.application_accept(actor=handler, application=application)
    application = review.application_start_review(actor=handler, application=application)
    application = review.application_propose(actor=handler, application=application, support=True, reasons="符合")
    return review.application_approve(actor=approver, application=application)


def test_keys_are_normalised_so_one_standard_is_one_key() -> None:
    assert normalise("iso 23000 : 2025") == normalise("ISO 23000:2025") == "ISO 23000:2025"
    assert normalise("ＩＳＯ　２３０００:2025") == "ISO 23000:2025"  # full-width, as typed with a Chinese IME


def test_the_same_standard_is_funded_once_across_applicants_and_years(amr_handler, make_official) -> None:
    approver = make_official(OfficialRole.APPROVER, "amr", username="amr-approver")
    fund(PER_UNIT)
    first = claim(["ISO 30001:2025", "ISO 30002:2025"])
    assert claim_keys(first) == ["ISO 30001:2025", "ISO 30002:2025"]
    co_drafter = claim(["iso 30002 : 2025"])  # a co-drafting enterprise claims the shared standard
    assert [c.application_id for c in claims_elsewhere(co_drafter)] == [first.pk]  # the official sees it

    approved(first, amr_handler, approver)
    assert set(ClaimKey.objects.filter(funded=True).values_list("key", flat=True)) == {
        "ISO 30001:2025",
        "ISO 30002:2025",
    }
    proposed = review.application_propose(
        actor=amr_handler,
        application=review.application_start_review(
            actor=amr_handler, application=review.application_accept(actor=amr_handler, application=co_drafter)
        ),
        support=True,
        reasons="符合",
    )
    with pytest.raises(AlreadyFunded) as refused:
        review.application_approve(actor=approver, application=proposed)
    assert first.reference in refused.value.message and "ISO 30002:2025" in refused.value.message
    assert Application.objects.get(pk=co_drafter.pk).status == Status.PROPOSED  # nothing changed
    assert not Award.objects.filter(application=co_drafter).exists()  # and no money committed

    next_year = claim(["ISO 30001:2025"], year=first.fiscal_year + 1)
    assert [c.application_id for c in claims_elsewhere(next_year) if c.funded] == [first.pk]


def test_the_database_refuses_a_second_funded_key(amr_handler) -> None:
    first, second = claim(["ISO 30101:2025"]), claim(["ISO 30101:2025"])
    ClaimKey.objects.filter(application=first).update(funded=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimKey.objects.filter(application=second).update(funded=True)
    assert ClaimKey.objects.filter(funded=True).count() == 1


def test_the_official_sees_the_same_item_elsewhere_and_the_applicant_is_warned_without_names(
    amr_handler, make_official
) -> None:
    from django.test import Client
    from django.urls import reverse

    first = claim(["ISO 30201:2025"])
    ClaimKey.objects.filter(application=first).update(funded=True)
    second = claim(["ISO 30201:2025"])
    official = Client(HTTP_ACCEPT_LANGUAGE="en")
    official.force_login(amr_handler)
    page = official.get(reverse("review:application", args=[second.reference])).content.decode()
    assert "The same items in other applications" in page
    assert first.reference in page and first.applicant.name in page

    user = EnterpriseUserFactory()
    draft = complete_draft(user, PER_UNIT, units=1)
    rows = [{**standard(0), "number": "ISO 30201:2025"}]
    Application.objects.filter(pk=draft.pk).update(
        data={**draft.data, "claim": {**draft.data["claim"], "standards": rows}}
    )
    applicant = Client(HTTP_ACCEPT_LANGUAGE="en")
    applicant.force_login(user)
    check = applicant.get(reverse("applications:check", args=[draft.pk])).content.decode()
    assert "Already claimed" in check and "already funded: it will not be funded again" in check
    assert first.reference not in check and first.applicant.name not in check  # whose claim stays private
