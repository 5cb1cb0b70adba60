"""Finance's pages under /finance/ (app_name "disbursement"): budgets, disbursement batches, the
payment file and the bank's results.

Views parse input, call one service of awards.disbursement (or awards.services.budget_set) and
render. Finance officers only (budgets: administrators too); others get 403.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import is_finance
from budgets.selectors import (
    monetary_incentives,
)
from credit.selectors import listings_for, screened_code
from measures.models import Department, Incentive
from portal import staging

from .models import DisbursementBatch, Payment, ResultsJob
from .payment_file import payment_file_csv, payment_file_xlsx
from .resources import COLUMN_LABELS, read_results_file
from .results import Outcome, ResultsInvalid, ResultsReport, payment_results_check, results_job_start
from .selectors import batch_get, batch_payments, batches_list, eligible_preview, eligible_summary, results_job_of
from .services import (
    DisbursementError,
    NothingToPay,
    batch_approve,
    batch_build,
    batch_discard,
    payment_cancel,
    payment_file_open,
)

BATCHES_PAGE_SIZE = 25


PAYMENTS_PAGE_SIZE = 100


PREVIEW_ROWS = 100


RESULTS_UPLOAD = "disbursement-results"  # the staged upload's purpose


RESULTS_JOB_REFRESH = 2  # seconds between two looks of the progress page at a running job


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_finance(request: HttpRequest) -> User:
    """The signed-in finance officer; PermissionDenied for anyone else."""
    user = request.user
    if not isinstance(user, User) or not is_finance(user):
        raise PermissionDenied
    return user


def _batch(pk: int) -> DisbursementBatch:
    try:
        return batch_get(pk)
    except DisbursementBatch.DoesNotExist:
        raise Http404 from None


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return obj.localized("name")


class IncentiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Incentive) -> str:
        return f"{obj.measure.number}. {obj.localized('name')}"


class BuildForm(forms.Form):
    department = DepartmentChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("Any department"),
    )
    incentive = IncentiveChoiceField(
        label=gettext_lazy("Incentive"),
        queryset=Incentive.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("Any incentive"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department = self.fields["department"]
        assert isinstance(department, DepartmentChoiceField)
        department.queryset = Department.objects.filter(handled_incentives__kind__in=Incentive.GRANT_KINDS).distinct()
        incentive = self.fields["incentive"]
        assert isinstance(incentive, IncentiveChoiceField)
        incentive.queryset = monetary_incentives()


class ResultsUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The bank's results file"),
        help_text=gettext_lazy(
            "CSV or XLSX, up to 5 MB, headings in Chinese or English. Columns: payment reference, status "
            "(paid or failed), paid date (YYYY-MM-DD), bank reference, failure reason; amount is optional and "
            "checked when given."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


@login_required
def batches(request: HttpRequest) -> HttpResponse:
    _require_finance(request)
    status = request.GET.get("status") or ""
    if status not in DisbursementBatch.Status.values:
        status = ""
    page = Paginator(batches_list(status=status or None), BATCHES_PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [{"value": "", "label": _("All"), "current": not status}] + [
        {"value": value, "label": label, "current": status == value}
        for value, label in DisbursementBatch.Status.choices
    ]
    return render(
        request,
        "finance/batches.html",
        {"page": page, "tabs": tabs, "status": status, "section": "batches"},
    )


@login_required
def build(request: HttpRequest) -> HttpResponse:
    finance = _require_finance(request)
    data = request.POST if request.method == "POST" else (request.GET if request.GET else None)
    form = BuildForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            built = batch_build(
                actor=finance,
                department=form.cleaned_data["department"],
                incentive=form.cleaned_data["incentive"],
            )
        except NothingToPay as nothing:
            form.add_error(None, nothing.message)
            skipped = nothing.skipped
        except DisbursementError as refused:
            form.add_error(None, refused.message)
            skipped = []
        else:
            messages.success(
                request,
                ngettext(
                    "Batch %(number)s built with %(count)s payment of %(total)s CNY. "
                    "Another finance officer must approve it.",
                    "Batch %(number)s built with %(count)s payments totalling %(total)s CNY. "
                    "Another finance officer must approve it.",
                    built.payments,
                )
                % {"number": built.batch.number, "count": built.payments, "total": f"{built.total:,.2f}"},
            )
            for skip in built.skipped:
                messages.warning(
                    request,
                    _("Left out %(application)s (%(applicant)s): %(reason)s")
                    % {"application": skip.application, "applicant": skip.applicant, "reason": skip.reason},
                )
            return redirect("disbursement:batch", built.batch.pk)
        return render(
            request,
            "finance/build.html",
            {"form": form, "preview": None, "skipped": skipped, "section": "build"},
        )
    preview = None
    if form.is_bound and form.is_valid():
        filters = {"department": form.cleaned_data["department"], "incentive": form.cleaned_data["incentive"]}
        awards = list(eligible_preview(**filters)[:PREVIEW_ROWS])
        # 信用审查: payees on a list of seriously dishonest entities today are left out of the batch.
        listed = listings_for(screened_code(a.application.applicant) for a in awards)
        preview = {
            "summary": eligible_summary(**filters),
            "awards": [{"award": a, "listing": listed.get(a.application.applicant.uscc or "")} for a in awards],
            "limit": PREVIEW_ROWS,
        }
    return render(request, "finance/build.html", {"form": form, "preview": preview, "skipped": [], "section": "build"})


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    finance = _require_finance(request)
    found = _batch(pk)
    page = Paginator(batch_payments(found), PAYMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/batch.html",
        {
            "batch": found,
            "page": page,
            "can_approve": found.status == DisbursementBatch.Status.DRAFT and found.created_by_id != finance.pk,
            "is_creator": found.created_by_id == finance.pk,
            "has_file": found.status != DisbursementBatch.Status.DRAFT,
            "section": "batches",
        },
    )


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    finance = _require_finance(request)
    found = _batch(pk)
    try:
        approved = batch_approve(actor=finance, batch=found)
    except DisbursementError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("Batch %(number)s is approved: download the payment file for the bank.") % {"number": approved.number},
        )
    return redirect("disbursement:batch", found.pk)


@login_required
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    finance = _require_finance(request)
    found = _batch(pk)
    try:
        discarded = batch_discard(actor=finance, batch=found, reason=request.POST.get("reason", ""))
    except DisbursementError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("Batch %(number)s is discarded: its awards wait for the next batch.") % {"number": discarded.number},
        )
    return redirect("disbursement:batch", found.pk)


@login_required
def payment_file(request: HttpRequest, pk: int, file_format: str) -> HttpResponseBase:
    finance = _require_finance(request)
    found = _batch(pk)
    if file_format not in ("csv", "xlsx"):
        raise Http404
    try:
        rows = payment_file_open(actor=finance, batch=found, file_format=file_format)
    except DisbursementError as refused:
        messages.error(request, refused.message)
        return redirect("disbursement:batch", found.pk)
    return payment_file_response(found, rows, file_format)


def payment_file_response(batch: DisbursementBatch, rows: Any, file_format: str) -> HttpResponseBase:
    """The file as a download: CSV streamed line by line, XLSX from a temporary file."""
    name = f"{batch.number}-payment-file.{file_format}"
    if file_format == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            payment_file_csv(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        response = FileResponse(
            payment_file_xlsx(rows, title=batch.number), as_attachment=True, filename=name, content_type=XLSX_TYPE
        )
    response["Cache-Control"] = "no-store"
    return response


def _report_context(report: ResultsReport) -> dict[str, Any]:
    errors = [
        {"row": row.row, "field": field, "label": COLUMN_LABELS.get(field, field), "message": message}
        for row in report.rows
        for field, messages_ in row.errors.items()
        for message in messages_
    ]
    counts = report.counts
    # The error summary's entries: the file's own errors, then each row's, linking to the row.
    error_links = [("", str(message)) for message in report.file_errors] + [
        (f"#row-{error['row']}", f"{_('Row %(row)s, %(label)s') % error}: {error['message']}") for error in errors
    ]
    return {
        "report": report,
        "row_errors": errors,
        "error_links": error_links,
        "to_apply": counts[Outcome.WILL_PAY] + counts[Outcome.WILL_FAIL],
        "counts": counts,
    }


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload (GET shows the form); POST runs a dry run and shows what each row would do."""
    finance = _require_finance(request)
    found = _batch(pk)
    context: dict[str, Any] = {"batch": found, "section": "batches", "columns": COLUMN_LABELS}
    if found.status == DisbursementBatch.Status.DRAFT:
        messages.error(request, _("Results can be recorded once the batch is approved and its payment file sent."))
        return redirect("disbursement:batch", found.pk)
    if request.method != "POST":
        return render(request, "finance/results.html", {**context, "form": ResultsUploadForm()})
    form = ResultsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "finance/results.html", {**context, "form": form})
    uploaded = form.cleaned_data["file"]
    try:
        report = payment_results_check(actor=finance, batch=found, dataset=read_results_file(uploaded))
    except DisbursementError as refused:
        form.add_error("file", refused.message)
        return render(request, "finance/results.html", {**context, "form": form})
    token = ""
    if report.valid and report.counts[Outcome.WILL_PAY] + report.counts[Outcome.WILL_FAIL]:
        uploaded.seek(0)
        token = staging.stage(
            owner=finance,
            purpose=RESULTS_UPLOAD,
            params={"batch": found.pk},
            content=uploaded.read(),
            name=uploaded.name,
        ).token
    return render(
        request,
        "finance/results.html",
        {**context, "form": None, "token": token, "file_name": uploaded.name, **_report_context(report)},
    )


