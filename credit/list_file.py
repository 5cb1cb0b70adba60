"""The columns of a dishonest-entities list file (CSV or XLSX), Chinese or English headings."""

from django.utils.translation import gettext_lazy as _

from portal.spreadsheets import Columns, TableFile

# Column → the headings accepted for it (compared after NFKC, trimming and lower case).
HEADINGS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "credit code", "unified social credit code", "uscc"),
    "name": (
        "主体名称",
        "失信主体名称",
        "企业名称",
        "单位名称",
        "名称",
        "name",
        "entity name",
        "entity",
        "enterprise name",
    ),
    "list_name": ("名单名称", "名单类型", "名单", "列入名单", "list name", "list_name", "list"),
    "listed_on": ("列入日期", "列入时间", "认定日期", "公布日期", "listed on", "listed_on", "listed", "date listed"),
    "until": ("移出日期", "有效期至", "届满日期", "截止日期", "公示截止日期", "until", "listed until", "valid until"),
}

REQUIRED_COLUMNS = ("uscc", "name", "listed_on")

# How a column is named to people: the Chinese heading and its English gloss.
COLUMN_LABELS = {
    "uscc": _("统一社会信用代码 (credit code)"),
    "name": _("主体名称 (name)"),
    "list_name": _("名单名称 (list)"),
    "listed_on": _("列入日期 (listed on)"),
    "until": _("移出日期 (until)"),
}

COLUMNS = Columns(headings=HEADINGS, labels=COLUMN_LABELS, required=REQUIRED_COLUMNS)


class CreditListFile(TableFile):
    """The rows of an uploaded dishonest-entities list, with each row's line in the file."""

    columns = COLUMNS
