"""Forms of the reports pages: which export, the dashboard's year, a target's progress."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import DateBox

from .exports import REPORTS

FORMAT_CHOICES = [("csv", "CSV"), ("xlsx", _("XLSX (Excel)")), ("pdf", _("PDF with charts"))]


class ExportForm(forms.Form):
    report = forms.ChoiceField(label=_("Report"), choices=[])
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="csv")
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("Leave empty for every year."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-short"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        report = self.fields["report"]
        assert isinstance(report, forms.ChoiceField)
        report.choices = [(spec.name, spec.title) for spec in REPORTS.values()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        spec = REPORTS.get(data.get("report", ""))
        if spec and data.get("format") and data["format"] not in spec.formats:
            self.add_error(
                "format",
                _("“%(report)s” is available as %(formats)s.")
                % {"report": spec.title, "formats": ", ".join(f.upper() for f in spec.formats)},
            )
        return data


class YearForm(forms.Form):
    """The dashboard's year: the current fiscal year unless the reader picks another, or every year
    ("all", only on request: the figures of every year are the widest read)."""

    ALL = "all"

    fiscal_year = forms.ChoiceField(label=_("Fiscal year"), required=False)

    def __init__(self, *args: Any, years: list[int], current: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"fiscal_year": str(current)})
        super().__init__(*args, **kwargs)
        self.current = current
        fiscal_year = self.fields["fiscal_year"]
        assert isinstance(fiscal_year, forms.ChoiceField)
        shown = sorted({*years, current}, reverse=True)
        fiscal_year.choices = [*((str(y), str(y)) for y in shown), (self.ALL, _("All years"))]

    def chosen_year(self) -> int | None:
        """The year to show (None: every year); the current one when nothing valid was chosen."""
        if not self.is_bound or not self.is_valid() or not self.cleaned_data["fiscal_year"]:
            return self.current
        value = self.cleaned_data["fiscal_year"]
        return None if value == self.ALL else int(value)


class TargetProgressForm(forms.Form):
    count = forms.IntegerField(
        label=_("Count reached"),
        min_value=0,
        max_value=10_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-short"}),
    )
    as_of = forms.DateField(
        label=_("As of"),
        help_text=_("The day the count was reached, for example 2026-06-30."),
        widget=DateBox(),
    )
    evidence = forms.CharField(
        label=_("Evidence note"),
        required=False,
        max_length=2000,
        help_text=_("Where the figure comes from: a list, a notice, a statistics report."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"as_of": timezone.localdate()})
        super().__init__(*args, **kwargs)
