"""Counting in Chinese working days: weekends, statutory holidays and make-up workdays (调休).

chinese-calendar gives the official schedule for the years it covers; `CalendarDay` rows
entered by an administrator override it and cover later years. For a year neither knows, the
count falls back to Monday–Friday and says so (`provisional`), so a deadline is never refused,
only flagged for checking.
"""

import datetime as dt
from dataclasses import dataclass

import chinese_calendar

from .models import CalendarDay


@dataclass(frozen=True)
class Deadline:
    day: dt.date
    provisional: bool  # some day counted had no official schedule


class WorkingDays:
    """A calendar loaded once per computation: one query for the overrides in the range."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.overrides = dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))
        self.provisional = False

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self.provisional = True
            return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> Deadline:
    """The date `days` working days after `start` (start itself not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    calendar = WorkingDays(start, start + dt.timedelta(days=days * 3 + 30))
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return Deadline(day, calendar.provisional)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    calendar = WorkingDays(start, end)
    return sum(1 for n in range(1, (end - start).days + 1) if calendar.is_workday(start + dt.timedelta(days=n)))
