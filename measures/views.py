"""Public catalog pages: the policy as chapters and measures, a measure, a department."""

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from . import selectors
from .amounts import compute_amount
from .caching import cached, page_key, shared_answer
from .hooks import panels_for
from .models import Department, Incentive, Measure, PolicyDocument
from .vocabulary import ApplicantType


class CatalogFilterForm(forms.Form):
    q = forms.CharField(label=_("Keywords"), required=False, max_length=100)
    department = forms.ChoiceField(label=_("Department"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of support"), required=False, choices=[("", _("All kinds")), *Incentive.Kind.choices]
    )
    applicant_type = forms.ChoiceField(
        label=_("Applicant"), required=False, choices=[("", _("All applicants")), *ApplicantType.choices]
    )

    # Any: passed through unchanged to Form.__init__, whose parameters all differ in type.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department = self.fields["department"]
        assert isinstance(department, forms.ChoiceField)
        department.choices = [("", _("All departments"))] + [(d.code, d.localized("name")) for d in _departments()]


def _departments() -> list[Department]:
    return cached("departments", lambda: list(selectors.department_queryset()))


def _with_estimates(incentives: list[Incentive]) -> list[tuple[Incentive, object]]:
    today = timezone.localdate()
    return [(incentive, compute_amount(incentive, on=today)) for incentive in incentives]


@shared_answer
def catalog(request: HttpRequest) -> HttpResponse:
    """The catalog, searched. Its content is the same for every visitor of a language and query,
    so the template keeps it rendered (`{% cache %}`, keyed by `page_key`) and the data below is
    read only when that fragment is missing: rendering it each time capped the anonymous page at
    68 requests/s on two workers (issue 10). Visitors with nothing personal are sent the whole
    page as kept (`shared_answer`); the fragment serves signed-in visitors, whose navigation is theirs."""

    def content() -> dict[str, Any]:
        form = CatalogFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        search = {key: filters.get(key, "") for key in ("query", "department", "kind", "applicant_type")}
        search["query"] = filters.get("q", "")
        measures = cached(f"search:{sorted(search.items())}", lambda: list(selectors.measure_search(**search)))
        chapters: dict[int, dict[str, object]] = {}
        for measure in measures:
            chapter = chapters.setdefault(measure.chapter.number, {"chapter": measure.chapter, "measures": []})
            chapter["measures"].append(measure)  # type: ignore[attr-defined]
        return {
            "document": cached("document", lambda: PolicyDocument.objects.first() or ""),
            "form": form,
            "chapters": list(chapters.values()),
            "result_count": len(measures),
            "filtered": bool(request.GET) and form.is_valid() and any(filters.values()),
        }

    return render(
        request,
        "measures/catalog.html",
        {"page_key": page_key(request.get_full_path()), "page": SimpleLazyObject(content)},
    )


def _measure(number: int) -> dict[str, Any] | None:
    try:
        measure = selectors.measure_queryset().get(number=number)
    except Measure.DoesNotExist:
        return None
    return {"measure": measure, "incentives": _with_estimates(list(measure.incentives.all()))}


def _with_panels(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """The cached (incentive, estimate) pairs with what higher apps show under each incentive
    (measures/hooks.py), read for this request: it changes with the time and the visitor."""
    pairs = context["incentives"]
    panels = panels_for([incentive for incentive, _estimate in pairs], request.user)
    rows = [(incentive, estimate, panels.get(incentive.pk, [])) for incentive, estimate in pairs]
    return {**context, "incentives": rows}


def measure_detail(request: HttpRequest, number: int) -> HttpResponse:
    context = cached(f"measure:{number}", lambda: _measure(number))
    if context is None:
        raise Http404
    return render(request, "measures/measure_detail.html", _with_panels(request, context))


def _department(code: str) -> dict[str, Any] | None:
    try:
        department = selectors.department_detail(code)
    except Department.DoesNotExist:
        return None
    return {"department": department, "incentives": _with_estimates(list(department.handled_incentives.all()))}


def department_detail(request: HttpRequest, code: str) -> HttpResponse:
    context = cached(f"department:{code}", lambda: _department(code))
    if context is None:
        raise Http404
    return render(request, "measures/department_detail.html", _with_panels(request, context))


@shared_answer
def department_list(request: HttpRequest) -> HttpResponse:
    return render(request, "measures/department_list.html", {"departments": _departments()})
