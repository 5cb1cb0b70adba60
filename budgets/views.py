"""Finance's budgets page (/finance/budgets/)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import signed_in_user
from measures.models import Incentive
from portal.money import MoneyField

from .permissions import may_manage_budgets
from .selectors import budget_totals, budget_years, budgets_overview, incentives_without_budget, monetary_incentives
from .services import BudgetError, budget_set

BUDGETS_PAGE_SIZE = 50


class IncentiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Incentive) -> str:
        return f"{obj.measure.number}. {obj.localized('name')}"


class BudgetForm(forms.Form):
    incentive = IncentiveChoiceField(
        label=gettext_lazy("Incentive"), queryset=Incentive.objects.none(), to_field_name="code"
    )
    fiscal_year = forms.IntegerField(label=gettext_lazy("Fiscal year"), min_value=2000, max_value=2100)
    allocation = MoneyField(
        label=gettext_lazy("Allocation (CNY)"),
        help_text=gettext_lazy("Never less than what is already committed and paid. 2000万 or 20,000,000 both work."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        incentive = self.fields["incentive"]
        assert isinstance(incentive, IncentiveChoiceField)
        incentive.queryset = monetary_incentives()


@login_required
def budgets(request: HttpRequest) -> HttpResponse:
    if not may_manage_budgets(request.user):
        raise PermissionDenied
    years = budget_years()
    try:
        year = int(request.GET.get("year") or years[0])
    except ValueError:
        year = years[0]
    if request.method == "POST":
        form = BudgetForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                budget = budget_set(
                    actor=signed_in_user(request),
                    incentive=data["incentive"],
                    fiscal_year=data["fiscal_year"],
                    allocation=data["allocation"],
                )
            except BudgetError as refused:
                form.add_error("allocation", refused.message)
            else:
                messages.success(
                    request,
                    _("The %(year)s allocation for “%(incentive)s” is now %(amount)s CNY.")
                    % {
                        "year": budget.fiscal_year,
                        "incentive": data["incentive"].localized("name"),
                        "amount": f"{budget.allocation:,.2f}",
                    },
                )
                return redirect(f"{reverse('disbursement:budgets')}?year={budget.fiscal_year}")
    else:
        initial: dict[str, Any] = {"fiscal_year": year}
        code = request.GET.get("incentive")
        if code:
            current = budgets_overview(fiscal_year=year).filter(incentive__code=code).first()
            initial["incentive"] = code
            if current is not None:
                initial["allocation"] = current.allocation
        form = BudgetForm(initial=initial)
    rows = budgets_overview(fiscal_year=year)
    page = Paginator(rows, BUDGETS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/budgets.html",
        {
            "form": form,
            "year": year,
            "years": years,
            "page": page,
            "totals": budget_totals(rows),
            "missing": list(incentives_without_budget(year)),
            "page_query": f"year={year}",
            "section": "budgets",
        },
    )
