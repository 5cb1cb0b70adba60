"""Proactive awards (免申即享): official lists imported by an administrator, row by row."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Applicant
from applications.models import Application
from measures.models import Incentive


class ProactiveList(models.Model):
    """免申即享: an official list (e.g. the year's national single champions) imported by an administrator."""

    title = models.CharField(_("title"), max_length=200)
    qualification = models.CharField(_("qualification"), max_length=40)
    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    # Where the amount engine has no figure (measure 3: "set by the department"), the amount the
    # administrator gave for each enterprise on the list; offers matched later use it too.
    amount = models.DecimalField(
        _("amount per enterprise (CNY)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proactive award list")
        verbose_name_plural = _("proactive award lists")

    def __str__(self) -> str:
        return self.title


class ProactiveListRow(models.Model):
    award_list = models.ForeignKey(ProactiveList, on_delete=models.CASCADE, related_name="rows")
    uscc = models.CharField(_("credit code"), max_length=18)
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The offer made to the matched enterprise: an application it only confirms.
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="proactive_row"
    )

    class Meta:
        verbose_name = _("proactive list row")
        verbose_name_plural = _("proactive list rows")
        constraints = [models.UniqueConstraint(fields=["award_list", "uscc"], name="proactive_row_once")]

    def __str__(self) -> str:
        return f"{self.uscc} {self.name}"
