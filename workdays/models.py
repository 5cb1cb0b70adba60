from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A day an administrator declares a holiday or a (make-up) working day.

    chinese-calendar knows the State Council's schedule for the years it covers; the schedule
    for a new year is published late in the year before, so until the library catches up an
    administrator enters it here. An entry here always wins.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'holiday'} {self.name}"