@login_required
@require_POST
def results_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Starts the job that applies the previewed file; a file changed meanwhile is shown again with
    its errors. The job's page shows its progress."""
    finance = _require_finance(request)
    found = _batch(pk)
    staged = staging.take(owner=finance, purpose=RESULTS_UPLOAD, token=request.POST.get("token", ""))
    if staged is None or not staged.file:
        messages.error(request, _("The preview has expired: upload the file again."))
        return redirect("disbursement:results", found.pk)
    if staged.params.get("batch") != found.pk:
        raise PermissionDenied
    name = staged.original_name
    content = ContentFile(staging.read(staged), name=name)
    try:
        job = results_job_start(actor=finance, batch=found, dataset=read_results_file(content), file_name=name)
    except ResultsInvalid as invalid:
        return render(
            request,
            "finance/results.html",
            {
                "batch": found,
                "section": "batches",
                "columns": COLUMN_LABELS,
                "form": None,
                "token": "",
                "file_name": name,
                **_report_context(invalid.report),
            },
        )
    except DisbursementError as refused:
        messages.error(request, refused.message)
        return redirect("disbursement:results", found.pk)
    staging.discard(staged)
    return redirect("disbursement:results_job", found.pk, job.pk)


@login_required
def results_job(request: HttpRequest, pk: int, job_id: int) -> HttpResponse:
    """A results job's progress: the page refreshes itself while the rows are applied."""
    _require_finance(request)
    found = _batch(pk)
    try:
        job = results_job_of(found, job_id)
    except ResultsJob.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "finance/results_job.html",
        {"batch": found, "job": job, "refresh": RESULTS_JOB_REFRESH if job.is_running else 0, "section": "batches"},
    )


@login_required
@require_POST
def cancel_payment(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    """A failed payment not to be retried: its award ends and its amount goes back to the budget."""
    finance = _require_finance(request)
    found = _batch(pk)
    payment = Payment.objects.filter(batch=found, reference=reference).first()
    if payment is None:
        raise Http404
    try:
        payment_cancel(actor=finance, payment=payment, reason=request.POST.get("reason", ""))
    except DisbursementError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("Payment %(reference)s is cancelled: the award ends and %(amount)s CNY go back to the budget.")
            % {"reference": payment.reference, "amount": f"{payment.amount:,.2f}"},
        )
    return redirect(f"{reverse('disbursement:batch', args=[found.pk])}#payment-{payment.reference}")
