"""Site checks (现场核查): recorded by the department's officials on an accepted or under-review
application of a call with site checks, with photos checked by their bytes; the applicant sees
that one took place and its outcome, not the findings."""

from collections.abc import Callable

import pytest
from django.utils import timezone

from accounts.models import OfficialRole, User
from applications.models import Application
from applications.review import application_propose
from applications.workflow import TransitionNotAllowed
from audit.models import AuditEvent
from calls.models import Call
from decisions.models import SiteCheck, SiteCheckPhoto
from decisions.services import DecisionError, site_check_record
from portal.uploads import UploadRefused
from tests.applications.helpers import EXECUTABLE, JPEG, PNG, upload

pytestmark = pytest.mark.django_db

FINDINGS = "现场查看了生产线和标准实施记录，情况属实。"


@pytest.fixture
def site_call(make_call: Callable[..., Call]) -> Call:
    return make_call(site_check=True)


def _record(actor: User, application: Application, **kwargs: object) -> SiteCheck:
    fields: dict[str, object] = {
        "checked_on": timezone.localdate(),
        "official_ids": [actor.pk],
        "others_present": "企业法人代表",
        "findings": FINDINGS,
        "outcome": "passed",
    }
    fields.update(kwargs)
    return site_check_record(actor=actor, application=application, **fields)  # type: ignore[arg-type]


def test_a_handler_records_a_site_check_with_photos(
    site_call: Call, under_review: Callable[..., Application], amr_handler: User, amr_approver: User
) -> None:
    application = under_review(site_call, 1)
    check = _record(
        amr_handler,
        application,
        official_ids=[amr_handler.pk, amr_approver.pk],
        photos=[upload("line.jpg", JPEG, "image/jpeg"), upload("../../etc/site.png", PNG, "image/png")],
    )
    assert set(check.officials_present.values_list("pk", flat=True)) == {amr_handler.pk, amr_approver.pk}
    photos = list(check.photos.all())
    assert [(p.format, p.original_name) for p in photos] == [("jpeg", "line.jpg"), ("png", "site.png")]
    assert photos[0].file.read() == JPEG
    event = AuditEvent.objects.get(action="application.site_check", object_id=str(application.pk))
    assert event.after["outcome"] == "passed" and event.visible_to_applicant


def test_a_photo_is_judged_by_its_bytes_and_nothing_is_saved(
    site_call: Call, under_review: Callable[..., Application], amr_handler: User
) -> None:
    application = under_review(site_call, 1)
    with pytest.raises(UploadRefused):
        _record(amr_handler, application, photos=[upload("photo.jpg", EXECUTABLE, "image/jpeg")])
    assert not SiteCheck.objects.exists() and not SiteCheckPhoto.objects.exists()


def test_refused_without_site_checks_in_the_call_or_in_the_wrong_state(
    make_call: Callable[..., Call], site_call: Call, under_review: Callable[..., Application], amr_handler: User
) -> None:
    with pytest.raises(DecisionError, match="no site checks"):
        _record(amr_handler, under_review(make_call(), 1))
    application = under_review(site_call, 1)
    application_propose(actor=amr_handler, application=application, support=True, reasons="")
    with pytest.raises(TransitionNotAllowed, match="accepted or under review"):
        _record(amr_handler, Application.objects.get(pk=application.pk))
    with pytest.raises(DecisionError, match="future"):
        _record(amr_handler, under_review(site_call, 1), checked_on=timezone.localdate().replace(year=2099))
    assert not SiteCheck.objects.exists()


@pytest.mark.parametrize("who", ["other_department", "city", "applicant", "finance"])
def test_others_may_not_record(
    who: str,
    site_call: Call,
    under_review: Callable[..., Application],
    miit_handler: User,
    finance_officer: User,
    make_official: Callable[..., User],
) -> None:
    application = under_review(site_call, 1)
    actor = {
        "other_department": miit_handler,
        "finance": finance_officer,
        "city": make_official(OfficialRole.CITY_HANDLER, None, city="guangzhou"),
        "applicant": User.objects.filter(applicant=application.applicant).first(),
    }[who]
    with pytest.raises(TransitionNotAllowed):
        _record(actor, application)
    assert not SiteCheck.objects.exists()


def test_the_pages(
    site_call: Call,
    under_review: Callable[..., Application],
    amr_handler: User,
    miit_handler: User,
    page_client: Callable,
) -> None:
    application = under_review(site_call, 1)
    official = page_client(amr_handler)
    review = official.get(f"/review/{application.reference}/")
    assert b"/site-check/" in review.content
    url = f"/review/{application.reference}/site-check/"
    assert official.get(url).status_code == 200
    assert official.post(url, {"checked_on": "", "findings": ""}).status_code == 400
    bad = official.post(
        url,
        {
            "checked_on": timezone.localdate().isoformat(),
            "officials": [amr_handler.pk],
            "findings": FINDINGS,
            "outcome": "failed",
            "photos": [upload("x.png", EXECUTABLE, "image/png")],
        },
    )
    assert bad.status_code == 400 and b"JPEG and PNG" in bad.content
    done = official.post(
        url,
        {
            "checked_on": timezone.localdate().isoformat(),
            "officials": [amr_handler.pk],
            "others_present": "企业代表",
            "findings": FINDINGS,
            "outcome": "failed",
            "photos": [upload("x.png", PNG, "image/png")],
        },
    )
    assert done.status_code == 302
    check = SiteCheck.objects.get()
    assert check.outcome == "failed"
    photo_url = f"/site-checks/photos/{check.photos.get().pk}/"
    assert official.get(photo_url).status_code == 200
    assert page_client(miit_handler).get(photo_url).status_code == 404  # another department
    assert page_client(miit_handler).get(url).status_code == 404
    applicant = page_client(User.objects.filter(applicant=application.applicant).first())
    assert applicant.get(photo_url).status_code == 404
    assert applicant.get(url).status_code == 404
    own = applicant.get(f"/applications/{application.reference}/")
    assert own.status_code == 200
    assert b"Failed" in own.content and FINDINGS.encode() not in own.content
    assert b"Site check" in own.content
