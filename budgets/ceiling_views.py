"""The departments' ceilings page (/ceilings/): where the policy names no amount, the handling
department sets the most one award may be for the year before anything is approved."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import signed_in_user
from portal.money import MoneyField

from .permissions import may_see_ceilings
from .selectors import ceilings_overview
from .services import BudgetError, year_ceiling_set


class CeilingForm(forms.Form):
    """One per incentive on the page (prefixed with its code); the incentive and year are in the URL."""

    amount = MoneyField(
        label=gettext_lazy("Ceiling per award (CNY)"),
        help_text=gettext_lazy("The most one award may be this year. 50万 or 500,000 both work."),
    )


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        return this_year
    return year if abs(year - this_year) <= 1 else this_year


@login_required
def ceilings(request: HttpRequest) -> HttpResponse:
    if not may_see_ceilings(request.user):
        raise PermissionDenied
    year = _year(request)
    rows = ceilings_overview(request.user, year)
    failed: tuple[str, CeilingForm] | None = None
    if request.method == "POST":
        row = next((r for r in rows if r.incentive.code == request.GET.get("incentive")), None)
        if row is None or not row.may_set:
            raise PermissionDenied
        form = CeilingForm(request.POST, prefix=row.incentive.code)
        if form.is_valid():
            try:
                ceiling = year_ceiling_set(
                    actor=signed_in_user(request),
                    incentive=row.incentive,
                    fiscal_year=year,
                    amount=form.cleaned_data["amount"],
                )
            except BudgetError as refused:
                form.add_error("amount", refused.message)
            else:
                messages.success(
                    request,
                    _("The %(year)s ceiling for “%(incentive)s” is now %(amount)s CNY per award.")
                    % {"year": year, "incentive": row.incentive.localized("name"), "amount": f"{ceiling.amount:,.2f}"},
                )
                return redirect(f"{reverse('budgets:ceilings')}?year={year}")
        failed = (row.incentive.code, form)
    forms_by_code = {
        r.incentive.code: CeilingForm(
            prefix=r.incentive.code, initial={"amount": r.ceiling.amount if r.ceiling else None}
        )
        for r in rows
        if r.may_set
    }
    if failed is not None:
        forms_by_code[failed[0]] = failed[1]
    this_year = timezone.localdate().year
    return render(
        request,
        "budgets/ceilings.html",
        {
            "year": year,
            "years": [this_year + 1, this_year, this_year - 1],
            "rows": [(r, forms_by_code.get(r.incentive.code)) for r in rows],
            "failed_form": failed[1] if failed else None,
        },
        status=400 if failed else 200,
    )
