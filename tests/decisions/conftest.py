"""Decisions fixtures: a call for measure 15's per-unit grant (the amr department), applications
under review in it made through the services, the amr officials, English messages."""

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from accounts.models import OfficialRole, User
from applications.models import Application, Status
from applications.review import application_accept, application_start_review
from applications.services import application_submit
from calls.models import Call
from calls.services import call_save
from measures.models import Incentive
from tests.applications.helpers import PER_UNIT, complete_draft
from tests.factories import EnterpriseUserFactory, OfficialFactory


@pytest.fixture(autouse=True)
def _media_and_language(settings: object, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


@pytest.fixture
def amr_approver(make_official: Callable[..., User]) -> User:
    return make_official(OfficialRole.APPROVER, "amr", username="amr-approver")


@pytest.fixture
def amr_handler2(make_official: Callable[..., User]) -> User:
    return make_official(OfficialRole.HANDLER, "amr", username="amr-handler-2")


@pytest.fixture
def make_call(db: None) -> Callable[..., Call]:
    def make(**fields: Any) -> Call:
        now = timezone.now()
        admin = OfficialFactory(role=OfficialRole.ADMINISTRATOR)
        fields.setdefault("money_available", Decimal("1000000.00"))
        call = Call(
            fiscal_year=timezone.localdate().year,
            title="国际标准资助申报通知",
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=30),
            **fields,
        )
        return call_save(actor=admin, call=call, incentives=Incentive.objects.filter(code=PER_UNIT))

    return make


@pytest.fixture
def under_review(amr_handler: User) -> Callable[..., Application]:
    """`under_review(call, units, requested)`: a new enterprise's application to the call for
    `units` international standards asking `requested` (the engine's figure when None), submitted,
    accepted and under review by the amr handler."""

    def make(call: Call, units: int = 1, requested: str | None = None) -> Application:
        user = EnterpriseUserFactory()
        draft = complete_draft(user, PER_UNIT, units=units)
        data = dict(draft.data)
        if requested is not None:
            data["claim"] = {**data["claim"], "requested_amount": requested}
        Application.objects.filter(pk=draft.pk).update(call=call, data=data)
        draft = Application.objects.select_related("call", "applicant").get(pk=draft.pk)
        submitted = application_submit(actor=user, application=draft, credit_commitment=True)
        accepted = application_accept(actor=amr_handler, application=submitted)
        reviewed = application_start_review(actor=amr_handler, application=accepted)
        assert reviewed.status == Status.UNDER_REVIEW
        return Application.objects.select_related("call", "incentive", "applicant").get(pk=reviewed.pk)

    return make
