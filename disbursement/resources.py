"""django-import-export resources of the awards app.

PaymentResultResource reads the bank's results file for one disbursement batch (CSV or XLSX):

    payment reference | status (paid / failed) | paid date | bank reference | failure reason | amount (optional)

Headings are matched loosely (case, spaces, underscores; Chinese headings too: 拨付编号, 状态, 支付日期,
银行流水号, 失败原因, 金额 — the payment file's own Chinese headings among them), and so are the
statuses (paid or 已支付 / 支付成功 …, failed or 支付失败 / 失败 …: STATUS_WORDS); other columns
(payee, bank, … when the bank sends our file back) are
ignored. Every problem is kept with its row (the line in the file; the heading is line 1) and its
column: an unknown reference, a reference twice, a status other than paid/failed, a bad or future
date, a missing bank reference or reason, an amount that differs from the payment's, a result
that contradicts the one recorded. A row whose result is already recorded is skipped and reported
as such: importing a file twice changes nothing.

The resource applies nothing itself: it runs as a dry run (the preview and the check before a job);
the job gives each valid row to disbursement.results.payment_result_record (locks, budget, workflow,
notices).

BudgetResource exports and imports budgets in the admin; an import sets each allocation through
awards.services.budget_set (never below what is committed and paid; on the audit trail).
"""

import datetime as dt
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.results import RowResult

from .models import DisbursementBatch, Payment
from .results import BankResult, Outcome, ResultRow, ResultsReport, bank_result_problems
from .services import DisbursementError

MAX_RESULTS_FILE_BYTES = 5 * 1024 * 1024


MAX_RESULTS_ROWS = 20_000


# Column → the headings accepted for it (compared after NFKC, lower case, spaces/_/- removed).
HEADINGS: dict[str, tuple[str, ...]] = {
    "payment_reference": (
        "payment reference",
        "reference",
        "付款参考号",
        "支付参考号",
        "付款编号",
        "参考号",
        "拨付编号",
    ),
    "status": ("status", "result", "状态", "支付状态", "结果"),
    "paid_date": ("paid date", "paid on", "date paid", "支付日期", "付款日期", "到账日期", "拨付日期"),
    "bank_reference": ("bank reference", "银行流水号", "银行参考号", "流水号"),
    "failure_reason": ("failure reason", "reason", "失败原因", "原因"),
    "amount": ("amount", "金额", "支付金额"),
}


REQUIRED_COLUMNS = ("payment_reference", "status")


COLUMN_LABELS = {
    "payment_reference": gettext_lazy("payment reference"),
    "status": gettext_lazy("status"),
    "paid_date": gettext_lazy("paid date"),
    "bank_reference": gettext_lazy("bank reference"),
    "failure_reason": gettext_lazy("failure reason"),
    "amount": gettext_lazy("amount"),
    "__all__": gettext_lazy("row"),
}


# Status → the words accepted for it in the status column (compared like the headings).
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    Payment.Status.PAID: (
        "paid",
        "success",
        "successful",
        "succeeded",
        "已支付",
        "支付成功",
        "成功",
        "已付款",
        "付款成功",
        "已拨付",
        "拨付成功",
        "已到账",
        "交易成功",
    ),
    Payment.Status.FAILED: (
        "failed",
        "failure",
        "fail",
        "支付失败",
        "失败",
        "付款失败",
        "拨付失败",
        "交易失败",
        "退票",
        "已退票",
    ),
}


def _heading_key(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).lower()
    return "".join(ch for ch in text if ch.isalnum())


_BY_HEADING = {_heading_key(h): column for column, headings in HEADINGS.items() for h in headings}


_BY_STATUS_WORD = {_heading_key(w): status for status, words in STATUS_WORDS.items() for w in words}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class ResultsFileTooLarge(DisbursementError):
    """The API answers 413."""


