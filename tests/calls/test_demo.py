"""The demo's rounds (make run): measure 15's call open now, measure 17's China Quality Award call closed."""

import pytest

from calls.models import CallStatus
from demo.calls import ensure_demo_calls

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_open_standards_call_and_a_closed_quality_award_call(
    settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    standards, quality_award = ensure_demo_calls()
    assert standards.status() == CallStatus.OPEN
    assert [i.code for i in standards.incentives.all()] == ["m15-international-standard-lead"]
    assert standards.reference_from.month == 7 and standards.reference_to.month == 6  # type: ignore[union-attr]
    assert quality_award.status() == CallStatus.CLOSED
    assert sorted(i.code for i in quality_award.incentives.all()) == [
        "m17-china-quality-award-ind",
        "m17-china-quality-award-org",
    ]
    assert standards.notice_pdf and quality_award.notice_pdf
    assert ensure_demo_calls() == [standards, quality_award]  # once only
