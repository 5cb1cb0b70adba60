"""Deadlines in Chinese working days: weekends, statutory holidays and make-up workdays (调休) as
chinese-calendar publishes them for 2026; Monday–Friday, flagged provisional, for a year it does
not cover (2027); an administrator's CalendarDay always wins. The review services count with it."""

import datetime as dt

import chinese_calendar
import pytest

from applications import review
from applications.models import Status
from workdays.calendar import add_working_days, working_days_between
from workdays.models import CalendarDay

from .conftest import submit_new

D = dt.date


def test_the_library_knows_2026_as_the_state_council_published_it() -> None:
    # Spring Festival 2026: 15–23 February off; Saturdays 14 and 28 February are make-up workdays.
    assert chinese_calendar.is_workday(D(2026, 2, 14))
    assert not chinese_calendar.is_workday(D(2026, 2, 16))
    assert chinese_calendar.is_workday(D(2026, 2, 28))
    # Mid-autumn 25–27 September, National Day 1–7 October; Sunday 20 September and Saturday
    # 10 October are make-up workdays, Sunday 27 September is not.
    assert chinese_calendar.is_workday(D(2026, 9, 20))
    assert not chinese_calendar.is_workday(D(2026, 9, 27))
    assert not chinese_calendar.is_workday(D(2026, 10, 7))
    assert chinese_calendar.is_workday(D(2026, 10, 10))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Spring Festival 2026
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Friday → the make-up Saturday
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # over the whole holiday
        (D(2026, 2, 12), 3, D(2026, 2, 24)),  # 13, 14 (make-up), 24
        (D(2026, 2, 24), 4, D(2026, 2, 28)),  # 25, 26, 27, 28 (make-up Saturday)
        (D(2026, 2, 12), 10, D(2026, 3, 4)),  # a supplement period across the festival
        # Mid-autumn and National Day 2026
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Saturday off, the make-up Sunday counts
        (D(2026, 9, 24), 1, D(2026, 9, 28)),  # Mid-autumn 25–27 off
        (D(2026, 9, 26), 1, D(2026, 9, 28)),  # Sunday 27 September is no workday
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # 1–7 October off
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # 8, 9, 10 (make-up Saturday)
        (D(2026, 10, 9), 2, D(2026, 10, 12)),  # 10 (make-up), Sunday off, 12
        (D(2026, 3, 4), 0, D(2026, 3, 4)),
    ],
)
def test_add_working_days_across_the_2026_holidays(start: dt.date, days: int, expected: dt.date) -> None:
    deadline = add_working_days(start, days)
    assert deadline.day == expected
    assert deadline.provisional is False


@pytest.mark.django_db
def test_working_days_between_counts_make_up_days_and_skips_holidays() -> None:
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2  # 14 and 24
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4  # 8, 9, 10, 12
    assert working_days_between(D(2026, 10, 12), D(2026, 10, 12)) == 0


@pytest.mark.django_db
def test_a_year_the_library_does_not_cover_falls_back_to_weekdays_and_says_so() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))
    deadline = add_working_days(D(2027, 1, 1), 1)  # Friday → Monday
    assert (deadline.day, deadline.provisional) == (D(2027, 1, 4), True)
    assert add_working_days(D(2027, 1, 4), 5).day == D(2027, 1, 11)
    # Crossing from a known year into an unknown one is provisional too.
    crossing = add_working_days(D(2026, 12, 30), 3)
    assert (crossing.day, crossing.provisional) == (D(2027, 1, 4), True)


@pytest.mark.django_db
def test_an_administrators_calendar_day_wins() -> None:
    CalendarDay.objects.create(date=D(2027, 1, 4), is_workday=False, name="元旦调休")
    CalendarDay.objects.create(date=D(2027, 1, 9), is_workday=True, name="调休上班")
    assert add_working_days(D(2027, 1, 1), 1).day == D(2027, 1, 5)
    assert add_working_days(D(2027, 1, 8), 1).day == D(2027, 1, 9)  # a Saturday declared a workday
    # Over the library's own schedule as well.
    CalendarDay.objects.create(date=D(2026, 2, 24), is_workday=False, name="test")
    deadline = add_working_days(D(2026, 2, 14), 1)
    assert (deadline.day, deadline.provisional) == (D(2026, 2, 25), False)


@pytest.mark.django_db
def test_the_services_count_their_deadlines_in_working_days(monkeypatch, handler, submitted) -> None:
    """Time frozen on 12 February 2026: a supplement (10 working days) is due on 4 March; a review
    accepted then (20 working days) is due on 18 March."""
    monkeypatch.setattr(review, "_today", lambda: D(2026, 2, 12))
    returned = review.application_return(actor=handler, application=submitted, missing="the award decision")
    assert returned.status == Status.RETURNED
    assert returned.supplement_deadline == D(2026, 3, 4) == returned.stage_due_on
    assert returned.audit_event.after["deadline_provisional"] is False

    accepted = review.application_accept(actor=handler, application=submit_new())
    assert accepted.stage_due_on == D(2026, 3, 18)