def read_results_file(uploaded: Any) -> tablib.Dataset:
    """An uploaded CSV or XLSX file as a Dataset (headings as in the file), or DisbursementError
    naming what is wrong with the file."""
    if uploaded is None:
        raise DisbursementError(_("Choose the bank's results file (CSV or XLSX)."), field="file")
    if uploaded.size > MAX_RESULTS_FILE_BYTES:
        raise ResultsFileTooLarge(
            _("The file is larger than %(size)s MB.") % {"size": MAX_RESULTS_FILE_BYTES // (1024 * 1024)},
            field="file",
        )
    content = uploaded.read()
    name = (getattr(uploaded, "name", "") or "").lower()
    if not content:
        raise DisbursementError(_("The file is empty."), field="file")
    is_xlsx = content.startswith(b"PK\x03\x04")
    if name.endswith(".xlsx") and not is_xlsx:
        raise DisbursementError(_("The file is not a valid XLSX spreadsheet."), field="file")
    if is_xlsx:
        try:
            return base_formats.XLSX().create_dataset(content)
        except Exception:  # openpyxl raises many kinds (zip, XML, missing parts): all mean "unreadable"
            raise DisbursementError(_("The file is not a valid XLSX spreadsheet."), field="file") from None
    extension = name.rsplit(".", 1)[1] if "." in name else ""
    if extension not in ("", "csv", "txt"):
        raise DisbursementError(_("Upload a CSV or XLSX file."), field="file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise DisbursementError(_("The CSV file is neither UTF-8 nor GB18030 text."), field="file")
    if "\x00" in text:
        raise DisbursementError(_("Upload a CSV or XLSX file."), field="file")
    try:
        return base_formats.CSV().create_dataset(text)
    except Exception:  # tablib's csv reader: ragged or binary input
        raise DisbursementError(_("The CSV file cannot be read."), field="file") from None


def prepare_results_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """The rows under the resource's column names, blank lines dropped (each row remembers its
    line in the file), or DisbursementError when a required column is missing or there are no rows."""
    if getattr(dataset, "lines", None) is not None:
        return dataset
    headers = list(dataset.headers or [])
    columns = [_BY_HEADING.get(_heading_key(h), f"ignored:{i}") for i, h in enumerate(headers)]
    missing = [str(COLUMN_LABELS[c]) for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise DisbursementError(
            _("The file has no column “%(columns)s”: the first line must name the columns.")
            % {"columns": "”, “".join(missing)},
            field="file",
        )
    duplicates = sorted({str(COLUMN_LABELS[c]) for c in columns if c in HEADINGS and columns.count(c) > 1})
    if duplicates:
        raise DisbursementError(
            _("The column “%(columns)s” appears twice.") % {"columns": "”, “".join(duplicates)}, field="file"
        )
    prepared = tablib.Dataset(headers=columns)
    prepared.lines = []
    for index, values in enumerate(dataset, 2):
        if all(_blank(v) for v in values):
            continue
        prepared.append(list(values))
        prepared.lines.append(index)
    if not len(prepared):
        raise DisbursementError(_("The file has no rows under its headings."), field="file")
    if len(prepared) > MAX_RESULTS_ROWS:
        raise DisbursementError(
            _("The file has more than %(rows)s rows: split it.") % {"rows": MAX_RESULTS_ROWS}, field="file"
        )
    return prepared


class _Cell(widgets.Widget):
    def text(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return unicodedata.normalize("NFKC", str(value)).strip()


class ReferenceWidget(_Cell):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = self.text(value).lstrip("'").upper()
        if not text:
            raise ValueError(_("Enter the payment reference."))
        return text


class ResultStatusWidget(_Cell):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = self.text(value)
        status = _BY_STATUS_WORD.get(_heading_key(text))
        if status is not None:
            return str(status)
        if not text:
            raise ValueError(_("Enter the status: “paid” or “failed”."))
        raise ValueError(_("“%(value)s” is not a status: enter “paid” or “failed”.") % {"value": text[:40]})


class PaidDateWidget(_Cell):
    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        else:
            text = self.text(value)
            if not text:
                return None
            text = text.split(" ")[0].split("T")[0]
            for fmt in self.FORMATS:
                try:
                    day = dt.datetime.strptime(text, fmt).date()
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(
                    _("“%(value)s” is not a date: enter it as YYYY-MM-DD, for example 2026-03-31.")
                    % {"value": text[:40]}
                )
        return day  # the rules on it (not in the future) are the service's: bank_result_problems


class TextWidget(_Cell):
    def __init__(self, max_length: int) -> None:
        super().__init__()
        self.max_length = max_length

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = self.text(value)
        if len(text) > self.max_length:
            raise ValueError(_("Enter at most %(max)s characters.") % {"max": self.max_length})
        return text


class AmountWidget(_Cell):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal | None:
        text = self.text(value).replace(",", "").replace("¥", "").replace("￥", "").strip()
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not an amount in CNY.") % {"value": text[:40]}) from None
        if not amount.is_finite():
            raise ValueError(_("“%(value)s” is not an amount in CNY.") % {"value": text[:40]})
        return amount.quantize(Decimal("0.01"))


class PaymentResultResource(resources.ModelResource):
    payment_reference = fields.Field(attribute="reference", column_name="payment_reference", widget=ReferenceWidget())
    status = fields.Field(column_name="status", widget=ResultStatusWidget())
    paid_date = fields.Field(column_name="paid_date", widget=PaidDateWidget())
    bank_reference = fields.Field(column_name="bank_reference", widget=TextWidget(60))
    failure_reason = fields.Field(column_name="failure_reason", widget=TextWidget(300))
    amount = fields.Field(column_name="amount", widget=AmountWidget())

    class Meta:
        model = Payment
        fields = ("payment_reference", "status", "paid_date", "bank_reference", "failure_reason", "amount")
        import_id_fields = ("payment_reference",)
        skip_diff = True
        report_skipped = True
        clean_model_instances = False
        use_transactions = True

    def __init__(self, *, batch: DisbursementBatch, actor: Any) -> None:
        super().__init__()
        self.batch = batch
        self.actor = actor
        self.lines: list[int] = []
        self.details: dict[int, dict[str, Any]] = {}  # row number → what the report shows
        self._seen: dict[str, int] = {}
        self._payments: dict[str, Payment] = {}
        self._row_number = 0

    def line(self, row_number: int) -> int:
        return self.lines[row_number - 1] if 0 < row_number <= len(self.lines) else row_number + 1

    def get_queryset(self) -> Any:
        return Payment.objects.filter(batch=self.batch)

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        self.lines = list(getattr(dataset, "lines", []) or [])
        # One query for the batch's payments (read after the import locked the batch: current).
        self._payments = {payment.reference: payment for payment in self.get_queryset()}

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        self._row_number = kwargs["row_number"]
        self.details[self._row_number] = {
            "reference": ReferenceWidget().text(row.get("payment_reference")).lstrip("'").upper(),
            "status": ResultStatusWidget().text(row.get("status")).lower(),
        }

    def get_or_init_instance(self, instance_loader: Any, row: dict[str, Any]) -> tuple[Payment, bool]:
        number = self._row_number
        try:
            reference = self.fields["payment_reference"].clean(row)
        except ValueError as problem:
            raise ValidationError({"payment_reference": [str(problem)]}) from None
        first = self._seen.setdefault(reference, number)
        if first != number:
            raise ValidationError(
                {
                    "payment_reference": [
                        _("Payment %(reference)s is already in row %(row)s of this file.")
                        % {"reference": reference, "row": self.line(first)}
                    ]
                }
            )
        payment = self._payments.get(reference)
        if payment is None:
            other = Payment.objects.filter(reference=reference).select_related("batch").first()
            message = (
                _("Payment %(reference)s belongs to batch %(other)s, not to %(batch)s.")
                % {"reference": reference, "other": other.batch.number, "batch": self.batch.number}
                if other
                else _("There is no payment %(reference)s in batch %(batch)s.")
                % {"reference": reference, "batch": self.batch.number}
            )
            raise ValidationError({"payment_reference": [message]})
        self.details[number].update(payee=payment.payee_name, amount=payment.amount)
        return payment, False

    def import_instance(self, instance: Payment, row: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        values: dict[str, Any] = {}
        for name in ("status", "paid_date", "bank_reference", "failure_reason", "amount"):
            column = self.fields[name]
            if column.column_name not in row:
                values[name] = None
                continue
            try:
                values[name] = column.clean(row)
            except ValueError as problem:
                errors[name] = [str(problem)]
        status = values.get("status") or ""  # no status column: "", refused as None was
        result = BankResult(
            status=status,
            paid_on=values.get("paid_date") if status == Payment.Status.PAID else None,
            bank_reference=values.get("bank_reference") or "",
            failure_reason=(values.get("failure_reason") or "") if status == Payment.Status.FAILED else "",
            amount=values.get("amount"),
        )
        if status:  # the service's rules, for every field the file gave in a form it could read
            for name, messages in bank_result_problems(instance, result).items():
                errors.setdefault(name, messages)
        if errors:
            raise ValidationError(errors)
        instance._bank_result = result  # type: ignore[attr-defined]
        self.details[self._row_number].update(payment_id=instance.pk, result=result)

    def skip_row(self, instance: Payment, original: Any, row: Any, import_validation_errors: Any = None) -> bool:
        if import_validation_errors:
            return False
        result = getattr(instance, "_bank_result", None)
        return result is not None and instance.status == result.status

    def save_instance(self, instance: Payment, is_create: bool, row: Any, **kwargs: Any) -> None:
        """Saves nothing (the resource runs as a dry run): notes what the row would do."""
        result: BankResult = instance._bank_result  # type: ignore[attr-defined]
        self.details[kwargs["row_number"]]["outcome"] = (
            Outcome.WILL_PAY if result.status == Payment.Status.PAID else Outcome.WILL_FAIL
        )


def results_report(
    batch: DisbursementBatch, resource: PaymentResultResource, dataset: Any, result: Any, *, dry_run: bool
) -> ResultsReport:
    """What happened to each row, in the file's order, with its errors by column."""
    rows: list[ResultRow] = []
    for number, row_result in enumerate(result.rows, 1):
        details = resource.details.get(number, {})
        errors: dict[str, list[str]] = {}
        if row_result.import_type == RowResult.IMPORT_TYPE_INVALID and row_result.validation_error is not None:
            error = row_result.validation_error
            if hasattr(error, "error_dict"):
                errors = {key: [str(m) for m in messages] for key, messages in error.message_dict.items()}
            else:
                errors = {"__all__": [str(m) for m in error.messages]}
        elif row_result.import_type == RowResult.IMPORT_TYPE_ERROR:
            errors = {"__all__": [_("This row could not be processed: check it and try again.")]}
        if errors:
            outcome = Outcome.INVALID
        elif row_result.import_type == RowResult.IMPORT_TYPE_SKIP:
            outcome = Outcome.ALREADY_APPLIED
        else:
            outcome = details.get("outcome", Outcome.INVALID)
        rows.append(
            ResultRow(
                row=resource.line(number),
                reference=details.get("reference", ""),
                status=details.get("status", ""),
                outcome=outcome,
                payee=details.get("payee", ""),
                amount=details.get("amount"),
                errors=errors,
                payment_id=None if errors else details.get("payment_id"),
                result=None if errors else details.get("result"),
            )
        )
    file_errors = [str(e.error) for e in result.base_errors]
    return ResultsReport(batch=batch, dry_run=dry_run, rows=rows, file_errors=file_errors)


def error_label(field_name: str) -> str:
    return str(COLUMN_LABELS.get(field_name, field_name))
