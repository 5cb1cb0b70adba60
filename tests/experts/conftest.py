"""Expert review fixtures: a call of the China Quality Award (miit) with expert review, accepted
applications of it, a miit handler, and `make_expert` for the pool (by default in a city and at
an employer no applicant shares, in the quality-management field)."""

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from accounts.models import Applicant, OfficialRole, User
from applications.models import Application, Status
from calls.models import Call
from experts.models import Expert, ExpertiseField
from tests.factories import ApplicantFactory, EnterpriseUserFactory, OfficialFactory, _UserFactory, incentive_by_code

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_and_language(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def handler(db: None) -> User:
    return OfficialFactory(role=OfficialRole.HANDLER, department="amr")


@pytest.fixture
def quality(db: None) -> ExpertiseField:
    return ExpertiseField.objects.get(code="quality-management")


@pytest.fixture
def call(db: None, handler: User) -> Call:
    now = timezone.now()
    made = Call.objects.create(
        fiscal_year=now.year,
        title="中国质量奖资助申报通知",
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=30),
        expert_review=True,
        experts_per_application=3,
        created_by=handler,
    )
    made.incentives.set([incentive_by_code("m17-china-quality-award-org")])
    return made


@pytest.fixture
def make_application(call: Call) -> Callable[..., Application]:
    def make(applicant: Applicant | None = None, status: str = Status.ACCEPTED, **applicant_fields: Any) -> Application:
        applicant_fields.setdefault("city", "shenzhen")
        applicant = applicant or ApplicantFactory(**applicant_fields)
        user = EnterpriseUserFactory(applicant=applicant)
        serial = next(_serial)
        return Application.objects.create(
            applicant=applicant,
            incentive=incentive_by_code("m17-china-quality-award-org"),
            fiscal_year=call.fiscal_year,
            call=call,
            status=status,
            reference=f"QB-{call.fiscal_year}-17-{serial:06d}",
            submitted_at=timezone.now() - dt.timedelta(days=40, minutes=serial),
            created_by=user,
            data={},
        )

    return make


@pytest.fixture
def make_expert(db: None, quality: ExpertiseField) -> Callable[..., Expert]:
    def make(
        *, city: str = "guangzhou", employer_uscc: str = "", fields: list[ExpertiseField] | None = None, **kwargs: Any
    ) -> Expert:
        serial = next(_serial)
        user = kwargs.pop("user", None) or _UserFactory(username=f"expert{serial}", display_name=f"专家{serial}")
        expert = Expert.objects.create(
            user=user, city=city, employer_uscc=employer_uscc, employer_name=f"单位{serial}", **kwargs
        )
        expert.fields.set(fields or [quality])
        return expert

    return make


@pytest.fixture
def pool(make_expert: Callable[..., Expert]) -> list[Expert]:
    """Six experts in Guangzhou: enough for any one Shenzhen application (three per application)."""
    return [make_expert() for _ in range(6)]
