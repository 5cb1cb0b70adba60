"""Administrators' pages of the list of seriously dishonest entities (严重失信主体名单).

    /credit/                    the list, searched by credit code or name, active or ended
    /credit/import/             upload (CSV or XLSX) → dry-run preview with row problems → confirm
    /credit/add/                one entry by hand
    /credit/<id>/               one entry, and ending it with a reason

Views parse input, call one service of credit.services and render.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import administrator_required, signed_in_user
from portal import staging
from portal.forms import add_service_errors

from .list_file import CreditListFile
from .selectors import access_entry, credit_entries, is_active
from .services import (
    DEFAULT_LIST_NAME,
    CreditError,
    ImportOutcome,
    credit_entry_add,
    credit_entry_end,
    credit_list_import,
)

LIST_UPLOAD = "credit-list"  # the staged upload's purpose
PAGE_SIZE = 50


STATES = {
    "": gettext_lazy("All entries"),
    "active": gettext_lazy("In force today"),
    "ended": gettext_lazy("Ended or expired"),
}


@administrator_required
def list_page(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    state = request.GET.get("state", "")
    state = state if state in STATES else ""
    page = Paginator(credit_entries(search=search, state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "credit/list.html",
        {
            "page": page,
            "rows": [{"entry": e, "active": is_active(e, today)} for e in page.object_list],
            "search": search,
            "state": state,
            "states": list(STATES.items()),
            "page_query": urlencode({k: v for k, v in {"q": search, "state": state}.items() if v}),
        },
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("List file (CSV or XLSX)"),
        help_text=gettext_lazy(
            "Columns 统一社会信用代码 (credit code), 主体名称 (name) and 列入日期 (listed on); "
            "名单名称 (list) and 移出日期 (until) if you have them."
        ),
    )
    list_name = forms.CharField(
        label=gettext_lazy("List, for rows that do not name one"),
        max_length=100,
        required=False,
        initial=DEFAULT_LIST_NAME,
        help_text=gettext_lazy("For example 严重失信主体名单 or 失信被执行人名单."),
    )


def _preview(request: HttpRequest, form: ImportForm | None, outcome: ImportOutcome, token: str) -> HttpResponse:
    return render(
        request,
        "credit/preview.html",
        {
            "form": form,
            "outcome": outcome,
            # The error summary links each problem to its row in the problems table.
            "error_links": [(f"#problem-{n}", str(problem)) for n, problem in enumerate(outcome.problems, 1)],
            "token": token,
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
            list_file = CreditListFile.read(data["file"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            outcome = credit_list_import(
                actor=signed_in_user(request), list_file=list_file, list_name=data["list_name"], dry_run=True
            )
            token = ""
            if outcome.ok and outcome.add_count:
                # The rows read from the file wait for the confirmation as a staged upload.
                token = staging.stage(
                    owner=request.user,
                    purpose=LIST_UPLOAD,
                    params={"list_name": data["list_name"], "file": list_file.to_dict()},
                ).token
            return _preview(request, form, outcome, token)
    return render(request, "credit/import.html", {"form": form}, status=400 if form.errors else 200)


@administrator_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    entry = staging.claim(owner=request.user, purpose=LIST_UPLOAD, token=request.POST.get("token", ""))
    if entry is None:
        messages.error(request, _("This preview has expired or was already imported: upload the file again."))
        return redirect("credit:import")
    outcome = credit_list_import(
        actor=signed_in_user(request),
        list_file=CreditListFile.from_dict(entry["file"]),
        list_name=entry["list_name"],
        dry_run=False,
    )
    if not outcome.ok:  # something changed since the preview (e.g. the day turned)
        return _preview(request, None, outcome, "")
    messages.success(
        request,
        ngettext(
            "The list is imported: %(added)d entry added, %(existing)d already on the list.",
            "The list is imported: %(added)d entries added, %(existing)d already on the list.",
            len(outcome.entries),
        )
        % {"added": len(outcome.entries), "existing": outcome.existing_count},
    )
    return redirect("credit:list")


class EntryForm(forms.Form):
    uscc = forms.CharField(label=gettext_lazy("Unified social credit code"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Name of the entity"), max_length=200)
    list_name = forms.CharField(
        label=gettext_lazy("List"),
        max_length=100,
        initial=DEFAULT_LIST_NAME,
        help_text=gettext_lazy("For example 严重失信主体名单 or 失信被执行人名单."),
    )
    listed_on = forms.CharField(
        label=gettext_lazy("Listed on"), max_length=20, help_text=gettext_lazy("For example 2026-03-01.")
    )
    until = forms.CharField(
        label=gettext_lazy("Listed until"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Leave empty when the list gives no end date."),
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def add_page(request: HttpRequest) -> HttpResponse:
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = credit_entry_add(actor=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is on the list “%(list)s”.") % {"name": entry.name, "list": entry.list_name},
            )
            return redirect("credit:entry", entry.pk)
    return render(request, "credit/add.html", {"form": form}, status=400 if form.errors else 200)


class EndForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why does the entry end?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("For example: credit repaired (信用修复) on 2026-05-01, or listed by mistake."),
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def entry_page(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access_entry(request.user, pk)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            credit_entry_end(actor=signed_in_user(request), entry=entry, reason=form.cleaned_data["reason"])
        except CreditError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            messages.success(
                request, _("The entry is ended: %(name)s is no longer refused for it.") % {"name": entry.name}
            )
            return redirect("credit:entry", entry.pk)
    return render(
        request,
        "credit/entry.html",
        {"entry": entry, "form": form, "active": is_active(entry)},
        status=400 if form.errors else 200,
    )
