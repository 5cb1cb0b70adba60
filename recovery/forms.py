"""Forms of the recovery pages: they parse what was typed; the services own every rule."""

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from applications.models import Application
from portal.forms import DateBox
from portal.money import MoneyField

from .models import MAX_BAN_YEARS
from .selectors import recoverable

BAN_CHOICES = [(0, _("No ban"))] + [
    (years, ngettext_lazy("%(years)s year", "%(years)s years", "years") % {"years": years})
    for years in range(1, MAX_BAN_YEARS + 1)
]


class RecoverForm(forms.Form):
    """追回: the approver's decision on the officials' application page (prefixed "recover")."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    amount = MoneyField(
        label=_("Amount to recover (CNY)"),
        help_text=_("All or part of what was paid, less what earlier recoveries took back. 60万 or 600,000 both work."),
    )
    reasons = forms.CharField(
        label=_("Reasons for recovering"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("They are stated in the recovery notice the applicant receives."),
    )
    ban_years = forms.TypedChoiceField(
        label=_("Bar the applicant from applying"),
        choices=BAN_CHOICES,
        coerce=int,
        initial=0,
        help_text=_(
            "The applicant may not submit an application until the ban ends (Guangdong's texts use five years)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "recover")
        super().__init__(*args, **kwargs)
        self.use_required_attribute = False


def recover_form(application: Application, user: Any) -> RecoverForm:
    """The unbound form the officials' application page shows (applications.hooks.ReviewStep)."""
    most = recoverable(application)
    return RecoverForm(initial={"version": application.version, "amount": most, "ban_years": 0})


def recover_url(application: Application) -> str:
    return reverse("recovery:decide", args=[application.reference])


class RefundForm(forms.Form):
    amount = MoneyField(label=_("Amount refunded (CNY)"))
    received_on = forms.DateField(
        label=_("Received on"),
        widget=DateBox(),
        help_text=_("The date the refund reached the account (YYYY-MM-DD)."),
    )
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=60)
