"""Reading an official list (免申即享) with django-import-export: one resource, one row per enterprise.

The file's headings are first mapped to the resource's columns (`canonical_headers`): officials
send lists with Chinese headings (统一社会信用代码, 企业名称, 年度, 称号), scripts with English ones.
Each row is checked field by field, and every problem is kept with its row and field:

- the credit code (GB 32100, with its check character: accounts.identifiers.validate_uscc);
- the same code twice in one file (the later row names the earlier one);
- a missing name;
- a year other than the list's.

The rows are saved by the resource inside the import's transaction; a dry run (or any invalid
row) rolls them back. Matching rows to enterprises and making offers is the service's work
(awards.proactive), not the resource's.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from accounts.identifiers import validate_uscc
from portal.spreadsheets import Columns, cell_text

from .models import ProactiveList, ProactiveListRow

# Resource column → the headings accepted for it (compared after NFKC, trimming and lower case).
HEADINGS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "credit code", "unified social credit code", "uscc"),
    "name": ("企业名称", "单位名称", "名称", "name", "enterprise name", "enterprise"),
    "year": ("年度", "年份", "year"),
    "title": ("称号", "荣誉称号", "title"),
}


REQUIRED_COLUMNS = ("uscc", "name")


# How a column is named to people: the Chinese heading and its English gloss.
COLUMN_LABELS = {
    "uscc": _("统一社会信用代码 (credit code)"),
    "name": _("企业名称 (name)"),
    "year": _("年度 (year)"),
    "title": _("称号 (title)"),
}


COLUMNS = Columns(headings=HEADINGS, labels=COLUMN_LABELS, required=REQUIRED_COLUMNS)


def canonical_headers(headers: list[Any]) -> list[str]:
    """The file's headings as resource columns; a heading we do not know is kept as it is (ignored)."""
    return COLUMNS.canonical(headers)


_text = cell_text


class CreditCodeWidget(widgets.Widget):
    """The code as typed (full-width, spaces, lower case allowed), checked and normalised."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = _text(value)
        if not text:
            raise ValueError(_("Enter the unified social credit code."))
        try:
            return validate_uscc(text)
        except ValidationError as error:
            raise ValueError(" ".join(str(m) for m in error.messages)) from None


class RequiredTextWidget(widgets.Widget):
    def __init__(self, missing: Any, max_length: int) -> None:
        super().__init__()
        self.missing = missing
        self.max_length = max_length

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = " ".join(_text(value).split())
        if not text:
            raise ValueError(self.missing)
        if len(text) > self.max_length:
            raise ValueError(_("At most %(n)d characters.") % {"n": self.max_length})
        return text


class OptionalTextWidget(widgets.Widget):
    def __init__(self, max_length: int) -> None:
        super().__init__()
        self.max_length = max_length

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = " ".join(_text(value).split())
        if len(text) > self.max_length:
            raise ValueError(_("At most %(n)d characters.") % {"n": self.max_length})
        return text


class ProactiveListRowResource(resources.ModelResource):
    """Rows of one list: `ProactiveListRowResource(award_list=the_list)`."""

    uscc = fields.Field(attribute="uscc", column_name="uscc", widget=CreditCodeWidget())
    name = fields.Field(
        attribute="name",
        column_name="name",
        widget=RequiredTextWidget(_("Enter the enterprise's name."), 200),
    )
    title = fields.Field(attribute="title", column_name="title", widget=OptionalTextWidget(200))

    class Meta:
        model = ProactiveListRow
        fields = ("uscc", "name", "title")
        import_order = ("uscc", "name", "title")
        force_init_instance = True  # every row is new: a list is imported once, never updated
        clean_model_instances = True
        use_transactions = True
        skip_diff = True
        store_instance = True  # the preview shows each row as cleaned

    def __init__(self, *, award_list: ProactiveList, file_rows: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.award_list = award_list
        # The file's line of each data row (blank lines and title lines above the headings skipped).
        self.file_rows = file_rows
        self._seen: dict[str, int] = {}  # credit code → the file row that first had it

    def file_row(self, row_number: int) -> int:
        """import-export counts data rows from 1; people count the spreadsheet's rows, heading = 1."""
        if self.file_rows and 0 < row_number <= len(self.file_rows):
            return self.file_rows[row_number - 1]
        return row_number + 1

    def after_init_instance(self, instance: ProactiveListRow, new: bool, row: Any, **kwargs: Any) -> None:
        instance.award_list = self.award_list

    def import_instance(self, instance: ProactiveListRow, row: Any, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        year = _text(row.get("year"))
        if year and year != str(self.award_list.year):
            errors["year"] = [
                ValidationError(
                    _("This list is for %(year)s; the row says %(given)s.")
                    % {"year": self.award_list.year, "given": year},
                    code="year",
                )
            ]
        if "uscc" not in errors:
            here = self.file_row(kwargs.get("row_number") or 0)
            first = self._seen.setdefault(instance.uscc, here)
            if first != here:
                errors["uscc"] = [
                    ValidationError(
                        _("The same credit code is already on row %(row)d of the file.") % {"row": first},
                        code="duplicate",
                    )
                ]
        if errors:
            raise ValidationError(errors)

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        """No sequence reset: ids are never imported, and resetting a sequence while another
        transaction inserts (what ModelResource does on PostgreSQL) could hand out a used id."""
