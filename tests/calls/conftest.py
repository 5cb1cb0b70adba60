"""Calls fixtures: uploads in a temporary directory, English messages, and `make_call`, which
publishes a call through the service as an administrator."""

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from accounts.models import OfficialRole, User
from calls.models import Call
from calls.services import call_save
from measures.models import Incentive
from tests.factories import OfficialFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    """'2026-03-31 17:00' in Beijing time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _media_and_language(settings: object, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


@pytest.fixture
def call_admin(db: None) -> User:
    return OfficialFactory(role=OfficialRole.ADMINISTRATOR, username="calls-admin")


@pytest.fixture
def make_call(call_admin: User) -> Callable[..., Call]:
    def make(*codes: str, opens: str, closes: str, fiscal_year: int = 2026, **fields: Any) -> Call:
        fields.setdefault("title", "2026年度申报通知")
        fields.setdefault("title_en", "Call for applications 2026")
        fields.setdefault("money_available", Decimal("5000000.00"))
        fields.setdefault("contact_name", "陈科长")
        fields.setdefault("contact_phone", "020-83330000")
        call = Call(fiscal_year=fiscal_year, opens_at=at(opens), closes_at=at(closes), **fields)
        incentives = Incentive.objects.filter(code__in=codes or ["m17-china-quality-award-org"])
        return call_save(actor=call_admin, call=call, incentives=incentives)

    return make
