"""Pages of proactive awards (免申即享).

Administrators: /proactive/lists/ (the lists), /proactive/lists/import/ (upload → dry-run preview
with row errors → confirm), /proactive/lists/<id>/ (each row: offer made, waiting for the
enterprise to register, or not offered because it already applied).
Enterprises: /proactive/offers/<reference>/ (the offer: amount, how it was reached, the bank
account masked; confirm or decline).

Views parse input, call one service of awards.proactive and render.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import administrator_required
from applications.models import Application, Status
from applications.presentation import stored_trace
from applications.workflow import NEXT_STEP_FOR_APPLICANT, TransitionNotAllowed
from budgets.services import BudgetError
from measures.models import Incentive
from measures.vocabulary import Qualification
from portal import staging
from portal.forms import add_service_errors
from portal.http import client_ip
from portal.languages import trace_lines

from .amounts import list_offer_amount, parse_amount
from .list_file import ListFile, proactive_list_read
from .offers import offer_bank_problem, proactive_offer_confirm, proactive_offer_decline
from .selectors import (
    access_offer,
    access_proactive_list,
    offer_bank_account,
    proactive_incentives,
    proactive_list_rows,
    proactive_list_summaries,
)
from .services import ImportOutcome, ProactiveError, proactive_list_import, proactive_list_rematch

LIST_UPLOAD = "proactive-list"  # the staged upload's purpose


class IncentiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.measure.number} · {obj.localized('name')} ({obj.code})"


class ImportForm(forms.Form):
    incentive = IncentiveChoiceField(
        queryset=Incentive.objects.none(),
        to_field_name="code",
        label=gettext_lazy("Incentive"),
        empty_label=gettext_lazy("Choose the incentive"),
    )
    qualification = forms.ChoiceField(
        label=gettext_lazy("Qualification the list confers"),
        required=False,
        help_text=gettext_lazy(
            "Enterprises on the list get it in their profile if they do not have it. "
            "Leave it to use the one the incentive requires."
        ),
    )
    year = forms.IntegerField(label=gettext_lazy("Year of the list"), help_text=gettext_lazy("For example 2026."))
    amount = forms.CharField(
        label=gettext_lazy("Amount for each enterprise (CNY)"),
        required=False,
        max_length=30,
        help_text=gettext_lazy(
            "Only where the policy states no figure (measure 3: set by the department), for example 500,000."
        ),
    )
    title = forms.CharField(
        label=gettext_lazy("Title of the list"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("As published, e.g. 2026年国家级制造业单项冠军企业名单."),
    )
    file = forms.FileField(
        label=gettext_lazy("List file (CSV or XLSX)"),
        help_text=gettext_lazy(
            "Columns 统一社会信用代码 (credit code) and 企业名称 (name); 年度 (year) and 称号 (title) if you have them."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incentive"].queryset = proactive_incentives()  # type: ignore[attr-defined]
        self.fields["qualification"].choices = [  # type: ignore[attr-defined]
            ("", _("The one the incentive requires")),
            *Qualification.choices,
        ]

    def clean_amount(self) -> Any:
        try:
            return parse_amount(self.cleaned_data.get("amount"))
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["amount"]) from None


@administrator_required
def list_page(request: HttpRequest) -> HttpResponse:
    page = Paginator(proactive_list_summaries(), 50).get_page(request.GET.get("page"))
    return render(request, "proactive/lists.html", {"page": page, "lists": list(page.object_list)})


SHOW = {
    "all": gettext_lazy("All rows"),
    "offers": gettext_lazy("Offers made"),
    "unmatched": gettext_lazy("Waiting for registration"),
    "not_offered": gettext_lazy("Matched, not offered"),
}


@administrator_required
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    award_list = access_proactive_list(request.user, pk)
    show = request.GET.get("show", "all")
    rows = proactive_list_rows(award_list)
    if show == "offers":
        rows = rows.filter(application__isnull=False)
    elif show == "unmatched":
        rows = rows.filter(applicant__isnull=True)
    elif show == "not_offered":
        rows = rows.filter(applicant__isnull=False, application__isnull=True)
    else:
        show = "all"
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "proactive/list_detail.html",
        {
            "award_list": award_list,
            "page": page,
            "rows": list(page.object_list),
            "show": show,
            "filters": list(SHOW.items()),
            "trace": _trace_lines(award_list),
            "qualification_label": _qualification_label(award_list.qualification),
        },
    )


def _qualification_label(code: str) -> str:
    return str(Qualification(code).label) if code in Qualification.values else code


def _trace_lines(award_list: Any) -> list[str]:
    offer = list_offer_amount(award_list)
    return trace_lines(offer.trace) if offer else []


@administrator_required
@require_POST
def list_rematch(request: HttpRequest, pk: int) -> HttpResponse:
    award_list = access_proactive_list(request.user, pk)
    made = proactive_list_rematch(actor=request.user, award_list=award_list)  # type: ignore[arg-type]
    if made:
        messages.success(
            request,
            ngettext("%(count)d new offer made.", "%(count)d new offers made.", len(made)) % {"count": len(made)},
        )
    else:
        messages.info(request, _("No waiting row matches a registered enterprise yet."))
    return redirect("proactive:list", award_list.pk)


def _remember(request: HttpRequest, params: dict[str, Any], list_file: ListFile) -> str:
    """The rows read from the file wait for the confirmation as a staged upload (not in the session)."""
    staged = staging.stage(
        owner=request.user, purpose=LIST_UPLOAD, params={"params": params, "file": list_file.to_dict()}
    )
    return staged.token


def _preview(
    request: HttpRequest, form: ImportForm | None, outcome: ImportOutcome, token: str, incentive: Incentive
) -> HttpResponse:
    return render(
        request,
        "proactive/preview.html",
        {
            "form": form,
            "outcome": outcome,
            # The error summary links each problem to its row in the problems table.
            "error_links": [(f"#problem-{n}", str(problem)) for n, problem in enumerate(outcome.problems, 1)],
            "token": token,
            "incentive": incentive,
            "qualification_label": _qualification_label(outcome.qualification),
            "trace": trace_lines(outcome.trace),
        },
        status=200 if outcome.ok else 400,
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            list_file = proactive_list_read(data["file"])
            outcome = proactive_list_import(
                actor=request.user,  # type: ignore[arg-type]
                incentive=data["incentive"],
                qualification=data["qualification"],
                year=data["year"],
                list_file=list_file,
                amount=data["amount"],
                title=data["title"],
                dry_run=True,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            token = ""
            if outcome.ok:
                params = {
                    "incentive": data["incentive"].code,
                    "qualification": outcome.qualification,
                    "year": data["year"],
                    "amount": str(data["amount"]) if data["amount"] is not None else None,
                    "title": data["title"],
                }
                token = _remember(request, params, list_file)
            return _preview(request, form, outcome, token, data["incentive"])
    return render(request, "proactive/import.html", {"form": form}, status=400 if form.errors else 200)


@administrator_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    entry = staging.claim(owner=request.user, purpose=LIST_UPLOAD, token=request.POST.get("token", ""))
    if entry is None:
        messages.error(request, _("This preview has expired or was already imported: upload the file again."))
        return redirect("proactive:import")
    params = entry["params"]
    incentive = proactive_incentives().filter(code=params["incentive"]).first()
    if incentive is None:  # the catalog changed since the preview
        messages.error(request, _("The incentive can no longer take a list: upload the file again."))
        return redirect("proactive:import")
    try:
        outcome = proactive_list_import(
            actor=request.user,  # type: ignore[arg-type]
            incentive=incentive,
            qualification=params["qualification"],
            year=params["year"],
            list_file=ListFile.from_dict(entry["file"]),
            amount=parse_amount(params["amount"]),
            title=params["title"],
            dry_run=False,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("proactive:import")
    if not outcome.ok or outcome.award_list is None:  # something changed since the preview
        return _preview(request, None, outcome, "", incentive)
    messages.success(
        request,
        ngettext(
            "The list is imported: %(offers)d offer made, %(waiting)d rows waiting for registration.",
            "The list is imported: %(offers)d offers made, %(waiting)d rows waiting for registration.",
            len(outcome.offers),
        )
        % {"offers": len(outcome.offers), "waiting": outcome.unmatched_count},
    )
    return redirect("proactive:list", outcome.award_list.pk)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you decline? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _offer_page(
    request: HttpRequest, application: Application, *, problem: str = "", status: int = 200
) -> HttpResponse:
    account = offer_bank_account(application)
    offered = application.status == Status.OFFERED
    return render(
        request,
        "proactive/offer.html",
        {
            "application": application,
            "award_list": application.proactive_row.award_list,
            "account": account,
            "bank_problem": offer_bank_problem(application.applicant, account) if offered else None,
            "offered": offered,
            "confirmed": application.status
            in (Status.APPROVED, Status.ANNOUNCED, Status.FINAL, Status.PAID, Status.PAYMENT_FAILED),
            "trace": stored_trace(application),
            "next_step": NEXT_STEP_FOR_APPLICANT.get(application.status, ""),
            "problem": problem,
        },
        status=status,
    )


@login_required
def offer_page(request: HttpRequest, reference: str) -> HttpResponse:
    return _offer_page(request, access_offer(request.user, reference))


@login_required
@require_POST
def offer_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    application = access_offer(request.user, reference)
    try:
        proactive_offer_confirm(actor=request.user, application=application, ip_address=client_ip(request))  # type: ignore[arg-type]
    except ProactiveError as error:
        return _offer_page(request, application, problem=error.message, status=400)
    except BudgetError as error:
        message = _("The award cannot be confirmed now: %(reason)s Contact the department.") % {"reason": error.message}
        return _offer_page(request, application, problem=message, status=409)
    except TransitionNotAllowed as error:
        return _offer_page(request, access_offer(request.user, reference), problem=str(error), status=409)
    messages.success(request, _("You confirmed the award."))
    return redirect("proactive:offer", reference)


@login_required
@require_http_methods(["GET", "POST"])
def offer_decline(request: HttpRequest, reference: str) -> HttpResponse:
    application = access_offer(request.user, reference)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proactive_offer_decline(
                actor=request.user,  # type: ignore[arg-type]
                application=application,
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
            )
        except TransitionNotAllowed as error:
            return _offer_page(request, access_offer(request.user, reference), problem=str(error), status=409)
        messages.success(request, _("You declined the award."))
        return redirect("proactive:offer", reference)
    if application.status != Status.OFFERED:
        return redirect("proactive:offer", reference)
    return render(
        request,
        "proactive/decline.html",
        {"application": application, "form": form},
        status=400 if form.errors else 200,
    )
